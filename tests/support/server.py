"""The real registry under gunicorn with gevent workers, as a test fixture."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tests.support.services import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)


def call(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    timeout: float = 10,
) -> Reply:
    """One request on a new connection (so the kernel spreads requests over the workers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = raw if raw is not None else (orjson.dumps(body) if body is not None else None)
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


class RegistryServer:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` in a subprocess, with its own ports."""

    def __init__(
        self, environment: dict[str, str], workdir: Path, workers: int = 2, *, output_through_pipe: bool = False
    ) -> None:
        """``environment`` overrides the test process's; backends it does not name stay unset.

        The server's output goes to ``log_path``: straight into the file, or with
        ``output_through_pipe`` through a pipe copied into it, as under a process manager."""
        self._output_through_pipe = output_through_pipe
        self._copier: threading.Thread | None = None
        self.output_read = threading.Event()  # clear it to stop reading the pipe (it fills up)
        self.output_read.set()
        self.port = free_port()
        self.metrics_port = free_port()
        self.metrics_dir = workdir / "metrics"
        self.log_path = workdir / "server.log"
        self._environment = {
            **{
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("TEST_", "PYTEST")) and key not in ("DATABASE_URL", "REDIS_URL", "PORT")
            },
            "SERVER_HOST": "127.0.0.1",
            "SERVER_PORT": str(self.port),
            "METRICS_PORT": str(self.metrics_port),
            "WEB_CONCURRENCY": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "EMBEDDED_DATA_DIR": str(workdir / "embedded-postgres"),
            **environment,
        }
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def environment(self) -> dict[str, str]:
        return dict(self._environment)

    def start(self, timeout: float = 60) -> RegistryServer:
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self._environment,
            stderr=subprocess.STDOUT,
            stdout=subprocess.PIPE if self._output_through_pipe else self._log,
        )
        if self._output_through_pipe:
            self._copier = threading.Thread(target=self._copy_output, args=(self._process.stdout,), daemon=True)
            self._copier.start()
        wait_until(self._ready, timeout, interval=0.2, message=f"registry on port {self.port} ready")
        return self

    def _ready(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {self._process.returncode}:\n{self.log_text()}")
        try:
            return call(self.port, "GET", "/readyz", timeout=2).status == 200
        except OSError:
            return False

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return call(self.port, method, path, body, **kwargs)

    def metrics(self) -> str:
        return call(self.metrics_port, "GET", "/metrics").body.decode()

    def send_sigterm(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30) -> int:
        if self._process is None:
            return 0
        self._process.send_signal(signal.SIGTERM)
        try:
            code = self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            code = self._process.wait()
        self._process = None
        if self._copier is not None:
            self._copier.join(timeout)
        self._log.close()
        return code

    def _copy_output(self, output: Any) -> None:
        with output:
            while self.output_read.wait() and (chunk := output.read1(65536)):
                self._log.write(chunk)
                self._log.flush()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def metric_value(exposition: str, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels``."""
    total = 0.0
    for line in exposition.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{key}="{wanted}"' in head for key, wanted in labels.items()):
            total += float(value)
    return total
