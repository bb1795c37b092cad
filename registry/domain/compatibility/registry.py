"""Each format's compatibility rules, looked up by ``SchemaFormat``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from registry.domain.compatibility.base import CompatibilityRules
from registry.domain.compatibility.json_schema import JsonSchemaCompatibility
from registry.domain.compatibility.protobuf import ProtobufCompatibility
from registry.domain.errors import UnsupportedFormat
from registry.domain.formats.avro import AvroHandler
from registry.domain.model import CompatibilityPolicy, SchemaFormat, Violation


class CompatibilityRegistry:
    def __init__(self, rules: Iterable[CompatibilityRules]) -> None:
        self._rules = {rule.format: rule for rule in rules}

    def get(self, fmt: SchemaFormat) -> CompatibilityRules:
        rules = self._rules.get(fmt)
        if rules is None:
            raise UnsupportedFormat(f"no compatibility rules for {fmt.value} schemas", field="schema_type")
        return rules


class _HandlerRules:
    """Transitional: the rules still live on the format handlers."""

    def __init__(self, handler: Any) -> None:
        self._handler = handler

    @property
    def format(self) -> SchemaFormat:
        return self._handler.format  # type: ignore[no-any-return]

    def backward_violations(self, old: Any, new: Any, policy: CompatibilityPolicy) -> list[Violation]:
        return self._handler.backward_violations(old, new, policy)  # type: ignore[no-any-return]


def default_compatibility() -> CompatibilityRegistry:
    return CompatibilityRegistry([JsonSchemaCompatibility(), _HandlerRules(AvroHandler()), ProtobufCompatibility()])
