"""``/config``: compatibility levels, global and per subject.

Only Confluent's fields: the registry's ``compatibility_policy`` (``/api/v1``) is left as it is.
"""

from __future__ import annotations

import falcon

from registry.domain.errors import InvalidCompatibilityLevel
from registry.domain.model import CompatibilityMode
from registry.domain.service import RegistryService
from registry.http.confluent import params
from registry.http.confluent.documents import send


def _level_of(req: falcon.Request, max_body_bytes: int) -> CompatibilityMode:
    body = params.read_body(req, max_body_bytes)
    return params.level(body.get("compatibility"), "compatibility", CompatibilityMode, InvalidCompatibilityLevel)


class GlobalConfig:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, {"compatibilityLevel": self._service.global_config().mode.value})

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        level = _level_of(req, self._max_body_bytes)
        self._service.set_global_config(level, None)
        send(resp, {"compatibility": level.value})

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Back to the default (BACKWARD); answers the level that was in force."""
        send(resp, {"compatibilityLevel": self._service.reset_global_config().mode.value})


class SubjectConfig:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        level = self._service.subject_compatibility(subject, params.flag(req, "defaultToGlobal"))
        send(resp, {"compatibilityLevel": level.value})

    def on_put(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        level = _level_of(req, self._max_body_bytes)
        self._service.set_subject_config(subject, level, None)
        send(resp, {"compatibility": level.value})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        """The subject follows the global level again; answers the level that was in force."""
        send(resp, {"compatibilityLevel": self._service.delete_subject_config(subject).value})
