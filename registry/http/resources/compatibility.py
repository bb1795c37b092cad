"""``/api/v1/compatibility/check``: compare two registered schemas."""

from __future__ import annotations

import falcon
import orjson

from registry.domain.model import (
    DEFAULT_COMPATIBILITY_MODE,
    DEFAULT_COMPATIBILITY_POLICY,
    CompatibilityMode,
    CompatibilityPolicy,
)
from registry.domain.service import RegistryService
from registry.http import fields, representations
from registry.http.body import read_json


class CompatibilityCheck:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = fields.require_object(read_json(req, self._max_body_bytes))
        mode = fields.choice(body, "mode", CompatibilityMode) or DEFAULT_COMPATIBILITY_MODE
        policy = fields.choice(body, "policy", CompatibilityPolicy) or DEFAULT_COMPATIBILITY_POLICY
        candidate = fields.schema_id(body.get("schema_id"), "schema_id")
        existing = fields.schema_id(body.get("compared_schema_id"), "compared_schema_id")
        violations = self._service.check_compatibility(candidate, existing, mode, policy)
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps(representations.compatibility_result(violations, mode.value, policy.value))
