"""Per-request bookkeeping: request id, metrics, one access log line."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import falcon

from registry.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS

access_log = logging.getLogger("registry.access")

# Every path that matched no route shares one label, so scanners cannot explode the metric's cardinality.
UNMATCHED_ROUTE = "<unmatched>"
_MAX_REQUEST_ID = 128


def _request_id(sent: str | None) -> str:
    if sent and len(sent) <= _MAX_REQUEST_ID and sent.isprintable() and sent.isascii():
        return sent
    return uuid.uuid4().hex


class RequestObserver:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()
        req.context.request_id = _request_id(req.get_header("X-Request-ID"))

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool) -> None:
        request_id = getattr(req.context, "request_id", None) or _request_id(None)
        resp.set_header("X-Request-ID", request_id)
        duration = time.perf_counter() - getattr(req.context, "started", time.perf_counter())
        route = req.uri_template or UNMATCHED_ROUTE
        status = resp.status_code if isinstance(resp.status_code, int) else int(str(resp.status)[:3])
        HTTP_REQUESTS.labels(req.method, route, str(status)).inc()
        HTTP_LATENCY.labels(req.method, route).observe(duration)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": req.method,
                    "route": route,
                    "path": req.path[:512],
                    "status": status,
                    "duration_ms": round(duration * 1000, 3),
                },
            )
