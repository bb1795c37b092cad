"""GeventCompute (registry.offload): light steps inline, heavy ones on a native thread while
the hub keeps running, the budget, and the wait for a free thread. No monkey-patching is
needed: gevent's hub runs in this thread, and the pool's threads are native ones."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import gevent
import pytest

from registry.domain.compute import ComputeBudget, check_budget, hand_over
from registry.domain.errors import ComputeBusy, TooComplex
from registry.offload import INLINE_SLICE_SECONDS, OVERRUN_GRACE_SECONDS, GeventCompute

INLINE_WEIGHT = 4096


@pytest.fixture
def compute() -> Iterator[GeventCompute]:
    compute = GeventCompute(ComputeBudget(0.5), inline_weight=INLINE_WEIGHT, threads=1)
    yield compute
    compute.close()


def thread_of_step() -> int:
    return threading.get_ident()


def spin(seconds: float, *, checking: bool = True) -> int:
    """CPU-bound for ``seconds``, checking the budget as our long loops do (or not)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if checking:
            check_budget()
    return threading.get_ident()


def test_light_steps_run_inline(compute: GeventCompute) -> None:
    assert compute.weight_limit == INLINE_WEIGHT
    assert compute.run(thread_of_step, operation="x", weight=INLINE_WEIGHT) == threading.get_ident()


def test_heavy_steps_run_on_another_thread(compute: GeventCompute) -> None:
    assert compute.run(thread_of_step, operation="x", weight=INLINE_WEIGHT + 1) != threading.get_ident()


def test_steps_that_are_not_pure_stay_here_whatever_they_weigh(compute: GeventCompute) -> None:
    assert compute.run(thread_of_step, operation="x", weight=10**9, movable=False) == threading.get_ident()


def test_the_hub_keeps_serving_greenlets_while_a_heavy_step_runs(compute: GeventCompute) -> None:
    wakeups: list[float] = []

    def ticker() -> None:
        while True:
            started = time.perf_counter()
            gevent.sleep(0.001)
            wakeups.append(time.perf_counter() - started)

    greenlet = gevent.spawn(ticker)
    try:
        compute.run(lambda: spin(0.4), operation="x", weight=10**6)
    finally:
        greenlet.kill()
    assert len(wakeups) > 20  # a blocked hub would not have woken it at all
    assert max(wakeups) < 0.1


def test_a_light_step_that_outgrows_its_slice_moves_to_a_thread_and_is_remembered(compute: GeventCompute) -> None:
    here = threading.get_ident()
    ran_on: list[int] = []

    def slow() -> int:
        ran_on.append(threading.get_ident())
        return spin(INLINE_SLICE_SECONDS * 2)

    assert compute.run(slow, operation="x", weight=10, key="schema-1") != here
    assert ran_on[0] == here and ran_on[1] != here  # started inline, finished on the thread
    ran_on.clear()
    compute.run(slow, operation="x", weight=10, key="schema-1")
    assert ran_on == [ran_on[0]] and ran_on[0] != here  # straight to the thread
    ran_on.clear()
    compute.run(slow, operation="x", weight=10, key="schema-2")
    assert ran_on[0] == here  # another key: inline first


def test_a_heavy_step_past_the_budget_is_too_complex(compute: GeventCompute) -> None:
    started = time.monotonic()
    with pytest.raises(TooComplex, match="spinning takes longer than the 0.5 s"):
        compute.run(lambda: spin(10), operation="spinning", weight=10**6)
    assert time.monotonic() - started < 0.5 + OVERRUN_GRACE_SECONDS
    # The thread is free again at once: the step stopped itself.
    assert compute.run(thread_of_step, operation="x", weight=10**6) != threading.get_ident()


def test_a_step_that_does_not_check_is_answered_anyway_and_keeps_its_thread_until_it_ends(
    compute: GeventCompute,
) -> None:
    started = time.monotonic()
    with pytest.raises(TooComplex):
        compute.run(lambda: spin(2.5, checking=False), operation="spinning", weight=10**6)
    answered = time.monotonic() - started
    assert 0.5 + OVERRUN_GRACE_SECONDS <= answered < 2.5
    # Still running: the only thread is taken, so the next step waits the budget and gives up.
    with pytest.raises(ComputeBusy, match="stayed busy for 0.5 s"):
        compute.run(thread_of_step, operation="x", weight=10**6)
    gevent.sleep(max(0.0, 2.6 - (time.monotonic() - started)))
    assert compute.run(thread_of_step, operation="x", weight=10**6) != threading.get_ident()


def test_errors_of_the_step_pass_through(compute: GeventCompute) -> None:
    def fail() -> None:
        raise ValueError("bad input")

    for weight in (10, 10**6):
        with pytest.raises(ValueError, match="bad input"):
            compute.run(fail, operation="x", weight=weight)
    assert compute.run(thread_of_step, operation="x", weight=10**6) != threading.get_ident()


def test_heavy_steps_share_the_threads_and_wait_for_one(compute: GeventCompute) -> None:
    results = [gevent.spawn(compute.run, lambda: spin(0.1), operation="x", weight=10**6) for _ in range(3)]
    gevent.joinall(results, raise_error=True)
    assert len({result.value for result in results}) == 1  # one thread, one after the other


def test_a_step_that_must_stay_hands_its_heavy_pure_parts_to_the_thread(compute: GeventCompute) -> None:
    here = threading.get_ident()

    def step() -> tuple[int, int, int]:
        return (
            threading.get_ident(),
            hand_over(thread_of_step, weight=INLINE_WEIGHT),
            hand_over(thread_of_step, weight=INLINE_WEIGHT + 1),
        )

    stayed, light_part, heavy_part = compute.run(step, operation="x", weight=10**6, movable=False)
    assert stayed == here and light_part == here and heavy_part != here


def test_a_handed_over_part_keeps_its_steps_deadline(compute: GeventCompute) -> None:
    def step() -> int:
        spin(0.3)
        return hand_over(lambda: spin(10), weight=10**6)

    started = time.monotonic()
    with pytest.raises(TooComplex):
        compute.run(step, operation="x", weight=0, movable=False)
    assert time.monotonic() - started < 0.7  # the step's 0.5 s, not 0.3 s + a part's own 0.5 s


def test_outside_a_step_that_must_stay_parts_run_here() -> None:
    assert hand_over(thread_of_step, weight=10**9) == threading.get_ident()
