"""Starting the registry the ways the README and the Procfile do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.support.server import ROOT, RegistryServer
from tests.support.services import free_port, wait_until

pytestmark = pytest.mark.server


def run_module(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DYNO") and not key.startswith("TEST_")
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow  # initdb and an embedded PostgreSQL under gunicorn: 3 s to 10 s
def test_embedded_default_needs_nothing_configured(tmp_path):
    server = RegistryServer({}, tmp_path, workers=2).start(timeout=90)
    try:
        created = server.call("POST", "/api/v1/schemas", {"subject": "embedded.user", "schema": {"type": "object"}})
        assert created.status == 201
        assert server.call("GET", f"/api/v1/schemas/{created.json['id']}").status == 200
        health = server.call("GET", "/health").json
        assert health["status"] == "healthy" and health["components"]["redis"]["status"] == "disabled"
    finally:
        assert server.stop() == 0
    log = server.log_text()
    assert "embedded PostgreSQL in" in log and "REDIS_URL not set" in log
    # The embedded server stopped with the master.
    time.sleep(0.5)
    assert not (tmp_path / "embedded-postgres" / "postmaster.pid").exists()


def test_migrate_command(database_url):
    result = run_module("-m", "registry", "migrate", env={"DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert "none pending" in result.stdout


def test_embedded_database_is_refused_on_heroku(tmp_path):
    result = run_module("-m", "registry", "migrate", env={"DYNO": "web.1", "EMBEDDED_DATA_DIR": str(tmp_path / "pg")})
    assert result.returncode == 1
    assert "Heroku" in result.stderr and "DATABASE_URL" in result.stderr


@pytest.mark.parametrize(("variable", "value"), [("SERVER_PORT", "http"), ("DATABASE_POOL_SIZE", "-3")])
def test_malformed_configuration_stops_startup(variable, value, tmp_path):
    result = run_module(
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "wsgi:app",
        env={variable: value, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert f"configuration error: {variable}" in result.stderr


def test_port_wins_and_metrics_can_share_it(tmp_path, database_url):
    port = free_port()
    server = RegistryServer(
        {"DATABASE_URL": database_url, "METRICS_ON_API_PORT": "true", "PORT": str(port), "SERVER_PORT": "1"},
        tmp_path,
        workers=1,
    )
    server.port = port
    server.start()
    try:
        server.call("GET", "/healthz")
        wait_until(
            lambda: b"registry_http_requests_total" in server.call("GET", "/metrics").body,
            5,
            message="request counted on the API port's /metrics",
        )
        assert server.call("GET", "/metrics").headers["content-type"].startswith("text/plain")
    finally:
        assert server.stop() == 0


def test_sigterm_lets_in_flight_requests_finish(tmp_path, database_url):
    server = RegistryServer({"DATABASE_URL": database_url}, tmp_path, workers=1).start()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        body = b'{"subject": "drain.user", "schema": {"type": "object"}}'
        sock.sendall(
            b"POST /api/v1/schemas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body[:10]
        )
        time.sleep(0.3)  # the request is now in flight, waiting for the rest of its body
        server.send_sigterm()
        time.sleep(0.5)
        sock.sendall(body[10:])
        response = sock.recv(65536)
    assert server.stop() == 0
    assert response.startswith(b"HTTP/1.1 201"), response[:200]
