"""gunicorn settings and hooks for the registry (gevent workers).

Start with ``gunicorn -c gunicorn.conf.py wsgi:app``. Every value comes from the
environment through ``registry.config``.
"""

import os
import shutil
import sys
import tempfile

# Set before anything imports prometheus_client, and emptied at each start: samples
# left by a previous run's workers would otherwise be summed into this one's.
metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="registry-metrics-")
shutil.rmtree(metrics_dir, ignore_errors=True)
os.makedirs(metrics_dir, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir

from registry.config import ConfigError, Settings  # noqa: E402
from registry.observability.logging import logging_dict_config  # noqa: E402
from registry.server.worker import registry_worker  # noqa: E402

try:
    settings = Settings.from_env()
except ConfigError as error:
    sys.exit(f"configuration error: {error}")

bind = [f"{settings.server_host}:{settings.server_port}"]
workers = settings.web_concurrency
# gunicorn's gevent worker, bounding each client's connections and answering protocol errors in JSON.
worker_class = registry_worker(max_connections_per_client=settings.max_connections_per_client)
worker_connections = 1000
# Peers whose X-Forwarded-For names the client (per-client limits) and whose scheme headers count.
forwarded_allow_ips = ",".join(settings.forwarded_allow_ips)
# Apps are built in each worker after gevent's patching: pools and clients must not cross a fork.
preload_app = False
timeout = 30
# SIGTERM: stop accepting, let in-flight requests finish for up to this long.
graceful_timeout = 30
# Also the time a request's head (request line and headers) has to arrive: the gevent worker
# reads each head under this timeout and hangs up after it. Keep it above 0.
keepalive = 5
accesslog = None  # the app writes one JSON access line per request
logger_class = "registry.observability.logging.GunicornLogger"
# gunicorn's runtime control socket sits at one fixed path per user, so two registries on one
# host would fight over it; nothing here uses it.
control_socket_disable = True
logconfig_dict = logging_dict_config(settings.log_level)


def on_starting(server):
    """In the master, before any worker forks: the database exists and is migrated."""
    from registry.bootstrap import ensure_database, log_backends, migrate
    from registry.storage.embedded import EmbeddedPostgresRefused
    from registry.storage.migrations import MigrationError

    global settings
    try:
        settings, embedded = ensure_database(settings)
        migrate(settings)
    except (EmbeddedPostgresRefused, MigrationError) as error:
        server.log.error("cannot start: %s", error)
        sys.exit(1)
    log_backends(settings, embedded=embedded)


def when_ready(server):
    if settings.metrics_port:
        from registry.server.metrics_port import serve_metrics

        try:
            serve_metrics(settings.metrics_host, settings.metrics_port)
        except OSError as error:
            server.log.error(
                "cannot serve metrics on METRICS_HOST %s, METRICS_PORT %s: %s",
                settings.metrics_host,
                settings.metrics_port,
                error,
            )
            sys.exit(1)
        server.log.info("metrics served on %s port %s", settings.metrics_host, settings.metrics_port)


def post_fork(server, worker):
    # psycopg2 then waits on sockets through gevent, so a query yields to other greenlets.
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()


def worker_exit(server, worker):
    from registry.observability.batching import flush_all

    flush_all()


def child_exit(server, worker):
    from registry.observability.metrics import mark_worker_dead

    mark_worker_dead(worker.pid)
