"""The registry's use cases: register, read, evolve, validate, check compatibility.

The service decides; the store persists inside one transaction per change; the cache
serves reads. None of them knows about HTTP.

Each use case is a class of its own (queries, registration, updates, deletion,
settings, checks) that receives what it needs when built; ``RegistryService`` builds
them and hands every call to one of them.
"""

from registry.domain.service.checks import CompatibilityReport
from registry.domain.service.facade import RegistryService
from registry.domain.service.observer import NullServiceObserver, ServiceObserver
from registry.domain.service.queries import LATEST, Page
from registry.domain.service.registration import REGISTRATION_STATES, RegistrationRequest, RegistrationResult

__all__ = [
    "LATEST",
    "REGISTRATION_STATES",
    "CompatibilityReport",
    "NullServiceObserver",
    "Page",
    "RegistrationRequest",
    "RegistrationResult",
    "RegistryService",
    "ServiceObserver",
]
