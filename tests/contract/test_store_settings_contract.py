"""SchemaStore's settings: compatibility configuration and modes, global and per subject."""

from __future__ import annotations

from registry.domain.model import CompatibilityMode, CompatibilityPolicy, RegistryMode
from registry.domain.ports import SchemaStore
from registry.domain.records import CompatibilityConfig, EffectiveConfig, SubjectModes
from tests.contract.registrations import register


def test_the_defaults(store: SchemaStore) -> None:
    assert store.global_config() == EffectiveConfig(CompatibilityMode.BACKWARD, CompatibilityPolicy.STRICT)
    assert store.global_mode() is RegistryMode.READWRITE
    assert store.subject_config("s") is None
    assert store.subject_modes("s") is None


def test_global_config_changes_what_is_given(store: SchemaStore) -> None:
    changed = store.set_global_config(CompatibilityMode.FULL, None)
    assert changed == EffectiveConfig(CompatibilityMode.FULL, CompatibilityPolicy.STRICT)
    assert store.set_global_config(None, CompatibilityPolicy.LENIENT) == EffectiveConfig(
        CompatibilityMode.FULL, CompatibilityPolicy.LENIENT
    )
    assert store.set_global_config(None, None) == store.global_config()
    assert store.global_config() == EffectiveConfig(CompatibilityMode.FULL, CompatibilityPolicy.LENIENT)


def test_global_mode(store: SchemaStore) -> None:
    assert store.set_global_mode(RegistryMode.IMPORT) is RegistryMode.IMPORT
    assert store.global_mode() is RegistryMode.IMPORT
    store.set_global_mode(RegistryMode.READONLY)
    assert store.global_mode() is RegistryMode.READONLY


def test_subject_config_is_set_whole_and_creates_the_subject(store: SchemaStore) -> None:
    store.set_subject_config("s", CompatibilityConfig(CompatibilityMode.NONE, None))
    assert store.subject_config("s") == CompatibilityConfig(CompatibilityMode.NONE, None)
    assert store.subject_modes("s") == SubjectModes(None, RegistryMode.READWRITE)
    assert store.has_any_version("s") is False
    store.set_subject_config("s", CompatibilityConfig(None, CompatibilityPolicy.LENIENT))
    assert store.subject_config("s") == CompatibilityConfig(None, CompatibilityPolicy.LENIENT)
    store.set_subject_config("s", CompatibilityConfig())
    assert store.subject_config("s") == CompatibilityConfig()


def test_subject_config_of_a_registered_subject(store: SchemaStore) -> None:
    register(store, "s", '{"title": "a"}')
    assert store.subject_config("s") == CompatibilityConfig()
    store.set_subject_config("s", CompatibilityConfig(CompatibilityMode.FORWARD, CompatibilityPolicy.STRICT))
    assert store.subject_config("s") == CompatibilityConfig(CompatibilityMode.FORWARD, CompatibilityPolicy.STRICT)
    assert store.subject_config("t") is None


def test_subject_mode_creates_the_subject_and_follows_the_registry(store: SchemaStore) -> None:
    store.set_subject_mode("s", RegistryMode.READONLY)
    assert store.subject_modes("s") == SubjectModes(RegistryMode.READONLY, RegistryMode.READWRITE)
    assert store.subject_config("s") == CompatibilityConfig()
    store.set_global_mode(RegistryMode.IMPORT)
    assert store.subject_modes("s") == SubjectModes(RegistryMode.READONLY, RegistryMode.IMPORT)
    store.set_subject_mode("s", None)
    assert store.subject_modes("s") == SubjectModes(None, RegistryMode.IMPORT)
    store.set_subject_mode("t", None)
    assert store.subject_modes("t") == SubjectModes(None, RegistryMode.IMPORT)


def test_ping(store: SchemaStore) -> None:
    store.ping()
