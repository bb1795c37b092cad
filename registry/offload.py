"""``GeventCompute``: the expensive steps of requests (``registry.domain.compute``) in a gevent
worker, where one CPU-bound loop would otherwise hold up every request the worker serves.

Where a step runs:

* Light steps (weight up to ``COMPUTE_INLINE_BYTES``) run inline, on the request's greenlet:
  handing a step to a thread and back costs about 25 µs, as much as validating a small
  document. They get a short slice (``INLINE_SLICE_SECONDS``) instead of the whole budget; a
  light step that outgrows it (a small but expensive input: a recursive schema whose
  expansion multiplies, a pathological pattern) is stopped by its budget checks and started
  again on a thread. Its key is remembered, so the next run of the same step (validation
  against that schema) goes to the thread at once.
* Heavier steps run on a native thread of this worker's own pool (``COMPUTE_THREADS``). The
  hub keeps serving the other greenlets meanwhile: Python code on the thread holds the GIL,
  but gives it up to the hub thread within ``sys.getswitchinterval()`` (5 ms) whenever the
  hub asks for it.
* Steps that are not pure (``movable=False``: loading a stored Avro or Protobuf schema
  through its cache, parsing Protobuf with protoc) run on the request's greenlet, under the
  budget, and hand their pure parts (rendering and indexing Protobuf descriptors, building
  Avro types) over as light or heavy steps by their weight. protoc runs as a subprocess,
  whose wait is cooperative.

Why a native thread pool: a process pool forked from a gevent worker is a trap (the child
inherits the hub, its loop, the patched modules and the worker's sockets: the database pool,
Redis, the listening socket), and a pre-forked one would pickle schemas and documents both
ways and lose the compiled validators the worker keeps. Why a pool of our own and not the
hub's ``threadpool``: that one serves gevent's DNS resolver and the log flusher
(``registry.observability.batching``), which a step of several seconds would hold up.

Threads per worker: each thread running Python competes with the hub for the GIL. Measured
on the 2-core machine, delay of a greenlet's 1 ms sleep while threads burn CPU (p50 / p99):
1 thread 5.9 / 14 ms, 2 threads 11 / 41 ms, 4 threads 27 / 133 ms. Hence 1 by default.

Traps, and how each is kept out:

* Code run on the thread must not touch gevent's patched primitives: after monkey-patching,
  ``threading.Lock`` is a greenlet lock of the hub, and sockets and ``subprocess`` are
  cooperative only on the hub's thread. Only pure computation is handed over (see
  ``registry.domain.compute``): checking JSON Schema and Avro schemas, compiling validators,
  validating, checking compatibility, and the pure parts above. Avro's cache of loaded
  schemas with its lock, Protobuf's compile cache and protoc, the service's caches and all
  I/O stay on the request's greenlet. The one cache a handed-over step touches, JSON
  Schema's memo of checked schemas, is a ``registry.lru.LocalCache``, safe across threads
  without a lock.
* No lock is shared by the hub and a thread, so a greenlet can never block the hub on a lock
  a thread holds, nor the reverse. The hub side counts free threads with a gevent semaphore
  and waits on the pool's result, which the thread signals through the hub's async watcher;
  both are only ever touched on the hub.
* C code that keeps the GIL holds the hub up for its whole duration. Pattern matching
  releases it (``concurrent=True`` in ``ecma_regex``; measured: a match running into its
  0.1 s time limit on the thread delayed the hub's wake-ups by 100 ms at the median without
  it, by 0.1 ms with it). orjson on a 1 MB document keeps it for a few milliseconds.
* So does the garbage collector, whichever thread triggers it: ``freeze_startup_heap``.
* An exception leaving a pool's task is printed by gevent as a crash: a step's errors
  (``TooComplex``, ``InvalidSchema``...) travel back as values and are raised by the greenlet
  that waits for them.

The budget: a step on a thread gets ``COMPUTE_BUDGET_SECONDS`` from when it starts there; its
budget checks raise ``TooComplex`` (422). A thread cannot be stopped from outside: a step in
a stretch without checks is answered ``TooComplex`` once the budget and a grace period are
over, and keeps its thread until it ends (only then is the thread counted free again, so
such steps cannot pile up). A step waits for a free thread at most the budget, then gets
``ComputeBusy`` (503 with Retry-After).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any, TypeVar

import gevent
import gevent.monkey
from gevent.lock import BoundedSemaphore
from gevent.threadpool import ThreadPool

from registry.domain.compute import ComputeBudget, run_until
from registry.domain.errors import ComputeBusy

Result = TypeVar("Result")

# What a light step may compute inline before it is moved to a thread. Light steps take a
# few milliseconds at most (a 4 KB document validates in 1 to 4 ms).
INLINE_SLICE_SECONDS = 0.02
# After the budget, how long the request still waits for a step that has not stopped.
OVERRUN_GRACE_SECONDS = 1.0
# How many steps (by key) that outgrew their slice are remembered.
REMEMBERED_STEPS = 1024


class _OutgrewInline(BaseException):
    """A light step used up its inline slice. Not an Exception, so that no ``except Exception``
    inside the step takes it for the step's own failure."""


class GeventCompute:
    def __init__(self, budget: ComputeBudget, *, inline_weight: int, threads: int) -> None:
        self._budget = budget
        self._inline_weight = inline_weight
        self._pool = ThreadPool(threads)
        self._free_threads = BoundedSemaphore(threads)
        # Only the hub reads and writes it.
        self._outgrown: set[str] = set()
        self.weight_limit = inline_weight

    def run(
        self,
        work: Callable[[], Result],
        *,
        operation: str,
        weight: int,
        key: str | None = None,
        movable: bool = True,
    ) -> Result:
        if not movable:
            return self._in_place(work, operation)
        return self._pure(work, operation, weight, key)

    def _pure(
        self, work: Callable[[], Result], operation: str, weight: int, key: str | None, until: float | None = None
    ) -> Result:
        if weight <= self._inline_weight and key not in self._outgrown:
            try:
                return run_until(time.monotonic() + INLINE_SLICE_SECONDS, _OutgrewInline, work)
            except _OutgrewInline:
                if key is not None:
                    if len(self._outgrown) >= REMEMBERED_STEPS:
                        self._outgrown.clear()  # a rare event: start remembering afresh
                    self._outgrown.add(key)
        return self._on_thread(work, operation, until=until)

    def _in_place(self, work: Callable[[], Result], operation: str) -> Result:
        """A step that must stay on the hub; the parts it hands over run as pure work does,
        within the step's budget."""
        budget = self._budget
        until = time.monotonic() + budget.seconds
        return run_until(
            until,
            lambda: budget.exceeded(operation),
            work,
            mover=lambda part, weight: self._pure(part, operation, weight, None, until),
        )

    def _on_thread(self, work: Callable[[], Result], operation: str, *, until: float | None = None) -> Result:
        budget = self._budget
        if not self._free_threads.acquire(timeout=budget.seconds):
            raise ComputeBusy(
                f"every compute thread of this worker stayed busy for {budget.seconds:g} s "
                f"({budget.setting}); retry later",
            )
        try:
            outcome: Any = self._pool.spawn(_run_on_thread, budget, operation, until, work)
        except BaseException:
            self._free_threads.release()
            raise
        # Free again when the step really ends, which may be after this request gave up on it.
        outcome.rawlink(lambda _: self._free_threads.release())
        wait = budget.seconds if until is None else max(0.0, until - time.monotonic())
        try:
            finished, result = outcome.get(timeout=wait + OVERRUN_GRACE_SECONDS)
        except gevent.Timeout:
            raise budget.exceeded(operation) from None
        if not finished:
            raise result
        returned: Result = result
        return returned

    def close(self) -> None:
        self._pool.kill()


def freeze_startup_heap() -> None:
    """Keep the objects of a started worker out of later full garbage collections.

    A collection holds the GIL from start to end, whichever thread runs it, and a full one
    walks every object of the worker: measured while a compute thread validated, full
    collections took up to 170 ms each, during which the hub served nobody. ``gc.freeze()``
    moves what exists now (modules, metaschemas, format tables: the bulk) into a generation
    that is never scanned: the same full collections then took under 10 ms.
    """
    gc.collect()
    gc.freeze()


def serving_on_greenlets() -> bool:
    """Whether this process serves requests on greenlets (gevent has patched ``threading``)."""
    return bool(gevent.monkey.is_module_patched("threading"))


def _run_on_thread(
    budget: ComputeBudget, operation: str, until: float | None, work: Callable[[], Result]
) -> tuple[bool, Result | Exception]:
    """(True, the result) or (False, the error), for the waiting greenlet to raise: an error
    leaving a pool's task would have gevent print it as a crash."""
    # The budget starts when the step does, here; a part handed over keeps its step's deadline.
    at = time.monotonic() + budget.seconds if until is None else until
    try:
        return True, run_until(at, lambda: budget.exceeded(operation), work)
    except Exception as error:  # noqa: BLE001 - raised again where the step was asked for
        return False, error
