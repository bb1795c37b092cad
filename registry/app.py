"""The application factory: the WSGI app a worker serves, assembled from its backends
(``registry.backends``) and its routes (``registry.http``)."""

from __future__ import annotations

import falcon

from registry.backends import Backends, build_backends
from registry.config import Settings
from registry.http import errors
from registry.http.cached_reads import CachedSchemaReads
from registry.http.clients import ClientSlots, TrustedProxies
from registry.http.confluent.routes import add_confluent_routes
from registry.http.connection import guard_request_bodies, refuse_busy_client
from registry.http.cors import cors_middleware
from registry.http.observation import ObservedRequests, WSGIApp
from registry.http.representations import RenderedSchemas
from registry.http.routes import add_health_routes, add_native_routes
from registry.http.routing import RegistryRouter


def create_app(settings: Settings, backends: Backends | None = None) -> WSGIApp:
    """The WSGI app the server runs: Falcon's routes behind the cached-read shortcut, inside
    the per-request bookkeeping, behind the guard of requests with a body."""
    if backends is None:
        backends = build_backends(settings)
    rendered = RenderedSchemas(settings.local_cache_size)
    app = create_falcon_app(settings, backends, rendered)
    served = CachedSchemaReads(app, backends.service, rendered, cors=bool(settings.cors_allowed_origins))
    observed = ObservedRequests(served, backends.request_metrics, backends.access_log)
    refused = ObservedRequests(
        refuse_busy_client(settings.max_connections_per_client), backends.request_metrics, backends.access_log
    )
    return guard_request_bodies(
        observed,
        refused,
        read_timeout_seconds=settings.body_read_timeout_seconds,
        proxies=TrustedProxies(settings.forwarded_allow_ips),
        slots=ClientSlots(settings.max_connections_per_client),
    )


def create_falcon_app(
    settings: Settings, backends: Backends, rendered: RenderedSchemas
) -> falcon.App[falcon.Request, falcon.Response]:
    """Every route. ``rendered`` holds the schema bodies it shares with ``CachedSchemaReads``."""
    app = falcon.App(router=RegistryRouter(), middleware=cors_middleware(settings.cors_allowed_origins))
    app.req_options.strip_url_path_trailing_slash = True
    errors.install(app)
    add_native_routes(app, backends.service, rendered, settings.max_body_bytes)
    add_confluent_routes(app, backends.service, settings.max_body_bytes)  # at the root: /subjects, /schemas...
    add_health_routes(app, backends.health, backends.readiness, metrics=settings.metrics_on_api_port)
    return app
