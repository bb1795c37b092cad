"""In-memory implementations of the domain's ports (registry.domain.ports), for fast tests.

tests/contract runs one suite against them and against PostgreSQL and Redis, so they
cannot drift from the real store and cache.
"""

from tests.fakes.memory_cache import InMemorySchemaCache
from tests.fakes.memory_store import InMemorySchemaStore

__all__ = ["InMemorySchemaCache", "InMemorySchemaStore"]
