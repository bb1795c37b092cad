"""The states a schema version moves through."""

from __future__ import annotations

from registry.domain.errors import InvalidStateTransition
from registry.domain.model import SchemaState

# DELETED is reached only through DELETE, never through a state change.
ALLOWED_TRANSITIONS: dict[SchemaState, frozenset[SchemaState]] = {
    SchemaState.DRAFT: frozenset({SchemaState.ACTIVE}),
    SchemaState.ACTIVE: frozenset({SchemaState.DEPRECATED}),
    SchemaState.DEPRECATED: frozenset({SchemaState.ACTIVE, SchemaState.ARCHIVED}),
    SchemaState.ARCHIVED: frozenset(),
    SchemaState.DELETED: frozenset(),
}


def check_transition(current: SchemaState, target: SchemaState) -> None:
    """Raise unless ``current`` may move to ``target`` (staying put is always allowed)."""
    if target is current:
        return
    if target not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(state.value for state in ALLOWED_TRANSITIONS[current])) or "none"
        raise InvalidStateTransition(
            f"a {current.value} schema cannot become {target.value} (allowed from {current.value}: {allowed})",
            current_state=current.value,
            requested_state=target.value,
        )
