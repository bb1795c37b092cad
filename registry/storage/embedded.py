"""The embedded PostgreSQL used when ``DATABASE_URL`` is not set.

It is a real PostgreSQL server (binaries shipped by the ``pgserver`` package) in
``EMBEDDED_DATA_DIR``, reached over a Unix socket, so the registry uses the same
SQL and the same storage code as against an external database.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


class EmbeddedPostgresRefused(RuntimeError):
    pass


def ensure_runtime_dir() -> None:
    """pgserver keeps its lock file under XDG_RUNTIME_DIR, which must exist and be private
    to the user; containers and CI often leave it unset."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime_dir = Path(tempfile.gettempdir()) / f"llm-schema-registry-{os.getuid()}"
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)


def start_embedded_postgres(data_dir: Path, *, on_heroku: bool) -> str:
    """Start (or join) the server in ``data_dir`` and return its connection URL.

    The server stops when the process that started it exits.
    """
    if on_heroku:
        raise EmbeddedPostgresRefused(
            "DATABASE_URL is not set and this is a Heroku dyno (DYNO is set): its disk is ephemeral, "
            "so an embedded database would lose every schema on restart. Attach Heroku Postgres "
            "(it sets DATABASE_URL)."
        )
    ensure_runtime_dir()
    # Imported here: only the embedded mode needs it. From its defining module, as the
    # package re-exports it implicitly.
    from pgserver.postgres_server import get_server

    data_dir = data_dir.expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode="stop")
    url = server.get_uri()
    log.info("embedded PostgreSQL is running", extra={"data_dir": str(data_dir)})
    return url
