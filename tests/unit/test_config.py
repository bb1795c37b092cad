from pathlib import Path

import pytest

from registry.config import ConfigError, Settings


def test_defaults():
    settings = Settings.from_env({})
    assert settings.database_url is None and settings.redis_url is None
    assert (settings.server_host, settings.server_port, settings.metrics_port) == ("0.0.0.0", 8080, 9091)
    assert settings.cache_ttl_seconds == 3600
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.metadata_max_depth == 32
    assert settings.metrics_on_api_port is False
    assert settings.log_level == "INFO"
    assert settings.embedded_data_dir == Path("var/postgres")
    assert settings.on_heroku is False


def test_port_wins_over_server_port():
    assert Settings.from_env({"SERVER_PORT": "9000", "PORT": "5000"}).server_port == 5000
    assert Settings.from_env({"SERVER_PORT": "9000"}).server_port == 9000


def test_values_are_read():
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u:p@db:5432/x",
            "REDIS_URL": "rediss://:pw@r:6380/0?ssl_cert_reqs=none",
            "WEB_CONCURRENCY": "4",
            "DATABASE_POOL_SIZE": "7",
            "METRICS_ON_API_PORT": "true",
            "LOG_LEVEL": "debug",
            "DYNO": "web.1",
            "LOCAL_CACHE_SIZE": "0",
        }
    )
    assert settings.web_concurrency == 4 and settings.database_pool_size == 7
    assert settings.metrics_on_api_port is True and settings.log_level == "DEBUG"
    assert settings.on_heroku is True and settings.local_cache_size == 0
    assert settings.redis_url.startswith("rediss://")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SERVER_PORT", "eighty"),
        ("SERVER_PORT", "70000"),
        ("PORT", "0"),
        ("METRICS_PORT", "-1"),
        ("WEB_CONCURRENCY", "0"),
        ("DATABASE_POOL_SIZE", "1.5"),
        ("CACHE_TTL_SECONDS", "0"),
        ("MAX_BODY_BYTES", "lots"),
        ("METRICS_ON_API_PORT", "maybe"),
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "mysql://localhost/x"),
        ("REDIS_URL", "http://localhost"),
        ("DATABASE_POOL_TIMEOUT_SECONDS", "nan"),
        ("METADATA_MAX_DEPTH", "0"),
        ("METADATA_MAX_DEPTH", "201"),  # past what orjson writes around it
    ],
)
def test_malformed_values_name_the_variable(variable, value):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: value})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(variable)


def test_hardening_defaults():
    settings = Settings.from_env({})
    assert settings.metrics_host == "127.0.0.1"
    assert settings.body_read_timeout_seconds == 10.0
    assert settings.max_connections_per_client == 100
    assert settings.forwarded_allow_ips == ("127.0.0.1", "::1")
    assert settings.cors_allowed_origins == ()


def test_on_heroku_the_router_is_trusted_from_any_address():
    assert Settings.from_env({"DYNO": "web.1"}).forwarded_allow_ips == ("*",)
    assert Settings.from_env({"DYNO": "web.1", "FORWARDED_ALLOW_IPS": "10.0.0.0/8"}).forwarded_allow_ips == (
        "10.0.0.0/8",
    )


def test_hardening_values_are_read():
    settings = Settings.from_env(
        {
            "METRICS_HOST": "0.0.0.0",
            "BODY_READ_TIMEOUT_SECONDS": "2.5",
            "MAX_CONNECTIONS_PER_CLIENT": "7",
            "FORWARDED_ALLOW_IPS": "10.0.0.0/8, 192.0.2.1,::1",
            "CORS_ALLOWED_ORIGINS": "https://ui.example.com, http://localhost:3000",
        }
    )
    assert settings.metrics_host == "0.0.0.0"
    assert settings.body_read_timeout_seconds == 2.5 and settings.max_connections_per_client == 7
    assert settings.forwarded_allow_ips == ("10.0.0.0/8", "192.0.2.1", "::1")
    assert settings.cors_allowed_origins == ("https://ui.example.com", "http://localhost:3000")
    assert Settings.from_env({"CORS_ALLOWED_ORIGINS": "*", "FORWARDED_ALLOW_IPS": "*"}).cors_allowed_origins == ("*",)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BODY_READ_TIMEOUT_SECONDS", "0"),
        ("BODY_READ_TIMEOUT_SECONDS", "soon"),
        ("MAX_CONNECTIONS_PER_CLIENT", "0"),
        ("MAX_CONNECTIONS_PER_CLIENT", "many"),
        ("FORWARDED_ALLOW_IPS", "proxy.internal"),
        ("FORWARDED_ALLOW_IPS", "10.0.0.1/8"),  # host bits set: gunicorn refuses it too
        ("FORWARDED_ALLOW_IPS", "*, 10.0.0.1"),
        ("CORS_ALLOWED_ORIGINS", "https://ui.example.com/"),
        ("CORS_ALLOWED_ORIGINS", "ui.example.com"),
        ("CORS_ALLOWED_ORIGINS", "ftp://ui.example.com"),
        ("CORS_ALLOWED_ORIGINS", "https://user@ui.example.com"),
        ("CORS_ALLOWED_ORIGINS", "https://ui.example.com:99999"),
        ("CORS_ALLOWED_ORIGINS", "*, https://ui.example.com"),
    ],
)
def test_malformed_hardening_values_name_the_variable(variable, value):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({variable: value})
    assert raised.value.variable == variable


def test_compute_settings():
    settings = Settings.from_env({})
    assert (settings.compute_budget_seconds, settings.compute_inline_bytes, settings.compute_threads) == (10.0, 4096, 1)
    settings = Settings.from_env({"COMPUTE_BUDGET_SECONDS": "2.5", "COMPUTE_INLINE_BYTES": "0", "COMPUTE_THREADS": "2"})
    assert (settings.compute_budget_seconds, settings.compute_inline_bytes, settings.compute_threads) == (2.5, 0, 2)
    for variable, value in [
        ("COMPUTE_BUDGET_SECONDS", "0"),
        ("COMPUTE_BUDGET_SECONDS", "inf"),
        ("COMPUTE_INLINE_BYTES", "-1"),
        ("COMPUTE_THREADS", "0"),
    ]:
        with pytest.raises(ConfigError) as raised:
            Settings.from_env({variable: value})
        assert raised.value.variable == variable
