"""What the server answers to requests it cannot parse (registry.server.protocol_errors)."""

from __future__ import annotations

import socket

import orjson
import pytest
from gunicorn.http import errors as gunicorn_errors

from registry.server.protocol_errors import classify, error_response, send_and_hang_up


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (gunicorn_errors.InvalidRequestLine("GARBAGE"), 400, "MALFORMED_REQUEST"),
        (gunicorn_errors.InvalidHTTPVersion((9, 9)), 400, "MALFORMED_REQUEST"),
        (gunicorn_errors.InvalidHeaderName("Bad Header"), 400, "MALFORMED_REQUEST"),
        (gunicorn_errors.LimitRequestLine(9000, 4094), 414, "URI_TOO_LONG"),
        (gunicorn_errors.LimitRequestHeaders("limit request headers fields"), 431, "HEADERS_TOO_LARGE"),
        (gunicorn_errors.InvalidChunkSize(b"zz"), 400, "MALFORMED_BODY"),
        (gunicorn_errors.ExpectationFailed("200-ok"), 417, "EXPECTATION_FAILED"),
        (gunicorn_errors.UnsupportedTransferCoding("gzip"), 501, "UNSUPPORTED_TRANSFER_CODING"),
        (gunicorn_errors.ForbiddenProxyRequest("10.0.0.1"), 403, "FORBIDDEN"),
        (gunicorn_errors.ConfigurationProblem("oops"), 500, "INTERNAL_ERROR"),
        (RuntimeError("a bug"), 500, "INTERNAL_ERROR"),
    ],
)
def test_each_error_has_its_status_and_code(exc, status, code):
    problem = classify(exc)
    assert (problem.status, problem.code) == (status, code)
    assert problem.client_error is (status < 500 or status == 501)


def test_a_client_error_says_what_gunicorn_saw_bounded_and_a_bug_says_nothing():
    assert "Request Line is too large (9000 > 4094)" in classify(gunicorn_errors.LimitRequestLine(9000, 4094)).message
    assert len(classify(gunicorn_errors.InvalidRequestLine("x" * 5000)).message) < 300
    assert classify(RuntimeError("secret detail")).message == "internal server error"


@pytest.mark.skipif(
    not hasattr(gunicorn_errors, "InvalidResponseHeader"), reason="this gunicorn has no response header errors"
)
def test_a_bad_header_from_the_app_is_the_apps_fault():
    assert classify(gunicorn_errors.InvalidResponseHeader("X-Bad")).status == 500


def parse(response: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}, body


def test_a_response_in_our_shape_closing_the_connection():
    status, headers, body = parse(error_response(414, "URI_TOO_LONG", "too long", details={"limit": 4094}))
    assert status == "HTTP/1.1 414 URI Too Long"
    assert headers["connection"] == "close" and headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff" and headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body)
    assert orjson.loads(body) == {
        "error": "too long",
        "code": "URI_TOO_LONG",
        "request_id": headers["x-request-id"],
        "limit": 4094,
    }


def test_on_a_confluent_path_the_response_is_confluents():
    status, headers, body = parse(error_response(400, "MALFORMED_REQUEST", "bad", path="/subjects/x/versions"))
    assert status == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/vnd.schemaregistry.v1+json"
    assert orjson.loads(body) == {"error_code": 400, "message": "bad"}


def test_extra_headers_are_sent():
    _, headers, _ = parse(error_response(429, "TOO_MANY_CONNECTIONS", "busy", headers=(("Retry-After", "1"),)))
    assert headers["retry-after"] == "1"


def test_the_answer_arrives_whole_and_what_the_client_sent_is_dropped():
    server, client = socket.socketpair()
    with server, client:
        client.sendall(b"x" * 10_000)  # unread request bytes, which a close would answer with a reset
        send_and_hang_up(server, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        server.close()
        received = b""
        while chunk := client.recv(4096):
            received += chunk
    assert received == b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
