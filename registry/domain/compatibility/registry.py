"""Each format's compatibility rules, looked up by ``SchemaFormat``."""

from __future__ import annotations

from collections.abc import Iterable

from registry.domain.compatibility.avro import AvroCompatibility
from registry.domain.compatibility.base import CompatibilityRules
from registry.domain.compatibility.json_schema import JsonSchemaCompatibility
from registry.domain.compatibility.protobuf import ProtobufCompatibility
from registry.domain.errors import UnsupportedFormat
from registry.domain.model import SchemaFormat


class CompatibilityRegistry:
    def __init__(self, rules: Iterable[CompatibilityRules]) -> None:
        self._rules = {rule.format: rule for rule in rules}

    def get(self, fmt: SchemaFormat) -> CompatibilityRules:
        rules = self._rules.get(fmt)
        if rules is None:
            raise UnsupportedFormat(f"no compatibility rules for {fmt.value} schemas", field="schema_type")
        return rules


def default_compatibility() -> CompatibilityRegistry:
    return CompatibilityRegistry([JsonSchemaCompatibility(), AvroCompatibility(), ProtobufCompatibility()])
