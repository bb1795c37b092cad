"""Confluent's error dialect: ``{"error_code": <int>, "message": "<text>"}``.

The one mapping from the registry's errors (domain errors, HTTP-level errors, bugs) to
Confluent's HTTP status and ``error_code``. ``registry.http.errors`` decides which requests
get this dialect (``is_confluent_path``) and renders what this module computes. Nothing here
imports ``registry.http.errors`` or the resources, so it can import this.

Confluent's 50003 (an error forwarding a write to the leader) has no counterpart: the
registry has no leader, every instance writes to the same database. When that database is
down or every connection stays busy, the answer is 503 with Confluent's 50001 or 50002.
"""

from __future__ import annotations

from dataclasses import dataclass

import falcon
import orjson

from registry.domain import errors
from registry.domain.model import SchemaProblem
from registry.http.confluent.documents import MEDIA_TYPE, violation_text

__all__ = ["MEDIA_TYPE", "ConfluentError", "from_http_status", "from_registry_error", "is_confluent_path", "unexpected"]

# The first path segments of the Confluent API, which lives at the root of the API port. A path
# under one of them gets this dialect even when it matches no route (Confluent answers 404 / 404
# there); any other unknown path keeps the ``/api/v1`` dialect.
_ROOT_SEGMENTS = frozenset({"subjects", "schemas", "config", "mode", "compatibility", "contexts"})

# Walked along the error's MRO, so subclasses (SchemaTooLarge, ReadOnlyMode, InvalidVersion...)
# find their own row before their base class's.
_BY_ERROR: dict[type[errors.RegistryError], tuple[str, int]] = {
    errors.SubjectNotFound: (falcon.HTTP_404, 40401),
    errors.VersionNotFound: (falcon.HTTP_404, 40402),
    errors.SchemaNotFound: (falcon.HTTP_404, 40403),
    errors.SubjectSoftDeleted: (falcon.HTTP_404, 40404),
    errors.SubjectNotSoftDeleted: (falcon.HTTP_404, 40405),
    errors.VersionSoftDeleted: (falcon.HTTP_404, 40406),
    errors.VersionNotSoftDeleted: (falcon.HTTP_404, 40407),
    errors.SubjectConfigNotFound: (falcon.HTTP_404, 40408),
    errors.SubjectModeNotFound: (falcon.HTTP_404, 40409),
    errors.IncompatibleSchema: (falcon.HTTP_409, 409),
    errors.VersionConflict: (falcon.HTTP_409, 409),
    errors.CompatibilityModeConflict: (falcon.HTTP_409, 409),
    errors.WriteConflict: (falcon.HTTP_409, 409),
    errors.InvalidStateTransition: (falcon.HTTP_409, 409),
    errors.InvalidSchema: (falcon.HTTP_422, 42201),
    errors.UnsupportedFormat: (falcon.HTTP_422, 42201),
    errors.InvalidVersion: (falcon.HTTP_422, 42202),
    errors.InvalidCompatibilityLevel: (falcon.HTTP_422, 42203),
    errors.InvalidMode: (falcon.HTTP_422, 42204),
    errors.OperationNotPermitted: (falcon.HTTP_422, 42205),
    errors.ReferenceExists: (falcon.HTTP_422, 42206),
    # Confluent answers a bad request body with a bare 422.
    errors.InvalidRequest: (falcon.HTTP_422, 422),
    # Confluent's own codes for these, "error in the backend data store" and "operation timed out",
    # with the status /api/v1 answers (Confluent sends 500): both are worth a retry, which 503 and
    # Retry-After say. confluent-kafka's clients retry 500 and 503 alike.
    errors.StorageUnavailable: (falcon.HTTP_503, 50001),
    errors.StorageBusy: (falcon.HTTP_503, 50002),
    # Not a schema error (the same request may pass with a larger budget): Confluent has no
    # code for it, so the bare 422 it answers unprocessable requests with.
    errors.TooComplex: (falcon.HTTP_422, 422),
    errors.ComputeBusy: (falcon.HTTP_503, 50002),
}

STORE_ERROR = 50001
UNEXPECTED_MESSAGE = "internal server error"
# Confluent's body has only a message, so details (violations, schema problems) go into it, bounded.
_MAX_DETAILS = 20


@dataclass(frozen=True, slots=True)
class ConfluentError:
    status: str  # Falcon status line, e.g. "404 Not Found"
    error_code: int
    message: str

    def body(self) -> bytes:
        return orjson.dumps({"error_code": self.error_code, "message": self.message})


def is_confluent_path(path: str) -> bool:
    """Whether errors on ``path`` take Confluent's shape: ``/`` and everything under its root segments."""
    if path in ("", "/"):
        return True
    return path[1:].split("/", 1)[0] in _ROOT_SEGMENTS


def from_registry_error(exc: errors.RegistryError) -> ConfluentError:
    for cls in type(exc).__mro__:
        row = _BY_ERROR.get(cls)
        if row is not None:
            return ConfluentError(row[0], row[1], _message_of(exc))
    # A domain error without a row is a gap in this table, not the client's fault.
    return ConfluentError(falcon.HTTP_500, STORE_ERROR, _message_of(exc))


def from_http_status(status_code: int, message: str) -> ConfluentError:
    """Falcon's own errors (unknown route, wrong method) and HTTP-level problems (media type, body
    size, malformed JSON): Confluent's error_code is the status itself, as Jersey's are."""
    return ConfluentError(falcon.code_to_http_status(status_code), status_code, message or f"HTTP {status_code}")


def unexpected() -> ConfluentError:
    return ConfluentError(falcon.HTTP_500, STORE_ERROR, UNEXPECTED_MESSAGE)


def _message_of(exc: errors.RegistryError) -> str:
    message = exc.message or exc.code
    if isinstance(exc, errors.IncompatibleSchema) and exc.violations:
        details = [violation_text(violation) for violation in exc.violations[:_MAX_DETAILS]]
        return f"{message}; details: {'; '.join(details)}"
    if isinstance(exc, errors.InvalidSchema) and exc.problems:
        details = [_problem_text(problem) for problem in exc.problems[:_MAX_DETAILS]]
        return f"{message}: {'; '.join(details)}"
    return message


def _problem_text(problem: SchemaProblem) -> str:
    return f"{problem.location or '(root)'}: {problem.message}"
