"""Schema references (Confluent's): each format handler parses, loads, compares and validates
a schema together with the schemas it refers to, given as flattened ``Dependency``s."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from google.protobuf import descriptor_pb2

from registry.domain.compatibility.avro import AvroCompatibility
from registry.domain.compatibility.json_schema import JsonSchemaCompatibility
from registry.domain.compatibility.protobuf import ProtobufCompatibility
from registry.domain.errors import InvalidSchema
from registry.domain.formats import json_schema as json_schema_format
from registry.domain.formats.avro import AvroHandler
from registry.domain.formats.base import Dependency, distinct_dependencies
from registry.domain.formats.json_schema import JsonSchemaHandler
from registry.domain.formats.protobuf import ProtobufHandler, serialized_descriptor
from registry.domain.model import CompatibilityPolicy, ValidationOptions

STRICT = CompatibilityPolicy.STRICT

JSON = JsonSchemaHandler()
JSON_RULES = JsonSchemaCompatibility()
AVRO = AvroHandler()
AVRO_RULES = AvroCompatibility()
PROTO = ProtobufHandler()
PROTO_RULES = ProtobufCompatibility()


def problems(raised: pytest.ExceptionInfo[InvalidSchema]) -> list[tuple[str, str]]:
    assert raised.value.problems, "InvalidSchema must say where"
    return [(problem.location, problem.message) for problem in raised.value.problems]


def test_distinct_dependencies_keeps_the_first_of_equal_duplicates_and_refuses_different_ones() -> None:
    first, other = Dependency("a", "1"), Dependency("b", "2")
    assert distinct_dependencies([first, other, Dependency("a", "1")]) == [first, other]
    with pytest.raises(InvalidSchema) as raised:
        distinct_dependencies([first, Dependency("a", "3")])
    assert "two different schemas" in raised.value.message


# --------------------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------------------

ADDRESS_JSON: dict[str, Any] = {
    "type": "object",
    "properties": {
        "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
        "street": {"$ref": "#/definitions/street"},
    },
    "required": ["zip"],
    "definitions": {"street": {"type": "string", "maxLength": 20}},
}
CUSTOMER_JSON: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "home": {"$ref": "address.json"},
        "street": {"$ref": "address.json#/definitions/street"},
    },
}


def json_dependencies(**documents: Any) -> list[Dependency]:
    return [Dependency(name.replace("_", "."), json.dumps(document)) for name, document in documents.items()]


def json_parse(schema: Any, **documents: Any) -> Any:
    return JSON.parse(json.dumps(schema), json_dependencies(**documents))


def test_json_schema_refs_resolve_to_dependencies_with_fragments() -> None:
    parsed = json_parse(CUSTOMER_JSON, address_json=ADDRESS_JSON)
    validator = JSON.compile_validator(parsed.document)
    assert validator.validate({"name": "Ann", "home": {"zip": "12345", "street": "Main"}, "street": "x"}) == []
    issues = validator.validate({"home": {"zip": "1234x", "street": "s" * 21}, "street": 5})
    assert [(issue.path, issue.keyword) for issue in issues] == [
        ("/home/zip", "pattern"),
        ("/home/street", "maxLength"),
        ("/street", "type"),
    ]
    assert issues[0].schema_path == "/properties/home/$ref/properties/zip/pattern"
    assert issues[1].schema_path == "/properties/home/$ref/properties/street/$ref/maxLength"


def test_json_schema_load_gives_what_parse_gives() -> None:
    dependencies = json_dependencies(address_json=ADDRESS_JSON)
    parsed = JSON.parse(json.dumps(CUSTOMER_JSON), dependencies)
    loaded = JSON.load(parsed.content, dependencies)
    assert isinstance(loaded, json_schema_format.SchemaWithReferences)
    assert loaded.schema == parsed.document.schema
    assert loaded.dependencies == parsed.document.dependencies
    assert JSON.compile_validator(loaded).validate({"home": {}})[0].keyword == "required"


def test_json_schema_without_dependencies_keeps_its_plain_document() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    assert JSON.parse(json.dumps(schema)).document == schema
    assert JSON.load(json.dumps(schema)) == schema


def test_json_schema_ref_to_a_missing_dependency_is_refused() -> None:
    with pytest.raises(InvalidSchema) as raised:
        json_parse(CUSTOMER_JSON, other_json=ADDRESS_JSON)
    found = problems(raised)
    assert [location for location, _ in found] == ["/properties/home/$ref", "/properties/street/$ref"]
    assert all("names none of the schemas it references" in message for _, message in found)
    with pytest.raises(InvalidSchema):
        JSON.parse(json.dumps(CUSTOMER_JSON))


def test_json_schema_transitive_chain() -> None:
    country = {"type": "string", "enum": ["DE", "FR"]}
    address = {"type": "object", "properties": {"country": {"$ref": "country.json"}}}
    customer = {"type": "object", "properties": {"home": {"$ref": "address.json"}}}
    parsed = json_parse(customer, country_json=country, address_json=address)
    validator = JSON.compile_validator(parsed.document)
    assert validator.validate({"home": {"country": "DE"}}) == []
    [issue] = validator.validate({"home": {"country": "XX"}})
    assert (issue.path, issue.keyword) == ("/home/country", "enum")
    assert issue.schema_path == "/properties/home/$ref/properties/country/$ref/enum"


def test_json_schema_missing_transitive_dependency_is_located_in_the_dependency() -> None:
    address = {"type": "object", "properties": {"country": {"$ref": "country.json"}}}
    with pytest.raises(InvalidSchema) as raised:
        json_parse({"$ref": "address.json"}, address_json=address)
    [(location, _)] = problems(raised)
    assert location == "address.json#/properties/country/$ref"


def test_json_schema_dependency_names_resolve_against_the_schema_id() -> None:
    customer = {**CUSTOMER_JSON, "$id": "https://example.com/schemas/customer.json"}
    for name in ("address.json", "https://example.com/schemas/address.json"):
        parsed = JSON.parse(json.dumps(customer), [Dependency(name, json.dumps(ADDRESS_JSON))])
        [issue] = JSON.compile_validator(parsed.document).validate({"home": {"zip": 1}})
        assert (issue.path, issue.keyword) == ("/home/zip", "type")


def test_json_schema_reference_cycles_through_dependencies_are_refused() -> None:
    with pytest.raises(InvalidSchema) as raised:
        json_parse({"$ref": "a.json"}, a_json={"$ref": "b.json"}, b_json={"$ref": "a.json"})
    [(location, message)] = problems(raised)
    assert location.endswith("#/$ref")
    assert "cycle" in message


def test_json_schema_dependency_of_another_dialect_is_refused() -> None:
    address = {**ADDRESS_JSON, "$schema": "http://json-schema.org/draft-07/schema#"}
    with pytest.raises(InvalidSchema) as raised:
        json_parse(CUSTOMER_JSON, address_json=address)
    [(location, message)] = problems(raised)
    assert location == "address.json#/$schema"
    assert "same dialect" in message
    # Without $schema a dependency is read in the referencing schema's dialect.
    draft7 = {**CUSTOMER_JSON, "$schema": "http://json-schema.org/draft-07/schema#"}
    assert json_parse(draft7, address_json=ADDRESS_JSON).document.schema == draft7


def test_json_schema_patterns_of_dependencies_are_checked() -> None:
    with pytest.raises(InvalidSchema) as raised:
        json_parse({"$ref": "a.json"}, a_json={"type": "string", "pattern": "(?i)x"})
    [(location, _)] = problems(raised)
    assert location == "a.json#/pattern"


def test_json_schema_dependency_that_is_not_json_is_refused() -> None:
    with pytest.raises(InvalidSchema) as raised:
        JSON.parse(json.dumps(CUSTOMER_JSON), [Dependency("address.json", "{nope")])
    [(location, _)] = problems(raised)
    assert location == "address.json#"


def test_json_schema_content_hash_ignores_dependency_content() -> None:
    changed = {**ADDRESS_JSON, "properties": {"zip": {"type": "integer"}}}
    first = json_parse(CUSTOMER_JSON, address_json=ADDRESS_JSON)
    second = json_parse(CUSTOMER_JSON, address_json=changed)
    assert first.content_hash == second.content_hash
    # The same as without references: it is the hash of the schema's own text.
    unresolved = {"type": "object", "properties": {"name": {"type": "string"}}}
    assert json_parse(unresolved, address_json=ADDRESS_JSON).content_hash == JSON.parse(unresolved).content_hash


def test_json_schema_compatibility_sees_changes_inside_dependencies() -> None:
    narrowed = {
        **ADDRESS_JSON,
        "definitions": {"street": {"type": "string", "maxLength": 10}},
    }
    old = json_parse(CUSTOMER_JSON, address_json=ADDRESS_JSON).document
    new = json_parse(CUSTOMER_JSON, address_json=narrowed).document
    violations = JSON_RULES.backward_violations(old, new, STRICT)
    assert {(violation.type, violation.path) for violation in violations} == {
        ("MAX_LENGTH_DECREASED", "/properties/home/properties/street/maxLength"),
        ("MAX_LENGTH_DECREASED", "/properties/street/maxLength"),
    }
    assert JSON_RULES.backward_violations(new, old, STRICT) == []
    same = json_parse(CUSTOMER_JSON, address_json=ADDRESS_JSON).document
    assert JSON_RULES.backward_violations(old, same, STRICT) == []


def test_json_schema_compatibility_is_the_same_as_with_the_dependency_inline() -> None:
    def inline(address: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"home": {"$ref": "#/$defs/address"}},
            "$defs": {"address": address},
        }

    referencing = {"type": "object", "properties": {"home": {"$ref": "address.json"}}}
    before = {"type": "object", "properties": {"zip": {"type": "string"}}}
    after = {"type": "object", "properties": {"zip": {"type": "integer"}}, "required": ["zip"]}
    expected = JSON_RULES.backward_violations(inline(before), inline(after), STRICT)
    assert expected
    found = JSON_RULES.backward_violations(
        json_parse(referencing, address_json=before).document,
        json_parse(referencing, address_json=after).document,
        STRICT,
    )
    assert [(violation.type, violation.path) for violation in found] == [
        (violation.type, violation.path) for violation in expected
    ]


def test_json_schema_a_reference_replacing_an_inline_definition_is_compared_by_content() -> None:
    address = {"type": "object", "properties": {"zip": {"type": "string", "maxLength": 5}}}
    inline = {"type": "object", "properties": {"home": address}}
    referencing = {"type": "object", "properties": {"home": {"$ref": "address.json"}}}
    with_reference = json_parse(referencing, address_json=address).document
    assert JSON_RULES.backward_violations(inline, with_reference, STRICT) == []
    assert JSON_RULES.backward_violations(with_reference, inline, STRICT) == []


def test_json_schema_only_annotations_differ_looks_into_dependencies() -> None:
    documented = {**ADDRESS_JSON, "description": "where someone lives"}
    narrowed = {**ADDRESS_JSON, "required": ["zip", "street"]}
    base = json_parse(CUSTOMER_JSON, address_json=ADDRESS_JSON).document
    assert JSON.only_annotations_differ(base, json_parse(CUSTOMER_JSON, address_json=documented).document)
    assert not JSON.only_annotations_differ(base, json_parse(CUSTOMER_JSON, address_json=narrowed).document)


# --------------------------------------------------------------------------------------
# Avro
# --------------------------------------------------------------------------------------

COUNTRY_AVRO = {"type": "enum", "name": "Country", "namespace": "com.acme.geo", "symbols": ["DE", "FR"]}
ADDRESS_AVRO = {
    "type": "record",
    "name": "Address",
    "namespace": "com.acme",
    "fields": [
        {"name": "street", "type": "string"},
        {"name": "zip", "type": "int"},
        {"name": "country", "type": "com.acme.geo.Country"},
    ],
}
CUSTOMER_AVRO = {
    "type": "record",
    "name": "Customer",
    "namespace": "com.acme",
    "fields": [
        {"name": "name", "type": "string"},
        {"name": "home", "type": "Address"},  # a short name, in the enclosing namespace
        {"name": "work", "type": ["null", "com.acme.Address"], "default": None},
    ],
}


def avro_dependencies(address: dict[str, Any] = ADDRESS_AVRO) -> list[Dependency]:
    return [
        Dependency("com.acme.geo.Country", json.dumps(COUNTRY_AVRO)),
        Dependency("com.acme.Address", json.dumps(address)),
    ]


def avro_parse(schema: Any = CUSTOMER_AVRO, address: dict[str, Any] = ADDRESS_AVRO) -> Any:
    return AVRO.parse(json.dumps(schema), avro_dependencies(address))


def test_avro_named_types_of_dependencies_are_usable_transitively() -> None:
    parsed = avro_parse()
    assert parsed.document.schema_json == CUSTOMER_AVRO
    validator = AVRO.compile_validator(parsed.document)
    home = {"street": "Main", "zip": 12345, "country": "DE"}
    assert validator.validate({"name": "Ann", "home": home}) == []
    assert validator.validate({"name": "Ann", "home": home, "work": home}) == []
    issues = validator.validate({"name": "Ann", "home": {**home, "zip": "x", "country": "XX"}})
    assert [(issue.path, issue.keyword) for issue in issues] == [("/home/zip", "type"), ("/home/country", "enum")]
    # Schema paths point at the definition, inside the dependency that holds it.
    assert issues[0].schema_path == "com.acme.Address#/fields/1/type"
    assert issues[1].schema_path == "com.acme.geo.Country#"


def test_avro_avro_json_encoding_names_referenced_types_by_full_name() -> None:
    validator = AVRO.compile_validator(avro_parse().document, ValidationOptions(encoding="avro-json"))
    home = {"street": "Main", "zip": 1, "country": "FR"}
    assert validator.validate({"name": "Ann", "home": home, "work": {"com.acme.Address": home}}) == []


def test_avro_unknown_type_without_its_dependency_is_refused() -> None:
    with pytest.raises(InvalidSchema) as raised:
        AVRO.parse(json.dumps(CUSTOMER_AVRO), [Dependency("com.acme.geo.Country", json.dumps(COUNTRY_AVRO))])
    found = problems(raised)
    assert [location for location, _ in found] == ["/fields/1/type", "/fields/2/type/1"]
    assert "referenced schema" in found[0][1]
    # A dependency that needs another one it is not given is refused where it uses it.
    with pytest.raises(InvalidSchema) as raised:
        AVRO.parse(json.dumps(CUSTOMER_AVRO), [Dependency("com.acme.Address", json.dumps(ADDRESS_AVRO))])
    assert problems(raised)[0][0] == "com.acme.Address#/fields/2/type"


def test_avro_dependencies_must_come_before_their_users() -> None:
    with pytest.raises(InvalidSchema):
        AVRO.parse(json.dumps(CUSTOMER_AVRO), list(reversed(avro_dependencies())))


def test_avro_a_type_defined_by_a_dependency_cannot_be_redefined() -> None:
    redefining = {**CUSTOMER_AVRO, "fields": [{"name": "home", "type": ADDRESS_AVRO}]}
    with pytest.raises(InvalidSchema) as raised:
        avro_parse(redefining)
    [(location, message)] = problems(raised)
    assert location == "/fields/0/type/name"
    assert "already defined (at com.acme.Address#)" in message


def test_avro_short_names_resolve_in_the_enclosing_namespace_only() -> None:
    elsewhere = {**CUSTOMER_AVRO, "namespace": "org.other"}
    with pytest.raises(InvalidSchema) as raised:
        avro_parse(elsewhere)
    assert "looked up as 'org.other.Address'" in problems(raised)[0][1]


def test_avro_content_hash_and_normalised_text_are_the_schemas_own() -> None:
    widened = {**ADDRESS_AVRO, "fields": [*ADDRESS_AVRO["fields"], {"name": "note", "type": "string", "default": ""}]}
    first, second = avro_parse(), avro_parse(address=widened)
    assert first.content_hash == second.content_hash
    assert first.content == json.dumps(CUSTOMER_AVRO)


def test_avro_load_gives_what_parse_gives_and_is_cached() -> None:
    dependencies = avro_dependencies()
    parsed = AVRO.parse(json.dumps(CUSTOMER_AVRO), dependencies)
    loaded = AVRO.load(parsed.content, dependencies)
    assert loaded is AVRO.load(parsed.content, dependencies)
    assert loaded.schema_json == parsed.document.schema_json
    assert AVRO_RULES.backward_violations(parsed.document, loaded, STRICT) == []
    # Loading without the dependencies is another document (and an invalid one).
    with pytest.raises(InvalidSchema):
        AVRO.load(parsed.content)


def test_avro_compatibility_sees_changes_inside_dependencies() -> None:
    required_field = {**ADDRESS_AVRO, "fields": [*ADDRESS_AVRO["fields"], {"name": "note", "type": "string"}]}
    old, new = avro_parse().document, avro_parse(address=required_field).document
    violations = AVRO_RULES.backward_violations(old, new, STRICT)
    assert ("READER_FIELD_MISSING_DEFAULT_VALUE", "com.acme.Address#/fields/3") in {
        (violation.type, violation.path) for violation in violations
    }
    # Reading new data with the old schema is fine: the extra field is skipped.
    assert AVRO_RULES.backward_violations(new, old, STRICT) == []
    assert AVRO_RULES.backward_violations(old, avro_parse().document, STRICT) == []


def test_avro_compatibility_matches_the_inline_schema() -> None:
    before = {"type": "record", "name": "Address", "namespace": "com.acme", "fields": [{"name": "zip", "type": "int"}]}
    after = {**before, "fields": [{"name": "zip", "type": "boolean"}]}

    def inline(address: dict[str, Any]) -> Any:
        return AVRO.parse(json.dumps({**CUSTOMER_AVRO, "fields": [{"name": "home", "type": address}]})).document

    def referencing(address: dict[str, Any]) -> Any:
        schema = {**CUSTOMER_AVRO, "fields": [{"name": "home", "type": "Address"}]}
        return AVRO.parse(json.dumps(schema), [Dependency("com.acme.Address", json.dumps(address))]).document

    inline_found = AVRO_RULES.backward_violations(inline(before), inline(after), STRICT)
    found = AVRO_RULES.backward_violations(referencing(before), referencing(after), STRICT)
    assert [violation.type for violation in found] == [violation.type for violation in inline_found]
    assert [violation.type for violation in found] == ["TYPE_MISMATCH"]
    # Where the fix goes: the definition, in the dependency (inline: in the schema).
    assert (inline_found[0].path, found[0].path) == ("/fields/0/type/fields/0/type", "com.acme.Address#/fields/0/type")


def test_avro_only_annotations_differ_looks_into_dependencies() -> None:
    documented = {**ADDRESS_AVRO, "doc": "where someone lives"}
    renamed = {**ADDRESS_AVRO, "aliases": ["Location"]}
    base = avro_parse().document
    assert AVRO.only_annotations_differ(base, avro_parse(address=documented).document)
    assert not AVRO.only_annotations_differ(base, avro_parse(address=renamed).document)


# --------------------------------------------------------------------------------------
# Protobuf
# --------------------------------------------------------------------------------------

POINT_PROTO = """syntax = "proto3";
package acme.geo;
message Point { double lat = 1; double lon = 2; }
"""
ADDRESS_PROTO = """syntax = "proto3";
package acme;
import "acme/geo/point.proto";
message Address {
  string street = 1;
  int32 zip = 2;
  acme.geo.Point where = 3;
}
"""
CUSTOMER_PROTO = """syntax = "proto3";
package shop;
import "acme/address.proto";
import "google/protobuf/timestamp.proto";
// A customer, with an address from another schema.
message Customer {
  string name = 1;
  acme.Address home = 2;
  google.protobuf.Timestamp since = 3;
}
"""


def proto_dependencies(address: str = ADDRESS_PROTO) -> list[Dependency]:
    return [Dependency("acme/geo/point.proto", POINT_PROTO), Dependency("acme/address.proto", address)]


def proto_parse(text: str = CUSTOMER_PROTO, address: str = ADDRESS_PROTO) -> Any:
    return PROTO.parse(text, proto_dependencies(address))


def test_protobuf_imports_dependencies_transitively() -> None:
    document = proto_parse().document
    assert list(document.file.dependency) == ["acme/address.proto", "google/protobuf/timestamp.proto"]
    assert document.message_names() == ["shop.Customer"]
    assert {file.name for file in document.imports} >= {"acme/address.proto", "acme/geo/point.proto"}


def test_protobuf_validation_follows_imported_messages() -> None:
    validator = PROTO.compile_validator(proto_parse().document)
    valid = {
        "name": "Ann",
        "home": {"street": "Main", "zip": 12345, "where": {"lat": 1.5}},
        "since": "2024-01-01T00:00:00Z",
    }
    assert validator.validate(valid) == []
    issues = validator.validate({"home": {"zip": "x", "where": {"lat": "n", "alt": 3}}})
    assert [(issue.path, issue.keyword) for issue in issues] == [
        ("/home/zip", "format"),
        ("/home/where/lat", "format"),
        ("/home/where/alt", "unknown-field"),
    ]
    assert issues[0].schema_path == "/Address/zip"


def test_protobuf_import_that_is_neither_a_dependency_nor_well_known_is_refused() -> None:
    with pytest.raises(InvalidSchema) as raised:
        PROTO.parse(CUSTOMER_PROTO, [Dependency("acme/geo/point.proto", POINT_PROTO)])
    found = problems(raised)
    assert "acme/address.proto: File not found: an import must name one of the schema's references" in found[0][1]
    assert ("3:1", 'Import "acme/address.proto" was not found or had errors.') in found
    # The dependency's own missing import is reported too, located in the dependency.
    with pytest.raises(InvalidSchema) as raised:
        PROTO.parse(CUSTOMER_PROTO, [Dependency("acme/address.proto", ADDRESS_PROTO)])
    assert any(location == "acme/address.proto:3:1" for location, _ in problems(raised))


def test_protobuf_errors_inside_a_dependency_are_located_there() -> None:
    broken = ADDRESS_PROTO.replace("int32 zip = 2;", "int32 zip = ;")
    with pytest.raises(InvalidSchema) as raised:
        proto_parse(address=broken)
    assert problems(raised)[0][0] == "acme/address.proto:6:15"


@pytest.mark.parametrize("name", ["/etc/x.proto", "../x.proto", "a//b.proto", "./a.proto", "schema.proto", ""])
def test_protobuf_dependency_names_must_be_plain_relative_paths(name: str) -> None:
    with pytest.raises(InvalidSchema) as raised:
        PROTO.parse('syntax = "proto3";\nmessage A {}\n', [Dependency(name, POINT_PROTO)])
    assert "cannot be an import path" in raised.value.message


def test_protobuf_dependency_names_that_clash_as_paths_are_refused() -> None:
    with pytest.raises(InvalidSchema) as raised:
        PROTO.parse(
            'syntax = "proto3";\nmessage A {}\n',
            [Dependency("a.proto", POINT_PROTO), Dependency("a.proto/b.proto", POINT_PROTO)],
        )
    assert "clashes" in raised.value.message


def test_protobuf_a_dependency_named_like_a_well_known_file_is_ignored() -> None:
    shadow = Dependency("google/protobuf/timestamp.proto", 'syntax = "proto3";\nmessage Nope {}\n')
    document = PROTO.parse(CUSTOMER_PROTO, [*proto_dependencies(), shadow]).document
    assert "google.protobuf.Timestamp" in document.types


def test_protobuf_content_hash_ignores_dependency_content() -> None:
    changed = ADDRESS_PROTO.replace("int32 zip = 2;", "string zip = 2; string city = 4;")
    first, second = proto_parse(), proto_parse(address=changed)
    assert first.content_hash == second.content_hash
    assert first.document.descriptor_bytes == second.document.descriptor_bytes


def test_protobuf_serialized_descriptor_holds_only_the_schema_file_naming_its_imports() -> None:
    dependencies = proto_dependencies()
    document = proto_parse().document
    serialized = PROTO.serialized_descriptor(CUSTOMER_PROTO, dependencies)
    assert serialized == PROTO.serialized_descriptor(document) == serialized_descriptor(CUSTOMER_PROTO, dependencies)
    # As the base64 of Confluent's format=serialized travels.
    file = descriptor_pb2.FileDescriptorProto.FromString(base64.b64decode(base64.b64encode(serialized)))
    assert file.name == "schema.proto"
    assert list(file.dependency) == ["acme/address.proto", "google/protobuf/timestamp.proto"]
    assert [message.name for message in file.message_type] == ["Customer"]
    home = next(field for field in file.message_type[0].field if field.name == "home")
    assert home.type_name == ".acme.Address"
    with pytest.raises(InvalidSchema):
        serialized_descriptor(CUSTOMER_PROTO)


def test_protobuf_load_gives_what_parse_gives() -> None:
    dependencies = proto_dependencies()
    parsed = PROTO.parse(CUSTOMER_PROTO, dependencies)
    assert PROTO.load(CUSTOMER_PROTO, dependencies) is parsed.document
    with pytest.raises(InvalidSchema):
        PROTO.load(CUSTOMER_PROTO)


def test_protobuf_compatibility_sees_changes_inside_dependencies() -> None:
    changed = ADDRESS_PROTO.replace("int32 zip = 2;", "string zip = 2;")
    old, new = proto_parse().document, proto_parse(address=changed).document
    violations = {(violation.type, violation.path) for violation in PROTO_RULES.backward_violations(old, new, STRICT)}
    assert violations == {("FIELD_NAMED_TYPE_CHANGED", "/Customer/2"), ("FIELD_SCALAR_KIND_CHANGED", "/Address/2")}
    assert PROTO_RULES.backward_violations(old, proto_parse().document, STRICT) == []


def test_protobuf_compatibility_reaches_transitive_dependencies() -> None:
    point = POINT_PROTO.replace("double lon = 2;", "string lon = 2;")
    old = proto_parse().document
    new = PROTO.parse(CUSTOMER_PROTO, [Dependency("acme/geo/point.proto", point), proto_dependencies()[1]]).document
    violations = {(violation.type, violation.path) for violation in PROTO_RULES.backward_violations(old, new, STRICT)}
    assert violations == {
        ("FIELD_NAMED_TYPE_CHANGED", "/Customer/2"),
        ("FIELD_NAMED_TYPE_CHANGED", "/Address/3"),
        ("FIELD_SCALAR_KIND_CHANGED", "/Point/2"),
    }


def test_protobuf_compatible_changes_inside_dependencies_are_not_violations() -> None:
    widened = ADDRESS_PROTO.replace("int32 zip = 2;", "int32 zip = 2;\n  string city = 4;")
    old, new = proto_parse().document, proto_parse(address=widened).document
    assert PROTO_RULES.backward_violations(old, new, STRICT) == []
    assert PROTO_RULES.backward_violations(new, old, STRICT) == []


def test_protobuf_compatibility_matches_the_inline_schema() -> None:
    def inline(zip_type: str) -> str:
        return (
            'syntax = "proto3";\npackage shop;\n'
            f"message Address {{ string street = 1; {zip_type} zip = 2; }}\n"
            "message Customer { string name = 1; Address home = 2; }\n"
        )

    def address(zip_type: str) -> str:
        return f'syntax = "proto3";\npackage shop;\nmessage Address {{ string street = 1; {zip_type} zip = 2; }}\n'

    referencing = 'syntax = "proto3";\npackage shop;\nimport "address.proto";\n'
    referencing += "message Customer { string name = 1; Address home = 2; }\n"
    inline_found = PROTO_RULES.backward_violations(
        PROTO.parse(inline("int32")).document, PROTO.parse(inline("string")).document, STRICT
    )
    found = PROTO_RULES.backward_violations(
        PROTO.parse(referencing, [Dependency("address.proto", address("int32"))]).document,
        PROTO.parse(referencing, [Dependency("address.proto", address("string"))]).document,
        STRICT,
    )
    assert sorted((violation.type, violation.path) for violation in found) == sorted(
        (violation.type, violation.path) for violation in inline_found
    )


def test_protobuf_only_annotations_differ_looks_into_dependencies() -> None:
    deprecated = ADDRESS_PROTO.replace("int32 zip = 2;", "int32 zip = 2 [deprecated = true];")
    renamed = ADDRESS_PROTO.replace("int32 zip = 2;", "int32 postcode = 2;")
    base = proto_parse().document
    assert PROTO.only_annotations_differ(base, proto_parse().document)
    assert PROTO.only_annotations_differ(base, proto_parse(address=deprecated).document)
    assert not PROTO.only_annotations_differ(base, proto_parse(address=renamed).document)
