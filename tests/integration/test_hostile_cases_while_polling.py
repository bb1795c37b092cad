"""Every hostile case of issue 12 (items 1 to 13, plus attacks that already held), sent to
the real gunicorn with ONE gevent worker while ``/healthz`` is polled on that worker.

Each case must get its right answer, and every poll an answer, p99 under 250 ms: no case
may hold up other requests. The cases are data (``CASES``).
"""

from __future__ import annotations

import base64
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from tests.support.liveness import HealthPoller
from tests.support.server import RegistryServer, Reply
from tests.support.services import TcpProxy

# Slow: each case boots or loads a registry and polls it for seconds; `make test` runs them.
pytestmark = [pytest.mark.server, pytest.mark.slow]

BUDGET_SECONDS = 6.0
HEALTHZ_P99_SECONDS = 0.25


@dataclass(frozen=True)
class Case:
    item: int | None  # the issue's item; None for an attack the review found held already
    name: str
    send: Callable[[RegistryServer], list[Reply]]
    expect: Callable[[list[Reply]], None]
    # Needs a server of its own: it takes the database away, or leaves the worker busy
    # (its compute thread, its connections) for a while after its answer.
    own_server: bool = False
    environment: dict[str, str] = field(default_factory=dict)


# -- sending -----------------------------------------------------------------------------


def register(schema: Any, schema_type: str = "json", **fields: Any) -> Callable[[RegistryServer], list[Reply]]:
    def send(server: RegistryServer) -> list[Reply]:
        body = {"subject": f"hostile.{uuid.uuid4().hex[:8]}", "schema": schema, "schema_type": schema_type, **fields}
        return [server.call("POST", "/api/v1/schemas", body, timeout=60)]

    return send


def register_json_text(schema: bytes) -> Callable[[RegistryServer], list[Reply]]:
    """For schemas nested deeper than a JSON encoder here would write."""

    def send(server: RegistryServer) -> list[Reply]:
        body = orjson.dumps({"subject": f"hostile.{uuid.uuid4().hex[:8]}"})[:-1] + b', "schema": ' + schema
        return [server.call("POST", "/api/v1/schemas", raw=body + b"}", timeout=60)]

    return send


def validate(schema: Any, document: Any) -> Callable[[RegistryServer], list[Reply]]:
    def send(server: RegistryServer) -> list[Reply]:
        created = register(schema)(server)[0]
        assert created.status == 201, created.body
        return [server.call("POST", f"/api/v1/validate/{created.json['id']}", raw=orjson.dumps(document), timeout=60)]

    return send


def get_each(*paths: str) -> Callable[[RegistryServer], list[Reply]]:
    def send(server: RegistryServer) -> list[Reply]:
        return [server.call("GET", path) for path in paths]

    return send


def raw(data: bytes, *, then_close_writing: bool = False) -> Callable[[RegistryServer], list[Reply]]:
    """Bytes on one connection, as written; the answer as it comes back."""

    def send(server: RegistryServer) -> list[Reply]:
        answer = b""
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
            connection.sendall(data)
            if then_close_writing:
                connection.shutdown(socket.SHUT_WR)
            try:
                while b"\r\n\r\n" not in answer or not _complete(answer):
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            except TimeoutError:
                pass  # no (complete) answer: what came is what is judged
        return [_parse(answer)]

    return send


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _parse(answer: bytes) -> Reply:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0  # 0: no answer
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return Reply(status, headers, body)


def hold_unfinished_bodies(connections: int, seconds: float) -> Callable[[RegistryServer], list[Reply]]:
    """Connections (from another loopback address than the polls) that announce a body of
    100 bytes and send one."""

    def send(server: RegistryServer) -> list[Reply]:
        opened: list[socket.socket] = []
        try:
            for _ in range(connections):
                connection = socket.socket()
                connection.settimeout(5)
                connection.bind(("127.0.0.2", 0))
                try:
                    connection.connect(("127.0.0.1", server.port))
                    connection.sendall(
                        b"POST /api/v1/schemas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 100\r\n\r\n{"
                    )
                except OSError:
                    connection.close()  # refused or reset: the server defends itself
                    continue
                opened.append(connection)
            time.sleep(seconds)
        finally:
            for connection in opened:
                connection.close()
        return []

    return send


def during_database_outage(*paths: str) -> Callable[[RegistryServer], list[Reply]]:
    def send(server: RegistryServer) -> list[Reply]:
        proxy: TcpProxy = server.database_proxy  # type: ignore[attr-defined]
        proxy.cut()
        try:
            return [server.call("GET", path) for path in paths]
        finally:
            proxy.restore()

    return send


def cursor(position: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).rstrip(b"=").decode()


# -- expecting ---------------------------------------------------------------------------


def status(*allowed: int) -> Callable[[list[Reply]], None]:
    def expect(replies: list[Reply]) -> None:
        for reply in replies:
            assert reply.status in allowed, (reply.status, reply.body[:500])
            if reply.status >= 400:
                body = reply.json
                assert ("code" in body and "error" in body) or ("error_code" in body and "message" in body), body

    return expect


def verdict(is_valid: bool, keyword: str | None = None) -> Callable[[list[Reply]], None]:
    def expect(replies: list[Reply]) -> None:
        (reply,) = replies
        assert reply.status == 200, reply.body[:500]
        assert reply.json["is_valid"] is is_valid, reply.body[:500]
        if keyword is not None:
            assert keyword in {error["keyword"] for error in reply.json["errors"]}

    return expect


def no_driver_text(replies: list[Reply]) -> None:
    for reply in replies:
        assert reply.status == 503, (reply.status, reply.body)
        text = reply.body.decode().lower()
        assert "psycopg" not in text and "connection to server" not in text and "server closed" not in text, text


def nothing(replies: list[Reply]) -> None:
    """The case is only about the polls."""


def hardened_headers(replies: list[Reply]) -> None:
    for reply in replies:
        assert reply.headers.get("x-content-type-options") == "nosniff", reply.headers
        assert reply.headers.get("cache-control") == "no-store", reply.headers


def request_id_not_echoed(replies: list[Reply]) -> None:
    (reply,) = replies
    assert reply.status == 200
    assert reply.headers["x-request-id"] != "r" * 5_000 and len(reply.headers["x-request-id"]) <= 200


# -- the cases ---------------------------------------------------------------------------

# 12,000 distinct values of every JSON type (73 KB); the duplicate variant ends with 1.0,
# equal to the first item, so a quadratic check compares every pair before finding it.
MIXED = [
    [index, str(index), [index], {"k": index}, index + 0.5, None if index == 0 else f"s{index}"][index % 6]
    for index in range(12_000)
]
MIXED_WITH_A_DUPLICATE = [1, *MIXED[1:], 1.0]


def nested(depth: int, key: str, leaf: bytes) -> bytes:
    return b'{"%s": ' % key.encode() * depth + leaf + b"}" * depth


def realistic_schema(definitions: int = 770) -> dict[str, Any]:
    """About 1 MB, shaped like SchemaStore's vector.json: many definitions, long
    descriptions, enums, references between definitions and a union of them."""
    definitions_by_name: dict[str, Any] = {
        "buffer_memory": {"type": "object", "properties": {"type": {"const": "memory"}, "size": {"type": "integer"}}},
        "buffer_disk": {"type": "object", "properties": {"type": {"const": "disk"}, "max_size": {"type": "integer"}}},
        "tls": {"type": "object", "properties": {"enabled": {"type": "boolean"}, "ca_file": {"type": "string"}}},
    }
    for index in range(definitions):
        definitions_by_name[f"component_{index}"] = {
            "type": "object",
            "description": f"Component {index}. " + "It reads events, transforms them and writes them on. " * 4,
            "properties": {
                "type": {"type": "string", "enum": [f"kind_{index}"], "description": "The kind of component."},
                "inputs": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                "buffer": {"oneOf": [{"$ref": "#/definitions/buffer_memory"}, {"$ref": "#/definitions/buffer_disk"}]},
                "encoding": {
                    "type": "object",
                    "properties": {"codec": {"enum": ["json", "text", "avro"]}, "timestamp_format": {"type": "string"}},
                    "additionalProperties": False,
                },
                "batch": {"type": "object", "properties": {"max_bytes": {"type": "integer", "minimum": 1}}},
                "tls": {"$ref": "#/definitions/tls"},
                "proxy": {"type": ["object", "null"], "properties": {"http": {"type": "string", "format": "uri"}}},
            },
            "required": ["type", "inputs"],
            "additionalProperties": False,
        }
    components = {"anyOf": [{"$ref": f"#/definitions/component_{index}"} for index in range(definitions)]}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "definitions": definitions_by_name,
        "properties": {"components": {"type": "object", "additionalProperties": components}},
    }


def chunked(chunks: bytes) -> bytes:
    return (
        b"POST /api/v1/schemas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunks
    )


JSON_SCHEMA_DRAFT_07 = "http://json-schema.org/draft-07/schema#"
UNIQUE_ITEMS = {"type": "array", "uniqueItems": True}

CASES = [
    Case(1, "uniqueItems over 12,000 mixed values", validate(UNIQUE_ITEMS, MIXED),
         verdict(True), own_server=True),
    Case(1, "uniqueItems finding 1 == 1.0 last", validate(UNIQUE_ITEMS, MIXED_WITH_A_DUPLICATE),
         verdict(False, "uniqueItems"), own_server=True),
    Case(1, "draft-04 enum of 12,001 mixed values",
         register({"$schema": "http://json-schema.org/draft-04/schema#", "enum": [*MIXED, "last"]}),
         status(201), own_server=True),
    Case(2, "95,000 properties (975 KB)",
         register({"type": "object", "properties": {f"{index:x}": {} for index in range(95_000)}}),
         status(201)),
    Case(3, "2,100 connections holding unfinished bodies", hold_unfinished_bodies(2_100, 3.0), nothing,
         own_server=True),
    Case(4, "not nested 300 levels", register_json_text(nested(300, "not", b"{}")), status(422)),
    Case(4, "metadata nested 300 levels",
         lambda server: [server.call("POST", "/api/v1/schemas", timeout=60, raw=b'{"subject": "hostile.deep", '
                                     b'"schema": {}, "metadata": ' + nested(300, "a", b"1") + b"}")],
         status(422)),
    Case(5, "chunk size zz", raw(chunked(b"zz\r\n{}\r\n0\r\n\r\n")), status(400)),
    # The client stops sending: the chunk it announced can never be complete (left open, the
    # body deadline answers 408).
    Case(5, "chunk size overflowing",
         raw(chunked(b"FFFFFFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n"), then_close_writing=True), status(400)),
    Case(5, "chunked body cut short", raw(chunked(b"10\r\n{\"subject\""), then_close_writing=True), status(400)),
    Case(6, "NUL in query filters",
         get_each(*(f"/api/v1/{path}=%00" for path in ("subjects?prefix", "schemas?namespace", "schemas?name",
                                                       "schemas?subject_prefix", "schemas?tag")),
                  "/subjects?subjectPrefix=%00"),
         status(400, 422)),
    Case(7, "cursors out of range",
         get_each(f"/api/v1/schemas?cursor={cursor(2**63)}",
                  f"/api/v1/subjects/a.b/versions?cursor={cursor([2**31, 0, 0])}",
                  f"/api/v1/subjects?cursor={cursor('a' + chr(0))}"),
         status(400, 404, 422)),
    Case(8, "Confluent and native reads during a database outage",
         during_database_outage("/subjects", "/api/v1/subjects"), no_driver_text, own_server=True),
    Case(9, "Avro fixed size beyond 32 bits",
         register('{"type": "fixed", "name": "F", "size": 9223372036854775808}', "avro"), status(422)),
    Case(9, "Avro decimal precision beyond 32 bits",
         register('{"type": "bytes", "logicalType": "decimal", "precision": 9223372036854775808}', "avro"),
         status(422)),
    Case(10, "nosniff and no-store", get_each("/api/v1/subjects", "/healthz"), hardened_headers),
    Case(10, "X-Request-ID of 5,000 characters",
         lambda server: [server.call("GET", "/healthz", headers={"X-Request-ID": "r" * 5_000})],
         request_id_not_echoed),
    Case(10, "request line beyond gunicorn's limit", raw(b"GET /" + b"a" * 9_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
         status(400, 414)),
    Case(11, "dependencies mixing schemas and property lists (tmlanguage.json)",
         register({"$schema": JSON_SCHEMA_DRAFT_07, "dependencies": {"a": {"required": ["x"]}, "b": ["c"]}}),
         status(201, 422)),
    Case(12, "format uri asserted in draft-07",
         validate({"$schema": JSON_SCHEMA_DRAFT_07, "format": "uri"}, "not a uri"),
         verdict(False, "format")),
    Case(13, "1 MB real-world-like schema", register(realistic_schema()), status(201)),
    Case(None, "catastrophic pattern", validate({"type": "string", "pattern": "^(a|a)*$"}, "a" * 40 + "b"),
         verdict(False, "pattern")),
    Case(None, "remote $ref", register({"$ref": "http://169.254.169.254/latest/meta-data"}), status(422)),
    Case(None, "file:// $ref", register({"$ref": "file:///etc/passwd"}), status(422)),
    Case(None, "Protobuf importing a system file",
         register('syntax = "proto3"; import "/etc/passwd"; message M {}', "protobuf"), status(422)),
]  # fmt: skip


def parameters() -> list[Any]:
    def param(case: Case) -> Any:
        label = f"item{case.item}" if case.item is not None else "held"
        return pytest.param(case, id=f"{label}-{case.name}")

    return [param(case) for case in CASES]


@pytest.fixture(scope="module")
def shared_registry(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[RegistryServer]:
    server = start(tmp_path_factory, database_url)
    yield server
    server.stop()


def start(tmp_path_factory: pytest.TempPathFactory, database_url: str, **environment: str) -> RegistryServer:
    return RegistryServer(
        {
            "DATABASE_URL": database_url,
            "COMPUTE_BUDGET_SECONDS": str(BUDGET_SECONDS),
            "LOG_LEVEL": "WARNING",
            **environment,
        },
        tmp_path_factory.mktemp("hostile"),
        workers=1,  # so /healthz shares the worker with the case
    ).start()


@pytest.fixture
def registry_for(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, shared_registry: RegistryServer
) -> Iterator[Callable[[Case], RegistryServer]]:
    own: list[tuple[RegistryServer, TcpProxy | None]] = []

    def registry(case: Case) -> RegistryServer:
        if not case.own_server:
            return shared_registry
        # Every own server reaches the database through a proxy that a case may cut.
        port = int(database_url.rsplit(":", 1)[1].split("/", 1)[0])
        proxy = TcpProxy(port)
        server = start(tmp_path_factory, database_url.replace(f":{port}/", f":{proxy.port}/"))
        server.database_proxy = proxy  # type: ignore[attr-defined]
        own.append((server, proxy))
        return server

    yield registry
    for server, proxy in own:
        server.stop(timeout=10)
        if proxy is not None:
            proxy.close()


@pytest.mark.parametrize("case", parameters())
def test_hostile_case_while_polling(case: Case, registry_for: Callable[[Case], RegistryServer]) -> None:
    server = registry_for(case)
    with HealthPoller(server.port) as poller:
        time.sleep(0.2)
        started = time.monotonic()
        replies = case.send(server)
        took = time.monotonic() - started
        time.sleep(0.2)
    print(f"{case.name}: {[reply.status for reply in replies]} in {took:.2f} s; /healthz: {poller.summary()}")
    assert poller.failures == [], poller.summary()
    assert poller.percentile(0.99) < HEALTHZ_P99_SECONDS, poller.summary()
    case.expect(replies)
