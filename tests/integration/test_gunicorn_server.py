"""The real gunicorn with two gevent workers, over HTTP: the README's examples,
metrics summed over both workers, a Redis outage, and the body limit on the wire."""

from __future__ import annotations

import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest

from tests.support.server import RegistryServer, metric_value
from tests.support.services import PrivateRedis, wait_until

pytestmark = pytest.mark.server

USER_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    "required": ["id"],
}


@pytest.fixture(scope="module")
def private_redis():
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def registry(tmp_path_factory, database_url, private_redis):
    server = RegistryServer(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": private_redis.url,
            "REDIS_KEY_PREFIX": f"server-test:{uuid.uuid4().hex[:8]}:",
        },
        tmp_path_factory.mktemp("server"),
    ).start()
    yield server
    assert server.stop() == 0, server.log_text()


def test_readme_examples_over_http(registry):
    subject = f"readme.{uuid.uuid4().hex[:8]}.user"
    created = registry.call(
        "POST", "/api/v1/schemas", {"subject": subject, "schema": USER_SCHEMA, "schema_type": "json"}
    )
    assert created.status == 201, created.body
    schema_id = created.json["id"]
    fetched = registry.call("GET", f"/api/v1/schemas/{schema_id}")
    assert fetched.status == 200 and fetched.json["schema"] == USER_SCHEMA
    assert fetched.headers["x-request-id"]
    valid = registry.call("POST", f"/api/v1/validate/{schema_id}", {"id": "user123", "name": "John Doe"})
    assert valid.json == {"is_valid": True, "errors": []}
    widened = {**USER_SCHEMA, "properties": {**USER_SCHEMA["properties"], "name": {"type": ["string", "null"]}}}
    second = registry.call("POST", "/api/v1/schemas", {"subject": subject, "schema": widened, "schema_type": "json"})
    assert second.status == 201 and second.json["version"] == "1.1.0"
    verdict = registry.call(
        "POST",
        "/api/v1/compatibility/check",
        {"schema_id": second.json["id"], "compared_schema_id": schema_id, "mode": "BACKWARD"},
    )
    assert verdict.json["is_compatible"] is True
    health = registry.call("GET", "/health")
    assert health.status == 200 and health.json["status"] == "healthy"


def test_metrics_sum_both_workers(registry):
    before = metric_value(registry.metrics(), "registry_http_requests_total", route="/healthz", status="200")
    for _ in range(200):
        assert registry.call("GET", "/healthz").status == 200

    # Workers add their counts to the shared files every quarter second.
    def counted() -> float:
        return metric_value(registry.metrics(), "registry_http_requests_total", route="/healthz", status="200")

    wait_until(lambda: counted() - before >= 200, 5, message="both workers' counts flushed")
    assert counted() - before == 200
    # Each worker writes its own sample file; both served some of the 200 requests.
    counter_files = list(registry.metrics_dir.glob("counter_*.db"))
    assert len(counter_files) >= 2, counter_files
    assert metric_value(registry.metrics(), "registry_http_request_duration_seconds_count", route="/healthz") >= 200
    unknown = registry.call("GET", f"/no/such/{uuid.uuid4().hex}")
    assert unknown.status == 404
    wait_until(lambda: 'route="<unmatched>"' in registry.metrics(), 5, message="unmatched route counted")


def test_survives_a_redis_outage(registry, private_redis):
    subject = f"outage.{uuid.uuid4().hex[:8]}.user"
    schema_id = registry.call("POST", "/api/v1/schemas", {"subject": subject, "schema": USER_SCHEMA}).json["id"]
    private_redis.stop()
    try:
        wait_until(lambda: registry.call("GET", "/health").json["status"] == "degraded", 10, message="health degraded")
        assert registry.call("GET", "/health").status == 200
        for _ in range(20):
            assert registry.call("GET", f"/api/v1/schemas/{schema_id}").status == 200
        created = registry.call("POST", "/api/v1/schemas", {"subject": subject + "2", "schema": USER_SCHEMA})
        assert created.status == 201
        assert registry.call("GET", f"/api/v1/schemas/{created.json['id']}").status == 200
    finally:
        private_redis.start()
    wait_until(lambda: registry.call("GET", "/health").json["status"] == "healthy", 10, message="health healthy")


def test_oversized_body_is_refused_without_reading_it(registry):
    with socket.create_connection(("127.0.0.1", registry.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/schemas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 50000000\r\n\r\n" + b"[" * 1024
        )
        response = b""
        while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert b"connection: close" in head.lower()
    assert b'"PAYLOAD_TOO_LARGE"' in body


def test_chunked_body_over_the_limit(registry):
    with socket.create_connection(("127.0.0.1", registry.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/schemas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"1" * 65536
        try:
            for _ in range(40):  # 2.5 MiB, over the 1 MiB default
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may hang up once it has answered
        response = sock.recv(65536)
    assert response.startswith(b"HTTP/1.1 413"), response[:200]


@pytest.mark.parametrize("through_pipe", [True, False], ids=["pipe", "file"])
def test_every_request_gets_one_whole_access_line(tmp_path, database_url, through_pipe):
    """Both workers write to one pipe (as under a process manager) or one file: every
    output line stays whole JSON, and the lines still buffered at shutdown are written."""
    server = RegistryServer({"DATABASE_URL": database_url}, tmp_path, output_through_pipe=through_pipe).start()
    run = uuid.uuid4().hex[:8]
    request_ids = [f"access-{run}-{number}" for number in range(2000)]

    def fetch(request_id: str) -> int:
        return server.call("GET", "/healthz", headers={"X-Request-ID": request_id}).status

    try:
        with ThreadPoolExecutor(16) as pool:
            statuses = set(pool.map(fetch, request_ids))
    finally:
        exit_code = server.stop()
    assert statuses == {200}
    assert exit_code == 0
    lines = [orjson.loads(line) for line in server.log_text().splitlines() if line.strip()]
    logged = [line["request_id"] for line in lines if line.get("logger") == "registry.access"]
    mine = [request_id for request_id in logged if request_id.startswith(f"access-{run}-")]
    assert sorted(mine) == sorted(request_ids)


def test_a_stuck_log_reader_does_not_stall_requests(tmp_path, database_url):
    """Nobody reads the server's output pipe, so it fills up and the access log's writes
    wait: requests are still answered (the lines wait in the workers' buffers), and
    every line comes out once the pipe is read again."""
    server = RegistryServer({"DATABASE_URL": database_url}, tmp_path, output_through_pipe=True).start()
    run = uuid.uuid4().hex[:8]
    request_ids = [f"stuck-{run}-{number}" for number in range(1500)]

    def fetch(request_id: str) -> int:
        return server.call("GET", "/healthz", headers={"X-Request-ID": request_id}, timeout=10).status

    server.output_read.clear()
    try:
        with ThreadPoolExecutor(8) as pool:
            statuses = set(pool.map(fetch, request_ids))
    finally:
        server.output_read.set()
        exit_code = server.stop()
    assert statuses == {200}
    assert exit_code == 0
    logged = [orjson.loads(line).get("request_id") for line in server.log_text().splitlines() if line.strip()]
    assert sorted(request_id for request_id in logged if str(request_id).startswith(f"stuck-{run}-")) == sorted(
        request_ids
    )
