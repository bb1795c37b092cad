"""Per-request bookkeeping at the WSGI boundary."""

from __future__ import annotations

import os
from typing import Any

import orjson
import pytest
from falcon import testing
from prometheus_client import REGISTRY

from registry.http.observation import REQUEST_ID_KEY, ROUTE_KEY, UNMATCHED_ROUTE, ObservedRequests, new_request_id
from registry.observability.access_log import AccessLog
from registry.observability.metrics import RequestMetrics


class Broken(RuntimeError):
    pass


def answering(status: str, route: str | None = "/things/{thing}"):
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if route is not None:
            environ[ROUTE_KEY] = route
        if status == "raise":
            raise Broken("boom")
        start_response(status, [("Content-Type", "application/json")])
        return [orjson.dumps({"request_id": environ[REQUEST_ID_KEY]})]

    return app


@pytest.fixture
def access_stream() -> list[bytes]:
    return []


@pytest.fixture
def request_metrics() -> RequestMetrics:
    return RequestMetrics()


def observed(app: Any, request_metrics: RequestMetrics, access_stream: list[bytes]) -> testing.TestClient:
    access_log = AccessLog(access_stream.extend)
    access_log.enabled = True
    client = testing.TestClient(ObservedRequests(app, request_metrics, access_log))
    client.access_log = access_log
    return client


def requests_counted(request_metrics: RequestMetrics, route: str, status: str) -> float:
    request_metrics.flush()
    labels = {"method": "GET", "route": route, "status": status}
    return REGISTRY.get_sample_value("registry_http_requests_total", labels) or 0.0


def logged(client: testing.TestClient, stream: list[bytes]) -> list[dict[str, Any]]:
    client.access_log.flush()
    return [orjson.loads(line) for line in b"".join(stream).splitlines()]


def test_a_sane_request_id_is_kept_and_answered(request_metrics, access_stream):
    client = observed(answering("200 OK"), request_metrics, access_stream)
    result = client.simulate_get("/things/1", headers={"X-Request-ID": "abc-123"})
    assert result.headers["X-Request-ID"] == "abc-123"
    assert result.json == {"request_id": "abc-123"}  # the app sees the same id (error bodies carry it)


@pytest.mark.parametrize("sent", [None, "", "x" * 129, "caf\u00e9", "tab\there"])
def test_a_missing_or_unfit_request_id_is_replaced(request_metrics, access_stream, sent):
    client = observed(answering("200 OK"), request_metrics, access_stream)
    headers = {"X-Request-ID": sent} if sent is not None else {}
    first = client.simulate_get("/things/1", headers=headers).headers["X-Request-ID"]
    second = client.simulate_get("/things/1", headers=headers).headers["X-Request-ID"]
    assert len(first) == 32 and first != second and first.isalnum()


def test_each_request_is_counted_and_logged_under_its_route(request_metrics, access_stream):
    client = observed(answering("404 Not Found", "/counted/{thing}"), request_metrics, access_stream)
    before = requests_counted(request_metrics, "/counted/{thing}", "404")
    client.simulate_get("/counted/7", headers={"X-Request-ID": "r-1"})
    [line] = logged(client, access_stream)
    assert (line["request_id"], line["method"], line["route"], line["path"], line["status"]) == (
        "r-1",
        "GET",
        "/counted/{thing}",
        "/counted/7",
        404,
    )
    assert line["duration_ms"] >= 0
    assert requests_counted(request_metrics, "/counted/{thing}", "404") == before + 1


def test_an_unrouted_request_shares_one_label(request_metrics, access_stream):
    client = observed(answering("404 Not Found", route=None), request_metrics, access_stream)
    before = requests_counted(request_metrics, UNMATCHED_ROUTE, "404")
    client.simulate_get("/scanner/probe/1")
    client.simulate_get("/scanner/probe/2")
    assert requests_counted(request_metrics, UNMATCHED_ROUTE, "404") == before + 2


def test_an_app_that_raises_is_counted_as_a_500(request_metrics, access_stream):
    client = observed(answering("raise", "/raising/{thing}"), request_metrics, access_stream)
    with pytest.raises(Broken):
        client.simulate_get("/raising/1")
    [line] = logged(client, access_stream)
    assert line["status"] == 500 and line["route"] == "/raising/{thing}"
    assert requests_counted(request_metrics, "/raising/{thing}", "500") == 1


def test_request_metrics_add_up_per_route_across_statuses(request_metrics):
    route = "/summed/{thing}"

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, {"method": "GET", "route": route, **labels}) or 0.0

    before_fast = sample("registry_http_request_duration_seconds_bucket", le="0.001")
    before_all = sample("registry_http_request_duration_seconds_count")
    before_sum = sample("registry_http_request_duration_seconds_sum")
    request_metrics.observe("GET", route, "200", 0.0004)
    request_metrics.observe("GET", route, "200", 0.2)
    request_metrics.observe("GET", route, "404", 0.0008)
    request_metrics.flush()
    assert sample("registry_http_requests_total", status="200") == 2
    assert sample("registry_http_requests_total", status="404") == 1
    assert sample("registry_http_request_duration_seconds_bucket", le="0.001") == before_fast + 2
    assert sample("registry_http_request_duration_seconds_count") == before_all + 3
    assert sample("registry_http_request_duration_seconds_sum") == pytest.approx(before_sum + 0.2012)
    request_metrics.flush()  # nothing is added twice
    assert sample("registry_http_request_duration_seconds_count") == before_all + 3


@pytest.mark.parametrize(
    "sent",
    ["3f2a5c1e-9b7d-4e21-8a3b-1234567890ab", "svc:1234", "trace/abc+def==", "Root=1-5759e988-bd86", "a" * 128],
)
def test_request_ids_of_safe_characters_are_kept(request_metrics, access_stream, sent):
    client = observed(answering("200 OK"), request_metrics, access_stream)
    assert client.simulate_get("/things/1", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent


@pytest.mark.parametrize("sent", ['say "hi"', "<script>alert(1)</script>", "two words", "a;b", "back\\slash", "{}"])
def test_request_ids_with_other_characters_are_replaced_not_echoed(request_metrics, access_stream, sent):
    client = observed(answering("200 OK"), request_metrics, access_stream)
    answered = client.simulate_get("/things/1", headers={"X-Request-ID": sent}).headers["X-Request-ID"]
    assert answered != sent and len(answered) == 32 and answered.isalnum()


def test_every_answer_gets_nosniff_and_no_store(request_metrics, access_stream):
    for status in ("200 OK", "404 Not Found", "503 Service Unavailable"):
        result = observed(answering(status), request_metrics, access_stream).simulate_get("/things/1")
        assert result.headers["X-Content-Type-Options"] == "nosniff"
        assert result.headers["Cache-Control"] == "no-store"


def test_generated_ids_are_unique_across_forked_workers():
    """The gunicorn master imports this module before forking its workers."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child only reports its id
        os.write(writer, new_request_id().encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    in_child = os.read(reader, 64).decode()
    os.close(reader)
    assert in_child[:16] != new_request_id()[:16]
