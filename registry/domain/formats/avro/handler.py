"""``AvroHandler``: the Avro format as the registry uses it (parse, load, annotations,
validators), and the cache of loaded schemas."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import orjson

from registry.domain.compute import hand_over
from registry.domain.errors import InvalidRequest, InvalidSchema
from registry.domain.formats.avro.library_check import library_complaint
from registry.domain.formats.avro.limits import Limits, check_size_and_values, raise_invalid
from registry.domain.formats.avro.normalisation import normalised_text, without_docs
from registry.domain.formats.avro.parsing import build_schema
from registry.domain.formats.avro.types import PRIMITIVE_TYPES, AvroSchema
from registry.domain.formats.avro.validation import AvroJsonEncoding, AvroValidator
from registry.domain.formats.avro.wording import json_type
from registry.domain.formats.base import Dependency, ParsedSchema, distinct_dependencies
from registry.domain.model import NO_VALIDATION_OPTIONS, SchemaFormat, SchemaProblem, ValidationOptions

# Past this many cached documents, or this much cached schema text, the least recently
# loaded one is dropped.
_LOAD_CACHE_ENTRIES = 256
_LOAD_CACHE_CHARACTERS = 32 * 1024 * 1024


class _LoadedSchemas:
    """A small LRU of loaded schemas, keyed by their text and bounded in entries and in
    characters; the lock makes it safe under real threads as well as greenlets."""

    def __init__(self, max_entries: int, max_characters: int) -> None:
        self._entries: OrderedDict[str, AvroSchema] = OrderedDict()
        self._characters = 0
        self._max_entries = max_entries
        self._max_characters = max_characters
        self._lock = threading.Lock()

    def get(self, content: str) -> AvroSchema | None:
        with self._lock:
            found = self._entries.get(content)
            if found is not None:
                self._entries.move_to_end(content)
            return found

    def put(self, content: str, schema: AvroSchema) -> None:
        if len(content) > self._max_characters:
            return
        with self._lock:
            if content in self._entries:
                return
            self._entries[content] = schema
            self._characters += len(content)
            while len(self._entries) > self._max_entries or self._characters > self._max_characters:
                evicted, _ = self._entries.popitem(last=False)
                self._characters -= len(evicted)

    def __len__(self) -> int:
        return len(self._entries)


class AvroHandler:
    format = SchemaFormat.AVRO

    def __init__(self, limits: Limits | None = None, *, cache_entries: int = _LOAD_CACHE_ENTRIES) -> None:
        self._limits = limits or Limits()
        self._loaded = _LoadedSchemas(cache_entries, _LOAD_CACHE_CHARACTERS)

    def parse(self, schema: Any, dependencies: Sequence[Dependency] = ()) -> ParsedSchema:
        """Check a schema given as JSON text or as parsed JSON; raise InvalidSchema
        (SchemaTooLarge past the limits). A ``str`` is always the schema's text: the
        primitive type string is ``'"string"'``. ``dependencies`` (flattened, each before
        those using it) define the named types the schema may use besides its own."""

        if isinstance(schema, str):
            content = schema
            try:
                schema_json = orjson.loads(schema)
            except orjson.JSONDecodeError as exc:
                hint = ""
                if schema.strip() in PRIMITIVE_TYPES:
                    hint = f' (a primitive type is the JSON string "{schema.strip()}", with quotes)'
                raise InvalidSchema(
                    f"the schema text is not valid JSON{hint}",
                    problems=[SchemaProblem(location=f"char {exc.pos}", message=exc.msg)],
                ) from None
        else:
            schema_json = schema
            content = None
        if not isinstance(schema_json, (str, list, dict)):
            raise_invalid("", f"an Avro schema is a JSON string, object or array, not {json_type(schema_json)}")
        check_size_and_values(schema_json, self._limits)
        loaded = self._load_dependencies(dependencies, check=True)
        document = build_schema(schema_json, check_defaults=True, dependencies=loaded)
        complaint = library_complaint(schema_json, loaded)
        if complaint is not None:
            raise InvalidSchema(
                "schema is not a valid Avro schema (refused by the Avro library)",
                problems=[SchemaProblem(location="", message=complaint)],
            )
        if content is None:
            content = orjson.dumps(schema_json).decode()
        content_hash = hashlib.sha256(normalised_text(schema_json).encode()).hexdigest()
        return ParsedSchema(self.format, document, content, content_hash)

    def load(self, content: str, dependencies: Sequence[Dependency] = ()) -> AvroSchema:
        """The document of content that ``parse`` accepted (with these dependencies) when
        it was registered (not checked again; cached)."""
        key = content
        if dependencies:
            # A schema text is JSON, so it never starts with this prefix; the rest is unambiguous.
            texts = [content, [[item.name, item.content] for item in dependencies]]
            key = "with references:" + orjson.dumps(texts).decode()
        cached = self._loaded.get(key)
        if cached is not None:
            return cached
        loaded = self._load_dependencies(dependencies, check=False)
        # Pure and, for a large schema, long: handed over, the cache staying here (see registry.domain.compute).
        document = hand_over(
            lambda: build_schema(orjson.loads(content), check_defaults=False, dependencies=loaded), weight=len(content)
        )
        self._loaded.put(key, document)
        return document

    def _load_dependencies(self, dependencies: Sequence[Dependency], *, check: bool) -> list[tuple[str, Any]]:
        if not dependencies:
            return []

        loaded: list[tuple[str, Any]] = []
        for dependency in distinct_dependencies(dependencies):
            try:
                dependency_json = orjson.loads(dependency.content)
            except orjson.JSONDecodeError as exc:
                message = f"the referenced schema {dependency.name!r} is not valid JSON: {exc.msg}"
                raise InvalidSchema(message, problems=[SchemaProblem(f"{dependency.name}#", message)]) from None
            if check:
                check_size_and_values(dependency_json, self._limits, f"{dependency.name}#")
            loaded.append((dependency.name, dependency_json))
        return loaded

    def only_annotations_differ(self, old: Any, new: Any) -> bool:
        old_schema, new_schema = self._as_schema(old), self._as_schema(new)
        if normalised_text(without_docs(old_schema.schema_json)) != normalised_text(
            without_docs(new_schema.schema_json)
        ):
            return False
        # Conservative: a referenced schema added, dropped or changed beyond its docs counts.
        return _dependency_texts(old_schema) == _dependency_texts(new_schema)

    def compile_validator(self, document: Any, options: ValidationOptions = NO_VALIDATION_OPTIONS) -> AvroValidator:
        """A reusable validator for documents in ``options.encoding``: ``"json"`` (union
        values bare, the default) or ``"avro-json"`` (Avro's JSON encoding, union values wrapped)."""
        encoding = options.encoding or AvroJsonEncoding.JSON
        try:
            chosen = AvroJsonEncoding(encoding)
        except ValueError:
            raise InvalidRequest(
                f"unknown encoding {encoding!r}; expected one of "
                + ", ".join(repr(choice.value) for choice in AvroJsonEncoding),
                field="encoding",
            ) from None
        return AvroValidator(self._as_schema(document).root, chosen)

    def _as_schema(self, document: Any) -> AvroSchema:
        """Documents come from ``parse`` or ``load``; schema text or parsed JSON is
        accepted too (and checked), which keeps callers and tests simple."""
        if isinstance(document, AvroSchema):
            return document
        if isinstance(document, str):
            return self.load(document)
        parsed: AvroSchema = self.parse(document).document
        return parsed


def _dependency_texts(schema: AvroSchema) -> dict[str, str]:
    return {name: normalised_text(without_docs(dependency_json)) for name, dependency_json in schema.dependencies}
