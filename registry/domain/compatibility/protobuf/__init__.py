"""Protobuf compatibility: Confluent Schema Registry's Protobuf rules and change-type names
(see ``schema_differences``); the policy is ignored.

Every message and enum is compared by name at each nesting level, as Confluent does. Paths
follow Confluent's layout without its leading ``#``: ``/Order`` (a message), ``/Order/Line``
(a nested type), ``/Order/3`` (field number 3), ``/Order/choice`` (a oneof),
``/Order/choice/5`` (field 5 inside that oneof), ``/Status/2`` (enum value 2), and ``""``
for the file itself (the package). A message of a dependency that differs between the two
schemas is compared as if it were declared in the schema (its changes are reported at
``/<its name without package>/...``) when a field of the schema uses it; unchanged
dependencies cost nothing.
"""

from registry.domain.compatibility.protobuf.changes import COMPATIBLE_CHANGES, INCOMPATIBLE_CHANGES, SchemaDifference
from registry.domain.compatibility.protobuf.comparison import schema_differences
from registry.domain.compatibility.protobuf.rules import ProtobufCompatibility

__all__ = [
    "COMPATIBLE_CHANGES",
    "INCOMPATIBLE_CHANGES",
    "ProtobufCompatibility",
    "SchemaDifference",
    "schema_differences",
]
