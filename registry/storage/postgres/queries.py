"""SQL shared by the sessions and the store, and the statements both run."""

from __future__ import annotations

import orjson

from registry.domain.records import CompatibilityConfig
from registry.storage.notifications import notify_subject_changed
from registry.storage.pool import Cursor

# Joined to a CTE named v that returns changed schema_versions rows.
JOIN_VERSION_PARTS = "JOIN subjects s ON s.id = v.subject_id JOIN schema_ids i ON i.id = v.global_id"
FROM_VERSIONS = f"FROM schema_versions v {JOIN_VERSION_PARTS}"
VERSION_ORDER = "v.version_major, v.version_minor, v.version_patch"
VERSION_ORDER_DESC = "v.version_major DESC, v.version_minor DESC, v.version_patch DESC"

# A registration's view of its subject once it holds the lock. The EXISTS takes the id as a
# value rather than from s.id: correlated, a planner without statistics (a young table, or
# autovacuum off) may hash every subject_id of schema_versions for it, and then each
# registration costs more than the one before.
SUBJECT_STATE_QUERY = """
    SELECT s.compatibility_mode, s.compatibility_policy, g.compatibility_mode, g.compatibility_policy,
           EXISTS (SELECT 1 FROM schema_versions v WHERE v.subject_id = %(id)s), s.mode, g.mode
    FROM subjects s CROSS JOIN registry_settings g WHERE s.id = %(id)s
"""


def referencing_ids(cursor: Cursor, subject: str, version_number: int, *, live_only: bool) -> list[int]:
    """Global ids of versions whose schema references the subject's ``version_number``."""
    cursor.execute(
        """SELECT DISTINCT v.global_id FROM schema_ids i JOIN schema_versions v ON v.global_id = i.id
           WHERE i.refs @> %s::jsonb AND (NOT %s OR v.state <> 'DELETED') ORDER BY v.global_id""",
        (orjson.dumps([{"subject": subject, "version": version_number}]).decode(), live_only),
    )
    return [row[0] for row in cursor.fetchall()]


def set_subject_config(cursor: Cursor, subject: str, config: CompatibilityConfig) -> None:
    cursor.execute(
        """UPDATE subjects SET compatibility_mode = %s, compatibility_policy = %s, updated_at = now()
           WHERE name = %s""",
        (config.mode.value if config.mode else None, config.policy.value if config.policy else None, subject),
    )
    notify_subject_changed(cursor, subject)
