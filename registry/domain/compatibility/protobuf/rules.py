"""The Protobuf format's compatibility rules, as the registry looks them up."""

from __future__ import annotations

from registry.domain.compatibility.protobuf.comparison import schema_differences
from registry.domain.formats.protobuf import ProtobufDocument
from registry.domain.model import CompatibilityPolicy, SchemaFormat, Violation


class ProtobufCompatibility:
    format = SchemaFormat.PROTOBUF

    def backward_violations(
        self, old: ProtobufDocument, new: ProtobufDocument, policy: CompatibilityPolicy
    ) -> list[Violation]:
        """What a reader using ``new`` cannot accept from data written with ``old``.

        Confluent's rules do not depend on a policy, so ``policy`` is ignored."""
        del policy
        return [
            Violation(type=difference.type, path=difference.path, message=difference.message)
            for difference in schema_differences(old, new)
            if not difference.compatible
        ]
