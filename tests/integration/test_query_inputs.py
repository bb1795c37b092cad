"""Query parameters and cursors the database cannot take (issue 12, items 6 and 7).

PostgreSQL refuses NUL in text and numbers beyond a column's type; a request carrying either
is the client's mistake: a 422 naming the parameter, in our shape on ``/api/v1`` and in
Confluent's on its paths, never a 500.
"""

from __future__ import annotations

import base64
import json
import uuid

import hypothesis
import pytest
from hypothesis import strategies as st

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
LISTINGS = ["/api/v1/schemas", "/api/v1/subjects", "/api/v1/subjects/{subject}/versions"]


@pytest.fixture(scope="module")
def listed_subject() -> str:
    return f"inputs.{uuid.uuid4().hex[:10]}"


@pytest.fixture
def registered(client, listed_subject) -> str:  # noqa: ANN001
    response = client.simulate_post("/api/v1/schemas", json={"subject": listed_subject, "schema": {"type": "object"}})
    assert response.status_code in (200, 201), response.text
    return listed_subject


def cursor(position: object) -> str:
    """A cursor as the registry spells them: unpadded url-safe base64 of JSON. ``json`` (not orjson)
    writes integers beyond 64 bits."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).rstrip(b"=").decode()


def assert_names_parameter(response, name: str) -> None:  # noqa: ANN001
    assert response.status_code == 422, response.text
    assert response.json["code"] == "INVALID_REQUEST" and response.json["field"] == name
    assert f"'{name}'" in response.json["error"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/subjects", "prefix"),
        ("/api/v1/schemas", "namespace"),
        ("/api/v1/schemas", "name"),
        ("/api/v1/schemas", "subject_prefix"),
        ("/api/v1/schemas", "tag"),
        ("/api/v1/schemas", "format"),
        ("/api/v1/schemas", "state"),
        ("/api/v1/schemas", "cursor"),
        ("/api/v1/schemas", "limit"),
        ("/api/v1/subjects/{subject}/versions", "cursor"),
    ],
)
@pytest.mark.parametrize("value", ["\x00", "a\x00b"], ids=["nul", "inner-nul"])
def test_nul_in_a_native_query_parameter(client, registered, path, name, value):
    response = client.simulate_get(path.format(subject=registered), params={name: value})
    assert_names_parameter(response, name)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/subjects", "subjectPrefix"),
        ("/subjects", "deleted"),
        ("/subjects", "offset"),
        ("/subjects/{subject}/versions", "limit"),
        ("/schemas/ids/1", "format"),
    ],
)
def test_nul_in_a_confluent_query_parameter(client, registered, path, name):
    response = client.simulate_get(path.format(subject=registered), params={name: "a\x00"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    assert response.json["error_code"] == 422 and f"'{name}'" in response.json["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/subjects/a%00b",
        "/api/v1/subjects/a%00b/versions",
        "/api/v1/subjects/a%00b/versions/latest",
        "/api/v1/subjects/a%00b/config",
        "/subjects/a%00b/versions",
        "/subjects/a%00b/versions/latest",
        "/config/a%00b",
        "/mode/a%00b",
    ],
)
def test_nul_in_a_subject_path_segment(client, path):
    response = client.simulate_get(path)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize(
    ("path", "position"),
    [
        ("/api/v1/schemas", 2**63),
        ("/api/v1/schemas", -(2**63) - 1),
        ("/api/v1/schemas", 2**64),
        ("/api/v1/subjects", "\x00"),
        ("/api/v1/subjects", "a\x00"),
        ("/api/v1/subjects/{subject}/versions", [2**31, 0, 0]),
        ("/api/v1/subjects/{subject}/versions", [0, 0, 2**31]),
        ("/api/v1/subjects/{subject}/versions", [-(2**31) - 1, 0, 0]),
        ("/api/v1/subjects/{subject}/versions", [2**63, 0, 0]),
        ("/api/v1/subjects/{subject}/versions", [1, 0, True]),
    ],
)
def test_out_of_range_cursor(client, registered, path, position):
    response = client.simulate_get(path.format(subject=registered), params={"cursor": cursor(position)})
    assert_names_parameter(response, "cursor")


def test_cursors_the_registry_issues_still_page(client, registered):
    for path in LISTINGS:
        first = client.simulate_get(path.format(subject=registered), params={"limit": "1"}).json
        if first["next_cursor"]:
            following = client.simulate_get(
                path.format(subject=registered), params={"limit": "1", "cursor": first["next_cursor"]}
            )
            assert following.status_code == 200, following.text


store_edges = st.sampled_from([2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1])
integers = st.integers(-(2**70), 2**70) | store_edges
json_positions = st.one_of(
    # The shapes the registry issues (a seq, a subject, a version's three parts), with any content ...
    integers,
    st.text(max_size=12),
    st.lists(integers | st.booleans(), min_size=3, max_size=3),
    # ... and anything else JSON can say.
    st.recursive(
        st.none() | st.booleans() | integers | st.floats() | st.text(max_size=12),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=3),
        max_leaves=6,
    ),
)
raw_cursors = st.one_of(
    json_positions.map(cursor),
    st.binary(max_size=24).map(lambda raw: base64.urlsafe_b64encode(raw).decode()),
    st.text(max_size=24),
)


@hypothesis.settings(
    max_examples=200, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(path=st.sampled_from(LISTINGS), raw=raw_cursors)
def test_any_cursor_is_a_page_or_a_client_error(client, registered, path, raw):
    response = client.simulate_get(path.format(subject=registered), params={"cursor": raw})
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json["field"] == "cursor"
