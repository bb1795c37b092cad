"""JSON Schemas as real catalogues hold them, over HTTP (issue 12): what the ``referencing``
library trips over is accepted when valid and a 422 naming where otherwise (item 11), and
the formats they name are checked (item 12)."""

from __future__ import annotations

import orjson
import pytest

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT7 = "http://json-schema.org/draft-07/schema#"


def tmlanguage_like(draft: str) -> dict[str, object]:
    """The shape of SchemaStore's tmlanguage.json that answered 500: ``dependencies`` mixing a
    subschema (first) and lists of property names."""
    return {
        "$schema": draft,
        "type": "object",
        "properties": {"patterns": {"items": {"$ref": "#"}}},
        "dependencies": {
            "begin": {"anyOf": [{"required": ["end"]}, {"required": ["while"]}]},
            "end": ["begin"],
            "while": ["begin"],
        },
    }


@pytest.mark.parametrize("draft", [DRAFT4, DRAFT7])
def test_a_tmlanguage_like_schema_registers_and_validates_on_both_apis(client, subject, draft):
    schema = tmlanguage_like(draft)
    native = client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": schema})
    assert native.status_code == 201, native.text
    good = {"begin": "(", "end": ")"}
    assert client.simulate_post(f"/api/v1/validate/{native.json['id']}", json=good).json["is_valid"] is True
    bad = client.simulate_post(f"/api/v1/validate/{native.json['id']}", json={"end": ")"}).json
    assert bad["is_valid"] is False and bad["errors"][0]["keyword"] == "dependencies"

    confluent = client.simulate_post(
        f"/subjects/{subject}.confluent/versions", json={"schemaType": "JSON", "schema": orjson.dumps(schema).decode()}
    )
    assert confluent.status_code == 200, confluent.text


def test_an_identifier_urllib_cannot_parse_is_a_422_naming_where_on_both_apis(client, subject):
    schema = {"$schema": DRAFT7, "properties": {"a": {"$id": "http://[::1", "properties": {"b": {"$id": "c"}}}}}
    native = client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": schema})
    assert native.status_code == 422, native.text
    assert native.json["code"] == "INVALID_SCHEMA"
    assert [problem["location"] for problem in native.json["problems"]] == ["/properties/a"]

    confluent = client.simulate_post(
        f"/subjects/{subject}/versions", json={"schemaType": "JSON", "schema": orjson.dumps(schema).decode()}
    )
    assert confluent.status_code == 422, confluent.text
    assert confluent.json["error_code"] == 42201 and "/properties/a: $id 'http://[::1'" in confluent.json["message"]


def test_formats_a_draft_07_schema_names_are_checked_in_validation(client, subject):
    """Issue 12, item 12: "uri" and the other formats needing a library were silently not checked."""
    schema = {"$schema": DRAFT7, "properties": {"home": {"format": "uri"}, "host": {"format": "hostname"}}}
    schema_id = client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": schema}).json["id"]
    result = client.simulate_post(f"/api/v1/validate/{schema_id}", json={"home": "not a uri", "host": "no_host"}).json
    assert [(error["path"], error["keyword"]) for error in result["errors"]] == [
        ("/home", "format"),
        ("/host", "format"),
    ]
    good = {"home": "https://example.com/", "host": "example.com"}
    assert client.simulate_post(f"/api/v1/validate/{schema_id}", json=good).json["is_valid"] is True
