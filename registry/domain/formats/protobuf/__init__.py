"""Protobuf as a registry format: compiling ``.proto`` text, schemas given as a serialized
``FileDescriptorProto``, validating proto3 JSON documents.

Pure domain code (no HTTP, no SQL). Where things are:

* ``handler``: ``ProtobufHandler``, the ``FormatHandler`` (duplicates, annotations);
* ``compiling``: protoc in a subprocess, and the cache of compile outcomes;
* ``document``: the compiled schema (``ProtobufDocument``);
* ``descriptor_input``: schemas given as a base64 ``FileDescriptorProto``;
* ``rendering`` and ``literals``: ``.proto`` text written from a descriptor;
* ``validation`` and ``validation_plans``: ``ProtobufValidator``, the proto3 JSON form of a message;
* ``limits``, ``well_known``: what the format takes on, and the files protoc bundles.

Compatibility (Confluent's Protobuf rules) is not part of the format: it lives in
``registry.domain.compatibility.protobuf``.
"""

from registry.domain.formats.protobuf.compiling import compile_proto, serialized_descriptor
from registry.domain.formats.protobuf.document import ProtobufDocument
from registry.domain.formats.protobuf.handler import ProtobufHandler
from registry.domain.formats.protobuf.limits import Limits
from registry.domain.formats.protobuf.rendering import proto_text_from_descriptor
from registry.domain.formats.protobuf.validation import ProtobufValidator

__all__ = [
    "Limits",
    "ProtobufDocument",
    "ProtobufHandler",
    "ProtobufValidator",
    "compile_proto",
    "proto_text_from_descriptor",
    "serialized_descriptor",
]
