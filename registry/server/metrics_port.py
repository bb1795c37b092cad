"""``GET /metrics`` on its own port (``METRICS_HOST``:``METRICS_PORT``), served once by the
gunicorn master for every worker (prometheus_client's server in a thread).

It binds ``METRICS_HOST``, 127.0.0.1 unless set: the exposition (some 78 KB, every route and
status) is for a scraper on the same host or network, not for anyone who can reach the API.
On Heroku, where only ``$PORT`` is routed, ``METRICS_ON_API_PORT`` serves it on the API port
instead. Its answers carry the headers every answer of the registry carries.
"""

from __future__ import annotations

from prometheus_client import start_http_server

from registry.http.headers import with_common_headers
from registry.observability.metrics import multiprocess_registry


def serve_metrics(host: str, port: int) -> None:
    server, _ = start_http_server(port, addr=host, registry=multiprocess_registry())
    app = server.get_app()
    assert app is not None  # start_http_server has set it
    server.set_app(with_common_headers(app))
