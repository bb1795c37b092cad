"""Getting a database ready before the app serves: the embedded server, migrations."""

from __future__ import annotations

import logging
import os

from registry.config import Settings
from registry.storage.embedded import start_embedded_postgres
from registry.storage.migrations import apply_migrations

log = logging.getLogger(__name__)


def ensure_database(settings: Settings) -> tuple[Settings, bool]:
    """Settings with a database URL (the configured one, or the embedded server's), and
    whether it is the embedded one.

    The URL is also exported as ``DATABASE_URL`` so processes forked later (gunicorn
    workers) use the server this process started instead of starting their own.
    """
    if settings.database_url:
        return settings, False
    url = start_embedded_postgres(settings.embedded_data_dir, on_heroku=settings.on_heroku)
    os.environ["DATABASE_URL"] = url
    return settings.with_database_url(url), True


def migrate(settings: Settings) -> list[str]:
    assert settings.database_url, "ensure_database() first"
    applied = apply_migrations(settings.database_url)
    if applied:
        log.info("migrations applied", extra={"migrations": applied})
    return applied


def log_backends(settings: Settings, *, embedded: bool) -> None:
    log.info(
        "backends",
        extra={
            "database": (
                f"embedded PostgreSQL in {settings.embedded_data_dir}" if embedded else "PostgreSQL at DATABASE_URL"
            ),
            "cache": "Redis at REDIS_URL" if settings.redis_url else "none (REDIS_URL not set): per-worker memory only",
        },
    )
