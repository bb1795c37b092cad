"""The schema store on PostgreSQL.

``rows`` maps rows to domain records, ``queries`` holds the SQL the sessions and the
store share, ``sessions`` the write transactions, ``store`` the store itself.
"""

from registry.storage.notifications import CHANGES_CHANNEL
from registry.storage.postgres.queries import SUBJECT_STATE_QUERY
from registry.storage.postgres.sessions import PostgresSubjectSession, PostgresVersionSession
from registry.storage.postgres.store import PostgresSchemaStore

__all__ = [
    "CHANGES_CHANNEL",
    "SUBJECT_STATE_QUERY",
    "PostgresSchemaStore",
    "PostgresSubjectSession",
    "PostgresVersionSession",
]
