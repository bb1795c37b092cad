"""Per-request bookkeeping: request id, metrics, one access log line."""

from __future__ import annotations

import itertools
import os
import time
from typing import Any

import falcon

from registry.observability.access_log import AccessLog
from registry.observability.metrics import RequestMetrics

# Every path that matched no route shares one label, so scanners cannot explode the metric's cardinality.
UNMATCHED_ROUTE = "<unmatched>"
_MAX_REQUEST_ID = 128


# Generated ids: a random per-process prefix and a counter, unique across workers and
# restarts without paying for a UUID per request.
_ID_PREFIX = os.urandom(8).hex()
_id_counter = itertools.count()


def _request_id(sent: str | None) -> str:
    if sent and len(sent) <= _MAX_REQUEST_ID and sent.isprintable() and sent.isascii():
        return sent
    return f"{_ID_PREFIX}{next(_id_counter):016x}"


class RequestObserver:
    def __init__(self, metrics: RequestMetrics, access_log: AccessLog) -> None:
        self._metrics = metrics
        self._access_log = access_log

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.started = time.perf_counter()
        req.context.request_id = _request_id(req.get_header("X-Request-ID"))

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool) -> None:
        context = req.context
        request_id = getattr(context, "request_id", None) or _request_id(None)
        resp.set_header("X-Request-ID", request_id)
        duration = time.perf_counter() - getattr(context, "started", time.perf_counter())
        route = req.uri_template or UNMATCHED_ROUTE
        status = resp.status_code
        self._metrics.observe(req.method, route, str(status), duration)
        if self._access_log.enabled:
            self._access_log.record(request_id, req.method, route, req.path, status, duration)
