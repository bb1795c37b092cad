"""``/mode``: READWRITE, READONLY or IMPORT, for the registry and per subject."""

from __future__ import annotations

import falcon

from registry.domain.errors import InvalidMode
from registry.domain.model import RegistryMode
from registry.domain.service import RegistryService
from registry.http.confluent import params
from registry.http.confluent.documents import send


def _mode_of(req: falcon.Request, max_body_bytes: int) -> RegistryMode:
    body = params.read_body(req, max_body_bytes)
    return params.level(body.get("mode"), "mode", RegistryMode, InvalidMode)


class GlobalMode:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        send(resp, {"mode": self._service.global_mode().value})

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        force = params.flag(req, "force")
        mode = _mode_of(req, self._max_body_bytes)
        send(resp, {"mode": self._service.set_global_mode(mode, force).value})


class SubjectMode:
    def __init__(self, service: RegistryService, max_body_bytes: int) -> None:
        self._service = service
        self._max_body_bytes = max_body_bytes

    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        mode = self._service.subject_mode(subject, params.flag(req, "defaultToGlobal"))
        send(resp, {"mode": mode.value})

    def on_put(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        force = params.flag(req, "force")
        mode = _mode_of(req, self._max_body_bytes)
        send(resp, {"mode": self._service.set_subject_mode(subject, mode, force).value})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        """The subject follows the registry's mode again; answers the mode that was in force."""
        send(resp, {"mode": self._service.delete_subject_mode(subject).value})
