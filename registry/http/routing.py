"""Falcon's router with two additions made where every request already passes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit

import falcon
from falcon.routing import CompiledRouter

from registry.http.observation import ROUTE_KEY


class RegistryRouter(CompiledRouter):
    """Records the matched route template for the request's metrics and access log line,
    and routes subjects that contain an encoded slash.

    Subjects may contain ``/`` (Confluent's Protobuf serializer names a reference's subject
    after its import path, ``shop/money.proto``), sent as ``%2F``. The server decodes the
    path before the app sees it, which would split such a subject into two segments; so
    when the raw request path has an encoded slash, the route is matched on its segments,
    each kept encoded, and the matched fields are decoded afterwards.
    """

    def find(self, uri: str, req: falcon.Request | None = None) -> Any:
        if req is None:
            return _find(self, uri)
        env = req.env
        raw = env.get("RAW_URI", "")  # gunicorn's undecoded request target
        if has_encoded_slash(raw):
            found = _find(self, _encoded_segments(raw), req)
            if found is not None:
                params = found[2]
                for name, value in params.items():
                    if isinstance(value, str):
                        params[name] = unquote(value)
        else:
            found = _find(self, uri, req)
        if found is not None:
            env[ROUTE_KEY] = found[3]
        return found


_find = CompiledRouter.find  # called without super(): every request goes through here


def has_encoded_slash(raw_target: str) -> bool:
    """Whether the undecoded request target has a ``%2F``, which the decoded path hides."""
    return "%" in raw_target and ("%2F" in raw_target or "%2f" in raw_target)


def _encoded_segments(raw_target: str) -> str:
    path = raw_target.split("?", 1)[0]
    if not path.startswith("/"):  # absolute-form target: http://host/path
        path = urlsplit(path).path or "/"
    path = "/".join(quote(unquote(segment), safe="") for segment in path.split("/"))
    if len(path) > 1 and path.endswith("/"):  # as the app's strip_url_path_trailing_slash does
        path = path[:-1]
    return path
