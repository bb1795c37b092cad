"""Protobuf schemas given as a base64-encoded FileDescriptorProto, as Confluent's Protobuf
serializers register and look them up: written as .proto text, compiled like text, and
hashed like the equivalent hand-written text."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from registry.domain.errors import InvalidSchema
from registry.domain.formats.base import Dependency
from registry.domain.formats.protobuf import ProtobufHandler, compile_proto, proto_text_from_descriptor
from registry.domain.formats.protobuf.descriptor_input import descriptor_from_base64
from registry.domain.formats.protobuf.literals import default_json_name

# One handler for the module: its compile cache keeps the suite fast.
HANDLER = ProtobufHandler()

ORDERS = """
syntax = "proto3";
package dit.shop.v1;

import "google/protobuf/timestamp.proto";

// An order, with a bit of everything proto3 has.
message Order {
  string order_id = 1;
  message Line {
    string sku = 1;
    int32 quantity = 2;
    message Discount { int64 cents = 1; }
    repeated Discount discounts = 3;
  }
  repeated Line lines = 2;
  Status status = 3;
  map<string, int64> counters = 4;
  map<int32, Line> lines_by_number = 5;
  oneof payment {
    string card_token = 6;
    Voucher voucher = 7;
  }
  google.protobuf.Timestamp placed_at = 8;
  optional string note = 9;
  optional Status previous_status = 10;
  repeated double weights = 11 [packed = false];
  string customer_ID_v2 = 12 [json_name = "customer"];
  bytes signature = 13 [deprecated = true];
  map<string, Status> statuses = 14;
  reserved 20 to 25, 30;
  reserved "legacy_total";
}

message Voucher { string code = 1; }

enum Status {
  option allow_alias = true;
  STATUS_UNSPECIFIED = 0;
  STATUS_OPEN = 1;
  STATUS_ACTIVE = 1;
  STATUS_CLOSED = 2 [deprecated = true];
  reserved 10 to 20;
  reserved "STATUS_LOST";
}
"""

LEGACY = """
syntax = "proto2";
package dit.legacy;

option java_package = "com.example.legacy";
option java_outer_classname = "LegacyProtos";
option java_multiple_files = true;
option optimize_for = SPEED;
option go_package = "example.com/legacy;legacy";

message Account {
  required string id = 1;
  optional int32 retries = 2 [default = -3];
  optional double ratio = 3 [default = 0.25];
  optional float limit = 4 [default = inf];
  optional string greeting = 5 [default = "h\\u00e9llo \\"you\\"\\n"];
  optional bytes magic = 6 [default = "\\x00\\x01\\xffab"];
  optional Kind kind = 7 [default = KIND_B];
  optional bool active = 8 [default = true];
  optional uint64 big = 9 [default = 18446744073709551615];
  repeated int32 packed_values = 10 [packed = true];
  repeated int64 ids = 11 [jstype = JS_STRING];
  enum Kind {
    KIND_A = 0;
    KIND_B = 1;
  }
  extensions 100 to 199;
  extensions 1000 to max;
  reserved 50 to 60;
  oneof contact {
    string email = 12;
    group Phone = 13 { optional string number = 1; }
  }
  optional group Audit = 14 { repeated string entry = 1; }
  extend Account { optional string nickname = 150; }
}

extend Account {
  optional int32 score = 101;
}

message Envelope {
  option message_set_wire_format = true;
  extensions 4 to max;
}
"""

SERVICE = """
syntax = "proto3";
package dit.rpc;

import "google/protobuf/empty.proto";

message Ping { string text = 1; }
message Pong { string text = 1; }

service Echo {
  option deprecated = true;
  rpc Once(Ping) returns (Pong);
  rpc Listen(Ping) returns (stream Pong) { option idempotency_level = NO_SIDE_EFFECTS; }
  rpc Upload(stream Ping) returns (google.protobuf.Empty);
  rpc Chat(stream Ping) returns (stream Pong) { option deprecated = true; }
}
"""

CUSTOM_OPTIONS = """
syntax = "proto3";
package dit.annotated;

import "google/protobuf/descriptor.proto";

message Meta {
  string owner = 1;
  repeated string tags = 2;
}

extend google.protobuf.FieldOptions {
  string pii = 50001;
  Meta meta = 50002;
}

extend google.protobuf.MessageOptions {
  bool audited = 50003;
}

message Customer {
  option (audited) = true;
  string email = 1 [(pii) = "email", (meta) = { owner: "crm" tags: "a" tags: "b" }];
}
"""

MONEY = """
syntax = "proto3";
package shop;

message Money {
  string currency = 1;
  int64 units = 2;
  int32 nanos = 3;
}
"""

PRICED = """
syntax = "proto3";
package dit.priced;

import "google/protobuf/timestamp.proto";
import "shop/money.proto";

message PricedItem {
  string sku = 1;
  shop.Money price = 2;
  map<string, shop.Money> price_by_region = 3;
  google.protobuf.Timestamp priced_at = 4;
}
"""

# Import path (as protoc and the generated modules know the file) -> text.
FILES = {
    "dit/orders.proto": ORDERS,
    "dit/legacy.proto": LEGACY,
    "dit/service.proto": SERVICE,
    "dit/custom_options.proto": CUSTOM_OPTIONS,
    "shop/money.proto": MONEY,
    "dit/priced.proto": PRICED,
}
MONEY_DEPENDENCY = Dependency(name="shop/money.proto", content=MONEY)
DEPENDENCIES: dict[str, tuple[Dependency, ...]] = {"dit/priced.proto": (MONEY_DEPENDENCY,)}
SAMPLES = ["dit/orders.proto", "dit/legacy.proto", "dit/service.proto", "dit/custom_options.proto", "dit/priced.proto"]

# Runs in a subprocess: the generated modules register their files in the default
# descriptor pool, which the test process (and other tests) must not share.
_GENERATED_DESCRIPTORS = """
import base64, importlib, json, sys
from google.protobuf import descriptor_pb2
from confluent_kafka.schema_registry.common.protobuf import _schema_to_str
sys.path.insert(0, sys.argv[1])
result = {}
for path in sys.argv[2:]:
    module = importlib.import_module(path[: -len(".proto")].replace("/", ".") + "_pb2")
    file = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(file)
    result[path] = [base64.standard_b64encode(file.SerializeToString()).decode(), _schema_to_str(module.DESCRIPTOR)]
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Import path -> what confluent-kafka's ProtobufSerializer sends for the generated
    ``_pb2`` module of the file: the base64 of its FileDescriptorProto."""
    root = tmp_path_factory.mktemp("generated")
    sources, output = root / "src", root / "out"
    output.mkdir()
    for path, text in FILES.items():
        (sources / path).parent.mkdir(parents=True, exist_ok=True)
        (sources / path).write_text(text)
    from grpc_tools import protoc

    well_known = Path(protoc.__file__).parent / "_proto"
    status = protoc.main(["protoc", f"-I{sources}", f"-I{well_known}", f"--python_out={output}", *FILES])
    assert status == 0
    completed = subprocess.run(
        [sys.executable, "-c", _GENERATED_DESCRIPTORS, str(output), *FILES],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(completed.stdout)
    for path, (copied, serialized_pb) in result.items():
        # CopyToProto gives the very bytes the serializer sends (DESCRIPTOR.serialized_pb).
        assert copied == serialized_pb, path
    return {path: copied for path, (copied, _) in result.items()}


def compiled_base64(path: str) -> str:
    """The base64 of the descriptor protoc makes of the file (as a registry would serve it)."""
    document = compile_proto(FILES[path], dependencies=DEPENDENCIES.get(path, ()))
    return base64.standard_b64encode(document.file.SerializeToString()).decode()


def comparable(file: descriptor_pb2.FileDescriptorProto) -> bytes:
    """The descriptor without what differs between protoc's descriptor set and generated
    code for the same source: file name, source info, json_name defaults, proto2's syntax."""
    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(file)
    copy.ClearField("name")
    copy.ClearField("source_code_info")
    if copy.syntax == "proto2":
        copy.ClearField("syntax")
    fields = list(copy.extension)
    pending = list(copy.message_type)
    while pending:
        message = pending.pop()
        fields.extend(message.field)
        fields.extend(message.extension)
        pending.extend(message.nested_type)
    for field in fields:
        if field.json_name == default_json_name(field.name):
            field.ClearField("json_name")
    return copy.SerializeToString(deterministic=True)


def descriptor_of(encoded: str) -> descriptor_pb2.FileDescriptorProto:
    return descriptor_pb2.FileDescriptorProto.FromString(base64.standard_b64decode(encoded))


# --------------------------------------------------------------------------------------
# Round trips: descriptor -> text -> descriptor, and the same hash as the text
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["protoc", "generated"])
@pytest.mark.parametrize("path", SAMPLES)
def test_descriptor_input_hashes_like_the_text_and_round_trips(
    path: str, source: str, generated: dict[str, str]
) -> None:
    dependencies = DEPENDENCIES.get(path, ())
    encoded = compiled_base64(path) if source == "protoc" else generated[path]

    from_descriptor = HANDLER.parse(encoded, dependencies)
    from_text = HANDLER.parse(FILES[path], dependencies)

    assert from_descriptor.content_hash == from_text.content_hash
    assert from_descriptor.content != encoded
    assert from_descriptor.content.startswith("syntax = ")
    assert from_descriptor.document.text == from_descriptor.content
    # The written text compiles on its own, to the descriptor that was given.
    recompiled = compile_proto(from_descriptor.content, dependencies=dependencies)
    assert comparable(recompiled.file) == comparable(descriptor_of(encoded))
    assert recompiled.descriptor_bytes == from_text.document.descriptor_bytes
    # What the registry stores loads back to the same schema.
    assert HANDLER.load(from_descriptor.content, dependencies).descriptor_bytes == recompiled.descriptor_bytes


@pytest.mark.parametrize("path", SAMPLES)
def test_unpadded_base64_and_surrounding_whitespace_are_accepted(path: str) -> None:
    encoded = compiled_base64(path)
    dependencies = DEPENDENCIES.get(path, ())
    expected = HANDLER.parse(FILES[path], dependencies).content_hash
    assert HANDLER.parse(encoded.rstrip("="), dependencies).content_hash == expected
    assert HANDLER.parse(f"\n {encoded}\n", dependencies).content_hash == expected


def test_the_written_text_spells_what_the_descriptor_holds(generated: dict[str, str]) -> None:
    orders = HANDLER.parse(generated["dit/orders.proto"]).content
    assert 'package dit.shop.v1;\nimport "google/protobuf/timestamp.proto";' in orders
    assert "map<int32, .dit.shop.v1.Order.Line> lines_by_number = 5;" in orders
    assert "optional string note = 9;" in orders
    assert "oneof payment {" in orders
    assert "oneof _note" not in orders  # proto3 optional's synthetic oneof is no oneof of the text
    assert 'string customer_ID_v2 = 12 [json_name = "customer"];' in orders
    assert "repeated double weights = 11 [packed = false];" in orders
    assert "reserved 20 to 25, 30;" in orders and 'reserved "legacy_total";' in orders
    assert "option allow_alias = true;" in orders

    legacy = HANDLER.parse(generated["dit/legacy.proto"]).content
    assert 'option java_package = "com.example.legacy";' in legacy
    assert "option optimize_for = SPEED;" in legacy
    assert "required string id = 1;" in legacy
    assert "optional int32 retries = 2 [default = -3];" in legacy
    assert "optional float limit = 4 [default = inf];" in legacy
    assert r'optional string greeting = 5 [default = "h\303\251llo \"you\"\012"];' in legacy
    assert r'optional bytes magic = 6 [default = "\000\001\377ab"];' in legacy
    assert "optional .dit.legacy.Account.Kind kind = 7 [default = KIND_B];" in legacy
    assert "extensions 100 to 199;" in legacy
    assert "optional group Audit = 14 {" in legacy
    assert "extend .dit.legacy.Account {" in legacy

    service = HANDLER.parse(generated["dit/service.proto"]).content
    assert "rpc Once(.dit.rpc.Ping) returns (.dit.rpc.Pong);" in service
    assert "rpc Chat(stream .dit.rpc.Ping) returns (stream .dit.rpc.Pong) {" in service
    assert "option idempotency_level = NO_SIDE_EFFECTS;" in service

    annotated = HANDLER.parse(generated["dit/custom_options.proto"]).content
    assert "option (.dit.annotated.audited) = true;" in annotated
    assert '(.dit.annotated.pii) = "email"' in annotated
    assert '(.dit.annotated.meta) = { owner: "crm" tags: "a" tags: "b" }' in annotated


def test_map_entries_and_nested_messages_keep_their_order() -> None:
    # protoc lists a map's entry message among the nested types where the map is declared.
    text = """
        syntax = "proto3";
        message M {
          message A { int32 a = 1; }
          map<string, A> first = 1;
          message B { int32 b = 1; }
          map<string, B> second = 2;
          int32 plain = 3;
          message C { int32 c = 1; }
        }
    """
    document = compile_proto(text)
    assert [nested.name for nested in document.file.message_type[0].nested_type] == [
        "A",
        "FirstEntry",
        "B",
        "SecondEntry",
        "C",
    ]
    parsed = HANDLER.parse(base64.b64encode(document.file.SerializeToString()).decode())
    assert parsed.content_hash == HANDLER.parse(text).content_hash


def test_a_file_without_package_and_with_public_imports_round_trips() -> None:
    text = """
        syntax = "proto3";
        import public "google/protobuf/duration.proto";
        import "google/protobuf/struct.proto";
        message Event {
          optional string _name = 1;
          optional string name = 2;
          string message = 3;
          int32 option = 4;
          google.protobuf.Struct attributes = 5;
        }
    """
    document = compile_proto(text)
    assert list(document.file.public_dependency) == [0]
    parsed = HANDLER.parse(base64.b64encode(document.file.SerializeToString()).decode())
    assert 'import public "google/protobuf/duration.proto";' in parsed.content
    assert parsed.content_hash == HANDLER.parse(text).content_hash


# --------------------------------------------------------------------------------------
# Dependencies
# --------------------------------------------------------------------------------------


def test_an_import_resolves_to_a_dependency_given_by_name(generated: dict[str, str]) -> None:
    parsed = HANDLER.parse(generated["dit/priced.proto"], [MONEY_DEPENDENCY])
    assert parsed.content_hash == HANDLER.parse(PRICED, [MONEY_DEPENDENCY]).content_hash
    assert 'import "shop/money.proto";' in parsed.content
    assert ".shop.Money price = 2;" in parsed.content
    assert [file.name for file in parsed.document.imports] == [
        "google/protobuf/timestamp.proto",
        "shop/money.proto",
    ]


def test_confluent_flow_dependency_registered_as_descriptor_then_referenced(generated: dict[str, str]) -> None:
    # The serializer registers shop/money.proto as base64 first; the registry stores the
    # text written from it, which is what the referencing schema then gets as dependency.
    money = HANDLER.parse(generated["shop/money.proto"])
    assert money.content_hash == HANDLER.parse(MONEY).content_hash
    stored = Dependency(name="shop/money.proto", content=money.content)
    parsed = HANDLER.parse(generated["dit/priced.proto"], [stored])
    assert parsed.content_hash == HANDLER.parse(PRICED, [MONEY_DEPENDENCY]).content_hash


def test_a_weak_import_of_a_dependency_round_trips() -> None:
    text = 'syntax = "proto3";\nimport weak "shop/money.proto";\nmessage A { int32 x = 1; }\n'
    document = compile_proto(text, dependencies=[MONEY_DEPENDENCY])
    assert list(document.file.weak_dependency) == [0]
    parsed = HANDLER.parse(encode(document.file), [MONEY_DEPENDENCY])
    assert 'import weak "shop/money.proto";' in parsed.content
    assert parsed.content_hash == HANDLER.parse(text, [MONEY_DEPENDENCY]).content_hash


def test_an_import_that_no_dependency_provides_is_refused(generated: dict[str, str]) -> None:
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse(generated["dit/priced.proto"])
    assert "the .proto text written from the descriptor does not compile" in raised.value.message
    assert "shop/money.proto" in raised.value.message
    assert raised.value.problems


# --------------------------------------------------------------------------------------
# Detection: base64 or text
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        "aGVsbG8gd29ybGQ=",  # base64 of "hello world"
        "AAAA",
        "QUJDREVGR0g",
        "abcde",  # not even base64 (length)
        "Zm9v" * 50,
    ],
)
def test_garbage_base64_is_refused_with_a_clear_message(garbage: str) -> None:
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse(garbage)
    assert raised.value.message.startswith("the schema is neither .proto text nor a base64-encoded FileDescriptorProto")
    assert raised.value.problems


def test_a_descriptor_that_declares_nothing_is_refused() -> None:
    empty = base64.b64encode(descriptor_pb2.FileDescriptorProto(name="empty.proto").SerializeToString()).decode()
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse(empty)
    assert "declares nothing" in raised.value.message


@pytest.mark.parametrize(
    "text",
    [
        *FILES.values(),
        "//onlyAComment",
        "//QUJDREVGR0g=",
        'syntax="proto3";message M{int32 a=1;}',
        "message M{}",
        "",
        "\n",
    ],
)
def test_proto_text_is_never_taken_for_base64(text: str) -> None:
    assert descriptor_from_base64(text) is None
    dependencies = (MONEY_DEPENDENCY,) if "shop/money.proto" in text else ()
    assert HANDLER.parse(text, dependencies).content == text


def test_invalid_proto_text_keeps_its_protoc_diagnostics() -> None:
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse("this is not protobuf")
    assert "Expected top-level statement" in raised.value.message


# --------------------------------------------------------------------------------------
# Descriptors the text cannot say
# --------------------------------------------------------------------------------------


def encode(file: descriptor_pb2.FileDescriptorProto) -> str:
    return base64.b64encode(file.SerializeToString()).decode()


def test_an_editions_descriptor_is_refused() -> None:
    file = descriptor_pb2.FileDescriptorProto(name="e.proto", syntax="editions", package="e")
    file.edition = descriptor_pb2.EDITION_2023
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse(encode(file))
    assert "editions" in raised.value.message


def test_a_name_that_is_no_identifier_is_refused() -> None:
    file = descriptor_pb2.FileDescriptorProto(name="x.proto", syntax="proto3")
    file.message_type.add(name="Bad; message Evil")
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse(encode(file))
    assert raised.value.message.startswith("the descriptor cannot be written as .proto text")
    assert "is not a valid name" in raised.value.message


def test_a_descriptor_protoc_would_not_produce_is_refused_with_the_difference() -> None:
    file = compile_proto('syntax = "proto2"; message M { optional double x = 1 [default = 1]; }').file
    changed = descriptor_pb2.FileDescriptorProto()
    changed.CopyFrom(file)
    changed.message_type[0].field[0].default_value = "1.0"  # protoc writes "1"
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse(encode(changed))
    message = raised.value.message
    assert "cannot be written as .proto text that compiles back to it" in message
    assert "message_type[M].field[x].default_value" in message


def test_a_custom_option_that_nothing_declares_is_refused() -> None:
    file = compile_proto('syntax = "proto3"; message M { int32 x = 1; }').file
    changed = descriptor_pb2.FileDescriptorProto()
    changed.CopyFrom(file)
    # Field 50001 of FieldOptions, a string: an extension no file declares.
    changed.message_type[0].field[0].options.MergeFromString(b"\x8a\xb5\x18\x02hi")
    with pytest.raises(InvalidSchema) as raised:
        HANDLER.parse(encode(changed))
    assert "google.protobuf.FieldOptions" in raised.value.message


def test_proto_text_from_descriptor_leaves_custom_options_out_without_a_pool(generated: dict[str, str]) -> None:
    text = proto_text_from_descriptor(descriptor_of(generated["dit/custom_options.proto"]))
    assert "(.dit.annotated" not in text
    compile_proto(text)  # still a valid schema, only unannotated
