"""All configuration, read from environment variables and checked in one place.

A malformed value stops startup with a message naming the variable
(:class:`ConfigError`), so a typo never silently becomes a default.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# gunicorn's own default; on Heroku every connection comes from the router, and nothing else
# can reach a dyno, so the router's forwarding headers are trusted from any address.
DEFAULT_FORWARDED_ALLOW_IPS = ("127.0.0.1", "::1")


class ConfigError(ValueError):
    """A configuration variable has a value the registry cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    server_host: str
    server_port: int
    metrics_host: str
    metrics_port: int
    web_concurrency: int
    database_pool_size: int
    database_pool_timeout_seconds: float
    cache_ttl_seconds: int
    local_cache_size: int
    max_body_bytes: int
    metadata_max_depth: int
    metrics_on_api_port: bool
    embedded_data_dir: Path
    log_level: str
    on_heroku: bool
    redis_key_prefix: str
    staleness_seconds: float
    body_read_timeout_seconds: float
    max_connections_per_client: int
    forwarded_allow_ips: tuple[str, ...]
    cors_allowed_origins: tuple[str, ...]
    compute_budget_seconds: float
    compute_inline_bytes: int
    compute_threads: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        reader = _Reader(env)
        port = reader.optional_integer("PORT", minimum=1, maximum=65535)
        server_port = reader.integer("SERVER_PORT", 8080, minimum=1, maximum=65535)
        on_heroku = bool(env.get("DYNO"))
        return cls(
            database_url=reader.url("DATABASE_URL", ("postgres", "postgresql")),
            redis_url=reader.url("REDIS_URL", ("redis", "rediss", "unix")),
            server_host=reader.text("SERVER_HOST", "0.0.0.0"),
            server_port=port if port is not None else server_port,
            metrics_host=reader.text("METRICS_HOST", "127.0.0.1"),
            metrics_port=reader.integer("METRICS_PORT", 9091, minimum=0, maximum=65535),
            web_concurrency=reader.integer("WEB_CONCURRENCY", 2, minimum=1, maximum=256),
            database_pool_size=reader.integer("DATABASE_POOL_SIZE", 10, minimum=1, maximum=1000),
            database_pool_timeout_seconds=reader.number("DATABASE_POOL_TIMEOUT_SECONDS", 5.0, minimum=0.01),
            cache_ttl_seconds=reader.integer("CACHE_TTL_SECONDS", 3600, minimum=1),
            local_cache_size=reader.integer("LOCAL_CACHE_SIZE", 10_000, minimum=0),
            max_body_bytes=reader.integer("MAX_BODY_BYTES", 1024 * 1024, minimum=1),
            # At most 200: metadata is written one level inside a cache entry or a rendered
            # version, and orjson writes no more than 254 levels.
            metadata_max_depth=reader.integer("METADATA_MAX_DEPTH", 32, minimum=1, maximum=200),
            metrics_on_api_port=reader.boolean("METRICS_ON_API_PORT", False),
            embedded_data_dir=Path(reader.text("EMBEDDED_DATA_DIR", "var/postgres")),
            log_level=reader.choice("LOG_LEVEL", "INFO", LOG_LEVELS),
            on_heroku=on_heroku,
            redis_key_prefix=reader.text("REDIS_KEY_PREFIX", "registry:"),
            staleness_seconds=reader.number("CACHE_STALENESS_SECONDS", 1.0, minimum=0.0),
            body_read_timeout_seconds=reader.number("BODY_READ_TIMEOUT_SECONDS", 10.0, minimum=0.1),
            max_connections_per_client=reader.integer("MAX_CONNECTIONS_PER_CLIENT", 100, minimum=1),
            forwarded_allow_ips=reader.addresses(
                "FORWARDED_ALLOW_IPS", ("*",) if on_heroku else DEFAULT_FORWARDED_ALLOW_IPS
            ),
            cors_allowed_origins=reader.origins("CORS_ALLOWED_ORIGINS"),
            compute_budget_seconds=reader.number("COMPUTE_BUDGET_SECONDS", 10.0, minimum=0.1),
            compute_inline_bytes=reader.integer("COMPUTE_INLINE_BYTES", 4096, minimum=0),
            compute_threads=reader.integer("COMPUTE_THREADS", 1, minimum=1, maximum=64),
        )

    def with_database_url(self, url: str) -> Settings:
        return replace(self, database_url=url)


class _Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def _raw(self, name: str) -> str | None:
        value = self._env.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def text(self, name: str, default: str) -> str:
        value = self._raw(name)
        return default if value is None else value

    def integer(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.optional_integer(name, minimum=minimum, maximum=maximum)
        return default if value is None else value

    def optional_integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(name, f"expected an integer, got {raw!r}") from None
        self._check_range(name, value, minimum, maximum)
        return value

    def number(self, name: str, default: float, *, minimum: float | None = None) -> float:
        raw = self._raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(name, f"expected a number, got {raw!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(name, f"expected a finite number, got {raw!r}")
        self._check_range(name, value, minimum, None)
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self._raw(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ConfigError(name, f"expected true/false (or 1/0, yes/no, on/off), got {raw!r}")

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        raw = self._raw(name)
        if raw is None:
            return default
        if raw.upper() not in choices:
            raise ConfigError(name, f"expected one of {', '.join(choices)}, got {raw!r}")
        return raw.upper()

    def addresses(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """Comma-separated IP addresses and CIDR networks, or ``*`` alone for any address."""
        raw = self._raw(name)
        if raw is None:
            return default
        entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
        if "*" in entries:
            if len(entries) > 1:
                raise ConfigError(name, "'*' (any address) cannot be combined with other entries")
            return entries
        for entry in entries:
            try:
                ipaddress.ip_network(entry)
            except ValueError:
                raise ConfigError(name, f"expected IP addresses or networks (CIDR) or '*', got {entry!r}") from None
        return entries

    def origins(self, name: str) -> tuple[str, ...]:
        """Comma-separated browser origins (``scheme://host[:port]``), or ``*`` alone for any origin."""
        raw = self._raw(name)
        if raw is None:
            return ()
        entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
        if "*" in entries:
            if len(entries) > 1:
                raise ConfigError(name, "'*' (any origin) cannot be combined with other origins")
            return entries
        for entry in entries:
            if not _is_origin(entry):
                raise ConfigError(name, f"expected origins like https://ui.example.com[:port] or '*', got {entry!r}")
        return entries

    def url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        raw = self._raw(name)
        if raw is None:
            return None
        try:
            parts = urlsplit(raw)
        except ValueError as exc:
            raise ConfigError(name, f"not a valid URL ({exc})") from None
        if parts.scheme not in schemes:
            expected = " or ".join(schemes)
            raise ConfigError(name, f"expected a URL with scheme {expected}, got {parts.scheme or 'none'!r}")
        return raw

    @staticmethod
    def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
        if minimum is not None and value < minimum:
            raise ConfigError(name, f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ConfigError(name, f"must be at most {maximum}, got {value}")


def _is_origin(text: str) -> bool:
    """What browsers send in ``Origin``: a scheme, a host and maybe a port, nothing else."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and "@" not in parts.netloc
        and text == f"{parts.scheme}://{parts.netloc}"
    )
