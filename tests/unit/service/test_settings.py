"""Settings: compatibility configuration and modes, global and per subject."""

from __future__ import annotations

import pytest

from registry.domain.errors import OperationNotPermitted, SubjectConfigNotFound, SubjectModeNotFound, SubjectNotFound
from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode
from registry.domain.records import CompatibilityConfig, EffectiveConfig
from registry.domain.service import RegistryService
from tests.unit.service.conftest import register

DEFAULTS = EffectiveConfig(CompatibilityMode.BACKWARD, CompatibilityPolicy.STRICT)


def test_global_config(service: RegistryService) -> None:
    assert service.global_config() == DEFAULTS
    changed = service.set_global_config(CompatibilityMode.FULL, None)
    assert changed == EffectiveConfig(CompatibilityMode.FULL, CompatibilityPolicy.STRICT)
    assert service.reset_global_config() == changed, "the settings in force until then"
    assert service.global_config() == DEFAULTS


def test_subject_config_follows_the_global_one_until_set(service: RegistryService) -> None:
    assert service.subject_config("s") == (DEFAULTS, CompatibilityConfig())
    service.set_global_config(None, CompatibilityPolicy.LENIENT)
    effective, own = service.set_subject_config("s", CompatibilityMode.NONE, None)
    assert own == CompatibilityConfig(CompatibilityMode.NONE, None)
    assert effective == EffectiveConfig(CompatibilityMode.NONE, CompatibilityPolicy.LENIENT)
    _, own = service.set_subject_config("s", None, CompatibilityPolicy.STRICT)
    assert own == CompatibilityConfig(CompatibilityMode.NONE, CompatibilityPolicy.STRICT), "merged with what was set"


def test_reset_subject_config(service: RegistryService) -> None:
    with pytest.raises(SubjectNotFound):
        service.reset_subject_config("s")
    service.set_subject_config("s", CompatibilityMode.NONE, None)
    assert service.reset_subject_config("s") == (DEFAULTS, CompatibilityConfig())


def test_delete_subject_config_returns_the_level_in_force(service: RegistryService) -> None:
    with pytest.raises(SubjectNotFound):
        service.delete_subject_config("s")
    register(service, "s")
    with pytest.raises(SubjectConfigNotFound):
        service.delete_subject_config("s")
    service.set_subject_config("s", None, CompatibilityPolicy.LENIENT)
    assert service.delete_subject_config("s") is CompatibilityMode.BACKWARD
    assert service.subject_config("s") == (DEFAULTS, CompatibilityConfig())


def test_subject_compatibility(service: RegistryService) -> None:
    with pytest.raises(SubjectConfigNotFound):
        service.subject_compatibility("s", default_to_global=False)
    assert service.subject_compatibility("s", default_to_global=True) is CompatibilityMode.BACKWARD
    service.set_subject_config("s", CompatibilityMode.FORWARD, None)
    assert service.subject_compatibility("s", default_to_global=False) is CompatibilityMode.FORWARD


def test_import_mode_needs_force_once_something_is_registered(service: RegistryService) -> None:
    register(service, "s")
    with pytest.raises(OperationNotPermitted):
        service.set_global_mode(RegistryMode.IMPORT)
    with pytest.raises(OperationNotPermitted):
        service.set_subject_mode("s", RegistryMode.IMPORT)
    assert service.set_subject_mode("t", RegistryMode.IMPORT) is RegistryMode.IMPORT
    assert service.set_subject_mode("s", RegistryMode.IMPORT, force=True) is RegistryMode.IMPORT
    assert service.set_global_mode(RegistryMode.IMPORT, force=True) is RegistryMode.IMPORT
    assert service.global_mode() is RegistryMode.IMPORT


def test_import_mode_on_an_empty_registry(service: RegistryService) -> None:
    assert service.set_global_mode(RegistryMode.IMPORT) is RegistryMode.IMPORT


def test_subject_modes(service: RegistryService) -> None:
    with pytest.raises(SubjectModeNotFound):
        service.subject_mode("s", default_to_global=False)
    assert service.subject_mode("s", default_to_global=True) is RegistryMode.READWRITE
    service.set_global_mode(RegistryMode.READONLY)
    assert service.subject_mode("s", default_to_global=True) is RegistryMode.READONLY
    service.set_subject_mode("s", RegistryMode.READWRITE)
    assert service.subject_mode("s", default_to_global=False) is RegistryMode.READWRITE
    assert register(service, "s").version_number == 1, "the subject's own mode wins"


def test_delete_subject_mode(service: RegistryService) -> None:
    with pytest.raises(SubjectNotFound):
        service.delete_subject_mode("s")
    register(service, "s")
    with pytest.raises(SubjectModeNotFound):
        service.delete_subject_mode("s")
    service.set_subject_mode("s", RegistryMode.READONLY)
    assert service.delete_subject_mode("s") is RegistryMode.READONLY
    assert service.subject_mode("s", default_to_global=True) is RegistryMode.READWRITE
