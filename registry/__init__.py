"""LLM Schema Registry: versioned JSON Schema, Avro and Protobuf schemas over HTTP."""
