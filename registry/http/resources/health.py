"""``/health`` (components), ``/healthz`` (alive), ``/readyz`` (can serve)."""

from __future__ import annotations

import falcon
import orjson

from registry.health import HealthProbe, Readiness


class Health:
    def __init__(self, probe: HealthProbe) -> None:
        self._probe = probe

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        report = self._probe.report()
        resp.status = falcon.HTTP_503 if report["status"] == "unhealthy" else falcon.HTTP_200
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps(report)


class Liveness:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.data = b'{"status":"alive"}'


class ReadinessCheck:
    def __init__(self, readiness: Readiness) -> None:
        self._readiness = readiness

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ready, reason = self._readiness.check()
        resp.status = falcon.HTTP_200 if ready else falcon.HTTP_503
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps({"status": "ready" if ready else "not_ready", "reason": reason})


class Metrics:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        from prometheus_client import CONTENT_TYPE_LATEST

        from registry.observability.metrics import render_latest

        resp.content_type = CONTENT_TYPE_LATEST
        resp.data = render_latest()
