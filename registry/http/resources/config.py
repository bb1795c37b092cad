"""``/api/v1/config`` and ``/api/v1/subjects/{subject}/config``: compatibility settings."""

from __future__ import annotations

import falcon
import orjson

from registry.domain.errors import InvalidRequest
from registry.domain.model import CompatibilityMode, CompatibilityPolicy
from registry.domain.records import CompatibilityConfig, EffectiveConfig
from registry.domain.service import RegistryService
from registry.http import fields
from registry.http.body import read_json

Settings = tuple[CompatibilityMode | None, CompatibilityPolicy | None]


def _settings_of(req: falcon.Request, max_body_bytes: int) -> Settings:
    body = fields.require_object(read_json(req, max_body_bytes))
    mode = fields.choice(body, "compatibility_mode", CompatibilityMode)
    policy = fields.choice(body, "compatibility_policy", CompatibilityPolicy)
    if mode is None and policy is None:
        raise InvalidRequest("give 'compatibility_mode' and/or 'compatibility_policy'", field="compatibility_mode")
    return mode, policy


def _render(resp: falcon.Response, effective: EffectiveConfig, own: CompatibilityConfig | None = None) -> None:
    body: dict[str, object] = {
        "compatibility_mode": effective.mode.value,
        "compatibility_policy": effective.policy.value,
    }
    if own is not None:
        # Which values are the subject's own, and which follow the global setting.
        body["subject_compatibility_mode"] = own.mode.value if own.mode else None
        body["subject_compatibility_policy"] = own.policy.value if own.policy else None
    resp.content_type = falcon.MEDIA_JSON
    resp.data = orjson.dumps(body)


class GlobalConfig:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        _render(resp, self._service.global_config())

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        _render(resp, self._service.set_global_config(*_settings_of(req, self._max_body_bytes)))


class SubjectConfig:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        _render(resp, *self._service.subject_config(subject))

    def on_put(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        _render(resp, *self._service.set_subject_config(subject, *_settings_of(req, self._max_body_bytes)))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        _render(resp, *self._service.reset_subject_config(subject))
