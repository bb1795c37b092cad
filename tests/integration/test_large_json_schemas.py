"""Large JSON Schemas and documents through the API (issue 12, items 1, 2 and 13): each of
these held a worker for half a minute or more. How the work is bounded is tested in
tests/unit/formats/test_json_schema_bounded_work.py; here, that the answers are right."""

from __future__ import annotations

from typing import Any

import orjson

from tests.support.large_schemas import configuration_like, many_properties, mixed_items, short_name

DRAFT4 = "http://json-schema.org/draft-04/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"


def register(client, subject: str, schema: Any):  # noqa: ANN001, ANN201
    body = orjson.dumps({"subject": subject, "schema": schema, "schema_type": "json"})
    return client.simulate_post("/api/v1/schemas", body=body, headers={"Content-Type": "application/json"})


def validate(client, schema_id: str, document: Any):  # noqa: ANN001, ANN201
    body = orjson.dumps(document)
    return client.simulate_post(
        f"/api/v1/validate/{schema_id}", body=body, headers={"Content-Type": "application/json"}
    )


def test_the_largest_schema_the_limits_allow_registers_and_validates(client, subject):  # noqa: ANN001
    schema = many_properties(95_000, DRAFT2020, {})
    created = register(client, subject, schema)
    assert created.status_code == 201, created.text
    schema_id = created.json["id"]
    assert client.simulate_get(f"/api/v1/schemas/{schema_id}").json["schema"] == schema
    schema["properties"][short_name(94_999)] = {"type": "string"}
    again = register(client, subject + ".narrowed", schema)
    assert again.status_code == 201, again.text
    verdict = validate(client, again.json["id"], {short_name(94_999): 1})
    assert verdict.json["is_valid"] is False
    assert verdict.json["errors"][0]["path"] == f"/{short_name(94_999)}"


def test_a_large_schema_with_one_mistake_is_refused_where_the_mistake_is(client, subject):  # noqa: ANN001
    schema = many_properties(35_000, DRAFT2020, {"type": "string"})  # 0.8 MB
    schema["properties"][short_name(34_999)] = {"type": "strnig"}
    refused = register(client, subject, schema)
    assert refused.status_code == 422, refused.text
    [problem] = refused.json["problems"]
    assert problem["location"] == f"/properties/{short_name(34_999)}/type"


def test_a_draft_04_enum_of_12001_mixed_values(client, subject):  # noqa: ANN001
    values = mixed_items(12_001)
    created = register(client, subject, {"$schema": DRAFT4, "items": {"enum": values}})
    assert created.status_code == 201, created.text
    verdict = validate(client, created.json["id"], [*mixed_items(12_000), "not one of them"])
    assert verdict.json["is_valid"] is False
    assert [error["path"] for error in verdict.json["errors"]] == ["/12000"]
    duplicated = register(client, subject + ".duplicated", {"$schema": DRAFT4, "enum": [*values, 5.0]})
    assert duplicated.status_code == 422, duplicated.text
    assert [problem["location"] for problem in duplicated.json["problems"]] == ["/enum"]


def test_unique_items_over_12000_mixed_items(client, subject):  # noqa: ANN001
    schema_id = register(client, subject, {"type": "array", "uniqueItems": True}).json["id"]
    items = mixed_items(12_000)
    assert validate(client, schema_id, items).json == {"is_valid": True, "errors": []}
    verdict = validate(client, schema_id, [*items, {"v": [4.0], "k": 4}])  # items[4] is {"k": 4, "v": [4]}
    assert verdict.json["is_valid"] is False
    assert [error["keyword"] for error in verdict.json["errors"]] == ["uniqueItems"]


def test_a_one_megabyte_configuration_schema(client, subject):  # noqa: ANN001
    schema = configuration_like(700)
    created = register(client, subject, schema)
    assert created.status_code == 201, created.text
    source = {"kind": "component_3", "mode": "fast", "timeout": "5s"}
    assert validate(client, created.json["id"], {"sources": {"in": source}}).json["is_valid"] is True
