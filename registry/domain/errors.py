"""Domain exceptions.

They carry a stable machine-readable ``code`` and a human message, and know nothing
of HTTP: the HTTP layer maps each class to a status in one place
(``registry.http.errors``).
"""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """Base of every error the registry reports to a client."""

    code = "REGISTRY_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {key: value for key, value in details.items() if value is not None}


class InvalidRequest(RegistryError):
    """A request field is missing, has the wrong type or an unknown value."""

    code = "INVALID_REQUEST"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class InvalidSchema(RegistryError):
    """The submitted schema is not a valid schema of its format."""

    code = "INVALID_SCHEMA"

    def __init__(self, message: str, *, problems: list[Any] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
        if self.problems:
            self.details["problems"] = [problem.to_dict() for problem in self.problems]


class SchemaTooLarge(InvalidSchema):
    """The schema exceeds a size or nesting limit."""

    code = "SCHEMA_TOO_LARGE"


class UnsupportedFormat(RegistryError):
    code = "UNSUPPORTED_FORMAT"


class SchemaNotFound(RegistryError):
    code = "SCHEMA_NOT_FOUND"


class SubjectNotFound(RegistryError):
    code = "SUBJECT_NOT_FOUND"


class VersionNotFound(RegistryError):
    code = "VERSION_NOT_FOUND"


class VersionConflict(RegistryError):
    """An explicit version is not higher than the subject's latest version."""

    code = "VERSION_CONFLICT"


class CompatibilityModeConflict(RegistryError):
    """A registration asks for a mode other than the subject's effective mode."""

    code = "COMPATIBILITY_MODE_CONFLICT"


class IncompatibleSchema(RegistryError):
    code = "INCOMPATIBLE_SCHEMA"

    def __init__(self, message: str, *, violations: list[Any]) -> None:
        super().__init__(message)
        self.violations = violations
        self.details["violations"] = [violation.to_dict() for violation in violations]


class InvalidStateTransition(RegistryError):
    code = "INVALID_STATE_TRANSITION"


class WriteConflict(RegistryError):
    """A concurrent change won a race the registry's locks should have prevented; retrying works."""

    code = "WRITE_CONFLICT"


class StorageUnavailable(RegistryError):
    """The database cannot be reached; the operation may succeed later."""

    code = "DATABASE_UNAVAILABLE"


class StorageBusy(RegistryError):
    """Every database connection stayed busy for the whole wait timeout."""

    code = "DATABASE_BUSY"


class TooComplex(RegistryError):
    """A request needs more computation than one request may spend (see ``registry.domain.compute``)."""

    code = "TOO_COMPLEX"

    def __init__(self, message: str, *, limit: str, limit_value: float) -> None:
        super().__init__(message, limit=limit, limit_value=limit_value)


class ComputeBusy(RegistryError):
    """Every thread that runs large computations stayed busy for the whole wait; retrying works."""

    code = "COMPUTE_BUSY"


class InvalidVersion(InvalidRequest):
    """A version label that is not a version (``latest``, ``-1`` or 1..2^31-1 in the Confluent API)."""


class InvalidCompatibilityLevel(InvalidRequest):
    """A compatibility level that is not one of the registry's modes."""


class InvalidMode(InvalidRequest):
    """A registry mode that is not READWRITE, READONLY or IMPORT."""


class SubjectSoftDeleted(RegistryError):
    """The subject's versions are all soft-deleted; only a permanent delete or ``deleted=true`` reaches it."""

    code = "SUBJECT_SOFT_DELETED"


class SubjectNotSoftDeleted(RegistryError):
    """A permanent delete of a subject that still has live versions."""

    code = "SUBJECT_NOT_SOFT_DELETED"


class VersionSoftDeleted(RegistryError):
    code = "VERSION_SOFT_DELETED"


class VersionNotSoftDeleted(RegistryError):
    """A permanent delete of a version that is still live."""

    code = "VERSION_NOT_SOFT_DELETED"


class SubjectConfigNotFound(RegistryError):
    """The subject has no compatibility level of its own."""

    code = "SUBJECT_CONFIG_NOT_FOUND"


class SubjectModeNotFound(RegistryError):
    """The subject has no mode of its own."""

    code = "SUBJECT_MODE_NOT_FOUND"


class OperationNotPermitted(RegistryError):
    """The registry's or the subject's mode, or its contents, forbid the operation."""

    code = "OPERATION_NOT_PERMITTED"


class ReadOnlyMode(OperationNotPermitted):
    code = "READ_ONLY_MODE"


class ReferenceExists(RegistryError):
    """Other schemas reference the version being deleted."""

    code = "REFERENCE_EXISTS"
