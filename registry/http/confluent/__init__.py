"""Confluent Schema Registry's REST API over the registry's store, at the root of the API port.

``routes.add_confluent_routes`` wires it; ``errors`` is its error dialect, which
``registry.http.errors`` renders on Confluent paths. This module imports nothing, so importing
``errors`` does not pull in the resources.
"""
