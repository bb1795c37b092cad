"""``GET /api/v1/schemas/{id}`` answered from the worker's memory (``registry.http.cached_reads``),
against real PostgreSQL and Redis: the answer is the one Falcon's route gives, changes are
seen at once, and whatever the worker does not hold goes on to Falcon."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from falcon import testing
from prometheus_client import REGISTRY

from registry.app import create_app, create_falcon_app
from registry.backends import Backends
from registry.config import Settings
from registry.http.cached_reads import CachedSchemaReads
from registry.http.representations import RenderedSchemas
from registry.observability.batching import flush_all
from tests.integration.conftest import running_backends
from tests.support.services import wait_until

SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}


@dataclass
class Stack:
    """The shortcut in front of Falcon, which counts the requests that reach it; and a
    client of Falcon alone (its own rendered bodies) to compare answers with."""

    shortcut: testing.TestClient
    falcon_only: testing.TestClient
    reached_falcon: list[tuple[str, str]] = field(default_factory=list)

    def register(self, subject: str) -> str:
        created = self.shortcut.simulate_post(
            "/api/v1/schemas", json={"subject": subject, "schema": SCHEMA, "schema_type": "json"}
        )
        assert created.status_code == 201, created.text
        return created.json["id"]

    def get_reaching_falcon(self, path: str, **kwargs: Any) -> tuple[testing.Result, bool]:
        before = len(self.reached_falcon)
        result = self.shortcut.simulate_get(path, **kwargs)
        return result, len(self.reached_falcon) > before


def stack_over(settings: Settings, backends: Backends) -> Stack:
    falcon_app = create_falcon_app(settings, backends, RenderedSchemas(settings.local_cache_size))
    reached_falcon: list[tuple[str, str]] = []

    def counted(environ: dict[str, Any], start_response: Any) -> Any:
        reached_falcon.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        return falcon_app(environ, start_response)

    shortcut = CachedSchemaReads(counted, backends.service, RenderedSchemas(settings.local_cache_size))
    return Stack(testing.TestClient(shortcut), testing.TestClient(falcon_app), reached_falcon)


@pytest.fixture
def stack(settings: Settings, backends: Backends) -> Stack:
    return stack_over(settings, backends)


@pytest.fixture
def other_worker(settings: Settings) -> Iterator[Backends]:
    """A second worker's backends on the same database and Redis, with a memory of its own."""
    with running_backends(settings) as built:
        yield built


def answer(app: Any, path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status, headers as sent (the test client's compare names without their case) and body."""
    sent: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        sent.update(status=status, headers=headers)

    body = b"".join(app(testing.create_environ(path=path), start_response))
    return sent["status"], sent["headers"], body


def assert_same_answer(stack: Stack, path: str) -> None:
    before = len(stack.reached_falcon)
    served = answer(stack.shortcut.app, path)
    assert len(stack.reached_falcon) == before, "the read reached Falcon"
    assert served == answer(stack.falcon_only.app, path)


def test_a_held_schema_is_answered_as_falcon_answers_it(stack, subject):
    schema_id = stack.register(subject)
    stack.shortcut.simulate_get(f"/api/v1/schemas/{schema_id}")  # held from here on, if not already

    assert_same_answer(stack, f"/api/v1/schemas/{schema_id}")
    served, _ = stack.get_reaching_falcon(f"/api/v1/schemas/{schema_id}")
    assert served.json["id"] == schema_id and served.json["subject"] == subject


def test_a_schema_first_read_goes_to_falcon_then_is_held(stack, other_worker, subject, settings):
    registered_elsewhere = stack_over(settings, other_worker).register(subject)

    first, reached = stack.get_reaching_falcon(f"/api/v1/schemas/{registered_elsewhere}")
    assert reached and first.status_code == 200
    second, reached = stack.get_reaching_falcon(f"/api/v1/schemas/{registered_elsewhere}")
    assert not reached
    assert second.content == first.content


@pytest.mark.parametrize(
    ("method", "suffix", "query"),
    [
        ("GET", "", "pretty=1"),  # a query string
        ("GET", "/", None),  # a trailing slash, which Falcon strips
        ("GET", "/versions", None),  # a longer path
        ("HEAD", "", None),
        ("DELETE", "", None),
    ],
)
def test_other_requests_for_a_held_schema_go_to_falcon(stack, subject, method, suffix, query):
    schema_id = stack.register(subject)
    stack.shortcut.simulate_get(f"/api/v1/schemas/{schema_id}")
    before = len(stack.reached_falcon)

    stack.shortcut.simulate_request(method, f"/api/v1/schemas/{schema_id}{suffix}", query_string=query)
    assert stack.reached_falcon[before:] == [(method, f"/api/v1/schemas/{schema_id}{suffix}")]


@pytest.mark.parametrize("raw_path", ["/api/v1%2Fschemas/{id}", "/api/v1/schemas%2F{id}", "/api%2fv1/schemas/{id}"])
def test_an_encoded_slash_before_the_id_goes_to_falcon(stack, subject, raw_path):
    """The server decodes %2F in the path the app sees; Falcon routes on the raw segments,
    where these match no route."""
    schema_id = stack.register(subject)
    stack.shortcut.simulate_get(f"/api/v1/schemas/{schema_id}")
    extras = {"RAW_URI": raw_path.format(id=schema_id)}

    served, reached = stack.get_reaching_falcon(f"/api/v1/schemas/{schema_id}", extras=extras)
    assert reached
    by_falcon = stack.falcon_only.simulate_get(f"/api/v1/schemas/{schema_id}", extras=extras)
    assert served.status_code == by_falcon.status_code == 404


def test_an_id_not_in_canonical_form_goes_to_falcon(stack, subject):
    schema_id = stack.register(subject)
    stack.shortcut.simulate_get(f"/api/v1/schemas/{schema_id}")

    served, reached = stack.get_reaching_falcon(f"/api/v1/schemas/{schema_id.upper()}")
    assert reached
    assert served.status_code == 200 and served.json["id"] == schema_id


@pytest.mark.parametrize("schema_id", ["00000000-0000-4000-8000-000000000000", "not-a-uuid"])
def test_unknown_ids_get_falcons_error(stack, schema_id):
    served, reached = stack.get_reaching_falcon(f"/api/v1/schemas/{schema_id}")
    assert reached
    assert served.status_code == 404 and served.json["code"] == "SCHEMA_NOT_FOUND"


def test_a_change_is_served_at_once(stack, subject):
    schema_id = stack.register(subject)
    stack.shortcut.simulate_get(f"/api/v1/schemas/{schema_id}")

    changed = stack.shortcut.simulate_patch(f"/api/v1/schemas/{schema_id}", json={"description": "now described"})
    assert changed.status_code == 200
    served, _ = stack.get_reaching_falcon(f"/api/v1/schemas/{schema_id}")
    assert served.json["description"] == "now described"
    assert_same_answer(stack, f"/api/v1/schemas/{schema_id}")


def test_a_change_made_by_another_worker_is_seen(stack, other_worker, subject, settings):
    schema_id = stack.register(subject)
    stack.shortcut.simulate_get(f"/api/v1/schemas/{schema_id}")
    held, reached = stack.get_reaching_falcon(f"/api/v1/schemas/{schema_id}")
    assert not reached and held.json["state"] == "DRAFT"

    changed = stack_over(settings, other_worker).shortcut.simulate_patch(
        f"/api/v1/schemas/{schema_id}", json={"state": "ACTIVE"}
    )
    assert changed.status_code == 200

    def seen() -> bool:
        return stack.shortcut.simulate_get(f"/api/v1/schemas/{schema_id}").json["state"] == "ACTIVE"

    # The other worker's change arrives as a database notice; until then the held copy is
    # the previous version, as with any cached read.
    wait_until(seen, 10, message="the change made by the other worker was never served")


def test_the_full_stack_answers_held_schemas_with_a_request_id_and_counts_them(settings, backends, subject):
    client = testing.TestClient(create_app(settings, backends))
    registration = {"subject": subject, "schema": SCHEMA, "schema_type": "json"}
    path = f"/api/v1/schemas/{client.simulate_post('/api/v1/schemas', json=registration).json['id']}"
    client.simulate_get(path)
    flush_all()
    counted_before, hits_before = requests_counted(), local_lookups(hit=True)

    result = client.simulate_get(path, headers={"X-Request-ID": "held-read-1"})
    assert result.status_code == 200 and result.headers["X-Request-ID"] == "held-read-1"
    flush_all()
    assert requests_counted() == counted_before + 1
    assert local_lookups(hit=True) == hits_before + 1


def test_a_miss_through_the_full_stack_is_counted_once(settings, backends):
    client = testing.TestClient(create_app(settings, backends))
    flush_all()
    misses_before = local_lookups(hit=False)
    assert client.simulate_get("/api/v1/schemas/00000000-0000-4000-8000-000000000000").status_code == 404
    flush_all()
    assert local_lookups(hit=False) == misses_before + 1


def requests_counted() -> float:
    labels = {"method": "GET", "route": "/api/v1/schemas/{schema_id}", "status": "200"}
    return REGISTRY.get_sample_value("registry_http_requests_total", labels) or 0.0


def local_lookups(hit: bool) -> float:
    labels = {"tier": "local", "result": "hit" if hit else "miss"}
    return REGISTRY.get_sample_value("registry_cache_lookups_total", labels) or 0.0
