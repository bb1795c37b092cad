"""Two registry instances (gunicorn, two gevent workers each) sharing one database and
one Redis: changes are visible everywhere within a second, with Redis up, down or hung,
and registrations racing into one subject never duplicate or lose versions."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
import redis

from tests.support.server import RegistryServer
from tests.support.services import PrivateRedis, TcpProxy, wait_until

pytestmark = pytest.mark.server

VISIBILITY_BOUND = 1.0
OBJECT = {"type": "object", "properties": {"id": {"type": "string"}}}


@pytest.fixture(scope="module")
def shared_redis():
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def network(shared_redis):
    """Both instances reach Redis through this: cutting it is a partition, not a Redis restart."""
    proxy = TcpProxy(shared_redis.port)
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def instances(tmp_path_factory, database_url, network):
    prefix = f"two:{uuid.uuid4().hex[:8]}:"
    servers = [
        RegistryServer(
            {"DATABASE_URL": database_url, "REDIS_URL": network.url(), "REDIS_KEY_PREFIX": prefix},
            tmp_path_factory.mktemp(f"instance{index}"),
        ).start()
        for index in range(2)
    ]
    yield servers
    for server in servers:
        assert server.stop() == 0, server.log_text()


def instances_prefix(server: RegistryServer) -> str:
    return server.environment["REDIS_KEY_PREFIX"]


def seen_everywhere(server: RegistryServer, schema_id: str, field: str, value: object) -> bool:
    """Several reads on new connections, so both workers of the instance answer."""
    return all(server.call("GET", f"/api/v1/schemas/{schema_id}").json[field] == value for _ in range(8))


def assert_visible_within_bound(server: RegistryServer, schema_id: str, field: str, value: object) -> float:
    started = time.monotonic()
    wait_until(
        lambda: seen_everywhere(server, schema_id, field, value),
        VISIBILITY_BOUND + 1.0,
        interval=0.05,
        message=f"{field}={value!r} visible",
    )
    elapsed = time.monotonic() - started
    assert elapsed <= VISIBILITY_BOUND + 0.5, elapsed  # polling itself takes a few ms per round
    return elapsed


def test_changes_are_visible_on_the_other_instance(instances, shared_redis):
    first, second = instances
    schema_id = first.call(
        "POST", "/api/v1/schemas", {"subject": f"vis.{uuid.uuid4().hex[:8]}", "schema": OBJECT}
    ).json["id"]
    assert seen_everywhere(second, schema_id, "state", "DRAFT")  # now cached in both of its workers

    assert first.call("PATCH", f"/api/v1/schemas/{schema_id}", {"state": "ACTIVE"}).status == 200
    assert_visible_within_bound(second, schema_id, "state", "ACTIVE")

    shared_redis.stop()
    try:
        assert second.call("PATCH", f"/api/v1/schemas/{schema_id}", {"description": "redis down"}).status == 200
        assert_visible_within_bound(first, schema_id, "description", "redis down")
    finally:
        shared_redis.start()
    wait_until(lambda: first.call("GET", "/health").json["status"] == "healthy", 5, message="redis back")

    assert first.call("PATCH", f"/api/v1/schemas/{schema_id}", {"tags": ["back"]}).status == 200
    assert_visible_within_bound(second, schema_id, "tags", ["back"])


def test_a_change_made_while_redis_is_cut_off_does_not_come_back_stale(instances, shared_redis, network):
    first, second = instances
    # Workers skip Redis for a second after an error (an earlier test stopped it); past that,
    # the registration and reads below write their copies there again.
    time.sleep(1.2)
    schema_id = first.call(
        "POST", "/api/v1/schemas", {"subject": f"cut.{uuid.uuid4().hex[:8]}", "schema": OBJECT}
    ).json["id"]
    client = redis.Redis.from_url(shared_redis.url)
    key = f"{instances_prefix(first)}schema:{schema_id}"
    # Reads fill Redis (once any breaker left open by an earlier outage has closed again).
    wait_until(
        lambda: seen_everywhere(second, schema_id, "state", "DRAFT") and client.get(key) is not None,
        5,
        message="the DRAFT copy is in Redis",
    )
    network.cut()
    try:
        assert first.call("PATCH", f"/api/v1/schemas/{schema_id}", {"state": "ACTIVE"}).status == 200
        assert_visible_within_bound(second, schema_id, "state", "ACTIVE")
    finally:
        network.restore()

    # Redis kept the DRAFT copy the change could not overwrite. The change's outbox row replaces
    # it with a tombstone (or a reader's newer copy) once Redis answers again.
    def redis_copy_is_current() -> bool:
        revision, _, payload = client.get(key).partition(b"|")
        return not payload or orjson.loads(payload)[7] == "ACTIVE"

    wait_until(redis_copy_is_current, 5, interval=0.05, message="stale Redis copy replaced")
    for server in instances:
        assert seen_everywhere(server, schema_id, "state", "ACTIVE")


def test_parallel_registrations_into_one_subject(instances):
    subject = f"race.{uuid.uuid4().hex[:8]}"
    first, second = instances
    first.call("PUT", f"/api/v1/subjects/{subject}/config", {"compatibility_mode": "NONE"})
    schemas = [
        {"type": "object", "properties": {f"p{index}": {"type": "string"}}, "required": [f"p{index}"]}
        for index in range(24)
    ]

    def register(index: int):  # noqa: ANN202
        server = instances[index % 2]
        return server.call("POST", "/api/v1/schemas", {"subject": subject, "schema": schemas[index % 12]})

    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(register, range(24)))  # each schema sent twice, through both instances
    assert all(reply.status in (200, 201) for reply in replies), [(r.status, r.body) for r in replies]
    created = [reply.json for reply in replies if reply.status == 201]
    assert len(created) == 12  # one version per distinct schema, however the requests interleaved
    by_schema: dict[int, set[str]] = {}
    for index, reply in enumerate(replies):
        by_schema.setdefault(index % 12, set()).add(reply.json["id"])
    assert all(len(ids) == 1 for ids in by_schema.values())  # the duplicate got the same id
    versions = first.call("GET", f"/api/v1/subjects/{subject}/versions").json["items"]
    assert len(versions) == 12 and len({item["version"] for item in versions}) == 12
    assert {item["id"] for item in versions} == {created_reply["id"] for created_reply in created}
