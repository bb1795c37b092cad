"""The body read deadline, on gevent's loop as in the server."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor

import gevent
import pytest
from gevent._hub_local import get_hub_if_exists

from registry.http.deadline import BodyReadTimeout, read_within


@pytest.fixture(autouse=True)
def hub():
    """As in a gevent worker, where the hub runs every request."""
    return gevent.get_hub()


class SlowStream:
    """A body whose every read waits ``delay`` seconds (on gevent's loop) for ``piece``."""

    def __init__(self, delay: float, piece: bytes = b"x") -> None:
        self.delay = delay
        self.piece = piece

    def read(self, size: int = -1) -> bytes:
        gevent.sleep(self.delay)
        return self.piece


def read_all(stream: SlowStream, pieces: int) -> bytes:
    return b"".join(stream.read(1) for _ in range(pieces))


def test_a_read_that_waits_past_the_deadline_raises():
    started = time.monotonic()
    with pytest.raises(BodyReadTimeout) as raised:
        read_within(0.1, SlowStream(5).read, 100)
    assert time.monotonic() - started < 1
    assert raised.value.seconds == 0.1 and "0.1 seconds" in str(raised.value)


def test_the_deadline_is_for_the_whole_body_not_each_read():
    started = time.monotonic()
    with pytest.raises(BodyReadTimeout):
        read_within(0.2, read_all, SlowStream(0.04), 100)  # each read is well within 0.2 s
    assert 0.15 < time.monotonic() - started < 1


def test_a_body_in_time_is_read_as_it_is():
    assert read_within(0.5, read_all, SlowStream(0.01, b"ab"), 3) == b"ababab"
    gevent.sleep(0.6)  # the timer of a finished read never fires


def test_without_a_timeout_or_a_hub_reads_are_not_watched():
    """A thread that never ran gevent (Falcon's test client in a thread pool) gets no hub."""
    assert read_within(None, io.BytesIO(b"{}").read) == b"{}"

    def read_in_a_new_thread() -> tuple[bytes, object]:
        return read_within(0.01, io.BytesIO(b"{}").read), get_hub_if_exists()

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(read_in_a_new_thread).result() == (b"{}", None)
