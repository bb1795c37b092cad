import io
import logging

import orjson

from registry.observability.access_log import ACCESS_LOGGER, AccessLog


def test_one_json_line_per_request_written_at_flush():
    stream = io.StringIO()
    log = AccessLog(stream)
    log.record("req-1", "GET", "/api/v1/schemas/{schema_id}", "/api/v1/schemas/abc", 200, 0.0012345)
    log.record("req-2", "POST", "<unmatched>", "/nope", 404, 0.0001)
    assert stream.getvalue() == ""  # buffered until the flush
    log.flush()
    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == ["req-1", "req-2"]
    first = lines[0]
    assert first["route"] == "/api/v1/schemas/{schema_id}" and first["status"] == 200
    assert first["duration_ms"] == 1.234 and first["logger"] == ACCESS_LOGGER and first["level"] == "INFO"
    assert first["ts"].endswith("Z") and len(first["ts"]) == len("2026-01-01T00:00:00.000Z")
    log.flush()
    assert len(stream.getvalue().splitlines()) == 2  # nothing written twice


def test_log_level_above_info_turns_it_off():
    logger = logging.getLogger(ACCESS_LOGGER)
    previous = logger.level
    try:
        logger.setLevel(logging.WARNING)
        assert AccessLog(io.StringIO()).enabled is False
        logger.setLevel(logging.INFO)
        assert AccessLog(io.StringIO()).enabled is True
    finally:
        logger.setLevel(previous)


def test_every_field_a_client_controls_is_escaped():
    stream = io.StringIO()
    log = AccessLog(stream)
    hostile = 'quote" back\\slash\ttab\nnewline caf\u00e9 \u0000'
    log.record(hostile, "GET", "<unmatched>", "/x/" + hostile, 404, 0.5)
    log.flush()
    [line] = stream.getvalue().splitlines()
    parsed = orjson.loads(line)
    assert parsed["request_id"] == hostile and parsed["path"] == "/x/" + hostile
    assert parsed["duration_ms"] == 500.0 and parsed["status"] == 404
