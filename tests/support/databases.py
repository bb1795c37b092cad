"""Throwaway PostgreSQL databases on a test server: one per test run (or xdist worker)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from registry.storage.migrations import apply_migrations


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def unique_database_name(purpose: str) -> str:
    """Names the xdist worker and the process, so parallel and concurrent runs never share one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"registry_{purpose}_{worker}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def create_migrated_database(server_url: str, name: str, *, options: str = "") -> str:
    """``CREATE DATABASE name options``, migrated; its URL."""
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" {options}')
    finally:
        admin.close()
    url = with_database(server_url, name)
    apply_migrations(url)
    return url


def drop_database(server_url: str, name: str) -> None:
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()
