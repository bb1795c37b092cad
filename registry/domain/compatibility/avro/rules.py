"""The Avro format's compatibility rules, as the registry looks them up."""

from __future__ import annotations

from registry.domain.compatibility.avro.resolution import COMPARISON_TOO_DEEP, CompatibilityCheck
from registry.domain.formats.avro import AvroSchema
from registry.domain.model import CompatibilityPolicy, SchemaFormat, Violation


class AvroCompatibility:
    format = SchemaFormat.AVRO

    def backward_violations(self, old: AvroSchema, new: AvroSchema, policy: CompatibilityPolicy) -> list[Violation]:
        """What a reader using ``new`` cannot read of data written with ``old``, by
        Avro's schema resolution rules. ``policy`` does not apply to Avro. Both are
        documents as ``AvroHandler`` parses or loads them.

        A pair whose recursive types interleave too deeply to compare yields one
        COMPARISON_TOO_DEEP violation: refusing is the safe answer."""
        try:
            return list(CompatibilityCheck().compare(new.root, old.root))
        except RecursionError:
            return [
                Violation(
                    COMPARISON_TOO_DEEP,
                    "",
                    "the schemas' recursive types interleave too deeply to be compared; treated as incompatible",
                )
            ]
