"""Confluent's error dialect: every row of the mapping, through the app's one error handling
(``registry.http.errors.install``), on a bare Falcon app (no database)."""

from __future__ import annotations

import falcon
import orjson
import pytest
from falcon import testing

from registry.domain import errors
from registry.domain.model import SchemaProblem, Violation
from registry.http import errors as http_errors
from registry.http.confluent import errors as confluent
from registry.http.confluent import params

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"
VIOLATION = Violation(type="READER_FIELD_MISSING_DEFAULT_VALUE", path="/fields/1", message="no default", version="1")

# (the error raised, Confluent's HTTP status, error_code)
ROWS = [
    (errors.SubjectNotFound("Subject 's' not found."), 404, 40401),
    (errors.VersionNotFound("Version 9 not found."), 404, 40402),
    (errors.SchemaNotFound("Schema 7 not found"), 404, 40403),
    (errors.SubjectSoftDeleted("Subject 's' was soft deleted."), 404, 40404),
    (errors.SubjectNotSoftDeleted("Subject 's' was not deleted first"), 404, 40405),
    (errors.VersionSoftDeleted("Version 1 was soft deleted"), 404, 40406),
    (errors.VersionNotSoftDeleted("Version 1 was not deleted first"), 404, 40407),
    (errors.SubjectConfigNotFound("no subject-level compatibility"), 404, 40408),
    (errors.SubjectModeNotFound("no subject-level mode"), 404, 40409),
    (errors.IncompatibleSchema("incompatible", violations=[VIOLATION]), 409, 409),
    (errors.VersionConflict("version 2 is taken"), 409, 409),
    (errors.CompatibilityModeConflict("mode differs", subject="s"), 409, 409),
    (errors.WriteConflict("retry"), 409, 409),
    (errors.InvalidStateTransition("DELETED cannot change"), 409, 409),
    (errors.InvalidSchema("bad schema", problems=[SchemaProblem("/type", "unknown type")]), 422, 42201),
    (errors.SchemaTooLarge("too deep"), 422, 42201),
    (errors.UnsupportedFormat("XML schemas are not supported"), 422, 42201),
    (errors.InvalidVersion("'x' is not a version"), 422, 42202),
    (errors.InvalidCompatibilityLevel("SIDEWAYS is no level"), 422, 42203),
    (errors.InvalidMode("SIDEWAYS is no mode"), 422, 42204),
    (errors.OperationNotPermitted("not in import mode"), 422, 42205),
    (errors.ReadOnlyMode("Subject 's' is in read-only mode"), 422, 42205),
    (errors.ReferenceExists("referenced by 12"), 422, 42206),
    (errors.InvalidRequest("field 'references' must be a list", field="references"), 422, 422),
    (errors.StorageUnavailable("the database is unreachable"), 503, 50001),
    (errors.StorageBusy("every connection stayed busy"), 503, 50002),
    (errors.TooComplex("validating takes too long", limit="COMPUTE_BUDGET_SECONDS", limit_value=10.0), 422, 422),
    (errors.ComputeBusy("every compute thread stayed busy"), 503, 50002),
]


class Raiser:
    """Raises whatever the test put in ``error``; POST reads a body as Confluent's resources do."""

    def __init__(self) -> None:
        self.error: BaseException | None = None

    def on_get(self, req: falcon.Request, resp: falcon.Response, **_: str) -> None:
        assert self.error is not None
        raise self.error

    def on_post(self, req: falcon.Request, resp: falcon.Response, **_: str) -> None:
        params.read_body(req, 64)
        resp.media = {}


@pytest.fixture
def raiser() -> Raiser:
    return Raiser()


@pytest.fixture
def client(raiser: Raiser) -> testing.TestClient:
    app = falcon.App()
    app.req_options.strip_url_path_trailing_slash = True
    http_errors.install(app)
    app.add_route("/subjects/{subject}", raiser)
    app.add_route("/api/v1/subjects/{subject}", raiser)
    return testing.TestClient(app)


def assert_confluent(response: testing.Result, status: int, error_code: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body = orjson.loads(response.content)
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == error_code
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.mark.parametrize(("error", "status", "error_code"), ROWS, ids=lambda value: type(value).__name__)
def test_every_domain_error_row(client, raiser, error, status, error_code):
    raiser.error = error
    body = assert_confluent(client.simulate_get("/subjects/s"), status, error_code)
    assert body["message"].startswith(error.message)


@pytest.mark.parametrize(("error", "status", "error_code"), ROWS, ids=lambda value: type(value).__name__)
def test_the_same_errors_keep_the_api_v1_shape_there(client, raiser, error, status, error_code):
    raiser.error = error
    response = client.simulate_get("/api/v1/subjects/s")
    assert response.headers["content-type"] == "application/json"
    body = response.json
    assert body["code"] == error.code and body["error"] and "request_id" in body
    assert "error_code" not in body
    assert response.status_code != 500  # every domain error has its /api/v1 status too


def test_storage_errors_ask_for_a_retry(client, raiser):
    raiser.error = errors.StorageBusy("busy")
    assert client.simulate_get("/subjects/s").headers["retry-after"] == "1"


def test_compute_busy_asks_for_a_retry_in_both_dialects(client, raiser):
    raiser.error = errors.ComputeBusy("every compute thread stayed busy")
    for path in ("/subjects/s", "/api/v1/subjects/s"):
        response = client.simulate_get(path)
        assert response.status_code == 503 and response.headers["retry-after"] == "1"


def test_incompatibility_and_schema_problems_are_spelled_out_in_the_message(client, raiser):
    raiser.error = errors.IncompatibleSchema("incompatible", violations=[VIOLATION])
    message = assert_confluent(client.simulate_get("/subjects/s"), 409, 409)["message"]
    assert "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1: no default (version 1)" in message
    raiser.error = errors.InvalidSchema("bad schema", problems=[SchemaProblem("/type", "unknown type")])
    message = assert_confluent(client.simulate_get("/subjects/s"), 422, 42201)["message"]
    assert message == "bad schema: /type: unknown type"


def test_unexpected_exception_is_50001_without_details(client, raiser):
    raiser.error = RuntimeError("secret internals")
    body = assert_confluent(client.simulate_get("/subjects/s"), 500, 50001)
    assert body["message"] == "internal server error"


def test_a_domain_error_without_a_row_is_50001(client, raiser):
    class Novel(errors.RegistryError):
        code = "NOVEL"

    raiser.error = Novel("something new")
    assert assert_confluent(client.simulate_get("/subjects/s"), 500, 50001)["message"] == "something new"


class TestFalconErrorsOnConfluentPaths:
    def test_unknown_route_under_a_confluent_root_is_404_404(self, client):
        assert_confluent(client.simulate_get("/subjects/s/versions/1/nope"), 404, 404)
        assert_confluent(client.simulate_get("/schemas/ids/1/nope"), 404, 404)

    def test_unknown_path_elsewhere_keeps_the_api_v1_shape(self, client):
        response = client.simulate_get("/nope")
        assert response.status_code == 404 and response.headers["content-type"] == "application/json"
        assert response.json["code"] == "NOT_FOUND" and "error_code" not in response.json

    def test_method_not_allowed_is_405_405_with_allow(self, client):
        response = client.simulate_delete("/subjects/s")
        assert_confluent(response, 405, 405)
        assert "GET" in response.headers["allow"]

    def test_unsupported_media_type_is_415_415(self, client):
        body = assert_confluent(
            client.simulate_post("/subjects/s", body=b"{}", headers={"Content-Type": "text/plain"}), 415, 415
        )
        assert "application/vnd.schemaregistry.v1+json" in body["message"]

    @pytest.mark.parametrize(
        "content_type",
        [
            "application/vnd.schemaregistry.v1+json",
            "application/vnd.schemaregistry+json",
            "application/json",
            "application/json; charset=utf-8",
            "application/octet-stream",
            None,
        ],
    )
    def test_confluent_media_types_are_accepted(self, client, content_type):
        headers = {"Content-Type": content_type} if content_type else {}
        assert client.simulate_post("/subjects/s", body=b"{}", headers=headers).status_code == 200

    def test_body_too_large_is_413_413(self, client):
        assert_confluent(
            client.simulate_post(
                "/subjects/s", body=b"{" + b" " * 100 + b"}", headers={"Content-Type": "application/json"}
            ),
            413,
            413,
        )

    def test_malformed_json_is_400_400(self, client):
        response = client.simulate_post("/subjects/s", body=b"{nope", headers={"Content-Type": "application/json"})
        assert_confluent(response, 400, 400)

    def test_a_body_that_is_no_object_is_422_422(self, client):
        assert_confluent(
            client.simulate_post("/subjects/s", body=b"[]", headers={"Content-Type": "application/json"}), 422, 422
        )


@pytest.mark.parametrize(
    ("path", "confluent_dialect"),
    [
        ("/", True),
        ("/subjects", True),
        ("/subjects/a/versions/1", True),
        ("/schemas/ids/1", True),
        ("/schemas/types", True),
        ("/config", True),
        ("/config/s", True),
        ("/mode", True),
        ("/mode/s", True),
        ("/compatibility/subjects/s/versions", True),
        ("/contexts", True),
        ("/api/v1/schemas", False),
        ("/api/v1/subjects/s", False),
        ("/health", False),
        ("/nope", False),
        ("/subjectsx", False),
        ("/metrics", False),
    ],
)
def test_which_paths_speak_confluent(path, confluent_dialect):
    assert confluent.is_confluent_path(path) is confluent_dialect


def test_mapping_functions_directly():
    assert confluent.unexpected() == confluent.ConfluentError(falcon.HTTP_500, 50001, "internal server error")
    assert confluent.from_http_status(404, "HTTP 404 Not Found").status == falcon.HTTP_404
    assert orjson.loads(confluent.from_registry_error(errors.StorageBusy("busy")).body()) == {
        "error_code": 50002,
        "message": "busy",
    }
