"""Confluent's 50001 (store error) and 50002 (operation timed out), provoked for real: a
database nobody answers at, and a pool whose only connection stays busy. Both answer 503 with
Retry-After, as /api/v1 does (Confluent itself sends 500; issue 12, item 8)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import psycopg2
import pytest
from falcon import testing

from registry.app import create_app
from tests.integration.conftest import make_settings, running_backends
from tests.support.services import free_port

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
AVRO = '{"type": "record", "name": "R", "fields": [{"name": "id", "type": "string"}]}'


def assert_store_error(response: testing.Result, error_code: int) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == MEDIA_TYPE and response.headers["Retry-After"]
    assert response.json["error_code"] == error_code
    assert isinstance(response.json["message"], str) and response.json["message"]


@pytest.fixture
def client_with_one_busy_prone_connection(database_url, redis_url, redis_key_prefix) -> Iterator[testing.TestClient]:
    settings = make_settings(
        database_url, redis_url, redis_key_prefix, DATABASE_POOL_SIZE="1", DATABASE_POOL_TIMEOUT_SECONDS="0.2"
    )
    with running_backends(settings) as backends:
        yield testing.TestClient(create_app(settings, backends))


def test_50002_when_every_connection_stays_busy(client_with_one_busy_prone_connection, database_url):
    client = client_with_one_busy_prone_connection
    subject = f"busy-{uuid.uuid4().hex[:10]}"
    assert client.simulate_post(f"/subjects/{subject}/versions", json={"schema": AVRO}).status_code == 200
    blocker = psycopg2.connect(database_url)
    try:
        with blocker.cursor() as cursor:  # holds the subject's row lock: a registration waits on it
            cursor.execute("SELECT 1 FROM subjects WHERE name = %s FOR UPDATE", (subject,))
        waiting = threading.Thread(
            target=client.simulate_post,
            args=(f"/subjects/{subject}/versions",),
            kwargs={"json": {"schema": AVRO.replace('"R"', '"S"')}},
        )
        waiting.start()
        time.sleep(0.3)  # the registration now holds the pool's only connection
        assert_store_error(client.simulate_get("/subjects"), 50002)
    finally:
        blocker.rollback()
        blocker.close()
    waiting.join(timeout=10)


def test_50001_when_the_database_does_not_answer(redis_url, redis_key_prefix):
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/registry"
    settings = make_settings(nowhere, redis_url, redis_key_prefix)
    with running_backends(settings, listen_for_changes=False) as backends:
        client = testing.TestClient(create_app(settings, backends))
        assert_store_error(client.simulate_get("/subjects"), 50001)
        assert_store_error(client.simulate_post("/subjects/x/versions", json={"schema": AVRO}), 50001)
