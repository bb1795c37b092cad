"""The guard of requests with a body (registry.http.connection), without a server."""

from __future__ import annotations

from typing import Any

import orjson
from falcon import testing

from registry.http.clients import ClientSlots, TrustedProxies
from registry.http.connection import guard_request_bodies, refuse_busy_client
from registry.http.deadline import BODY_READ_TIMEOUT_KEY


class ServerResponse:
    """Stands for gunicorn's response object, whose bound start_response the app is given."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.closed = False

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status, self.headers = status, headers

    def force_close(self) -> None:
        self.closed = True


def inner_app(seen: list[dict[str, Any]], status: str = "200 OK", headers: tuple[tuple[str, str], ...] = ()):
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(dict(environ))
        start_response(status, list(headers))
        return [b"{}"]

    return app


def guarded(app: Any, slots: ClientSlots) -> Any:
    refused = refuse_busy_client(slots.limit)
    proxies = TrustedProxies(("127.0.0.1",))
    return guard_request_bodies(app, refused, read_timeout_seconds=5, proxies=proxies, slots=slots)


def post(path: str = "/api/v1/schemas", **headers: str) -> dict[str, Any]:
    return testing.create_environ(
        path=path, method="POST", body=b"{}", headers={"X-Forwarded-For": "198.51.100.7", **headers}
    )


def test_a_request_without_a_body_goes_straight_through():
    seen: list[dict[str, Any]] = []
    environ = testing.create_environ(path="/api/v1/schemas/x")
    response = ServerResponse()
    guarded(inner_app(seen), ClientSlots(1))(environ, response.start_response)
    assert response.status == "200 OK" and BODY_READ_TIMEOUT_KEY not in seen[0]


def test_a_body_is_to_be_read_by_the_deadline_and_the_client_gets_its_slot_back():
    seen: list[dict[str, Any]] = []
    slots = ClientSlots(1)
    app = guarded(inner_app(seen), slots)
    for _ in range(3):
        app(post(), ServerResponse().start_response)
    assert seen[0][BODY_READ_TIMEOUT_KEY] == 5
    assert slots.held("198.51.100.7") == 0


def test_a_client_over_its_share_gets_429_and_the_connection_closes():
    seen: list[dict[str, Any]] = []
    slots = ClientSlots(2)
    slots.acquire("198.51.100.7")
    slots.acquire("198.51.100.7")  # two requests of this client are in progress
    app = guarded(inner_app(seen), slots)
    response = ServerResponse()
    body = b"".join(app(post(), response.start_response))
    assert not seen and response.status.startswith("429") and response.closed
    assert dict(response.headers)["Retry-After"] == "1"
    assert orjson.loads(body)["code"] == "TOO_MANY_CONNECTIONS" and orjson.loads(body)["limit"] == 2
    confluent = ServerResponse()
    assert orjson.loads(b"".join(app(post("/subjects/x/versions"), confluent.start_response)))["error_code"] == 429
    other = ServerResponse()
    app(post(**{"X-Forwarded-For": "198.51.100.8"}), other.start_response)
    assert other.status == "200 OK" and seen


def test_an_error_that_asks_to_close_closes_and_others_keep_the_connection():
    for status, headers, closes in (
        ("408 Request Timeout", (("Connection", "close"),), True),
        ("400 Bad Request", (("connection", "Close"),), True),
        ("400 Bad Request", (), False),
        ("200 OK", (("Connection", "close"),), False),
    ):
        response = ServerResponse()
        guarded(inner_app([], status, headers), ClientSlots(5))(post(), response.start_response)
        assert response.closed is closes, status
