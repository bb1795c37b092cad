"""The Protobuf format module: compiling .proto text, duplicates, annotations, and
validating the proto3 JSON form of messages."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

from registry.domain.errors import InvalidRequest, InvalidSchema, SchemaTooLarge
from registry.domain.formats.protobuf import (
    Limits,
    ProtobufDocument,
    ProtobufHandler,
    compile_proto,
    serialized_descriptor,
)
from registry.domain.formats.protobuf import compiling as compiling_module
from registry.domain.model import SchemaFormat, ValidationIssue, ValidationOptions

# One handler for the module: its compile cache keeps the suite fast.
HANDLER = ProtobufHandler()

ORDERS = """
syntax = "proto3";
package shop.v1;

import "google/protobuf/timestamp.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/any.proto";
import "google/protobuf/empty.proto";

// An order, as the checkout service emits it.
message Order {
  string order_id = 1;
  repeated Line lines = 2;
  Status status = 3;
  map<string, int64> counters = 4;
  map<int32, Line> lines_by_number = 5;
  map<bool, string> flags = 6;
  oneof payment {
    string card_token = 7;
    Voucher voucher = 8;
  }
  google.protobuf.Timestamp placed_at = 9;
  google.protobuf.Duration ttl = 10;
  google.protobuf.Int32Value priority = 11;
  google.protobuf.Struct attributes = 12;
  google.protobuf.Value note = 13;
  google.protobuf.Any extension = 14;
  google.protobuf.Empty nothing = 15;
  int64 total_cents = 16;
  uint32 item_count = 17;
  double weight = 18;
  float ratio = 19;
  bytes signature = 20;
  bool gift = 21;
  optional sint64 discount = 22;
  repeated Status history = 23;
  fixed64 checksum = 24;

  message Line {
    string sku = 1;
    int32 quantity = 2;
    double price = 3;
  }
}

message Voucher {
  string code = 1;
}

enum Status {
  STATUS_UNSPECIFIED = 0;
  STATUS_OPEN = 1;
  STATUS_SHIPPED = 2;
}
"""

LEGACY = """
syntax = "proto2";
package legacy;

message Account {
  required string id = 1;
  optional int32 age = 2 [default = 18];
  repeated string emails = 3;
  optional Kind kind = 4;
  optional group Address = 5 {
    required string city = 6;
  }
  enum Kind {
    PERSON = 1;
    COMPANY = 2;
  }
}
"""

RECURSIVE = """
syntax = "proto3";
message Node {
  int32 value = 1;
  Node next = 2;
  repeated Node children = 3;
}
"""


def compiled(text: str) -> ProtobufDocument:
    return HANDLER.parse(text).document


def problems_of(text: object) -> list[tuple[str, str]]:
    with pytest.raises(InvalidSchema) as caught:
        HANDLER.parse(text)
    assert caught.value.problems, "InvalidSchema must say where"
    return [(problem.location, problem.message) for problem in caught.value.problems]


def issues(text: str, instance: object, message: str | None = None, max_errors: int = 100) -> list[ValidationIssue]:
    validator = HANDLER.compile_validator(compiled(text), ValidationOptions(message=message))
    return validator.validate(instance, max_errors=max_errors)


def brief(found: list[ValidationIssue]) -> list[tuple[str, str, str]]:
    return [(issue.path, issue.keyword, issue.schema_path) for issue in found]


# --------------------------------------------------------------------------------------
# parse: what compiles, and into what
# --------------------------------------------------------------------------------------


def test_parse_returns_a_compiled_file_descriptor() -> None:
    parsed = HANDLER.parse(ORDERS)
    assert parsed.format is SchemaFormat.PROTOBUF
    assert parsed.content == ORDERS
    document = parsed.document
    assert isinstance(document.file, descriptor_pb2.FileDescriptorProto)
    assert document.file.package == "shop.v1"
    assert document.syntax == "proto3"
    assert not document.file.HasField("source_code_info")
    assert [message.name for message in document.file.message_type] == ["Order", "Voucher"]
    assert document.message_names() == ["shop.v1.Order", "shop.v1.Order.Line", "shop.v1.Voucher"]
    assert {file.name for file in document.imports} >= {
        "google/protobuf/timestamp.proto",
        "google/protobuf/any.proto",
        "google/protobuf/struct.proto",
        "google/protobuf/wrappers.proto",
        "google/protobuf/empty.proto",
        "google/protobuf/duration.proto",
    }


def test_the_hash_is_the_sha256_of_the_serialized_descriptor() -> None:
    parsed = HANDLER.parse(ORDERS)
    serialized = serialized_descriptor(parsed.document)
    assert HANDLER.serialized_descriptor(parsed.document) == serialized
    assert parsed.content_hash == hashlib.sha256(serialized).hexdigest()
    assert descriptor_pb2.FileDescriptorProto.FromString(serialized) == parsed.document.file


def test_maps_oneofs_nested_types_and_enums_are_in_the_descriptor() -> None:
    order = compiled(ORDERS).file.message_type[0]
    fields = {field.name: field for field in order.field}
    entry_names = {nested.name for nested in order.nested_type if nested.options.map_entry}
    assert entry_names == {"CountersEntry", "LinesByNumberEntry", "FlagsEntry"}
    assert fields["counters"].type_name == ".shop.v1.Order.CountersEntry"
    assert [oneof.name for oneof in order.oneof_decl] == ["payment", "_discount"]
    assert fields["voucher"].oneof_index == 0
    assert fields["discount"].proto3_optional
    assert fields["lines"].type_name == ".shop.v1.Order.Line"
    assert fields["status"].type_name == ".shop.v1.Status"
    assert fields["total_cents"].json_name == "totalCents"


def test_proto2_with_required_fields_defaults_groups_and_closed_enums() -> None:
    document = compiled(LEGACY)
    assert document.syntax == "proto2"
    account = document.file.message_type[0]
    fields = {field.name: field for field in account.field}
    assert fields["id"].label == descriptor_pb2.FieldDescriptorProto.LABEL_REQUIRED
    assert fields["age"].default_value == "18"
    assert fields["address"].type == descriptor_pb2.FieldDescriptorProto.TYPE_GROUP


def test_a_file_without_syntax_is_proto2() -> None:
    document = compiled("message Bare { optional int32 a = 1; }\n")
    assert document.syntax == "proto2"


def test_services_and_custom_options_compile() -> None:
    text = """
syntax = "proto3";
import "google/protobuf/descriptor.proto";
extend google.protobuf.FieldOptions { string pii = 50001; }
message Ping { string who = 1 [(pii) = "name"]; }
service Pinger { rpc Send(Ping) returns (Ping); }
"""
    assert compiled(text).file.service[0].name == "Pinger"


@pytest.mark.parametrize(
    ("text", "location", "fragment"),
    [
        ('syntax = "proto3";\nmessage A {\n  strin id = 1;\n}\n', "3:3", '"strin" is not defined'),
        ('syntax = "proto3";\nmessage A {\n  int32 a = 1;\n  int32 b = 1;\n}\n', "4:13", "already been used"),
        ('syntax = "proto3";\nmessage A {\n  int32 a = 1\n}\n', "4:1", 'Expected ";"'),
        ('syntax = "proto3";\nimport "missing/thing.proto";\nmessage A {}\n', "2:1", "was not found"),
        ('syntax = "proto4";\n', "1:10", "Unrecognized syntax identifier"),
        ('syntax = "proto3";\nmessage A { required int32 a = 1; }\n', "2:22", "Required fields are not allowed"),
        ('syntax = "proto3";\nenum E { ONE = 1; }\n', "2:16", "first enum value must be zero"),
        ('syntax = "proto3";\nmessage A {\n  message B {\n', "4:1", "Reached end of input"),
    ],
)
def test_compile_errors_say_line_and_column(text: str, location: str, fragment: str) -> None:
    found = problems_of(text)
    assert any(where == location and fragment in message for where, message in found), found


def test_no_file_outside_the_well_known_types_can_be_imported() -> None:
    found = problems_of('syntax = "proto3";\nimport "/etc/hostname";\nimport "../x.proto";\nmessage A {}\n')
    assert ("2:1", 'Import "/etc/hostname" was not found or had errors.') in found
    assert any(where == "3:1" for where, _ in found)


def test_protoc_paths_and_log_noise_stay_out_of_problems() -> None:
    found = problems_of('syntax = "proto3";\nmessage A { Missing m = 1; }\n')
    assert found == [("2:13", '"Missing" is not defined.')]


def test_repeated_complaints_are_reported_once() -> None:
    found = problems_of('syntax = "proto3";\n' + "message M { " * 20)
    assert len(found) == len(set(found))


def test_editions_are_refused_with_a_location() -> None:
    found = problems_of('// header\nedition = "2023";\nmessage A { int32 a = 1; }\n')
    assert found[0][0] == "2:1"
    assert "editions are not supported" in found[0][1]


@pytest.mark.parametrize("schema", [None, 1, {"type": "record"}, ["syntax"], b'syntax = "proto3";'])
def test_a_schema_must_be_text(schema: object) -> None:
    assert problems_of(schema)[0][0] == ""


def test_a_nul_character_is_refused_where_it_is() -> None:
    assert problems_of('syntax = "proto3";\nmessage A {\x00}\n') == [("2:12", "NUL character")]


def test_an_over_long_schema_is_too_large() -> None:
    handler = ProtobufHandler(Limits(max_text_length=100))
    with pytest.raises(SchemaTooLarge):
        handler.parse('syntax = "proto3";\n' + "// padding\n" * 20)


def test_a_compile_that_runs_too_long_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_slow(command: list[str], **kwargs: object) -> None:
        raise subprocess.TimeoutExpired(command, 10)

    handler = ProtobufHandler()
    text = 'syntax = "proto3";\nmessage Slow {}\n'
    monkeypatch.setattr(compiling_module.subprocess, "run", too_slow)
    with pytest.raises(SchemaTooLarge) as caught:
        handler.parse(text)
    assert "longer than" in caught.value.message
    monkeypatch.undo()
    # A timeout is not remembered: a less busy moment compiles the same text.
    assert handler.parse(text).document.message_names() == ["Slow"]


def test_an_empty_file_compiles() -> None:
    document = compiled('syntax = "proto3";\n')
    assert document.message_names() == []


GEVENT_PROBE = """
from gevent import monkey
monkey.patch_all()
import time
import gevent
from registry.domain.formats.protobuf import ProtobufHandler

ticks = []

def tick():
    while True:
        ticks.append(time.perf_counter())
        gevent.sleep(0.001)

ticker = gevent.spawn(tick)
gevent.sleep(0.01)
body = "".join(f"message M{i} {{ int64 a = 1; map<string, M{i}> b = 2; }}\\n" for i in range(400))
text = 'syntax = "proto3";\\n' + body
started = time.perf_counter()
ProtobufHandler().parse(text)
finished = time.perf_counter()
print(sum(started <= t <= finished for t in ticks))
"""


def test_compiling_lets_other_greenlets_run() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", GEVENT_PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    assert int(completed.stdout.strip()) > 0, "protoc must not block the gevent hub"


# --------------------------------------------------------------------------------------
# The compile cache
# --------------------------------------------------------------------------------------


def test_load_reuses_the_compiled_document() -> None:
    assert HANDLER.load(ORDERS) is HANDLER.parse(ORDERS).document


def test_compile_failures_are_cached_too(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = ProtobufHandler()
    text = 'syntax = "proto3";\nmessage A { Nope n = 1; }\n'
    with pytest.raises(InvalidSchema):
        handler.parse(text)

    def no_more_runs(*args: object, **kwargs: object) -> None:
        raise AssertionError("protoc ran again")

    monkeypatch.setattr(compiling_module.subprocess, "run", no_more_runs)
    with pytest.raises(InvalidSchema) as caught:
        handler.parse(text)
    assert caught.value.problems[0].location == "2:13"


def test_the_cache_is_bounded() -> None:
    handler = ProtobufHandler(Limits(cache_entries=2))
    texts = [f'syntax = "proto3";\nmessage M{index} {{}}\n' for index in range(3)]
    for text in texts:
        handler.parse(text)
    assert len(handler._cache) == 2
    assert handler._cache.get(texts[0]) is None


def test_compile_proto_compiles_without_a_handler() -> None:
    assert compile_proto(RECURSIVE).message_names() == ["Node"]


# --------------------------------------------------------------------------------------
# Duplicates and annotations
# --------------------------------------------------------------------------------------

BASE = 'syntax = "proto3";\npackage p;\nmessage A {\n  int32 a = 1;\n  string b = 2;\n}\n'


@pytest.mark.parametrize(
    "variant",
    [
        '// a comment\nsyntax = "proto3";\npackage p;\nmessage A {\n  int32 a = 1;\n  string b = 2;\n}\n',
        'syntax = "proto3"; package p; message A { int32 a = 1; string b = 2; }',
        'syntax="proto3";\n\n\npackage   p ;\n/* block */ message A {\n\tint32 a=1; // trailing\n string b=2;}\n',
    ],
)
def test_comment_and_layout_changes_are_duplicates(variant: str) -> None:
    assert HANDLER.parse(variant).content_hash == HANDLER.parse(BASE).content_hash
    assert HANDLER.only_annotations_differ(compiled(BASE), compiled(variant))


@pytest.mark.parametrize(
    "variant",
    [
        'syntax = "proto3";\npackage p;\nmessage A {\n  int32 a = 1;\n  string c = 2;\n}\n',  # renamed
        'syntax = "proto3";\npackage q;\nmessage A {\n  int32 a = 1;\n  string b = 2;\n}\n',  # package
        'syntax = "proto3";\npackage p;\nmessage A {\n  string b = 2;\n  int32 a = 1;\n}\n',  # reordered
        'syntax = "proto3";\npackage p;\nmessage A {\n  int32 a = 1 [json_name = "x"];\n  string b = 2;\n}\n',
    ],
)
def test_other_changes_are_new_content(variant: str) -> None:
    assert HANDLER.parse(variant).content_hash != HANDLER.parse(BASE).content_hash
    assert not HANDLER.only_annotations_differ(compiled(BASE), compiled(variant))


def test_deprecation_is_an_annotation() -> None:
    deprecated = """syntax = "proto3";
package p;
option deprecated = true;
message A {
  option deprecated = true;
  int32 a = 1 [deprecated = true];
  string b = 2;
  enum E { option deprecated = true; Z = 0 [deprecated = true]; }
}
service S { option deprecated = true; rpc Go(A) returns (A) { option deprecated = true; } }
"""
    plain = """syntax = "proto3";
package p;
message A {
  int32 a = 1;
  string b = 2;
  enum E { Z = 0; }
}
service S { rpc Go(A) returns (A); }
"""
    assert HANDLER.parse(deprecated).content_hash != HANDLER.parse(plain).content_hash
    assert HANDLER.only_annotations_differ(compiled(plain), compiled(deprecated))
    assert HANDLER.only_annotations_differ(compiled(deprecated), compiled(plain))


def test_deprecation_next_to_another_option_keeps_the_other() -> None:
    packed = 'syntax = "proto2";\nmessage A { repeated int32 a = 1 [packed = true, deprecated = true]; }\n'
    unpacked = 'syntax = "proto2";\nmessage A { repeated int32 a = 1 [deprecated = true]; }\n'
    assert not HANDLER.only_annotations_differ(compiled(packed), compiled(unpacked))


# --------------------------------------------------------------------------------------
# Validation: valid documents
# --------------------------------------------------------------------------------------

VALID_ORDER = {
    "orderId": "o-1",
    "lines": [{"sku": "A", "quantity": 2, "price": 9.5}, {"sku": "B", "quantity": "3", "price": "1.25"}],
    "status": "STATUS_OPEN",
    "counters": {"views": "9007199254740993", "clicks": 3},
    "linesByNumber": {"1": {"sku": "C"}, "-2": {}},
    "flags": {"true": "yes", "false": "no"},
    "voucher": {"code": "SAVE"},
    "placedAt": "2024-02-29T12:30:00.123Z",
    "ttl": "3.5s",
    "priority": 7,
    "attributes": {"a": [1, "two", None, {"deep": True}]},
    "note": None,
    "extension": {"@type": "type.googleapis.com/shop.v1.Voucher", "code": "X"},
    "nothing": {},
    "totalCents": "-9223372036854775808",
    "itemCount": 4294967295,
    "weight": "Infinity",
    "ratio": 1e38,
    "signature": "q83v_-==",
    "gift": False,
    "discount": 0,
    "history": ["STATUS_OPEN", 2, 99],
    "checksum": "18446744073709551615",
}


def test_a_valid_document_has_no_issues() -> None:
    assert issues(ORDERS, VALID_ORDER) == []


def test_json_format_accepts_the_valid_document_too() -> None:
    document = compiled(ORDERS)
    pool = descriptor_pool.DescriptorPool()
    for file in (*document.imports, document.file):
        pool.Add(file)
    order_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("shop.v1.Order"))
    json_format.ParseDict(VALID_ORDER, order_class(), descriptor_pool=pool)


def test_original_field_names_are_accepted_as_well_as_json_names() -> None:
    assert issues(ORDERS, {"order_id": "x", "total_cents": 1, "lines_by_number": {"3": {}}, "placed_at": None}) == []


def test_null_means_the_default_for_any_field() -> None:
    assert issues(ORDERS, {key: None for key in VALID_ORDER}) == []


def test_an_empty_object_is_valid_in_proto3() -> None:
    assert issues(ORDERS, {}) == []


def test_integral_numbers_in_exponent_or_float_form_are_integers() -> None:
    assert issues(ORDERS, {"totalCents": "1e3", "itemCount": 12.0, "lines": [{"quantity": "2.0"}]}) == []


# --------------------------------------------------------------------------------------
# Validation: invalid documents, every problem with its path
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance", "expected"),
    [
        ([], [("", "type", "/Order")]),
        ("order", [("", "type", "/Order")]),
        ({"orderId": 5}, [("/orderId", "type", "/Order/order_id")]),
        ({"unknown": 1}, [("/unknown", "unknown-field", "/Order")]),
        ({"orderId": "a", "order_id": "b"}, [("/order_id", "duplicate-field", "/Order/order_id")]),
        ({"cardToken": "t", "voucher": {}}, [("/voucher", "oneof", "/Order/voucher")]),
        ({"cardToken": "t", "voucher": None}, []),
        ({"lines": {"sku": "A"}}, [("/lines", "type", "/Order/lines")]),
        ({"lines": [None]}, [("/lines/0", "type", "/Order/lines")]),
        ({"lines": [{"quantity": 1.5}]}, [("/lines/0/quantity", "type", "/Order.Line/quantity")]),
        ({"lines": [{}, {"quantity": "lots"}]}, [("/lines/1/quantity", "format", "/Order.Line/quantity")]),
        ({"lines": [{"quantity": 2**31}]}, [("/lines/0/quantity", "range", "/Order.Line/quantity")]),
        ({"lines": [{"price": True}]}, [("/lines/0/price", "type", "/Order.Line/price")]),
        ({"status": "SHIPPED"}, [("/status", "enum", "/Order/status")]),
        ({"status": 1.5}, [("/status", "type", "/Order/status")]),
        ({"status": 2**40}, [("/status", "range", "/Order/status")]),
        ({"history": ["STATUS_OPEN", "NOPE"]}, [("/history/1", "enum", "/Order/history")]),
        ({"counters": []}, [("/counters", "type", "/Order/counters")]),
        ({"counters": {"a": "x"}}, [("/counters/a", "format", "/Order/counters")]),
        ({"counters": {"a": None}}, [("/counters/a", "type", "/Order/counters")]),
        ({"linesByNumber": {"one": {}}}, [("/linesByNumber/one", "format", "/Order/lines_by_number")]),
        ({"linesByNumber": {"1": {"sku": 1}}}, [("/linesByNumber/1/sku", "type", "/Order.Line/sku")]),
        ({"flags": {"yes": "y"}}, [("/flags/yes", "format", "/Order/flags")]),
        ({"placedAt": "yesterday"}, [("/placedAt", "format", "/Order/placed_at")]),
        ({"placedAt": 1700000000}, [("/placedAt", "format", "/Order/placed_at")]),
        ({"ttl": "5 minutes"}, [("/ttl", "format", "/Order/ttl")]),
        ({"priority": "high"}, [("/priority", "format", "/Order/priority")]),
        ({"attributes": [1]}, [("/attributes", "format", "/Order/attributes")]),
        ({"extension": {"code": "X"}}, [("/extension", "format", "/Order/extension")]),
        ({"extension": {"@type": "type.googleapis.com/nope.Nothing"}}, [("/extension", "format", "/Order/extension")]),
        (
            {"extension": {"@type": "type.googleapis.com/shop.v1.Voucher", "code": 1}},
            [("/extension", "format", "/Order/extension")],
        ),  # fmt: skip
        ({"nothing": {"x": 1}}, [("/nothing", "format", "/Order/nothing")]),
        ({"totalCents": "9223372036854775808"}, [("/totalCents", "range", "/Order/total_cents")]),
        ({"totalCents": "12 "}, [("/totalCents", "format", "/Order/total_cents")]),
        ({"itemCount": -1}, [("/itemCount", "range", "/Order/item_count")]),
        ({"checksum": -1}, [("/checksum", "range", "/Order/checksum")]),
        ({"weight": "heavy"}, [("/weight", "format", "/Order/weight")]),
        ({"weight": float("nan")}, [("/weight", "format", "/Order/weight")]),
        ({"ratio": 1e39}, [("/ratio", "range", "/Order/ratio")]),
        ({"ratio": "1e39"}, [("/ratio", "range", "/Order/ratio")]),
        ({"signature": "not base64!"}, [("/signature", "format", "/Order/signature")]),
        ({"signature": "abcde"}, [("/signature", "format", "/Order/signature")]),
        ({"gift": "true"}, [("/gift", "type", "/Order/gift")]),
        ({"discount": "x"}, [("/discount", "format", "/Order/discount")]),
        ({"a/b~c": 1}, [("/a~1b~0c", "unknown-field", "/Order")]),
    ],
)
def test_each_problem_is_reported_where_it_is(instance: object, expected: list[tuple[str, str, str]]) -> None:
    assert brief(issues(ORDERS, instance)) == expected


def test_every_problem_is_reported_not_only_the_first() -> None:
    found = issues(
        ORDERS,
        {
            "orderId": 1,
            "lines": [{"sku": 2}, None, {"quantity": "x", "extra": True}],
            "status": "NOPE",
            "placedAt": "bad",
            "bogus": 0,
        },
    )
    assert brief(found) == [
        ("/orderId", "type", "/Order/order_id"),
        ("/lines/1", "type", "/Order/lines"),
        ("/status", "enum", "/Order/status"),
        ("/placedAt", "format", "/Order/placed_at"),
        ("/bogus", "unknown-field", "/Order"),
        ("/lines/0/sku", "type", "/Order.Line/sku"),
        ("/lines/2/quantity", "format", "/Order.Line/quantity"),
        ("/lines/2/extra", "unknown-field", "/Order.Line"),
    ]
    assert all(issue.message for issue in found)


def test_max_errors_stops_early() -> None:
    instance = {"lines": [{"sku": index} for index in range(50)]}
    assert len(issues(ORDERS, instance, max_errors=5)) == 5
    assert len(issues(ORDERS, instance)) == 50
    assert issues(ORDERS, instance, max_errors=0) == []


def test_proto2_required_fields_and_closed_enums() -> None:
    assert issues(LEGACY, {"id": "a", "kind": "COMPANY", "address": {"city": "Oslo"}}) == []
    assert brief(issues(LEGACY, {"kind": 3, "address": {}})) == [
        ("/kind", "enum", "/Account/kind"),
        ("", "required", "/Account/id"),
        ("/address", "required", "/Account.Address/city"),
    ]
    assert brief(issues(LEGACY, {"id": None})) == [("", "required", "/Account/id")]


def test_proto3_enums_are_open() -> None:
    assert issues(ORDERS, {"status": 42}) == []


def test_validation_agrees_with_json_format_on_rejections() -> None:
    document = compiled(ORDERS)
    pool = descriptor_pool.DescriptorPool()
    for file in (*document.imports, document.file):
        pool.Add(file)
    order_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("shop.v1.Order"))
    rejected = [
        {"orderId": 5},
        {"unknown": 1},
        {"cardToken": "t", "voucher": {}},
        {"lines": [None]},
        {"lines": [{"quantity": 1.5}]},
        {"status": "SHIPPED"},
        {"counters": {"a": "x"}},
        {"placedAt": "yesterday"},
        {"totalCents": "9223372036854775808"},
        {"itemCount": -1},
        {"gift": "true"},
        {"linesByNumber": {"one": {}}},
    ]
    for instance in rejected:
        assert issues(ORDERS, instance), instance
        with pytest.raises(json_format.ParseError):
            json_format.ParseDict(instance, order_class(), descriptor_pool=pool)


# --------------------------------------------------------------------------------------
# Validation: choosing the message, nesting, sharing
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Voucher", "shop.v1.Voucher", ".shop.v1.Voucher"])
def test_a_message_is_chosen_by_simple_or_full_name(name: str) -> None:
    validator = HANDLER.compile_validator(compiled(ORDERS), ValidationOptions(message=name))
    assert validator.message_name == "shop.v1.Voucher"
    assert brief(validator.validate({"code": 1})) == [("/code", "type", "/Voucher/code")]
    assert validator.validate({"code": "x"}) == []


@pytest.mark.parametrize("name", ["Line", "Order.Line", "shop.v1.Order.Line"])
def test_a_nested_message_can_be_chosen(name: str) -> None:
    validator = HANDLER.compile_validator(compiled(ORDERS), ValidationOptions(message=name))
    assert validator.message_name == "shop.v1.Order.Line"
    assert brief(validator.validate({"price": "x"})) == [("/price", "format", "/Order.Line/price")]


def test_the_first_message_is_the_default() -> None:
    assert HANDLER.compile_validator(compiled(ORDERS)).message_name == "shop.v1.Order"


@pytest.mark.parametrize("name", ["Nope", "shop.v1.Nope", "CountersEntry", "Status", ""])
def test_an_unknown_message_is_an_invalid_request(name: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        HANDLER.compile_validator(compiled(ORDERS), ValidationOptions(message=name))
    assert caught.value.field == "message"


def test_an_ambiguous_simple_name_is_an_invalid_request() -> None:
    text = 'syntax = "proto3";\nmessage A { message Item {} }\nmessage B { message Item {} }\n'
    with pytest.raises(InvalidRequest) as caught:
        HANDLER.compile_validator(compiled(text), ValidationOptions(message="Item"))
    assert "A.Item" in caught.value.message and "B.Item" in caught.value.message
    assert HANDLER.compile_validator(compiled(text), ValidationOptions(message="B.Item")).message_name == "B.Item"


def test_a_schema_without_messages_cannot_validate() -> None:
    with pytest.raises(InvalidRequest) as caught:
        HANDLER.compile_validator(compiled('syntax = "proto3";\nenum E { Z = 0; }\n'))
    assert caught.value.field == "message"


def test_deeply_nested_documents_are_validated_without_recursion() -> None:
    depth = 20_000
    valid: dict[str, object] = {"value": 0}
    for _ in range(depth):
        valid = {"next": valid, "value": 1}
    assert issues(RECURSIVE, valid) == []

    invalid: dict[str, object] = {"value": "deep"}
    for _ in range(depth):
        invalid = {"next": invalid}
    found = issues(RECURSIVE, invalid)
    assert len(found) == 1
    assert found[0].path == "/next" * depth + "/value"
    assert found[0].schema_path == "/Node/value"


def test_deeply_nested_well_known_values_are_reported_not_raised() -> None:
    value: object = 1
    for _ in range(500):
        value = [value]
    found = issues(ORDERS, {"note": value})
    assert brief(found) == [("/note", "format", "/Order/note")]


def test_a_validator_is_shared_safely_between_threads() -> None:
    validator = HANDLER.compile_validator(compiled(ORDERS))
    good, bad = VALID_ORDER, {"orderId": 1, "lines": [{"quantity": "x"}]}
    expected_bad = brief(validator.validate(bad))

    def run(index: int) -> list[tuple[str, str, str]]:
        return brief(validator.validate(good if index % 2 else bad))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(200)))
    assert all(result == ([] if index % 2 else expected_bad) for index, result in enumerate(results))


def test_any_values_are_left_as_they_were() -> None:
    instance = {"extension": {"@type": "type.googleapis.com/shop.v1.Voucher", "code": "X"}}
    issues(ORDERS, instance)
    assert instance == {"extension": {"@type": "type.googleapis.com/shop.v1.Voucher", "code": "X"}}
