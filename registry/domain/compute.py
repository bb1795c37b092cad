"""Bounded computation: the budget every expensive step of a request gets, and the port
through which the service runs those steps.

Checking a schema (metaschema, references, patterns), compiling a validator, validating a
document and checking compatibility can each cost seconds on inputs inside every size
limit. The service hands each such step to a ``Compute`` together with its *weight* (about
the bytes of JSON text it works on; ``json_weight`` estimates it for a parsed document).

Every implementation runs a step under a deadline, ``ComputeBudget.seconds`` from its start.
The long loops of the steps call ``check_budget()``, which raises once the deadline has
passed: JSON Schema's descent into subschemas (every ``$ref``, combinator, item and
property, so also the expansions a small recursive schema can cause; the metaschema check
too), the JSON Schema compatibility walk, and each Avro union branch tried. Waits that a
library bounds take the time left as their limit: pattern matching (each match's own limit
shrinks to it) and protoc's compile of a Protobuf schema. Past the budget the request is
answered ``TooComplex`` (422 ``TOO_COMPLEX``, naming the setting). Work that checks nothing
- one jsonschema keyword on one value (``uniqueItems``, ``enum``), the Protobuf walk over a
document, the Avro and Protobuf compatibility rules - is bounded by the size limits of its
inputs instead.

``InlineCompute`` runs every step where it is called, under the budget: for tests and for
servers that give each request a native thread. gevent workers get
``registry.offload.GeventCompute``, which runs heavy steps on a native thread so that the
worker's other requests keep being served meanwhile.

What may be handed over: pure computation on inputs that nobody changes while it runs. The
step may run on another native thread, so it must do no I/O, take no lock another thread
or greenlet may hold, and start no process; caches it touches must be safe across threads
(``registry.lru.LocalCache`` is). Loading stored schemas (Avro's and Protobuf's caches,
protoc) and every cache of the service stay with the caller; a step that is not pure
(loading a stored Avro or Protobuf schema, parsing Protobuf: protoc) is run with
``movable=False``: where it is called, under the budget, and hands its pure parts over
with ``hand_over`` (rendering and indexing Protobuf descriptors, building Avro's types).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol, TypeVar

from registry.domain.errors import TooComplex

Result = TypeVar("Result")

DEFAULT_BUDGET_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class ComputeBudget:
    """How long one expensive step of a request may compute."""

    seconds: float = DEFAULT_BUDGET_SECONDS
    setting: str = "COMPUTE_BUDGET_SECONDS"  # named in the error, so an operator knows what to raise

    def exceeded(self, operation: str) -> TooComplex:
        return TooComplex(
            f"{operation} takes longer than the {self.seconds:g} s one request may compute ({self.setting})",
            limit=self.setting,
            limit_value=self.seconds,
        )


class Compute(Protocol):
    """Where the expensive steps of requests run."""

    @property
    def weight_limit(self) -> int:
        """Weights past this one are all treated alike: callers need not count further."""
        ...

    def run(
        self,
        work: Callable[[], Result],
        *,
        operation: str,
        weight: int,
        key: str | None = None,
        movable: bool = True,
    ) -> Result:
        """``work()``, within the budget. Raises ``TooComplex`` past the budget and
        ``ComputeBusy`` when there is no room to run it; whatever ``work`` raises passes through.

        ``operation`` says what the step does, for the error ("validating the document");
        ``weight`` is about the bytes of JSON it works on; ``key`` names a step that recurs
        (validation against one schema), so an implementation may remember how it went.
        ``movable=False`` keeps a step that is not pure computation (it starts a process,
        or uses caches with locks) where it is called, still under the budget."""
        ...


class InlineCompute:
    """Every step where it is called, under the budget."""

    def __init__(self, budget: ComputeBudget | None = None) -> None:
        self._budget = budget or ComputeBudget()

    @property
    def weight_limit(self) -> int:
        return 0  # every step runs here whatever it weighs

    def run(
        self,
        work: Callable[[], Result],
        *,
        operation: str,
        weight: int,
        key: str | None = None,
        movable: bool = True,
    ) -> Result:
        budget = self._budget
        return run_until(time.monotonic() + budget.seconds, lambda: budget.exceeded(operation), work)


# Runs a pure part of a step (the part, its weight) where pure work runs (see hand_over).
Mover = Callable[[Callable[[], Any], int], Any]


class _Step:
    __slots__ = ("at", "overrun", "mover")

    def __init__(self, at: float, overrun: Callable[[], BaseException], mover: Mover | None) -> None:
        self.at = at
        self.overrun = overrun
        self.mover = mover


# Greenlets and native threads each see their own step.
_step: ContextVar[_Step | None] = ContextVar("registry_compute_step", default=None)


def run_until(
    at: float, overrun: Callable[[], BaseException], work: Callable[[], Result], *, mover: Mover | None = None
) -> Result:
    """``work()`` with ``check_budget()`` raising ``overrun()`` once ``time.monotonic()`` passes
    ``at``, and ``hand_over`` passing its parts to ``mover``."""
    token = _step.set(_Step(at, overrun, mover))
    try:
        return work()
    finally:
        _step.reset(token)


def hand_over(work: Callable[[], Result], *, weight: int) -> Result:
    """``work()``: a pure part (see above) of a step that must itself stay where it is called
    (``movable=False``: it starts a process, or uses caches under locks), run where the
    step's ``Compute`` runs pure work of that weight. Outside such a step, here."""
    step = _step.get()
    if step is None or step.mover is None:
        return work()
    result: Result = step.mover(work, weight)
    return result


def check_budget() -> None:
    """Raise once the running step has used up its budget; nothing outside a step."""
    step = _step.get()
    if step is not None and time.monotonic() >= step.at:
        raise step.overrun()


def budget_checked(descend: Callable[..., Result]) -> Callable[..., Result]:
    """``descend`` with ``check_budget()`` first, written out: it wraps jsonschema's ``descend``,
    which runs for every subschema applied to a value, so the check is inlined and the
    arguments are passed as jsonschema's signature has them rather than forwarded."""
    current_step, clock = _step.get, time.monotonic

    def checked(
        validator: Any,
        instance: Any,
        schema: Any,
        path: Any = None,
        schema_path: Any = None,
        resolver: Any = None,
    ) -> Result:
        step = current_step()
        if step is not None and clock() >= step.at:
            raise step.overrun()
        return descend(validator, instance, schema, path, schema_path, resolver)

    return checked


def budget_left() -> float | None:
    """Seconds the running step has left (at least 0), or None outside a step."""
    step = _step.get()
    return None if step is None else max(0.0, step.at - time.monotonic())


def budget_spent() -> NoReturn:
    """Raise the running step's overrun: for a wait bounded by ``budget_left()`` that ran out."""
    step = _step.get()
    if step is None:
        raise RuntimeError("budget_spent() outside a step")
    raise step.overrun()


def json_weight(value: object, limit: int) -> int:
    """About the length of ``value``'s JSON text, counted only until it passes ``limit`` (so the
    cost of asking is bounded by the limit, not by the document)."""
    weight = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            weight += len(item) + 3
        elif isinstance(item, dict):
            weight += 2 + 2 * len(item)
            if weight > limit:
                return weight
            for key, child in item.items():
                weight += len(key) if isinstance(key, str) else 8
                pending.append(child)
        elif isinstance(item, list):
            weight += 2 + len(item)
            if weight > limit:
                return weight
            pending.extend(item)
        else:
            weight += 6
        if weight > limit:
            return weight
    return weight
