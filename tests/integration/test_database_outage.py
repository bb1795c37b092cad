"""PostgreSQL stopped under a running app: cached reads go on, writes answer 503,
health says unhealthy while readiness holds, and everything recovers without a restart."""

from __future__ import annotations

import pytest
from falcon import testing

from registry.app import create_app
from tests.integration.conftest import make_settings, running_backends
from tests.support.services import PrivatePostgres, wait_until

USER_SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}


@pytest.fixture
def private_postgres(tmp_path):
    server = PrivatePostgres(tmp_path / "pg").start()
    yield server
    server.stop()


@pytest.mark.parametrize("with_redis", [True, False], ids=["redis", "no-redis"])
def test_database_outage_and_recovery(private_postgres, redis_url, redis_key_prefix, with_redis):
    settings = make_settings(
        private_postgres.url, redis_url if with_redis else None, redis_key_prefix, DATABASE_POOL_TIMEOUT_SECONDS="1"
    )
    with running_backends(settings) as backends:
        client = testing.TestClient(create_app(settings, backends))
        schema_id = client.simulate_post(
            "/api/v1/schemas", json={"subject": "outage.user", "schema": USER_SCHEMA}
        ).json["id"]
        assert client.simulate_get(f"/api/v1/schemas/{schema_id}").status_code == 200

        private_postgres.stop()
        read = client.simulate_get(f"/api/v1/schemas/{schema_id}")
        assert read.status_code == 200 and read.json["id"] == schema_id
        validated = client.simulate_post(f"/api/v1/validate/{schema_id}", json={"id": "x"})
        assert validated.json == {"is_valid": True, "errors": []}

        write = client.simulate_post("/api/v1/schemas", json={"subject": "outage.other", "schema": USER_SCHEMA})
        assert write.status_code == 503 and write.json["code"] == "DATABASE_UNAVAILABLE"
        assert write.headers["Retry-After"]
        wait_until(lambda: client.simulate_get("/health").status_code == 503, 5, message="health unhealthy")
        assert client.simulate_get("/health").json["status"] == "unhealthy"
        assert client.simulate_get("/readyz").status_code == 200

        private_postgres.start()
        wait_until(
            lambda: (
                client.simulate_post(
                    "/api/v1/schemas", json={"subject": "outage.other", "schema": USER_SCHEMA}
                ).status_code
                == 201
            ),
            10,
            interval=0.2,
            message="writes recover",
        )
        wait_until(lambda: client.simulate_get("/health").json["status"] != "unhealthy", 5, message="health up")


CONFLUENT_MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
AVRO = '{"type": "record", "name": "R", "fields": [{"name": "id", "type": "string"}]}'
# What psycopg2 and libpq say when a server is gone: the log gets it, no answer may.
DRIVER_WORDS = (
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "could not connect",
    "connection to server",
    "is the server running",
    "operationalerror",
    "psycopg",
    "127.0.0.1",
)


def test_both_apis_answer_503_without_the_drivers_words(private_postgres, redis_url, redis_key_prefix, caplog):
    """Issue 12, item 8: the Confluent API answered 500 / 50001 where /api/v1 answered 503, and both
    put the driver's first line (host, port, "Connection refused") in the message."""
    settings = make_settings(private_postgres.url, redis_url, redis_key_prefix, DATABASE_POOL_TIMEOUT_SECONDS="1")
    with running_backends(settings) as backends:
        client = testing.TestClient(create_app(settings, backends))
        assert client.simulate_post("/subjects/outage-c/versions", json={"schema": AVRO}).status_code == 200
        assert client.simulate_get("/subjects").status_code == 200  # the pool holds a connection to lose

        private_postgres.stop()
        caplog.clear()
        native = [
            client.simulate_get("/api/v1/subjects"),
            client.simulate_get("/api/v1/schemas"),
            client.simulate_post("/api/v1/schemas", json={"subject": "outage.native", "schema": USER_SCHEMA}),
        ]
        confluent = [
            client.simulate_get("/subjects"),
            client.simulate_get("/subjects/outage-c/versions"),
            client.simulate_post("/subjects/outage-c2/versions", json={"schema": AVRO}),
            client.simulate_get("/config"),
        ]
        for response in native:
            assert response.status_code == 503, response.text
            assert response.json["code"] == "DATABASE_UNAVAILABLE" and response.headers["Retry-After"]
        for response in confluent:
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == CONFLUENT_MEDIA_TYPE and response.headers["Retry-After"]
            assert response.json["error_code"] == 50001
        wait_until(lambda: client.simulate_get("/health").status_code == 503, 5, message="health unhealthy")
        probes = [client.simulate_get("/health"), client.simulate_get("/readyz")]
        for response in native + confluent + probes:
            body = response.text.lower()
            leaked = [word for word in (*DRIVER_WORDS, str(private_postgres.port)) if word in body]
            assert leaked == [], response.text
        logged = " ".join(record.getMessage() for record in caplog.records).lower()
        assert "connection refused" in logged or "server closed the connection" in logged
