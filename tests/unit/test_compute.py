"""The compute budget (registry.domain.compute): deadlines, the checks the long loops make,
and the steps that stop at them."""

from __future__ import annotations

import threading
import time

import orjson
import pytest

from registry.domain.compatibility.registry import default_compatibility
from registry.domain.compute import (
    ComputeBudget,
    InlineCompute,
    budget_left,
    budget_spent,
    check_budget,
    json_weight,
    run_until,
)
from registry.domain.errors import TooComplex
from registry.domain.formats.avro import AvroHandler
from registry.domain.formats.avro import validation as avro_validation
from registry.domain.formats.avro.validation import ValidationRun
from registry.domain.formats.json_schema import JsonSchemaHandler
from registry.domain.formats.protobuf import ProtobufHandler
from registry.domain.model import CompatibilityPolicy, SchemaFormat

# Every definition uses the next one twice: validating anything walks 2**40 paths.
DOUBLING_SCHEMA = {
    "$defs": {
        **{f"d{i}": {"allOf": [{"$ref": f"#/$defs/d{i + 1}"}, {"$ref": f"#/$defs/d{i + 1}"}]} for i in range(40)},
        "d40": {"type": "integer"},
    },
    "$ref": "#/$defs/d0",
}


def tight(seconds: float = 0.05) -> InlineCompute:
    return InlineCompute(ComputeBudget(seconds))


def spin(seconds: float) -> str:
    """A step that checks its budget as our long loops do."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        check_budget()
    return "done"


def test_a_step_within_its_budget_returns_its_result() -> None:
    assert tight(1.0).run(lambda: spin(0.01), operation="spinning", weight=0) == "done"


def test_past_the_budget_the_step_is_too_complex_and_names_the_setting() -> None:
    started = time.monotonic()
    with pytest.raises(TooComplex) as raised:
        tight(0.05).run(lambda: spin(5), operation="spinning", weight=0)
    assert time.monotonic() - started < 1
    error = raised.value
    assert error.code == "TOO_COMPLEX"
    assert error.details == {"limit": "COMPUTE_BUDGET_SECONDS", "limit_value": 0.05}
    assert error.message == "spinning takes longer than the 0.05 s one request may compute (COMPUTE_BUDGET_SECONDS)"


def test_outside_a_step_nothing_is_checked() -> None:
    check_budget()
    assert budget_left() is None
    with pytest.raises(RuntimeError):
        budget_spent()


def test_the_deadline_is_the_steps_own_and_ends_with_it() -> None:
    def inner() -> float | None:
        return budget_left()

    left = run_until(time.monotonic() + 5, RuntimeError, inner)
    assert left is not None and 4 < left <= 5
    assert budget_left() is None


def test_each_thread_sees_only_its_own_step() -> None:
    seen: list[float | None] = []

    def elsewhere() -> None:
        seen.append(budget_left())

    def step() -> None:
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()

    run_until(time.monotonic() + 5, RuntimeError, step)
    assert seen == [None]


def test_budget_spent_raises_the_steps_overrun() -> None:
    with pytest.raises(TooComplex):
        tight().run(budget_spent, operation="waiting", weight=0)


@pytest.mark.parametrize(
    "value",
    [{"id": "user-123", "name": "Jane Doe", "value": 42.5}, [1, 2.5, None, True, "x" * 100], {"a": [{"b": {}}] * 20}],
)
def test_json_weight_is_about_the_length_of_the_json_text(value: object) -> None:
    length = len(orjson.dumps(value))
    assert length / 2 <= json_weight(value, 10**9) <= length * 2


def test_json_weight_stops_counting_past_the_limit() -> None:
    long_list, wide_object = list(range(2_000_000)), {str(key): key for key in range(100_000)}
    started = time.perf_counter()
    assert json_weight(long_list, 4096) > 4096
    assert json_weight(wide_object, 4096) > 4096
    assert json_weight([[[["x" * 100]] * 100]] * 100, 4096) > 4096
    assert time.perf_counter() - started < 0.01


# The long loops of the steps check the budget.


def test_json_schema_validation_stops_at_the_budget() -> None:
    handler = JsonSchemaHandler()
    validator = handler.compile_validator(handler.parse(DOUBLING_SCHEMA).document)
    with pytest.raises(TooComplex):
        tight().run(lambda: validator.validate(1), operation="validating the document", weight=0)


def test_the_metaschema_check_words_problems_within_the_budget() -> None:
    """The compiled metaschema check is linear, bounded by the size limits (95,000 properties
    take about 0.2 s); jsonschema, which words the problems of a schema that check refuses,
    checks the budget as it descends."""
    invalid = {"type": "object", "properties": {f"p{index}": {"type": 5} for index in range(1_000)}}
    with pytest.raises(TooComplex):
        tight(1e-6).run(lambda: JsonSchemaHandler().parse(invalid), operation="checking the schema", weight=0)


def test_a_pattern_match_may_take_only_the_budget_left() -> None:
    handler = JsonSchemaHandler()
    validator = handler.compile_validator(handler.parse({"type": "string", "pattern": "^(a|a)*$"}).document)
    started = time.monotonic()
    with pytest.raises(TooComplex):
        tight(0.02).run(lambda: validator.validate("a" * 40 + "b"), operation="validating the document", weight=0)
    assert time.monotonic() - started < 0.09  # less than the match's own limit (0.1 s)
    # Outside a step, the match's own limit still decides.
    assert "could not be checked" in validator.validate("a" * 40 + "b")[0].message


def test_json_schema_compatibility_stops_at_the_budget() -> None:
    handler = JsonSchemaHandler()
    branches = [{"type": "object", "properties": {"k": {"const": i}}, "required": ["k"]} for i in range(300)]
    old = handler.parse({"anyOf": branches}).document
    new = handler.parse({"anyOf": branches[::-1]}).document
    rules = default_compatibility().get(SchemaFormat.JSON)
    with pytest.raises(TooComplex):
        tight().run(
            lambda: rules.backward_violations(old, new, CompatibilityPolicy.STRICT),
            operation="checking compatibility",
            weight=0,
        )


def test_protoc_may_take_only_the_budget_left() -> None:
    handler = ProtobufHandler()
    text = 'syntax = "proto3"; message M { string a = 1; }'
    with pytest.raises(TooComplex):
        tight(0.001).run(lambda: handler.parse(text), operation="checking the schema", weight=0, movable=False)
    # Not cached as a failure: with time enough it compiles.
    assert InlineCompute().run(lambda: handler.parse(text), operation="checking the schema", weight=0).content == text


def test_avro_validation_stops_at_the_budget_and_keeps_no_trials_of_finished_values() -> None:
    handler = AvroHandler()
    records = [{"type": "record", "name": f"R{i}", "fields": [{"name": f"f{i}", "type": "int"}]} for i in range(300)]
    schema = orjson.dumps({"type": "array", "items": records}).decode()
    validator = handler.compile_validator(handler.parse(schema).document)
    runs: list[ValidationRun] = []

    class Recorded(ValidationRun):
        def __init__(self, **options: bool | int) -> None:
            super().__init__(**options)  # type: ignore[arg-type]  # the options ValidationRun takes
            runs.append(self)

    document = [{"f299": 1}] * 10_000  # every item is tried against all 300 branches
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(avro_validation, "ValidationRun", Recorded)
        with pytest.raises(TooComplex):
            tight(0.2).run(lambda: validator.validate(document), operation="validating the document", weight=0)
        assert validator.validate(document[:50]) == []
    assert len(runs[-1]._trials) == 0  # dropped after each item's union
