import io
import logging
import os
import sys
import threading

import orjson

from registry.observability.access_log import ACCESS_LOGGER, ATOMIC_WRITE_BYTES, AccessLog, _atomic_chunks


def written(chunks: list[bytes]) -> list[str]:
    return b"".join(chunks).decode().splitlines()


def test_one_json_line_per_request_written_at_flush():
    chunks: list[bytes] = []
    log = AccessLog(chunks.extend)
    log.record("req-1", "GET", "/api/v1/schemas/{schema_id}", "/api/v1/schemas/abc", 200, 0.0012345)
    log.record("req-2", "POST", "<unmatched>", "/nope", 404, 0.0001)
    assert chunks == []  # buffered until the flush
    log.flush()
    lines = [orjson.loads(line) for line in written(chunks)]
    assert [line["request_id"] for line in lines] == ["req-1", "req-2"]
    first = lines[0]
    assert first["route"] == "/api/v1/schemas/{schema_id}" and first["status"] == 200
    assert first["duration_ms"] == 1.234 and first["logger"] == ACCESS_LOGGER and first["level"] == "INFO"
    assert first["ts"].endswith("Z") and len(first["ts"]) == len("2026-01-01T00:00:00.000Z")
    log.flush()
    assert len(written(chunks)) == 2  # nothing written twice


def test_log_level_above_info_turns_it_off():
    logger = logging.getLogger(ACCESS_LOGGER)
    previous = logger.level
    try:
        logger.setLevel(logging.WARNING)
        assert AccessLog().enabled is False
        logger.setLevel(logging.INFO)
        assert AccessLog().enabled is True
    finally:
        logger.setLevel(previous)


def test_every_field_a_client_controls_is_escaped():
    chunks: list[bytes] = []
    log = AccessLog(chunks.extend)
    hostile = 'quote" back\\slash\ttab\nnewline caf\u00e9 \u0000'
    log.record(hostile, "GET", "<unmatched>", "/x/" + hostile, 404, 0.5)
    log.flush()
    [line] = written(chunks)
    parsed = orjson.loads(line)
    assert parsed["request_id"] == hostile and parsed["path"] == "/x/" + hostile
    assert parsed["duration_ms"] == 500.0 and parsed["status"] == 404


def test_lines_are_written_whole_in_pieces_a_pipe_keeps_together():
    lines: list[bytes] = []
    log = AccessLog(lines.extend)
    for number in range(3000):
        log.record(f"req-{number}", "GET", "<unmatched>", "/" + "\u0001" * 600, 404, 0.001)
    log.flush()
    chunks = _atomic_chunks(lines)  # what write_to_stderr sends into a pipe
    assert len(chunks) > 1
    assert all(len(chunk) <= ATOMIC_WRITE_BYTES and chunk.endswith(b"\n") for chunk in chunks)
    assert [orjson.loads(line)["request_id"] for line in written(chunks)] == [f"req-{n}" for n in range(3000)]


def test_lines_reach_a_pipe_whole_and_in_order(monkeypatch):
    read_end, write_end = os.pipe()
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.extend(iter(lambda: os.read(read_end, 65536), b"")))
    reader.start()
    with open(write_end, "w") as pipe:
        monkeypatch.setattr(sys, "stderr", pipe)
        log = AccessLog()
        for number in range(3000):
            log.record(f"req-{number}", "GET", "<unmatched>", "/p", 404, 0.001)
        log.flush()
    reader.join(10)
    os.close(read_end)
    assert [orjson.loads(line)["request_id"] for line in written(received)] == [f"req-{n}" for n in range(3000)]


def test_a_line_longer_than_a_piece_goes_out_alone():
    lines = [b"a" * 100 + b"\n", b"b" * (ATOMIC_WRITE_BYTES + 10) + b"\n", b"c" * 100 + b"\n"] * 3
    chunks = _atomic_chunks(lines)
    assert b"".join(chunks) == b"".join(lines)
    assert all(chunk.endswith(b"\n") for chunk in chunks)
    assert all(len(chunk) <= ATOMIC_WRITE_BYTES or chunk.count(b"\n") == 1 for chunk in chunks)


def test_stderr_without_a_file_descriptor_still_gets_the_lines(monkeypatch):
    replaced = io.StringIO()
    monkeypatch.setattr(sys, "stderr", replaced)
    log = AccessLog()
    log.record("req-1", "GET", "<unmatched>", "/x", 404, 0.001)
    log.flush()
    assert orjson.loads(replaced.getvalue())["request_id"] == "req-1"


def test_lines_reach_the_stderr_descriptor(capfd):
    log = AccessLog()
    log.record("req-2", "GET", "<unmatched>", "/y", 404, 0.001)
    log.flush()
    assert orjson.loads(capfd.readouterr().err)["request_id"] == "req-2"
