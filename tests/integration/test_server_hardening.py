"""The real gunicorn against clients that do not play fair (issue 12, items 3, 5 and 10), over
raw sockets: slow and unfinished bodies, one client holding many connections, malformed
chunked bodies, requests gunicorn itself refuses, the headers on every answer, the metrics
port's address.

Every test connection comes from the loopback network; Linux routes all of 127.0.0.0/8 there,
so a socket bound to 127.0.0.2 or 127.0.0.3 is another client address. 127.0.0.1 is a trusted
proxy by default (FORWARDED_ALLOW_IPS), the others are not.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import orjson
import pytest

from tests.support.server import RegistryServer

pytestmark = pytest.mark.server

OTHER_CLIENT = "127.0.0.2"
UNTRUSTED_CLIENT = "127.0.0.3"
BODY_READ_TIMEOUT = 2
CHUNKED = ("Content-Type: application/json", "Transfer-Encoding: chunked")


@dataclass
class RawReply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, object]:
        parsed = orjson.loads(self.body)
        assert isinstance(parsed, dict)
        return parsed


def connect(port: int, source: str = "127.0.0.1", timeout: float = 10) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def read_reply(sock: socket.socket) -> RawReply:
    """One response (its Content-Length long body), reading until it is whole or the server hangs up."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a whole head arrived: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return RawReply(int(lines[0].split()[1]), headers, body)


def exchange(port: int, request: bytes, *, source: str = "127.0.0.1", hang_up: bool = False) -> RawReply:
    """Send ``request`` on a new connection (then stop sending, with ``hang_up``) and read the answer."""
    with connect(port, source) as sock:
        sock.sendall(request)
        if hang_up:
            sock.shutdown(socket.SHUT_WR)
        return read_reply(sock)


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def head(method: str, path: str, *headers: str) -> bytes:
    return "\r\n".join([f"{method} {path} HTTP/1.1", "Host: registry", *headers, "", ""]).encode()


def slow_body(path: str = "/api/v1/schemas", *headers: str) -> bytes:
    """A request announcing 100 bytes of body and sending one."""
    return head("POST", path, "Content-Type: application/json", "Content-Length: 100", *headers) + b"{"


def healthz_seconds(port: int, source: str = OTHER_CLIENT) -> float:
    started = time.monotonic()
    reply = exchange(port, head("GET", "/healthz"), source=source)
    assert reply.status == 200
    return time.monotonic() - started


def assert_error_shape(reply: RawReply, status: int, code: str) -> None:
    assert reply.status == status, reply
    assert reply.headers["content-type"] == "application/json"
    assert reply.json["code"] == code and reply.json["request_id"] == reply.headers["x-request-id"]
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["cache-control"] == "no-store"


@contextmanager
def open_connections(port: int, count: int, request: bytes, source: str = "127.0.0.1") -> Iterator[list[socket.socket]]:
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = connect(port, source, timeout=5)
            sockets.append(sock)
            if request:
                sock.sendall(request)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="module")
def registry(tmp_path_factory, database_url):
    """Production settings, but a body must arrive within 2 seconds."""
    server = RegistryServer(
        {"DATABASE_URL": database_url, "BODY_READ_TIMEOUT_SECONDS": str(BODY_READ_TIMEOUT)},
        tmp_path_factory.mktemp("hardening"),
    ).start()
    yield server
    assert server.stop() == 0, server.log_text()


@pytest.fixture(scope="module")
def strict_registry(tmp_path_factory, database_url):
    """One worker (so the per-client count is exact) allowing 5 connections per client, bound
    to every address while metrics stay on the default METRICS_HOST."""
    server = RegistryServer(
        {"DATABASE_URL": database_url, "MAX_CONNECTIONS_PER_CLIENT": "5", "SERVER_HOST": "0.0.0.0"},
        tmp_path_factory.mktemp("strict"),
        workers=1,
    ).start()
    yield server
    assert server.stop() == 0, server.log_text()


# -- item 3: unfinished bodies and connections per client -------------------------------------


def test_unfinished_bodies_from_one_address_do_not_lock_others_out(registry):
    """2,100 connections that each announce a 100-byte body and send one byte filled both
    workers' 1,000 connections, and /healthz went unanswered. Now the client gets its share
    (MAX_CONNECTIONS_PER_CLIENT per worker), the rest of its requests a 429 at once, and other
    clients are answered."""
    with open_connections(registry.port, 2100, slow_body()) as sockets:
        # The first waits behind the burst of connections in the accept queue, the others not.
        first, *others = [healthz_seconds(registry.port) for _ in range(5)]
        assert first < 5.0 and max(others) < 1.0, (first, others)
        refused = []
        for sock in sockets[-200:]:
            sock.settimeout(0.2)
            try:
                refused.append(read_reply(sock))
            except TimeoutError:
                pass  # one of the connections still within the client's share
    assert len(refused) >= 150
    assert_error_shape(refused[0], 429, "TOO_MANY_CONNECTIONS")
    assert refused[0].json["limit"] == 100 and refused[0].headers["retry-after"] == "1"


def test_a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes(registry):
    with connect(registry.port) as sock:
        sock.sendall(slow_body())
        started = time.monotonic()
        reply = read_reply(sock)
        waited = time.monotonic() - started
        assert closed_by_server(sock)
    assert BODY_READ_TIMEOUT - 0.5 < waited < BODY_READ_TIMEOUT + 2
    assert_error_shape(reply, 408, "BODY_READ_TIMEOUT")
    assert reply.headers["connection"] == "close"
    assert reply.json["seconds"] == BODY_READ_TIMEOUT


def test_a_body_trickling_in_is_bounded_as_a_whole(registry):
    """One byte a second keeps each read short, but the deadline is for the whole body."""
    with connect(registry.port) as sock:
        sock.sendall(head("POST", "/api/v1/schemas", "Content-Type: application/json", "Content-Length: 100"))
        started = time.monotonic()
        sock.settimeout(0.5)
        reply = None
        while reply is None and time.monotonic() - started < BODY_READ_TIMEOUT + 5:
            try:
                sock.sendall(b" ")
                reply = read_reply(sock)
            except TimeoutError:
                continue
    assert reply is not None and reply.status == 408
    assert time.monotonic() - started < BODY_READ_TIMEOUT + 2


def test_a_slow_chunked_body_on_a_confluent_path_gets_confluents_408(registry):
    with connect(registry.port) as sock:
        sock.sendall(head("POST", "/subjects/slow-value/versions", *CHUNKED) + b"20\r\n{")
        reply = read_reply(sock)
    assert reply.status == 408
    assert reply.headers["content-type"] == "application/vnd.schemaregistry.v1+json"
    assert reply.json["error_code"] == 408


def test_slow_request_heads_are_bounded_by_gunicorn(registry):
    """Not new: gunicorn gives a request's head ``keepalive`` (5) seconds, however it trickles
    in, then hangs up; kept here so the registry's worker class keeps it."""
    with connect(registry.port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: registry\r\n")
        started = time.monotonic()
        sock.settimeout(1)
        hung_up = False
        while not hung_up and time.monotonic() - started < 15:
            try:
                sock.sendall(b"X")
                hung_up = sock.recv(1) == b""
            except TimeoutError:
                continue
            except OSError:
                hung_up = True
    assert hung_up and time.monotonic() - started < 8


def test_connections_of_an_untrusted_address_beyond_its_share_are_refused(strict_registry):
    with open_connections(strict_registry.port, 30, b"", source=UNTRUSTED_CLIENT) as sockets:
        # Answered after every connection before it was accepted, and refusals are written at accept.
        assert healthz_seconds(strict_registry.port) < 2.0
        refused, held = [], 0
        for sock in sockets:
            sock.settimeout(0.5)
            try:
                refused.append(read_reply(sock))
            except TimeoutError:
                held += 1
    assert held == 5 and len(refused) == 25
    assert_error_shape(refused[0], 429, "TOO_MANY_CONNECTIONS")
    assert "MAX_CONNECTIONS_PER_CLIENT" in str(refused[0].json["error"])


def test_behind_a_trusted_proxy_each_forwarded_client_gets_its_share(strict_registry):
    """127.0.0.1 is a trusted proxy: its connections carry many clients, each named by the last
    X-Forwarded-For entry (earlier ones are the client's own claims)."""
    port = strict_registry.port
    forwarded = "X-Forwarded-For: 198.51.100.7"
    with open_connections(port, 8, slow_body("/api/v1/schemas", forwarded)) as sockets:
        healthz_seconds(port)  # every connection before it was handled by now
        refused = []
        for sock in sockets:
            sock.settimeout(0.5)
            try:
                refused.append(read_reply(sock))
            except TimeoutError:
                pass
        assert len(refused) == 3
        assert_error_shape(refused[0], 429, "TOO_MANY_CONNECTIONS")

        body = orjson.dumps({"subject": f"proxied.{uuid.uuid4().hex[:8]}", "schema": {"type": "object"}})

        def post(path: str, *headers: str) -> RawReply:
            request = head("POST", path, "Content-Type: application/json", f"Content-Length: {len(body)}", *headers)
            return exchange(port, request + body)

        assert post("/api/v1/schemas", "X-Forwarded-For: 198.51.100.8").status == 201
        assert post("/api/v1/schemas", "X-Forwarded-For: 198.51.100.8, 198.51.100.7").status == 429
        confluent = post("/subjects/proxied-value/versions", forwarded)
        assert confluent.status == 429 and confluent.json["error_code"] == 429


# -- item 5: malformed chunked bodies -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"zz\r\n{}\r\n0\r\n\r\n", "MALFORMED_BODY"),  # a chunk size that is no hex number
        (b"2\r\n{}XX0\r\n\r\n", "MALFORMED_BODY"),  # a chunk not followed by CRLF
        (b"ffffffffffffffffffffffffffffffff\r\n{}\r\n0\r\n\r\n", "INCOMPLETE_BODY"),  # a size overflowing 64 bits
        (b"10\r\n{}", "INCOMPLETE_BODY"),  # the stream cut before the chunk's end
        (b"2\r\n{}\r\n", "INCOMPLETE_BODY"),  # cut before the last chunk
    ],
    ids=["size-zz", "no-terminator", "size-overflow", "cut-in-chunk", "cut-before-last-chunk"],
)
@pytest.mark.parametrize("path", ["/api/v1/schemas", "/subjects/chunked-value/versions"], ids=["native", "confluent"])
def test_malformed_chunked_bodies_are_400(registry, body, code, path):
    reply = exchange(registry.port, head("POST", path, *CHUNKED) + body, hang_up=True)
    assert reply.status == 400, reply
    assert reply.headers["connection"] == "close"
    if path.startswith("/subjects"):
        assert reply.json == {"error_code": 400, "message": reply.json["message"]}
    else:
        assert_error_shape(reply, 400, code)


def test_a_body_shorter_than_its_content_length_is_400(registry):
    """The client hung up after 2 of 100 bytes: '{}' must not be taken for the whole body."""
    request = head("POST", "/api/v1/schemas", "Content-Type: application/json", "Content-Length: 100") + b"{}"
    reply = exchange(registry.port, request, hang_up=True)
    assert_error_shape(reply, 400, "INCOMPLETE_BODY")


# -- item 10: protocol errors, headers, the metrics port ------------------------------------------


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: registry\r\n\r\n", 414, "URI_TOO_LONG"),
        (b"GARBAGE\r\n\r\n", 400, "MALFORMED_REQUEST"),
        (head("GET", "/healthz", *(f"X-Header-{number}: x" for number in range(120))), 431, "HEADERS_TOO_LARGE"),
        (head("GET", "/healthz", "X-Big: " + "b" * 9000), 431, "HEADERS_TOO_LARGE"),
        (head("GET", "/healthz", "Bad Header: x"), 400, "MALFORMED_REQUEST"),
        (head("POST", "/api/v1/schemas", "Content-Length: lots"), 400, "MALFORMED_REQUEST"),
    ],
    ids=[
        "request-line-too-long",
        "bad-request-line",
        "too-many-headers",
        "header-too-large",
        "bad-header-name",
        "bad-content-length",
    ],
)
def test_protocol_errors_are_json(registry, request_bytes, status, code):
    """gunicorn answered these with an HTML page of its own."""
    reply = exchange(registry.port, request_bytes)
    assert reply.status == status
    assert_error_shape(reply, status, code)
    assert reply.headers["connection"] == "close"
    assert reply.json["error"]


def test_a_protocol_error_on_a_confluent_path_speaks_confluents_dialect(registry):
    """gunicorn knows the path when a header it has read makes no sense (here Content-Length)."""
    reply = exchange(registry.port, head("POST", "/subjects/x-value/versions", "Content-Length: lots"))
    assert reply.status == 400
    assert reply.headers["content-type"] == "application/vnd.schemaregistry.v1+json"
    assert reply.json["error_code"] == 400


def test_every_answer_says_nosniff_and_no_store(registry):
    body = orjson.dumps({"subject": f"headers.{uuid.uuid4().hex[:8]}", "schema": {"type": "object"}})
    created = registry.call("POST", "/api/v1/schemas", raw=body)
    path = f"/api/v1/schemas/{created.json['id']}"
    answers = [
        created,
        registry.call("GET", path),  # Falcon's route, or the cached read
        registry.call("GET", path),
        registry.call("GET", path),
        registry.call("GET", "/nope"),
        registry.call("GET", "/subjects/nope/versions"),
        registry.call("GET", "/healthz"),
        registry.call("GET", "/health"),
    ]
    for reply in answers:
        assert reply.headers["x-content-type-options"] == "nosniff", reply
        assert reply.headers["cache-control"] == "no-store", reply
    metrics = exchange(registry.metrics_port, head("GET", "/metrics"))
    assert metrics.status == 200
    assert metrics.headers["x-content-type-options"] == "nosniff" and metrics.headers["cache-control"] == "no-store"


def test_metrics_bind_the_loopback_address_not_the_apis(strict_registry):
    """The API binds every address here (SERVER_HOST=0.0.0.0); metrics stay on METRICS_HOST,
    127.0.0.1, so another address of the host does not reach them."""
    api = exchange(strict_registry.port, head("GET", "/healthz"), source=OTHER_CLIENT)
    assert api.status == 200
    with socket.create_connection(("127.0.0.2", strict_registry.port), timeout=5):
        pass  # the API answers on any address
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", strict_registry.metrics_port), timeout=5)
    assert exchange(strict_registry.metrics_port, head("GET", "/metrics")).status == 200
