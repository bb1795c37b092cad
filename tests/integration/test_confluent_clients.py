"""The Confluent Schema Registry API at the root of the API port, driven by the real clients:
confluent-kafka's ``SchemaRegistryClient`` with its Avro, JSON Schema and Protobuf serdes, and
python-schema-registry-client. There is no Kafka broker: a record is serialized for a
``SerializationContext(topic, MessageField.VALUE)`` and the bytes are deserialized again, as a
consumer would, through a second client whose caches are empty, so every schema it needs comes
from the server. One gunicorn server with gevent workers serves the whole module."""

from __future__ import annotations

import base64
import importlib.resources
import json
import struct
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from confluent_kafka.schema_registry import (
    ConfigCompatibilityLevel,
    Schema,
    SchemaReference,
    SchemaRegistryClient,
    SchemaRegistryError,
    ServerConfig,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_tools import protoc
from schema_registry.client import SchemaRegistryClient as PythonRegistryClient
from schema_registry.client import schema as python_schema
from schema_registry.serializers import AvroMessageSerializer, JsonMessageSerializer

from tests.support.server import RegistryServer

pytestmark = pytest.mark.server

FIXTURES = Path(__file__).parent / "confluent_fixtures"
CONFLUENT_JSON = "application/vnd.schemaregistry.v1+json"
DRAFT_7 = "http://json-schema.org/draft-07/schema#"

PAYMENT_V1 = {
    "type": "record",
    "name": "Payment",
    "namespace": "shop",
    "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"}],
}
# A field with a default: readers of v2 can read v1 data (BACKWARD).
PAYMENT_V2 = {**PAYMENT_V1, "fields": [*PAYMENT_V1["fields"], {"name": "currency", "type": "string", "default": "EUR"}]}
# amount becomes a string: v1 data cannot be read with it.
PAYMENT_BREAKING = {**PAYMENT_V1, "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "string"}]}

MONEY_AVRO = {
    "type": "record",
    "name": "Money",
    "namespace": "shop",
    "fields": [{"name": "currency", "type": "string"}, {"name": "units", "type": "long"}],
}
INVOICE_AVRO = {
    "type": "record",
    "name": "Invoice",
    "namespace": "shop",
    "fields": [{"name": "id", "type": "string"}, {"name": "total", "type": "shop.Money"}],
}

EVENT_JSON = {
    "$schema": DRAFT_7,
    "title": "Event",
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["id"],
}
ADDRESS_JSON = {
    "$schema": DRAFT_7,
    "title": "Address",
    "type": "object",
    "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
    "required": ["city"],
}
CUSTOMER_JSON = {
    "$schema": DRAFT_7,
    "title": "Customer",
    "type": "object",
    "properties": {"name": {"type": "string"}, "address": {"$ref": "address.json"}},
    "required": ["name", "address"],
}

CUSTOMER_PROTO = (FIXTURES / "shop" / "customer.proto").read_text()
MONEY_PROTO = (FIXTURES / "shop" / "money.proto").read_text()
ORDER_PROTO = (FIXTURES / "shop" / "order.proto").read_text()


def avro(document: dict[str, Any]) -> Schema:
    return Schema(json.dumps(document), "AVRO")


def only_here(document: dict[str, Any]) -> dict[str, Any]:
    """The document with a unique doc: a schema id no other test shares (ids are content-addressed)."""
    return {**document, "doc": uuid.uuid4().hex}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def value_context(topic: str) -> SerializationContext:
    return SerializationContext(topic, MessageField.VALUE)


def framed_schema_id(message: bytes) -> int:
    """The schema id of Confluent's wire format: magic byte 0, then the id as a big-endian int32."""
    assert message[0] == 0, message[:5]
    return struct.unpack(">I", message[1:5])[0]


def expect_error(status: int, error_code: int, action: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    with pytest.raises(SchemaRegistryError) as caught:
        action(*args, **kwargs)
    error = caught.value
    assert (error.http_status_code, error.error_code) == (status, error_code), str(error)
    assert isinstance(error.error_message, str) and error.error_message
    return error.error_message


def references_of(schema: Schema) -> list[tuple[str, str, int]]:
    return [(reference.name, reference.subject, reference.version) for reference in schema.references or []]


def subject_path(subject: str) -> str:
    return quote(subject, safe="")


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module", name="confluent_registry")
def confluent_registry_fixture(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, redis_url: str, redis_key_prefix: str
) -> Iterator[RegistryServer]:
    server = RegistryServer(
        {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": f"{redis_key_prefix}confluent:"},
        tmp_path_factory.mktemp("confluent-server"),
    ).start()
    yield server
    assert server.stop() == 0, server.log_text()


@pytest.fixture(name="registry_url")
def registry_url_fixture(confluent_registry: RegistryServer) -> str:
    return f"http://127.0.0.1:{confluent_registry.port}"


@pytest.fixture(name="new_client")
def new_client_fixture(registry_url: str) -> Iterator[Callable[[], SchemaRegistryClient]]:
    """Makes confluent-kafka clients; each starts with empty caches, as a separate consumer process would."""
    made: list[SchemaRegistryClient] = []

    def make() -> SchemaRegistryClient:
        # No retries: a 5xx fails the test at once, not after the client's jittered back-off.
        client = SchemaRegistryClient({"url": registry_url, "max.retries": 0})
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture(name="sr")
def sr_fixture(new_client: Callable[[], SchemaRegistryClient]) -> SchemaRegistryClient:
    return new_client()


@pytest.fixture(name="python_client")
def python_client_fixture(registry_url: str) -> PythonRegistryClient:
    return PythonRegistryClient(url=registry_url)


@pytest.fixture(scope="module", name="shop_messages")
def shop_messages_fixture(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Message classes compiled from confluent_fixtures/shop/*.proto into a private descriptor pool,
    as an application's generated ``*_pb2`` modules would be."""
    descriptor_set = tmp_path_factory.mktemp("protos") / "shop.pb"
    well_known = importlib.resources.files("grpc_tools") / "_proto"
    status = protoc.main(
        [
            "protoc",
            f"-I{FIXTURES}",
            f"-I{well_known}",
            "--include_imports",
            f"--descriptor_set_out={descriptor_set}",
            "shop/order.proto",
            "shop/customer.proto",
        ]
    )
    assert status == 0
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file:
        pool.Add(file)

    def message_class(name: str) -> type:
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))

    return SimpleNamespace(
        Order=message_class("shop.Order"), Customer=message_class("shop.Customer"), Money=message_class("shop.Money")
    )


@pytest.fixture(name="restore_global_config")
def restore_global_config_fixture(sr: SchemaRegistryClient) -> Iterator[None]:
    """Tests that change the global compatibility level or mode put the defaults back."""
    yield
    sr.set_compatibility(level="BACKWARD")
    sr.update_global_mode("READWRITE")


def sample_customer(shop_messages: SimpleNamespace) -> Any:
    customer = shop_messages.Customer(id="c-1", name="Ada", age=36)
    customer.address.street = "1 Analytical Way"
    customer.address.city = "London"
    return customer


def sample_order(shop_messages: SimpleNamespace) -> Any:
    order = shop_messages.Order(id="o-1")
    order.total.currency = "EUR"
    order.total.units = 4200
    order.placed_at.seconds = 1_700_000_000
    order.placed_at.nanos = 5000
    line = order.lines.add()
    line.sku = "sku-1"
    line.quantity = 3
    return order


# --------------------------------------------------------------------------------------
# Serializer and deserializer round trips
# --------------------------------------------------------------------------------------


def test_avro_round_trip_with_auto_registration(sr, new_client):
    topic = unique("payments")
    serializer = AvroSerializer(sr, json.dumps(PAYMENT_V1))
    record = {"id": "p-1", "amount": 12.5}

    message = serializer(record, value_context(topic))
    again = serializer({"id": "p-2", "amount": 1.0}, value_context(topic))

    registered = new_client().get_latest_version(f"{topic}-value")
    assert framed_schema_id(message) == registered.schema_id == framed_schema_id(again)
    assert registered.version == 1
    assert registered.schema.schema_type == "AVRO"
    assert json.loads(registered.schema.schema_str) == PAYMENT_V1
    assert new_client().get_versions(f"{topic}-value") == [1]

    consumer = AvroDeserializer(new_client())
    assert consumer(message, value_context(topic)) == record


def test_json_round_trip_with_auto_registration(sr, new_client):
    topic = unique("events")
    serializer = JSONSerializer(json.dumps(EVENT_JSON), sr)
    record = {"id": "e-1", "count": 3, "tags": ["a", "b"]}

    message = serializer(record, value_context(topic))

    registered = new_client().get_latest_version(f"{topic}-value")
    assert framed_schema_id(message) == registered.schema_id
    assert registered.schema.schema_type == "JSON"
    assert json.loads(registered.schema.schema_str) == EVENT_JSON
    assert json.loads(message[5:]) == record

    consumer = JSONDeserializer(None, schema_registry_client=new_client())
    assert consumer(message, value_context(topic)) == record


def test_protobuf_round_trip_with_auto_registration(sr, new_client, shop_messages):
    topic = unique("customers")
    serializer = ProtobufSerializer(shop_messages.Customer, sr)
    customer = sample_customer(shop_messages)

    message = serializer(customer, value_context(topic))

    registered = new_client().get_latest_version(f"{topic}-value")
    assert framed_schema_id(message) == registered.schema_id
    assert registered.schema.schema_type == "PROTOBUF"
    assert "message Customer" in registered.schema.schema_str
    # Customer is the file's second message: index array [1], zigzag varints (count 1, index 1).
    assert message[5:7] == b"\x02\x02"
    assert message[7:] == customer.SerializeToString()

    consumer = ProtobufDeserializer(
        shop_messages.Customer, {"use.deprecated.format": False}, schema_registry_client=new_client()
    )
    assert consumer(message, value_context(topic)) == customer


def test_protobuf_serializer_and_deserializer_sharing_one_client(sr, shop_messages):
    """One process producing and consuming: the client's cache of the registration must not
    stand in for the serialized descriptor the deserializer asks for."""
    topic = unique("shared")
    customer = sample_customer(shop_messages)
    message = ProtobufSerializer(shop_messages.Customer, sr)(customer, value_context(topic))
    consumer = ProtobufDeserializer(shop_messages.Customer, {"use.deprecated.format": False}, schema_registry_client=sr)
    assert consumer(message, value_context(topic)) == customer


def test_serializing_again_with_a_new_client_reuses_the_registration(sr, new_client):
    topic = unique("payments")
    first = AvroSerializer(sr, json.dumps(PAYMENT_V1))({"id": "p-1", "amount": 1.0}, value_context(topic))
    # Another process, same schema text with other whitespace: same id, no new version.
    other_text = json.dumps(PAYMENT_V1, indent=2)
    second = AvroSerializer(new_client(), other_text)({"id": "p-2", "amount": 2.0}, value_context(topic))
    assert framed_schema_id(first) == framed_schema_id(second)
    assert new_client().get_versions(f"{topic}-value") == [1]


def test_normalize_schemas_registers_one_version_for_reordered_keys(sr, new_client):
    topic = unique("payments")
    subject = f"{topic}-value"
    registered_id = sr.register_schema(subject, avro(PAYMENT_V1))
    reordered = {"fields": PAYMENT_V1["fields"], "namespace": "shop", "name": "Payment", "type": "record"}
    serializer = AvroSerializer(new_client(), json.dumps(reordered, indent=1), conf={"normalize.schemas": True})

    message = serializer({"id": "p-1", "amount": 3.0}, value_context(topic))

    assert framed_schema_id(message) == registered_id
    assert new_client().get_versions(subject) == [1]
    assert new_client().register_schema(subject, avro(reordered), normalize_schemas=True) == registered_id
    assert new_client().lookup_schema(subject, avro(reordered), normalize_schemas=True).schema_id == registered_id


def test_avro_use_latest_version_without_auto_registration(sr, new_client):
    topic = unique("payments")
    subject = f"{topic}-value"
    first_id = sr.register_schema(subject, avro(PAYMENT_V1))
    latest_id = sr.register_schema(subject, avro(PAYMENT_V2))
    assert first_id != latest_id

    serializer = AvroSerializer(
        new_client(), json.dumps(PAYMENT_V1), conf={"auto.register.schemas": False, "use.latest.version": True}
    )
    record = {"id": "p-1", "amount": 9.5, "currency": "USD"}
    message = serializer(record, value_context(topic))

    assert framed_schema_id(message) == latest_id
    assert AvroDeserializer(new_client())(message, value_context(topic)) == record
    assert new_client().get_versions(subject) == [1, 2]


def test_avro_without_auto_registration_looks_the_schema_up(sr, new_client):
    topic = unique("payments")
    subject = f"{topic}-value"
    first_id = sr.register_schema(subject, avro(PAYMENT_V1))
    sr.register_schema(subject, avro(PAYMENT_V2))

    # Not the latest version: the lookup finds version 1's id.
    looked_up = AvroSerializer(new_client(), json.dumps(PAYMENT_V1), conf={"auto.register.schemas": False})
    message = looked_up({"id": "p-1", "amount": 2.0}, value_context(topic))
    assert framed_schema_id(message) == first_id
    # A consumer reading with the latest version gets version 2's default for the missing field.
    latest_reader = AvroDeserializer(new_client(), conf={"use.latest.version": True})
    assert latest_reader(message, value_context(topic)) == {"id": "p-1", "amount": 2.0, "currency": "EUR"}

    unregistered = AvroSerializer(new_client(), json.dumps(PAYMENT_BREAKING), conf={"auto.register.schemas": False})
    with pytest.raises(SchemaRegistryError) as caught:
        unregistered({"id": "p-1", "amount": "2"}, value_context(topic))
    assert (caught.value.http_status_code, caught.value.error_code) == (404, 40403)

    nobody = AvroSerializer(new_client(), json.dumps(PAYMENT_V1), conf={"auto.register.schemas": False})
    with pytest.raises(SchemaRegistryError) as caught:
        nobody({"id": "p-1", "amount": 2.0}, value_context(unique("unknown")))
    assert (caught.value.http_status_code, caught.value.error_code) == (404, 40401)


def test_protobuf_use_latest_version_reads_the_serialized_descriptor(sr, new_client, shop_messages):
    topic = unique("customers")
    registered_id = sr.register_schema(f"{topic}-value", Schema(CUSTOMER_PROTO, "PROTOBUF"))
    serializer = ProtobufSerializer(
        shop_messages.Customer, new_client(), {"auto.register.schemas": False, "use.latest.version": True}
    )
    customer = sample_customer(shop_messages)

    message = serializer(customer, value_context(topic))

    assert framed_schema_id(message) == registered_id
    consumer = ProtobufDeserializer(
        shop_messages.Customer, {"use.deprecated.format": False}, schema_registry_client=new_client()
    )
    assert consumer(message, value_context(topic)) == customer


def test_protobuf_lookup_by_descriptor_finds_a_text_registration(sr, new_client, shop_messages):
    """CI registers the .proto text; producers run without auto-registration, and the Python
    serializer looks the schema up by its base64 FileDescriptorProto."""
    topic = unique("customers")
    registered_id = sr.register_schema(f"{topic}-value", Schema(CUSTOMER_PROTO, "PROTOBUF"))
    serializer = ProtobufSerializer(shop_messages.Customer, new_client(), {"auto.register.schemas": False})

    message = serializer(sample_customer(shop_messages), value_context(topic))

    assert framed_schema_id(message) == registered_id
    assert new_client().get_versions(f"{topic}-value") == [1]


def test_protobuf_serialized_format(sr, new_client, shop_messages):
    subject = unique("customers") + "-value"
    registered_id = sr.register_schema(subject, Schema(CUSTOMER_PROTO, "PROTOBUF"))

    reader = new_client()
    by_id = reader.get_schema(registered_id, fmt="serialized")
    by_version = reader.get_version(subject, 1, fmt="serialized")
    for schema in (by_id, by_version.schema):
        assert schema.schema_type == "PROTOBUF"
        file = descriptor_pb2.FileDescriptorProto.FromString(base64.standard_b64decode(schema.schema_str))
        assert file.package == "shop"
        assert [message.name for message in file.message_type] == ["Address", "Customer"]
        assert [field.name for field in file.message_type[1].field] == ["id", "name", "age", "address"]
    # Without format=serialized, the text.
    assert "message Customer" in new_client().get_schema(registered_id).schema_str


def test_avro_reference_round_trip(sr, new_client):
    topic = unique("invoices")
    money_subject = unique("shop.Money")
    money_id = sr.register_schema(money_subject, avro(MONEY_AVRO))
    invoice = Schema(json.dumps(INVOICE_AVRO), "AVRO", [SchemaReference("shop.Money", money_subject, 1)])
    record = {"id": "i-1", "total": {"currency": "EUR", "units": 1999}}

    message = AvroSerializer(new_client(), invoice)(record, value_context(topic))

    registered = new_client().get_latest_version(f"{topic}-value")
    assert framed_schema_id(message) == registered.schema_id
    assert references_of(registered.schema) == [("shop.Money", money_subject, 1)]
    assert references_of(new_client().get_schema(registered.schema_id)) == [("shop.Money", money_subject, 1)]
    assert new_client().get_referenced_by(money_subject, 1) == [registered.schema_id]
    assert registered.schema_id != money_id
    assert AvroDeserializer(new_client())(message, value_context(topic)) == record


def test_json_reference_round_trip(sr, new_client):
    topic = unique("customers")
    address_subject = unique("address")
    sr.register_schema(address_subject, Schema(json.dumps(ADDRESS_JSON), "JSON"))
    customer = Schema(json.dumps(CUSTOMER_JSON), "JSON", [SchemaReference("address.json", address_subject, 1)])
    record = {"name": "Ada", "address": {"street": "1 Analytical Way", "city": "London"}}

    message = JSONSerializer(customer, new_client())(record, value_context(topic))

    registered = new_client().get_latest_version(f"{topic}-value")
    assert framed_schema_id(message) == registered.schema_id
    assert registered.schema.schema_type == "JSON"
    assert references_of(registered.schema) == [("address.json", address_subject, 1)]
    assert new_client().get_referenced_by(address_subject, 1) == [registered.schema_id]
    assert JSONDeserializer(None, schema_registry_client=new_client())(message, value_context(topic)) == record


def test_json_reference_must_resolve(sr):
    subject = unique("customers")
    # "$ref": "address.json" with no reference naming it: Confluent refuses the schema.
    expect_error(422, 42201, sr.register_schema, subject, Schema(json.dumps(CUSTOMER_JSON), "JSON"))


def test_protobuf_imports_register_as_references(sr, new_client, shop_messages):
    topic = unique("orders")
    suffix = uuid.uuid4().hex[:12]

    def reference_subject(ctx: SerializationContext, dependency: Any) -> str:
        return f"{dependency.name.replace('/', '.')}-{suffix}"

    serializer = ProtobufSerializer(shop_messages.Order, sr, {"reference.subject.name.strategy": reference_subject})
    order = sample_order(shop_messages)

    message = serializer(order, value_context(topic))

    money_subject = f"shop.money.proto-{suffix}"
    reader = new_client()
    assert reader.get_versions(money_subject) == [1]
    registered = reader.get_latest_version(f"{topic}-value")
    assert framed_schema_id(message) == registered.schema_id
    # The well-known google/protobuf/timestamp.proto is no reference (skip.known.types).
    assert references_of(registered.schema) == [("shop/money.proto", money_subject, 1)]
    assert reader.get_referenced_by(money_subject, 1) == [registered.schema_id]
    assert message[5:6] == b"\x00"  # Order is the file's first message: index array [0] is one zero byte

    consumer = ProtobufDeserializer(
        shop_messages.Order, {"use.deprecated.format": False}, schema_registry_client=new_client()
    )
    assert consumer(message, value_context(topic)) == order


def test_protobuf_default_reference_subject_contains_a_slash(sr, new_client, shop_messages):
    """The default reference.subject.name.strategy names the subject after the import path,
    "shop/money.proto": the client sends it percent-encoded (shop%2Fmoney.proto)."""
    topic = unique("orders")
    order = sample_order(shop_messages)

    message = ProtobufSerializer(shop_messages.Order, sr)(order, value_context(topic))

    reader = new_client()
    assert "shop/money.proto" in reader.get_subjects(subject_prefix="shop/")
    assert reader.get_versions("shop/money.proto") == [1]
    assert references_of(reader.get_latest_version(f"{topic}-value").schema) == [
        ("shop/money.proto", "shop/money.proto", 1)
    ]
    consumer = ProtobufDeserializer(
        shop_messages.Order, {"use.deprecated.format": False}, schema_registry_client=new_client()
    )
    assert consumer(message, value_context(topic)) == order


def test_protobuf_references_registered_by_hand(sr, new_client, shop_messages):
    subject = unique("orders") + "-value"
    money_subject = unique("money")
    sr.register_schema(money_subject, Schema(MONEY_PROTO, "PROTOBUF"))
    order_schema = Schema(ORDER_PROTO, "PROTOBUF", [SchemaReference("shop/money.proto", money_subject, 1)])
    order_id = sr.register_schema(subject, order_schema)

    assert new_client().lookup_schema(subject, order_schema).schema_id == order_id
    serialized = new_client().get_schema(order_id, fmt="serialized")
    file = descriptor_pb2.FileDescriptorProto.FromString(base64.standard_b64decode(serialized.schema_str))
    assert list(file.dependency) == ["google/protobuf/timestamp.proto", "shop/money.proto"]
    assert references_of(serialized) == [("shop/money.proto", money_subject, 1)]
    # Without the reference the import cannot be resolved.
    expect_error(422, 42201, sr.register_schema, unique("orders"), Schema(ORDER_PROTO, "PROTOBUF"))


# --------------------------------------------------------------------------------------
# SchemaRegistryClient calls
# --------------------------------------------------------------------------------------


def test_register_and_read_back(sr, new_client):
    prefix = unique("readback")
    subject = f"{prefix}.payments-value"
    full = sr.register_schema_full_response(subject, avro(PAYMENT_V1))
    assert full.schema_id > 0
    assert full.version == 1 and full.subject == subject
    # Registering the same schema again: same id, still one version.
    assert new_client().register_schema(subject, avro(PAYMENT_V1)) == full.schema_id

    reader = new_client()
    schema = reader.get_schema(full.schema_id)
    assert schema.schema_type == "AVRO" and json.loads(schema.schema_str) == PAYMENT_V1
    assert schema.references == []
    assert reader.get_subjects(subject_prefix=prefix) == [subject]
    assert subject in reader.get_subjects()
    assert reader.get_versions(subject) == [1]
    version = reader.get_version(subject, 1)
    assert (version.subject, version.version, version.schema_id) == (subject, 1, full.schema_id)
    assert json.loads(version.schema.schema_str) == PAYMENT_V1
    latest = reader.get_latest_version(subject)
    assert (latest.subject, latest.version, latest.schema_id) == (subject, 1, full.schema_id)

    second_id = sr.register_schema(subject, avro(PAYMENT_V2))
    assert second_id != full.schema_id
    reader = new_client()
    assert reader.get_versions(subject) == [1, 2]
    assert reader.get_latest_version(subject).version == 2
    assert reader.get_version(subject, "latest").schema_id == second_id
    expect_error(404, 40402, reader.get_version, subject, 3)
    expect_error(404, 40401, reader.get_version, unique("nobody"), 1)
    expect_error(404, 40403, reader.get_schema, 2_000_000_000)


def test_same_schema_in_two_subjects_shares_its_id(sr, new_client):
    prefix = unique("shared")
    first, second = f"{prefix}.a-value", f"{prefix}.b-value"
    money = only_here(MONEY_AVRO)
    first_id = sr.register_schema(first, avro(money))
    second_id = sr.register_schema(second, avro(money))
    assert first_id == second_id

    reader = new_client()
    assert sorted(reader.get_subjects_by_schema_id(first_id)) == [first, second]
    versions = reader.get_schema_versions(first_id)
    assert sorted((entry.subject, entry.version) for entry in versions) == [(first, 1), (second, 1)]
    expect_error(404, 40403, reader.get_subjects_by_schema_id, 2_000_000_001)


def test_lookup_schema(sr, new_client):
    subject = unique("lookup") + "-value"
    registered_id = sr.register_schema(subject, avro(PAYMENT_V1))

    found = new_client().lookup_schema(subject, avro(PAYMENT_V1))
    assert (found.schema_id, found.subject, found.version) == (registered_id, subject, 1)
    expect_error(404, 40403, new_client().lookup_schema, subject, avro(PAYMENT_V2))
    expect_error(404, 40401, new_client().lookup_schema, unique("nobody"), avro(PAYMENT_V1))

    # A soft-deleted version is found only with deleted=true.
    sr.register_schema(subject, avro(PAYMENT_V2))
    sr.delete_version(subject, 1)
    expect_error(404, 40403, new_client().lookup_schema, subject, avro(PAYMENT_V1))
    deleted = new_client().lookup_schema(subject, avro(PAYMENT_V1), deleted=True)
    assert (deleted.schema_id, deleted.version) == (registered_id, 1)


def test_compatibility_checks(sr, new_client, confluent_registry):
    subject = unique("compat") + "-value"
    sr.register_schema(subject, avro(PAYMENT_V1))
    sr.set_compatibility(subject, "BACKWARD")

    reader = new_client()
    assert reader.test_compatibility(subject, avro(PAYMENT_V2)) is True
    assert reader.test_compatibility(subject, avro(PAYMENT_BREAKING)) is False
    assert reader.test_compatibility(subject, avro(PAYMENT_V2), version=1) is True
    assert reader.test_compatibility(subject, avro(PAYMENT_BREAKING), verbose=True) is False
    assert reader.test_compatibility_all_versions(subject, avro(PAYMENT_V2)) is True
    assert reader.test_compatibility_all_versions(subject, avro(PAYMENT_BREAKING)) is False
    expect_error(404, 40402, reader.test_compatibility, subject, avro(PAYMENT_V2), version=7)

    verbose = confluent_registry.call(
        "POST",
        f"/compatibility/subjects/{subject_path(subject)}/versions/latest?verbose=true",
        {"schema": json.dumps(PAYMENT_BREAKING)},
        headers={"Content-Type": CONFLUENT_JSON},
    )
    assert verbose.status == 200, verbose.body
    assert verbose.json["is_compatible"] is False
    assert verbose.json["messages"] and all(isinstance(text, str) for text in verbose.json["messages"])
    quiet = confluent_registry.call(
        "POST",
        f"/compatibility/subjects/{subject_path(subject)}/versions/latest",
        {"schema": json.dumps(PAYMENT_V2)},
        headers={"Content-Type": CONFLUENT_JSON},
    )
    assert quiet.status == 200 and quiet.json["is_compatible"] is True

    message = expect_error(409, 409, sr.register_schema, subject, avro(PAYMENT_BREAKING))
    assert message
    assert new_client().get_versions(subject) == [1]

    sr.set_compatibility(subject, "NONE")
    assert new_client().test_compatibility(subject, avro(PAYMENT_BREAKING)) is True
    assert sr.register_schema(subject, avro(PAYMENT_BREAKING)) > 0
    assert new_client().get_versions(subject) == [1, 2]


def test_subject_compatibility_config(sr, new_client, confluent_registry):
    subject = unique("config") + "-value"
    sr.register_schema(subject, avro(PAYMENT_V1))

    expect_error(404, 40408, new_client().get_compatibility, subject)
    defaulted = confluent_registry.call("GET", f"/config/{subject_path(subject)}?defaultToGlobal=true")
    assert defaulted.status == 200 and defaulted.json == {"compatibilityLevel": "BACKWARD"}

    assert sr.set_compatibility(subject, "full") == {"compatibility": "FULL"}
    assert new_client().get_compatibility(subject) == "FULL"
    assert new_client().get_config(subject).compatibility_level == ConfigCompatibilityLevel.FULL

    updated = sr.set_config(subject, ServerConfig(compatibility=ConfigCompatibilityLevel.FULL_TRANSITIVE))
    assert updated["compatibility"] == "FULL_TRANSITIVE"
    assert new_client().get_compatibility(subject) == "FULL_TRANSITIVE"
    removed = sr.delete_config(subject)
    assert ConfigCompatibilityLevel.FULL_TRANSITIVE in (removed.compatibility_level, removed.compatibility)
    expect_error(404, 40408, new_client().get_compatibility, subject)

    # A subject's level may be set before its first version.
    empty = unique("config-first") + "-value"
    assert sr.set_compatibility(empty, "FORWARD") == {"compatibility": "FORWARD"}
    assert new_client().get_compatibility(empty) == "FORWARD"

    expect_error(422, 42203, sr.set_compatibility, subject, "SIDEWAYS")


def test_global_compatibility_config(sr, new_client, confluent_registry, restore_global_config):
    subject = unique("global-config") + "-value"
    sr.register_schema(subject, avro(PAYMENT_V1))
    assert new_client().get_compatibility() == "BACKWARD"
    assert new_client().get_config().compatibility_level == ConfigCompatibilityLevel.BACKWARD

    assert sr.set_compatibility(level="FULL") == {"compatibility": "FULL"}
    assert new_client().get_compatibility() == "FULL"
    defaulted = confluent_registry.call("GET", f"/config/{subject_path(subject)}?defaultToGlobal=true")
    assert defaulted.json == {"compatibilityLevel": "FULL"}
    # FULL: PAYMENT_V2 adds a field with a default, both ways compatible; the breaking change is refused.
    assert new_client().test_compatibility(subject, avro(PAYMENT_V2)) is True
    expect_error(409, 409, sr.register_schema, subject, avro(PAYMENT_BREAKING))

    previous = sr.delete_config()
    assert ConfigCompatibilityLevel.FULL in (previous.compatibility_level, previous.compatibility)
    assert new_client().get_compatibility() == "BACKWARD"


def test_modes(sr, new_client, confluent_registry, restore_global_config):
    subject = unique("modes") + "-value"
    sr.register_schema(subject, avro(PAYMENT_V1))

    assert new_client().get_global_mode() == "READWRITE"
    assert sr.update_global_mode("READWRITE") == "READWRITE"
    expect_error(404, 40409, new_client().get_mode, subject)
    defaulted = confluent_registry.call("GET", f"/mode/{subject_path(subject)}?defaultToGlobal=true")
    assert defaulted.status == 200 and defaulted.json == {"mode": "READWRITE"}

    assert sr.update_mode(subject, "READONLY") == "READONLY"
    assert new_client().get_mode(subject) == "READONLY"
    expect_error(422, 42205, new_client().register_schema, subject, avro(PAYMENT_V2))
    # Reads still work in READONLY.
    assert new_client().get_versions(subject) == [1]
    assert new_client().lookup_schema(subject, avro(PAYMENT_V1)).version == 1

    assert sr.delete_mode(subject) == "READONLY"
    expect_error(404, 40409, new_client().get_mode, subject)
    assert new_client().register_schema(subject, avro(PAYMENT_V2)) > 0

    expect_error(422, 42204, sr.update_mode, subject, "READSOMETIMES")


def test_import_mode_keeps_the_given_id_and_version(sr, new_client, confluent_registry):
    subject = unique("imported") + "-value"
    assert sr.update_mode(subject, "IMPORT") == "IMPORT"
    # Far above the ids the registry hands out itself, and content no other test registers.
    schema_id = 1_000_000 + uuid.uuid4().int % 1_000_000_000
    money = only_here(MONEY_AVRO)
    reply = confluent_registry.call(
        "POST",
        f"/subjects/{subject_path(subject)}/versions",
        {"schema": json.dumps(money), "schemaType": "AVRO", "id": schema_id, "version": 5},
        headers={"Content-Type": CONFLUENT_JSON},
    )
    assert reply.status == 200, reply.body
    assert reply.json["id"] == schema_id
    assert sr.delete_mode(subject) == "IMPORT"

    reader = new_client()
    assert reader.get_versions(subject) == [5]
    assert reader.get_version(subject, 5).schema_id == schema_id
    assert json.loads(reader.get_schema(schema_id).schema_str) == money
    # Back in READWRITE, the next version follows the imported one.
    assert reader.register_schema_full_response(subject, avro(only_here(MONEY_AVRO))).version == 6


def test_delete_version_soft_then_permanent(sr, new_client):
    subject = unique("delete-version") + "-value"
    first_id = sr.register_schema(subject, avro(PAYMENT_V1))
    second_id = sr.register_schema(subject, avro(PAYMENT_V2))

    expect_error(404, 40407, sr.delete_version, subject, 2, permanent=True)
    assert sr.delete_version(subject, 2) == 2
    reader = new_client()
    assert reader.get_versions(subject) == [1]
    assert reader.get_versions(subject, deleted=True) == [1, 2]
    expect_error(404, 40402, reader.get_version, subject, 2)
    assert reader.get_version(subject, 2, deleted=True).schema_id == second_id
    assert reader.get_latest_version(subject).schema_id == first_id
    # The id stays readable: consumers may still hold messages written with it.
    assert json.loads(reader.get_schema(second_id).schema_str) == PAYMENT_V2
    expect_error(404, 40406, sr.delete_version, subject, 2)

    # Registering the deleted content again: a new version, the same content-addressed id.
    again = new_client().register_schema_full_response(subject, avro(PAYMENT_V2))
    assert (again.schema_id, again.version) == (second_id, 3)

    assert sr.delete_version(subject, 2, permanent=True) == 2
    reader = new_client()
    assert reader.get_versions(subject, deleted=True) == [1, 3]
    expect_error(404, 40402, reader.get_version, subject, 2, deleted=True)


def test_permanent_delete_of_an_id_used_nowhere_else(sr, new_client):
    subject = unique("delete-id") + "-value"
    sr.register_schema(subject, avro(PAYMENT_V1))
    lonely = only_here(PAYMENT_V2)
    lonely_id = sr.register_schema(subject, avro(lonely))
    assert sr.delete_version(subject, 2) == 2
    assert sr.delete_version(subject, 2, permanent=True) == 2
    expect_error(404, 40403, new_client().get_schema, lonely_id)


def test_delete_subject_soft_then_permanent(sr, new_client):
    prefix = unique("delete-subject")
    subject = f"{prefix}-value"
    sr.register_schema(subject, avro(PAYMENT_V1))
    sr.register_schema(subject, avro(PAYMENT_V2))

    expect_error(404, 40405, sr.delete_subject, subject, permanent=True)
    assert sr.delete_subject(subject) == [1, 2]
    reader = new_client()
    assert reader.get_subjects(subject_prefix=prefix) == []
    assert reader.get_subjects(subject_prefix=prefix, deleted=True) == [subject]
    assert reader.get_versions(subject, deleted=True) == [1, 2]
    expect_error(404, 40401, reader.get_versions, subject)
    expect_error(404, 40404, sr.delete_subject, subject)

    assert sr.delete_subject(subject, permanent=True) == [1, 2]
    reader = new_client()
    assert reader.get_subjects(subject_prefix=prefix, deleted=True) == []
    expect_error(404, 40401, reader.get_versions, subject, deleted=True)
    expect_error(404, 40401, sr.delete_subject, subject)

    # A new registration after the permanent delete starts again at version 1.
    assert new_client().register_schema_full_response(subject, avro(PAYMENT_V1)).version == 1


def test_referenced_version_cannot_be_deleted(sr, new_client):
    money_subject = unique("money")
    sr.register_schema(money_subject, avro(MONEY_AVRO))
    invoice_subject = unique("invoices") + "-value"
    invoice_id = sr.register_schema(
        invoice_subject, Schema(json.dumps(INVOICE_AVRO), "AVRO", [SchemaReference("shop.Money", money_subject, 1)])
    )

    assert new_client().get_referenced_by(money_subject, 1) == [invoice_id]
    expect_error(422, 42206, sr.delete_version, money_subject, 1)
    expect_error(422, 42206, sr.delete_subject, money_subject)
    # A reference to a version that does not exist is refused.
    expect_error(
        422,
        42201,
        sr.register_schema,
        unique("invoices"),
        Schema(json.dumps(INVOICE_AVRO), "AVRO", [SchemaReference("shop.Money", money_subject, 9)]),
    )

    assert sr.delete_subject(invoice_subject) == [1]
    assert sr.delete_subject(invoice_subject, permanent=True) == [1]
    assert new_client().get_referenced_by(money_subject, 1) == []
    assert sr.delete_version(money_subject, 1) == 1


def test_schema_types_and_contexts(new_client):
    client = new_client()
    assert sorted(client.get_schema_types()) == ["AVRO", "JSON", "PROTOBUF"]
    assert client.get_contexts() == ["."]


def test_pagination_of_versions_and_subjects(sr, new_client):
    prefix = unique("pages")
    subject = f"{prefix}.a-value"
    sr.set_compatibility(subject, "NONE")
    for document in (PAYMENT_V1, PAYMENT_V2, PAYMENT_BREAKING):
        sr.register_schema(subject, avro(document))
    sr.register_schema(f"{prefix}.b-value", avro(PAYMENT_V1))

    reader = new_client()
    assert reader.get_versions(subject, offset=1, limit=1) == [2]
    assert reader.get_versions(subject, offset=1) == [2, 3]
    assert reader.get_subjects(subject_prefix=prefix, offset=0, limit=1) == [subject]
    assert reader.get_subjects(subject_prefix=prefix, offset=1, limit=5) == [f"{prefix}.b-value"]


# --------------------------------------------------------------------------------------
# The wire: content types and error bodies
# --------------------------------------------------------------------------------------


def test_errors_have_the_confluent_shape(sr, confluent_registry):
    subject = unique("errors") + "-value"
    missing = confluent_registry.call("GET", f"/subjects/{subject_path(subject)}/versions")
    assert missing.status == 404
    assert missing.headers["content-type"].startswith(CONFLUENT_JSON)
    assert missing.json["error_code"] == 40401 and isinstance(missing.json["message"], str)
    assert set(missing.json) == {"error_code", "message"}

    invalid = confluent_registry.call(
        "POST",
        f"/subjects/{subject_path(subject)}/versions",
        {"schema": '{"type": "record", "name": "Broken"}'},
        headers={"Content-Type": CONFLUENT_JSON},
    )
    assert (invalid.status, invalid.json["error_code"]) == (422, 42201), invalid.body

    not_json = confluent_registry.call(
        "POST",
        f"/subjects/{subject_path(subject)}/versions",
        {"schema": "{not json", "schemaType": "JSON"},
        headers={"Content-Type": CONFLUENT_JSON},
    )
    assert (not_json.status, not_json.json["error_code"]) == (422, 42201), not_json.body

    sr.register_schema(subject, avro(PAYMENT_V1))
    for label in ("0", "abc", "-2", "2147483648"):
        bad_version = confluent_registry.call("GET", f"/subjects/{subject_path(subject)}/versions/{label}")
        assert (bad_version.status, bad_version.json["error_code"]) == (422, 42202), (label, bad_version.body)

    body_not_json = confluent_registry.call(
        "POST", f"/subjects/{subject_path(subject)}/versions", raw=b"{nope", headers={"Content-Type": CONFLUENT_JSON}
    )
    assert 400 <= body_not_json.status < 500
    assert isinstance(body_not_json.json["error_code"], int) and body_not_json.json["message"]

    # The /api/v1 paths keep their own error shape.
    never_registered = unique("errors") + "-value"
    api_v1 = confluent_registry.call("GET", f"/api/v1/subjects/{subject_path(never_registered)}/versions/latest")
    assert api_v1.status == 404 and {"error", "code", "request_id"} <= set(api_v1.json)


@pytest.mark.parametrize(
    "content_type",
    [
        CONFLUENT_JSON,
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/octet-stream",
    ],
)
def test_accepted_request_content_types(confluent_registry, content_type):
    subject = unique("content-type") + "-value"
    reply = confluent_registry.call(
        "POST",
        f"/subjects/{subject_path(subject)}/versions",
        {"schema": json.dumps(PAYMENT_V1)},
        headers={"Content-Type": content_type},
    )
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith(CONFLUENT_JSON)
    assert isinstance(reply.json["id"], int)


def test_register_accepts_metadata_and_rule_set(new_client, confluent_registry):
    subject = unique("metadata") + "-value"
    reply = confluent_registry.call(
        "POST",
        f"/subjects/{subject_path(subject)}/versions",
        {
            "schema": json.dumps(PAYMENT_V1),
            "schemaType": "AVRO",
            "references": [],
            "metadata": {"properties": {"owner": "payments-team"}},
            "ruleSet": {"domainRules": []},
        },
        headers={"Content-Type": CONFLUENT_JSON, "Confluent-Accept-Unknown-Properties": "true"},
    )
    assert reply.status == 200, reply.body
    assert new_client().get_latest_version(subject).schema_id == reply.json["id"]


def test_raw_schema_endpoints(sr, confluent_registry):
    subject = unique("raw") + "-value"
    json_id = sr.register_schema(subject, Schema(json.dumps(EVENT_JSON), "JSON"))

    root = confluent_registry.call("GET", "/")
    assert root.status == 200 and root.json == {}
    document = confluent_registry.call("GET", f"/schemas/ids/{json_id}")
    assert document.json["schemaType"] == "JSON" and json.loads(document.json["schema"]) == EVENT_JSON
    raw = confluent_registry.call("GET", f"/schemas/ids/{json_id}/schema")
    assert raw.status == 200 and raw.json == EVENT_JSON
    by_version = confluent_registry.call("GET", f"/subjects/{subject_path(subject)}/versions/1/schema")
    assert by_version.status == 200 and by_version.json == EVENT_JSON
    version = confluent_registry.call("GET", f"/subjects/{subject_path(subject)}/versions/latest")
    assert version.json["subject"] == subject and version.json["version"] == 1 and version.json["id"] == json_id
    assert "references" not in version.json or version.json["references"] == []

    avro_id = sr.register_schema(unique("raw") + "-value", avro(PAYMENT_V1))
    avro_document = confluent_registry.call("GET", f"/schemas/ids/{avro_id}")
    # Confluent leaves schemaType out for AVRO.
    assert "schemaType" not in avro_document.json and json.loads(avro_document.json["schema"]) == PAYMENT_V1


# --------------------------------------------------------------------------------------
# The same store through /api/v1
# --------------------------------------------------------------------------------------


def api_v1_versions(confluent_registry: RegistryServer, subject: str) -> list[dict[str, Any]]:
    reply = confluent_registry.call("GET", f"/api/v1/subjects/{subject_path(subject)}/versions")
    assert reply.status == 200, reply.body
    return reply.json["items"]


def api_v1_schema(confluent_registry: RegistryServer, schema_uuid: str) -> dict[str, Any]:
    reply = confluent_registry.call("GET", f"/api/v1/schemas/{schema_uuid}")
    assert reply.status == 200, reply.body
    return reply.json


@pytest.mark.parametrize(
    ("schema_type", "first", "second"),
    [
        ("AVRO", json.dumps(PAYMENT_V1), json.dumps(PAYMENT_V2)),
        ("JSON", json.dumps(EVENT_JSON), json.dumps({**EVENT_JSON, "description": "events"})),
        ("PROTOBUF", MONEY_PROTO, MONEY_PROTO.replace("int64 units = 2;", "int64 units = 2;\n  int32 nanos = 3;")),
    ],
)
def test_confluent_registrations_read_through_api_v1(sr, new_client, confluent_registry, schema_type, first, second):
    subject = unique(f"api-v1-{schema_type.lower()}") + "-value"
    sr.set_compatibility(subject, "FULL")
    sr.register_schema(subject, Schema(first, schema_type))
    sr.register_schema(subject, Schema(second, schema_type))

    items = sorted(api_v1_versions(confluent_registry, subject), key=lambda item: item["created_at"])
    assert len(items) == 2
    reader = new_client()
    for number, item in enumerate(items, start=1):
        confluent = reader.get_version(subject, number)
        by_uuid = api_v1_schema(confluent_registry, item["id"])
        assert by_uuid["subject"] == subject
        assert by_uuid["format"] == schema_type
        assert by_uuid["state"] == "ACTIVE" == item["state"]
        assert by_uuid["compatibility_mode"] == "FULL" == reader.get_compatibility(subject)
        if schema_type == "PROTOBUF":
            assert by_uuid["content"].split() == confluent.schema.schema_str.split()
        else:
            assert json.loads(by_uuid["content"]) == json.loads(confluent.schema.schema_str)
        by_semver = confluent_registry.call(
            "GET", f"/api/v1/subjects/{subject_path(subject)}/versions/{by_uuid['version']}"
        )
        assert by_semver.status == 200 and by_semver.json["id"] == item["id"]
        assert by_semver.json["content"] == by_uuid["content"]

    # A Confluent soft delete is the /api/v1 DELETED state.
    assert sr.delete_version(subject, 2) == 2
    deleted = api_v1_schema(confluent_registry, items[1]["id"])
    assert deleted["state"] == "DELETED"


def test_api_v1_registration_is_visible_to_confluent_clients(new_client, confluent_registry):
    subject = unique("from-api-v1") + "-value"
    created = confluent_registry.call(
        "POST", "/api/v1/schemas", {"subject": subject, "schema": EVENT_JSON, "schema_type": "json", "state": "ACTIVE"}
    )
    assert created.status == 201, created.body

    reader = new_client()
    latest = reader.get_latest_version(subject)
    assert latest.version == 1 and latest.schema.schema_type == "JSON"
    assert json.loads(latest.schema.schema_str) == EVENT_JSON
    assert reader.lookup_schema(subject, Schema(json.dumps(EVENT_JSON), "JSON")).schema_id == latest.schema_id


# --------------------------------------------------------------------------------------
# python-schema-registry-client
# --------------------------------------------------------------------------------------


def test_python_client_register_and_read(python_client, registry_url):
    subject = unique("python-client") + "-value"
    document = only_here(PAYMENT_V1)
    payment = python_schema.AvroSchema(document)
    schema_id = python_client.register(subject, payment)
    assert isinstance(schema_id, int) and schema_id > 0

    # Each read through a new client: the client answers from its caches when it can.
    def fresh() -> PythonRegistryClient:
        return PythonRegistryClient(url=registry_url)

    # register() first asks POST /subjects/{subject}: found, the same id, no new version.
    assert fresh().register(subject, python_schema.AvroSchema(document)) == schema_id
    assert fresh().get_by_id(schema_id).raw_schema == document
    latest = fresh().get_schema(subject)
    assert (latest.subject, latest.schema_id, latest.version) == (subject, schema_id, 1)
    assert latest.schema.raw_schema == document
    assert fresh().get_schema(subject, version=1).schema_id == schema_id
    checked = fresh().check_version(subject, payment)
    assert (checked.subject, checked.schema_id, checked.version) == (subject, schema_id, 1)
    assert fresh().get_versions(subject) == [1]
    assert subject in fresh().get_subjects()
    versions = fresh().get_schema_subject_versions(schema_id)
    assert [(entry.subject, entry.version) for entry in versions] == [(subject, 1)]

    event = python_schema.JsonSchema(EVENT_JSON)
    json_subject = unique("python-client-json") + "-value"
    json_id = python_client.register(json_subject, event)
    fetched = fresh().get_by_id(json_id)
    assert isinstance(fetched, python_schema.JsonSchema) and fetched.raw_schema == EVENT_JSON

    assert fresh().get_by_id(2_000_000_002) is None
    assert fresh().get_schema(unique("nobody")) is None
    assert fresh().check_version(unique("nobody"), payment) is None


def test_python_client_compatibility(python_client, registry_url, restore_global_config):
    subject = unique("python-compat") + "-value"
    python_client.register(subject, python_schema.AvroSchema(PAYMENT_V1))

    assert python_client.update_compatibility("FULL", subject) is True
    assert python_client.get_compatibility(subject) == "FULL"
    assert python_client.test_compatibility(subject, python_schema.AvroSchema(PAYMENT_V2)) is True
    assert python_client.test_compatibility(subject, python_schema.AvroSchema(PAYMENT_BREAKING)) is False
    verbose = python_client.test_compatibility(subject, python_schema.AvroSchema(PAYMENT_BREAKING), verbose=True)
    assert verbose["is_compatible"] is False and verbose["messages"]
    assert python_client.test_compatibility(unique("nobody"), python_schema.AvroSchema(PAYMENT_V1), version=1) is False

    # Without a subject the client calls /config/ (trailing slash) for the global level.
    assert python_client.update_compatibility("FORWARD") is True
    assert PythonRegistryClient(url=registry_url).get_compatibility() == "FORWARD"
    assert python_client.update_compatibility("BACKWARD") is True
    assert python_client.get_compatibility() == "BACKWARD"


def test_python_client_deletes(python_client, registry_url):
    subject = unique("python-delete") + "-value"
    python_client.register(subject, python_schema.AvroSchema(PAYMENT_V1))
    python_client.register(subject, python_schema.AvroSchema(PAYMENT_V2))

    assert python_client.delete_version(subject, 2) == 2
    assert python_client.get_versions(subject) == [1]
    assert python_client.delete_version(subject, 2) is None
    assert python_client.delete_subject(subject) == [1]
    reader = PythonRegistryClient(url=registry_url)
    assert reader.get_versions(subject) == []
    assert reader.get_schema(subject) is None
    assert subject not in reader.get_subjects()
    assert reader.delete_subject(subject) == []


def test_python_client_message_serializers(python_client, registry_url, new_client):
    topic = unique("python-serde")
    subject = f"{topic}-value"
    payment = python_schema.AvroSchema(PAYMENT_V1)
    record = {"id": "p-1", "amount": 7.25}

    message = AvroMessageSerializer(python_client).encode_record_with_schema(subject, payment, record)

    schema_id = framed_schema_id(message)
    assert schema_id == PythonRegistryClient(url=registry_url).get_schema(subject).schema_id
    assert AvroMessageSerializer(PythonRegistryClient(url=registry_url)).decode_message(message) == record
    # Bytes written by one client library are read by the other.
    assert AvroDeserializer(new_client())(message, value_context(topic)) == record
    confluent_message = AvroSerializer(new_client(), json.dumps(PAYMENT_V1))(record, value_context(topic))
    assert framed_schema_id(confluent_message) == schema_id
    assert AvroMessageSerializer(PythonRegistryClient(url=registry_url)).decode_message(confluent_message) == record

    event = python_schema.JsonSchema(EVENT_JSON)
    json_subject = unique("python-serde-json") + "-value"
    event_record = {"id": "e-1", "count": 2}
    json_message = JsonMessageSerializer(python_client).encode_record_with_schema(json_subject, event, event_record)
    assert framed_schema_id(json_message) == PythonRegistryClient(url=registry_url).get_schema(json_subject).schema_id
    assert JsonMessageSerializer(PythonRegistryClient(url=registry_url)).decode_message(json_message) == event_record
