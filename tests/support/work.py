"""Counting work in function calls: a measure of CPU cost that does not depend on the
machine or on what else runs on it, for tests that bound how work grows with input size."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType


class TooManyCalls(AssertionError):
    pass


@dataclass(slots=True)
class CallCount:
    calls: int = 0


@contextmanager
def function_calls_at_most(limit: int) -> Iterator[CallCount]:
    """Counts the Python and built-in function calls made in this thread inside the block,
    and fails with ``TooManyCalls`` as soon as there are more than ``limit`` (so code that
    does quadratic work fails fast instead of running for minutes)."""
    count = CallCount()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event in ("call", "c_call"):
            count.calls += 1
            if count.calls > limit:
                sys.setprofile(None)
                raise TooManyCalls(f"more than {limit} function calls")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield count
    finally:
        sys.setprofile(previous)
