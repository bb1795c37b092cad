"""Confluent Schema Registry's REST API over the registry's store, at the root of the API port.

``routes.add_confluent_routes`` wires it; ``errors`` is its error dialect. This module imports
nothing so that ``registry.http.errors`` can import ``errors`` without pulling in the resources
(which import ``registry.http.errors`` themselves).
"""
