"""Shared plumbing of ``bench/run.py`` and ``bench/soak.py``: a throwaway database and Redis
key prefix, the registry and the bare app under gunicorn, worker RSS, git identity.

Everything binds to 127.0.0.1; nothing here sends traffic anywhere else.
"""

from __future__ import annotations

import ast
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = ROOT / "bench-results"

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_stamp() -> str:
    return time.strftime("%Y%m%d_%H%M%S") + f"_{os.getpid()}"


# -- git -------------------------------------------------------------------------------


def git_identity() -> dict[str, Any]:
    """Commit and whether the work tree differs from it (read-only git commands only)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "--no-optional-locks", *args], cwd=ROOT, capture_output=True, text=True, timeout=20
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": git("rev-parse", "HEAD"),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": None if status is None else bool(status),
    }


# -- database and Redis ---------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@contextmanager
def bench_database(stamp: str, keep: bool = False) -> Iterator[str]:
    """A fresh ``registry_bench_<stamp>`` database on BENCH_DATABASE_URL's server; dropped after."""
    admin_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    name = f"registry_bench_{stamp}"
    try:
        admin = psycopg2.connect(admin_url, connect_timeout=5)
    except psycopg2.OperationalError as error:
        raise BenchError(
            f"cannot reach PostgreSQL at {admin_url} (set BENCH_DATABASE_URL, or start it: see .ci/run): {error}"
        ) from None
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        log(f"created database {name}")
        yield _with_database(admin_url, name)
    finally:
        if keep:
            log(f"kept database {name} (--keep)")
        else:
            try:
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                log(f"dropped database {name}")
            except psycopg2.Error as error:
                log(f"could not drop database {name}: {error}")
        admin.close()


@contextmanager
def bench_redis(stamp: str) -> Iterator[tuple[str, str]]:
    """BENCH_REDIS_URL and a key prefix of this run's own; its keys are deleted after."""
    url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    prefix = f"registry-bench:{stamp}:"
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        raise BenchError(
            f"cannot reach Redis at {url} (set BENCH_REDIS_URL, or start it: see .ci/run): {error}"
        ) from None
    try:
        yield url, prefix
    finally:
        try:
            deleted = 0
            batch: list[bytes] = []
            for key in client.scan_iter(match=prefix + "*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    deleted += client.delete(*batch)
                    batch.clear()
            if batch:
                deleted += client.delete(*batch)
            log(f"deleted {deleted} Redis keys under {prefix}")
        except redis.RedisError as error:
            log(f"could not delete Redis keys under {prefix}: {error}")
        client.close()


# -- HTTP ------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


def call(port: int, method: str, path: str, body: Any = None, timeout: float = 10, raw: bytes | None = None) -> Reply:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = raw if raw is not None else (orjson.dumps(body) if body is not None else None)
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return Reply(response.status, response.read())
    finally:
        connection.close()


# -- servers ---------------------------------------------------------------------------


@dataclass
class Server:
    """A gunicorn master in a subprocess, its output in ``log_path``."""

    name: str
    command: list[str]
    environment: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    _log: Any = field(default=None, repr=False)

    def start(self, timeout: float = 90) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                if call(self.port, "GET", "/readyz", timeout=2).status == 200:
                    log(f"{self.name} ready on 127.0.0.1:{self.port} (pid {self.process.pid}, log {self.log_path})")
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise BenchError(f"{self.name} not ready within {timeout}s; see {self.log_path}:\n{self.log_tail()}")

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise BenchError(
                f"{self.name} exited with {self.process.returncode}; see {self.log_path}:\n{self.log_tail()}"
            )

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def stop(self, timeout: float = 40) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._log:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _base_environment() -> dict[str, str]:
    # Backends are named explicitly below; a stray PORT would override SERVER_PORT.
    return {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT")}


def registry_server(
    database_url: str, redis_url: str, redis_prefix: str, log_path: Path, workers: int, metrics_dir: Path
) -> Server:
    """The registry the production way: ``gunicorn -c gunicorn.conf.py wsgi:app``, production defaults
    (metrics on, LOG_LEVEL from the environment or INFO)."""
    port, metrics_port = free_port(), free_port()
    environment = {
        **_base_environment(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "SERVER_HOST": "127.0.0.1",
        "SERVER_PORT": str(port),
        "METRICS_PORT": str(metrics_port),
        "WEB_CONCURRENCY": str(workers),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    return Server("registry", command, environment, port, log_path)


def gunicorn_worker_settings() -> dict[str, Any]:
    """The worker settings assigned as literals in ``gunicorn.conf.py``."""
    tree = ast.parse((ROOT / "gunicorn.conf.py").read_text())
    wanted = {"worker_class", "worker_connections", "keepalive", "timeout"}
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in wanted:
                try:
                    found[name] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    return found


def bare_server(get_body_file: Path, log_path: Path, workers: int) -> Server:
    port = free_port()
    settings = gunicorn_worker_settings()
    environment = {
        **_base_environment(),
        "BARE_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "BARE_WORKER_CLASS": str(settings.get("worker_class", "gevent")),
        "BARE_WORKER_CONNECTIONS": str(settings.get("worker_connections", 1000)),
        "BARE_KEEPALIVE": str(settings.get("keepalive", 5)),
        "BARE_TIMEOUT": str(settings.get("timeout", 30)),
        "BARE_GET_BODY_FILE": str(get_body_file),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(BENCH_DIR / "bare_gunicorn.conf.py"), "bare_app:app"]
    return Server("bare app", command, environment, port, log_path)


# -- processes and memory --------------------------------------------------------------


def _parent_of(pid_dir: Path) -> int | None:
    try:
        stat = (pid_dir / "stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 else None


def child_pids(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent_of(entry) == parent:
            children.append(int(entry.name))
    return sorted(children)


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process in KiB, from /proc/<pid>/status."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def find_executable(name: str) -> str | None:
    """``name`` next to this interpreter (the virtualenv's bin/) or on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


@contextmanager
def scratch_directory(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
