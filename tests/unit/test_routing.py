"""The registry's router: subjects holding an encoded slash, and the matched route template."""

from __future__ import annotations

import falcon
from falcon import testing

from registry.http.observation import ROUTE_KEY
from registry.http.routing import RegistryRouter


class Echo:
    def on_get(self, req: falcon.Request, resp: falcon.Response, subject: str) -> None:
        resp.media = {"subject": subject, "route": req.env.get(ROUTE_KEY)}


def client() -> testing.TestClient:
    app = falcon.App(router=RegistryRouter())
    app.req_options.strip_url_path_trailing_slash = True
    app.add_route("/subjects/{subject}/versions", Echo())
    return testing.TestClient(app)


def get(path: str, raw: str) -> testing.Result:
    return client().simulate_get(path, extras={"RAW_URI": raw})


def test_an_encoded_slash_stays_inside_its_segment():
    result = get("/subjects/shop/money.proto/versions", "/subjects/shop%2Fmoney.proto/versions?deleted=true")
    assert result.json["subject"] == "shop/money.proto"


def test_other_escapes_in_the_segment_are_decoded_once():
    result = get("/subjects/a/b c%/versions/", "/subjects/a%2fb%20c%25/versions/")
    assert result.json["subject"] == "a/b c%"


def test_paths_without_an_encoded_slash_route_as_before():
    assert get("/subjects/a b/versions", "/subjects/a%20b/versions").json["subject"] == "a b"
    assert get("/subjects/shop/money.proto/versions", "/subjects/shop/money.proto/versions").status_code == 404


def test_an_absolute_form_request_target_is_understood():
    result = get("/subjects/x/y/versions", "http://registry:8080/subjects/x%2Fy/versions")
    assert result.json["subject"] == "x/y"


def test_the_matched_template_is_recorded_for_observation():
    assert get("/subjects/a/versions", "/subjects/a/versions").json["route"] == "/subjects/{subject}/versions"
    assert get("/subjects/a%2Fb/versions", "/subjects/a%2Fb/versions").json["route"] == "/subjects/{subject}/versions"
