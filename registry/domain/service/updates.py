"""Changing a version in place: its lifecycle state (deletion aside) and its descriptive fields."""

from __future__ import annotations

from registry.domain.errors import InvalidRequest, InvalidStateTransition, SchemaNotFound
from registry.domain.lifecycle import check_transition
from registry.domain.metadata import check_metadata
from registry.domain.model import SchemaState
from registry.domain.ports import SchemaCache, SchemaStore
from registry.domain.records import SchemaVersion, VersionChanges
from registry.domain.service.guards import check_writable


class VersionUpdates:
    def __init__(self, store: SchemaStore, cache: SchemaCache, metadata_max_depth: int) -> None:
        self._store = store
        self._cache = cache
        self._metadata_max_depth = metadata_max_depth

    def update_version(self, schema_id: str, changes: VersionChanges) -> SchemaVersion:
        if changes.metadata is not None:
            check_metadata(changes.metadata, self._metadata_max_depth)
        with self._store.version_session(schema_id) as session:
            if session is None:
                raise SchemaNotFound(f"schema {schema_id} not found", schema_id=schema_id)
            check_writable(session.version.subject, session.modes)
            if changes.state is not None:
                if changes.state is SchemaState.DELETED:
                    raise InvalidRequest("use DELETE to delete a schema version", field="state")
                check_transition(session.version.state, changes.state)
            elif session.version.state is SchemaState.DELETED:
                raise InvalidStateTransition(
                    "a DELETED schema version cannot be changed", current_state=SchemaState.DELETED.value
                )
            updated = session.update(changes)
        self._cache.put(updated)
        return updated
