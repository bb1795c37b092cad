"""The formats the registry understands, looked up by ``SchemaFormat``."""

from __future__ import annotations

from collections.abc import Iterable

from registry.domain.errors import UnsupportedFormat
from registry.domain.formats.avro import AvroHandler
from registry.domain.formats.base import DescriptorFormat, FormatHandler
from registry.domain.formats.json_schema import JsonSchemaHandler
from registry.domain.formats.protobuf import ProtobufHandler
from registry.domain.model import SchemaFormat


class FormatRegistry:
    def __init__(self, handlers: Iterable[FormatHandler]) -> None:
        self._handlers = {handler.format: handler for handler in handlers}

    def supported(self) -> list[str]:
        return sorted(fmt.value for fmt in self._handlers)

    def get(self, fmt: SchemaFormat) -> FormatHandler:
        handler = self._handlers.get(fmt)
        if handler is None:
            raise UnsupportedFormat(
                f"{fmt.value} schemas are not supported yet; supported: " + ", ".join(self.supported()),
                field="schema_type",
            )
        return handler

    def descriptor_format(self, fmt: SchemaFormat) -> DescriptorFormat | None:
        """The handler of ``fmt`` when its schemas have a binary descriptor, else None."""
        handler = self.get(fmt)
        return handler if isinstance(handler, DescriptorFormat) else None


def default_formats() -> FormatRegistry:
    return FormatRegistry([JsonSchemaHandler(), AvroHandler(), ProtobufHandler()])
