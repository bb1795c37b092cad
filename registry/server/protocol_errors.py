"""Answers the server writes itself, before any app sees the request, in the registry's
JSON error shape instead of gunicorn's HTML page.

gunicorn answers a request it cannot parse (a bad request line, a request line over
``limit_request_line``: 414, headers over their limits: 431, a malformed chunked body it
meets while looking for the next request...) from its worker's ``handle_error``; the
registry's worker (``registry.server.worker``) writes these instead: the same statuses as
gunicorn, a stable code, gunicorn's description of the problem (bounded) and a request id,
in Confluent's dialect when the request's path is known and is one of its paths
(``registry.http.errors.problem_outside_falcon``), with the headers every answer carries.
The connection is then closed, as gunicorn does: what follows on it cannot be trusted.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass

from gunicorn.http import errors as gunicorn_errors

from registry.http.errors import problem_outside_falcon
from registry.http.headers import COMMON_HEADERS
from registry.http.observation import new_request_id

_MALFORMED = "MALFORMED_REQUEST"
_MAX_DETAIL = 200  # characters of gunicorn's description, which may quote the request
_DRAIN_BYTES = 64 * 1024

# By the exception's class, walked along its MRO: status, code, what went wrong.
_BY_ERROR: dict[type[BaseException], tuple[int, str, str]] = {
    gunicorn_errors.InvalidRequestLine: (400, _MALFORMED, "the request line is malformed"),
    gunicorn_errors.InvalidRequestMethod: (400, _MALFORMED, "the request method is malformed"),
    gunicorn_errors.InvalidHTTPVersion: (400, _MALFORMED, "the HTTP version is not supported"),
    gunicorn_errors.InvalidHeader: (400, _MALFORMED, "a request header is malformed"),
    gunicorn_errors.InvalidHeaderName: (400, _MALFORMED, "a request header name is malformed"),
    gunicorn_errors.ObsoleteFolding: (400, _MALFORMED, "a request header is folded over lines"),
    gunicorn_errors.InvalidSchemeHeaders: (400, _MALFORMED, "the request's scheme headers contradict each other"),
    gunicorn_errors.InvalidProxyLine: (400, _MALFORMED, "the PROXY protocol line is malformed"),
    gunicorn_errors.InvalidProxyHeader: (400, _MALFORMED, "the PROXY protocol header is malformed"),
    gunicorn_errors.InvalidH2CPreface: (400, _MALFORMED, "the HTTP/2 connection preface is malformed"),
    gunicorn_errors.InvalidChunkSize: (400, "MALFORMED_BODY", "the chunked request body is malformed"),
    gunicorn_errors.ChunkMissingTerminator: (400, "MALFORMED_BODY", "the chunked request body is malformed"),
    gunicorn_errors.InvalidChunkExtension: (400, "MALFORMED_BODY", "the chunked request body is malformed"),
    gunicorn_errors.LimitRequestLine: (414, "URI_TOO_LONG", "the request line is too long"),
    gunicorn_errors.LimitRequestHeaders: (431, "HEADERS_TOO_LARGE", "the request's headers are too large or too many"),
    gunicorn_errors.ExpectationFailed: (417, "EXPECTATION_FAILED", "the request's Expect header cannot be met"),
    gunicorn_errors.UnsupportedTransferCoding: (
        501,
        "UNSUPPORTED_TRANSFER_CODING",
        "the request's Transfer-Encoding is not supported",
    ),
    gunicorn_errors.ForbiddenProxyRequest: (403, "FORBIDDEN", "PROXY protocol is not allowed from this address"),
    ssl.SSLError: (403, "FORBIDDEN", "the TLS handshake failed"),
}
_INTERNAL = (500, "INTERNAL_ERROR", "internal server error")
# A header the app tried to send is the app's fault, not the client's (gunicorn 27 names
# them as subclasses of the request-header errors, so they are looked up first).
_APP_FAULTS = tuple(
    getattr(gunicorn_errors, name)
    for name in ("InvalidResponseHeader", "InvalidResponseHeaderName")
    if hasattr(gunicorn_errors, name)
)


@dataclass(frozen=True, slots=True)
class ProtocolError:
    status: int
    code: str
    message: str

    @property
    def client_error(self) -> bool:
        return self.status < 500 or self.status == 501


def classify(exc: BaseException) -> ProtocolError:
    """What the server answers to ``exc``, raised while it read a request."""
    if not isinstance(exc, _APP_FAULTS):
        for cls in type(exc).__mro__:
            row = _BY_ERROR.get(cls)
            if row is not None:
                status, code, what = row
                return ProtocolError(status, code, f"{what}: {str(exc)[:_MAX_DETAIL]}")
    return ProtocolError(*_INTERNAL)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    path: str | None = None,
    details: dict[str, object] | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """A whole HTTP/1.1 response that closes the connection."""
    request_id = new_request_id()
    status_line, media_type, body = problem_outside_falcon(path, status, code, message, request_id, details)
    lines = [
        f"HTTP/1.1 {status_line}",
        "Connection: close",
        f"Content-Type: {media_type}",
        f"Content-Length: {len(body)}",
        f"X-Request-ID: {request_id}",
        *(f"{name}: {value}" for name, value in (*COMMON_HEADERS, *headers)),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send_and_hang_up(client: socket.socket, response: bytes) -> None:
    """Write ``response`` without waiting on the client, then stop sending. What the client
    already sent is read and dropped first: closing a socket with unread data resets the
    connection, which can make the client lose the response."""
    try:
        client.setblocking(False)
        client.send(response)
        client.shutdown(socket.SHUT_WR)
        drained = 0
        while drained < _DRAIN_BYTES:
            data = client.recv(_DRAIN_BYTES)
            if not data:
                break
            drained += len(data)
    except OSError:
        pass
