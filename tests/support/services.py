"""Private PostgreSQL and Redis servers for tests, on free ports.

Tests that stop a server (outages) use these, never the machine's shared ones. The
PostgreSQL binaries come from the ``pgserver`` package, so nothing beyond the
project's requirements is needed; ``redis-server`` must be on PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psycopg2
import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    predicate: Callable[[], object], timeout: float, interval: float = 0.05, message: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"{message} not met within {timeout}s")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster listening on 127.0.0.1:<free port>."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        from registry.storage.embedded import ensure_runtime_dir

        ensure_runtime_dir()
        from pgserver._commands import POSTGRES_BIN_PATH

        self._bin = POSTGRES_BIN_PATH
        self.directory = directory
        self.data = directory / "data"
        self.port = port or free_port()
        self._user: str | None = None
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root; pgserver's own service user is reused.
            from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            ensure_user_exists("pgserver")
            self._user = "pgserver"
            ensure_prefix_permissions(self._bin)
            ensure_folder_permissions(self._bin.parent, 0o555)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [str(self._bin / args[0]), *args[1:]], check=True, capture_output=True, user=self._user, timeout=60
        )

    def start(self) -> PrivatePostgres:
        if not (self.data / "PG_VERSION").exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            if self._user:
                from pgserver.utils import ensure_prefix_permissions

                shutil.chown(self.directory, self._user)
                ensure_prefix_permissions(self.directory)
            self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "--encoding=utf8")
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.directory / "log"),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off",
            "start",
        )
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")

    def is_up(self) -> bool:
        try:
            psycopg2.connect(self.url, connect_timeout=1).close()
            return True
        except psycopg2.OperationalError:
            return False


class PrivateRedis:
    """A throwaway ``redis-server`` on 127.0.0.1:<free port>, keeping nothing on disk."""

    def __init__(self, port: int | None = None, *, tls_directory: Path | None = None) -> None:
        self.port = port or free_port()
        self._tls_directory = tls_directory
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        scheme = "rediss" if self._tls_directory else "redis"
        return f"{scheme}://127.0.0.1:{self.port}/0"

    def _tls_arguments(self) -> list[str]:
        if self._tls_directory is None:
            return ["--port", str(self.port)]
        cert, key = write_self_signed_certificate(self._tls_directory)
        return [
            "--port",
            "0",
            "--tls-port",
            str(self.port),
            "--tls-cert-file",
            str(cert),
            "--tls-key-file",
            str(key),
            "--tls-auth-clients",
            "no",
        ]

    def start(self) -> PrivateRedis:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not on PATH; install Redis or set TEST_REDIS_URL")
        self._process = subprocess.Popen(
            [executable, *self._tls_arguments(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.is_up, 10, message=f"redis on port {self.port}")
        return self

    def pause(self) -> None:
        """Freeze the server: connections stay open but nothing answers (a hung Redis)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)
            self._process.terminate()
            self._process.wait(10)
            self._process = None

    def is_up(self) -> bool:
        url = self.url + ("?ssl_cert_reqs=none" if self._tls_directory else "")
        try:
            return bool(redis.Redis.from_url(url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False


def write_self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, like the one Heroku Redis presents."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "registry-test-redis")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "redis.crt", directory / "redis.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class TcpProxy:
    """A TCP forwarder to 127.0.0.1:<target> that can cut the network: ``cut()`` drops every
    connection and refuses new ones while the server behind keeps running (and keeps its data)."""

    def __init__(self, target_port: int) -> None:
        import threading

        self.port = free_port()
        self._target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = False
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/0") -> str:
        return f"redis://127.0.0.1:{self.port}{path}"

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        import threading

        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._cut:
                    client.close()
                    continue
                try:
                    upstream = socket.create_connection(("127.0.0.1", self._target_port), timeout=2)
                except OSError:
                    client.close()
                    continue
                upstream.settimeout(None)
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.close()
                except OSError:
                    pass
