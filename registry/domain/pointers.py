"""JSON pointers (RFC 6901), the one notation for locations in schemas and documents."""


def escape_token(token: object) -> str:
    """One reference token: ``~`` becomes ``~0`` and ``/`` becomes ``~1``."""
    return str(token).replace("~", "~0").replace("/", "~1")
