"""How the registry's records look in Confluent's API, and how its responses are sent."""

from __future__ import annotations

from typing import Any

import falcon
import orjson

from registry.domain.model import SchemaFormat, Violation
from registry.domain.records import GlobalSchema, SchemaReference, SchemaVersion

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"


def send(resp: falcon.Response, body: object) -> None:
    resp.content_type = MEDIA_TYPE
    resp.data = orjson.dumps(body)


def send_text(resp: falcon.Response, text: str) -> None:
    """``.../schema`` endpoints answer the schema text itself (JSON for Avro and JSON Schema,
    ``.proto`` source for Protobuf) under Confluent's media type, as Confluent does."""
    resp.content_type = MEDIA_TYPE
    resp.data = text.encode()


def version_document(version: SchemaVersion, text: str | None = None) -> dict[str, Any]:
    """A subject's version (``GET /subjects/{s}/versions/{v}``), also the answer to a lookup;
    ``text`` replaces the stored text (``format=serialized``)."""
    body: dict[str, Any] = {
        "subject": version.subject,
        "version": version.version_number,
        "id": version.global_id,
    }
    _add_type_and_references(body, version.format, version.references)
    body["schema"] = version.content if text is None else text
    return body


def registration_document(version: SchemaVersion) -> dict[str, Any]:
    """The answer to a registration: the id (and where it landed), without the schema text.
    Confluent's client caches a registration's answer as the schema of that id; sent back as
    the stored ``.proto`` text, it would stand in for the base64 descriptor the Protobuf
    deserializer later asks for (``format=serialized``)."""
    return {"id": version.global_id, "version": version.version_number, "subject": version.subject}


def schema_document(schema: GlobalSchema, text: str | None = None) -> dict[str, Any]:
    """``GET /schemas/ids/{id}``; ``text`` replaces the stored text (``format=serialized``)."""
    body: dict[str, Any] = {"schema": schema.content if text is None else text}
    _add_type_and_references(body, schema.format, schema.references)
    return body


def references_document(references: tuple[SchemaReference, ...]) -> list[dict[str, Any]]:
    return [reference.to_dict() for reference in references]


def compatibility_document(violations: list[Violation], verbose: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"is_compatible": not violations}
    if verbose:
        body["messages"] = [violation_text(violation) for violation in violations]
    return body


def violation_text(violation: Violation) -> str:
    """One incompatibility as a line of text: Confluent reports them as strings."""
    where = f" at {violation.path}" if violation.path else ""
    against = f" (version {violation.version})" if violation.version else ""
    return f"{violation.type}{where}: {violation.message}{against}"


def _add_type_and_references(body: dict[str, Any], fmt: SchemaFormat, references: tuple[SchemaReference, ...]) -> None:
    # Confluent leaves out schemaType for Avro, its default, and references when there are none;
    # clients treat a missing schemaType as AVRO.
    if fmt is not SchemaFormat.AVRO:
        body["schemaType"] = fmt.value
    if references:
        body["references"] = references_document(references)
