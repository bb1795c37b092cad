"""Subjects, versions, configuration and the lifecycle over HTTP (real PostgreSQL and Redis)."""

from __future__ import annotations

import uuid

import pytest

OBJECT = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}


def evolve(step: int) -> dict:
    """The ``step``-th of a chain of schemas, each backward compatible with all before it."""
    return {"type": "object", "properties": {"kind": {"enum": [f"k{i}" for i in range(step + 1)]}}}


def register(client, subject, schema=OBJECT, **extra):  # noqa: ANN001, ANN201
    return client.simulate_post("/api/v1/schemas", json={"subject": subject, "schema": schema, **extra})


@pytest.fixture
def namespace() -> str:
    return f"ns{uuid.uuid4().hex[:10]}"


class TestSubjectsAndVersions:
    def test_versions_list_and_lookup(self, client, subject):
        ids = [register(client, subject, evolve(step)).json["id"] for step in range(3)]
        versions = client.simulate_get(f"/api/v1/subjects/{subject}/versions")
        assert versions.status_code == 200
        body = versions.json
        assert [item["version"] for item in body["items"]] == ["1.0.0", "1.1.0", "1.2.0"]
        assert [item["id"] for item in body["items"]] == ids
        assert set(body["items"][0]) == {"version", "id", "state", "created_at"}
        assert body["next_cursor"] is None

        latest = client.simulate_get(f"/api/v1/subjects/{subject}/versions/latest")
        assert latest.json["id"] == ids[2]
        exact = client.simulate_get(f"/api/v1/subjects/{subject}/versions/1.1.0")
        assert exact.json == client.simulate_get(f"/api/v1/schemas/{ids[1]}").json

    def test_version_errors(self, client, subject):
        register(client, subject)
        missing_version = client.simulate_get(f"/api/v1/subjects/{subject}/versions/9.9.9")
        assert missing_version.status_code == 404 and missing_version.json["code"] == "VERSION_NOT_FOUND"
        bad_label = client.simulate_get(f"/api/v1/subjects/{subject}/versions/v1")
        assert bad_label.status_code == 422
        missing_subject = client.simulate_get("/api/v1/subjects/no.such.subject/versions")
        assert missing_subject.status_code == 404 and missing_subject.json["code"] == "SUBJECT_NOT_FOUND"
        assert client.simulate_get("/api/v1/subjects/no.such.subject/versions/latest").status_code == 404

    def test_pagination_stays_correct_while_versions_arrive(self, client, subject):
        for step in range(5):
            register(client, subject, evolve(step))
        first = client.simulate_get(f"/api/v1/subjects/{subject}/versions", params={"limit": "2"}).json
        assert [item["version"] for item in first["items"]] == ["1.0.0", "1.1.0"]
        register(client, subject, evolve(5))  # arrives between pages
        seen = [item["version"] for item in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = client.simulate_get(
                f"/api/v1/subjects/{subject}/versions", params={"limit": "2", "cursor": cursor}
            ).json
            seen += [item["version"] for item in page["items"]]
            cursor = page["next_cursor"]
        assert seen == ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0"]

    def test_subject_listing_with_prefix_and_cursor(self, client, namespace):
        for name in ("a", "b", "c"):
            register(client, f"{namespace}.{name}")
        page = client.simulate_get("/api/v1/subjects", params={"prefix": namespace + ".", "limit": "2"}).json
        assert [item["subject"] for item in page["items"]] == [f"{namespace}.a", f"{namespace}.b"]
        assert page["items"][0] | {"latest_id": None} == {
            "subject": f"{namespace}.a",
            "namespace": namespace,
            "name": "a",
            "latest_version": "1.0.0",
            "latest_id": None,
            "versions": 1,
        }
        rest = client.simulate_get(
            "/api/v1/subjects", params={"prefix": namespace + ".", "cursor": page["next_cursor"]}
        ).json
        assert [item["subject"] for item in rest["items"]] == [f"{namespace}.c"] and rest["next_cursor"] is None

    def test_prefix_is_literal_not_a_pattern(self, client, namespace):
        register(client, f"{namespace}_x.a")
        register(client, f"{namespace}Yx.a")
        listed = client.simulate_get("/api/v1/subjects", params={"prefix": f"{namespace}_"}).json["items"]
        assert [item["subject"] for item in listed] == [f"{namespace}_x.a"]

    @pytest.mark.parametrize(
        "params", [{"limit": "0"}, {"limit": "1001"}, {"limit": "x"}, {"cursor": "%%%"}, {"cursor": "MTIz"}]
    )
    def test_bad_paging_parameters(self, client, params):
        response = client.simulate_get("/api/v1/subjects", params=params)
        assert response.status_code == 422 and response.json["field"] in ("limit", "cursor")


class TestSchemaListing:
    def test_filters(self, client, namespace):
        first = register(client, f"{namespace}.orders", tags=["billing", "v1"]).json["id"]
        register(client, f"{namespace}.users", state="ACTIVE")
        register(client, f"{namespace}.sub.users")

        def ids(**params):  # noqa: ANN202
            return [item["id"] for item in client.simulate_get("/api/v1/schemas", params=params).json["items"]]

        assert len(ids(subject_prefix=namespace)) == 3
        assert len(ids(namespace=namespace)) == 2
        assert len(ids(namespace=namespace, name="users")) == 1
        assert len(ids(name="users", subject_prefix=namespace)) == 2
        assert ids(subject_prefix=namespace, tag="billing") == [first]
        assert len(ids(subject_prefix=namespace, state="ACTIVE")) == 1
        assert len(ids(subject_prefix=namespace, format="JSON")) == 3
        assert ids(subject_prefix=namespace, format="AVRO") == []
        client.simulate_delete(f"/api/v1/schemas/{first}")
        assert first not in ids(subject_prefix=namespace)
        assert ids(subject_prefix=namespace, state="DELETED") == [first]

    def test_bad_filter_values(self, client):
        assert client.simulate_get("/api/v1/schemas", params={"state": "GONE"}).status_code == 422
        assert client.simulate_get("/api/v1/schemas", params={"format": "XML"}).status_code == 422


class TestConfig:
    def test_subject_follows_global_until_set(self, client, subject):
        register(client, subject)
        config = client.simulate_get(f"/api/v1/subjects/{subject}/config").json
        assert config["compatibility_mode"] == client.simulate_get("/api/v1/config").json["compatibility_mode"]
        assert config["subject_compatibility_mode"] is None

        put = client.simulate_put(f"/api/v1/subjects/{subject}/config", json={"compatibility_mode": "NONE"})
        assert put.status_code == 200 and put.json["compatibility_mode"] == "NONE"
        assert put.json["subject_compatibility_mode"] == "NONE"
        breaking = register(client, subject, {"type": "string"})
        assert breaking.status_code == 201 and breaking.json["version"] == "2.0.0"

        reset = client.simulate_delete(f"/api/v1/subjects/{subject}/config")
        assert reset.status_code == 200 and reset.json["subject_compatibility_mode"] is None

    def test_config_before_the_first_version(self, client, subject):
        client.simulate_put(
            f"/api/v1/subjects/{subject}/config", json={"compatibility_mode": "FULL", "compatibility_policy": "LENIENT"}
        )
        first = register(client, subject).json["id"]
        stored = client.simulate_get(f"/api/v1/schemas/{first}").json
        assert (stored["compatibility_mode"], stored["compatibility_policy"]) == ("FULL", "LENIENT")

    def test_bad_config_values(self, client, subject):
        for body in ({"compatibility_mode": "SIDEWAYS"}, {"compatibility_policy": "LAX"}, {}, []):
            response = client.simulate_put(f"/api/v1/subjects/{subject}/config", json=body)
            assert response.status_code == 422, body
        assert client.simulate_put("/api/v1/config", json={"compatibility_mode": "NOPE"}).status_code == 422
        assert client.simulate_delete("/api/v1/subjects/never.seen.subject/config").status_code == 404


class TestEnforcement:
    def test_transitive_mode_checks_every_live_version(self, client, subject):
        register(
            client,
            subject,
            {"type": "object", "properties": {"a": {"type": "string"}}},
            compatibility_mode="BACKWARD_TRANSITIVE",
        )
        # v3 reads v2's data (null) but not v1's (strings): only a transitive check catches v1.
        register(client, subject, {"type": "object", "properties": {"a": {"type": ["string", "null"]}}})
        narrowed = register(client, subject, {"type": "object", "properties": {"a": {"type": "null"}}})
        assert narrowed.status_code == 409
        assert "1.0.0" in {violation["version"] for violation in narrowed.json["violations"]}

    def test_dry_run_reports_without_registering(self, client, subject):
        register(client, subject)
        breaking = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
        verdict = client.simulate_post(
            f"/api/v1/subjects/{subject}/compatibility", json={"schema": breaking, "schema_type": "json"}
        )
        assert verdict.status_code == 200
        assert verdict.json["is_compatible"] is False and verdict.json["compared_versions"] == ["1.0.0"]
        assert verdict.json["violations"][0]["version"] == "1.0.0"
        ok = client.simulate_post(f"/api/v1/subjects/{subject}/compatibility", json={"schema": OBJECT}).json
        assert ok["is_compatible"] is True and ok["identical_to"] == "1.0.0"
        versions = client.simulate_get(f"/api/v1/subjects/{subject}/versions").json["items"]
        assert len(versions) == 1
        fresh = client.simulate_post("/api/v1/subjects/brand.new.subject.x/compatibility", json={"schema": OBJECT})
        assert fresh.json["is_compatible"] is True and fresh.json["compared_versions"] == []
        assert client.simulate_get("/api/v1/subjects/brand.new.subject.x/versions").status_code == 404

    def test_validate_against_a_subject_version(self, client, subject):
        register(client, subject)
        ok = client.simulate_post(f"/api/v1/subjects/{subject}/versions/latest/validate", json={"id": "x"})
        assert ok.status_code == 200 and ok.json["is_valid"] is True and ok.json["version"] == "1.0.0"
        bad = client.simulate_post(f"/api/v1/subjects/{subject}/versions/1.0.0/validate", json={})
        assert bad.json["is_valid"] is False and bad.json["errors"][0]["keyword"] == "required"


class TestLifecycle:
    def test_state_machine(self, client, subject):
        schema_id = register(client, subject).json["id"]

        def move(state):  # noqa: ANN001, ANN202
            return client.simulate_patch(f"/api/v1/schemas/{schema_id}", json={"state": state})

        assert move("DEPRECATED").status_code == 409  # DRAFT cannot skip ACTIVE
        assert move("ACTIVE").json["state"] == "ACTIVE"
        assert move("DRAFT").status_code == 409
        assert move("DEPRECATED").json["state"] == "DEPRECATED"
        assert move("ACTIVE").json["state"] == "ACTIVE"  # DEPRECATED may return to ACTIVE
        assert move("DEPRECATED").status_code == 200
        archived = move("ARCHIVED")
        assert archived.json["state"] == "ARCHIVED"
        refused = move("ACTIVE")
        assert refused.status_code == 409 and refused.json["code"] == "INVALID_STATE_TRANSITION"
        assert move("DELETED").status_code == 422
        assert move("LIMBO").status_code == 422

    def test_annotations_replace_and_content_never_changes(self, client, subject):
        created = register(client, subject, description="first", tags=["a"], metadata={"k": 1}).json
        before = client.simulate_get(f"/api/v1/schemas/{created['id']}").json
        patched = client.simulate_patch(
            f"/api/v1/schemas/{created['id']}",
            json={"description": "second", "tags": ["b", "c"], "metadata": {"owner": "team"}},
        ).json
        assert (patched["description"], patched["tags"], patched["metadata"]) == (
            "second",
            ["b", "c"],
            {"owner": "team"},
        )
        assert patched["updated_at"] > patched["created_at"] == before["created_at"]
        assert (patched["content"], patched["version"]) == (before["content"], before["version"])
        assert client.simulate_get(f"/api/v1/schemas/{created['id']}").json["description"] == "second"
        cleared = client.simulate_patch(f"/api/v1/schemas/{created['id']}", json={"description": None}).json
        assert cleared["description"] is None
        refused = client.simulate_patch(f"/api/v1/schemas/{created['id']}", json={"schema": {"type": "string"}})
        assert refused.status_code == 422
        assert client.simulate_patch(f"/api/v1/schemas/{created['id']}", json={}).status_code == 422
        assert client.simulate_patch(f"/api/v1/schemas/{uuid.uuid4()}", json={"state": "ACTIVE"}).status_code == 404

    def test_deleted_versions_stay_readable_but_leave_listings(self, client, subject):
        first = register(client, subject, evolve(0)).json["id"]
        second = register(client, subject, evolve(1)).json["id"]
        deleted = client.simulate_delete(f"/api/v1/schemas/{second}")
        assert deleted.status_code == 200 and deleted.json["state"] == "DELETED"
        assert client.simulate_get(f"/api/v1/schemas/{second}").json["state"] == "DELETED"
        assert client.simulate_get(f"/api/v1/subjects/{subject}/versions/latest").json["id"] == first
        listed = client.simulate_get(f"/api/v1/subjects/{subject}/versions").json["items"]
        assert [item["id"] for item in listed] == [first]
        assert client.simulate_patch(f"/api/v1/schemas/{second}", json={"description": "x"}).status_code == 409
        # Content identical to a deleted version makes a new version.
        again = register(client, subject, evolve(1))
        assert again.status_code == 201 and again.json["version"] == "1.2.0" and again.json["id"] != second

    def test_deleted_versions_leave_compatibility_checks(self, client, subject):
        register(client, subject, {"type": "string"})
        breaking_id = client.simulate_post(
            "/api/v1/schemas", json={"subject": subject, "schema": {"type": "integer"}}
        ).json
        assert breaking_id["code"] == "INCOMPATIBLE_SCHEMA"
        latest = client.simulate_get(f"/api/v1/subjects/{subject}/versions/latest").json["id"]
        client.simulate_delete(f"/api/v1/schemas/{latest}")
        accepted = register(client, subject, {"type": "integer"})
        assert accepted.status_code == 201 and accepted.json["version"] == "2.0.0"

    def test_delete_subject(self, client, subject):
        ids = [register(client, subject, evolve(step)).json["id"] for step in range(2)]
        deleted = client.simulate_delete(f"/api/v1/subjects/{subject}")
        assert deleted.status_code == 200 and [entry["id"] for entry in deleted.json["deleted"]] == ids
        assert all(client.simulate_get(f"/api/v1/schemas/{i}").json["state"] == "DELETED" for i in ids)
        assert client.simulate_get(f"/api/v1/subjects/{subject}/versions").status_code == 404
        assert client.simulate_delete(f"/api/v1/subjects/{subject}").status_code == 404
