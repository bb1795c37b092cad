"""Routing on path segments that contain an encoded slash."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit

import falcon


class EncodedSlashes:
    """Subjects may contain ``/`` (Confluent's Protobuf serializer names a reference's subject
    after its import path, ``shop/money.proto``), sent as ``%2F``. The server decodes the path
    before the app sees it, which would split such a subject into two segments; so when the
    raw request path has an encoded slash, the route is matched on its segments, each kept
    encoded, and the matched fields are decoded afterwards."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        raw = req.env.get("RAW_URI")  # gunicorn's undecoded request target
        if raw is None or ("%2F" not in raw and "%2f" not in raw):
            return
        path = raw.split("?", 1)[0]
        if not path.startswith("/"):  # absolute-form target: http://host/path
            path = urlsplit(path).path or "/"
        segments = [quote(unquote(segment), safe="") for segment in path.split("/")]
        path = "/".join(segments)
        if len(path) > 1 and path.endswith("/"):  # as the app's strip_url_path_trailing_slash does
            path = path[:-1]
        req.path = path
        req.context.encoded_segments = True

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict[str, Any]
    ) -> None:
        if getattr(req.context, "encoded_segments", False):
            for name, value in params.items():
                if isinstance(value, str):
                    params[name] = unquote(value)
