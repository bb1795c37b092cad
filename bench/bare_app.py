"""The ceiling: a bare Falcon app on the same gunicorn/gevent stack as the registry.

``gunicorn -c bench/bare_gunicorn.conf.py bare_app:app`` (``bench/run.py`` starts it).
Same routes as the registry's hot paths, doing the least work that answers them:

* ``GET /api/v1/schemas/{id}``: a constant schema document (by default the registry's own
  response for the benchmark schema, read from ``BARE_GET_BODY_FILE``), serialised with
  orjson like the registry does.
* ``POST /api/v1/validate/{id}``: the body parsed with orjson and validated by a
  precompiled ``jsonschema`` validator of the benchmark schema; answers
  ``{"is_valid": ..., "errors": [...]}``.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import falcon
import jsonschema
import orjson
import workload

MAX_ERRORS = 100


def _get_document() -> dict[str, Any]:
    path = os.environ.get("BARE_GET_BODY_FILE")
    if path:
        with open(path, "rb") as body:
            return orjson.loads(body.read())
    # Standalone use: a document shaped like the registry's GET response.
    content = workload.dumps(workload.SCHEMA)
    return {
        "id": "00000000-0000-4000-8000-000000000000",
        "subject": "bench.hot.0",
        "namespace": "bench.hot",
        "name": "0",
        "version": "1.0.0",
        "format": "JSON",
        "schema": workload.SCHEMA,
        "content": content,
        "state": "DRAFT",
        "compatibility_mode": "BACKWARD",
        "compatibility_policy": "STRICT",
        "description": None,
        "tags": [],
        "metadata": {},
        "created_at": "2025-01-01T00:00:00.000000Z",
        "updated_at": "2025-01-01T00:00:00.000000Z",
    }


def _pointer(parts: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


class SchemaDocument:
    def __init__(self) -> None:
        self._document = _get_document()

    def on_get(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps(self._document)


class Validate:
    def __init__(self) -> None:
        cls = jsonschema.validators.validator_for(workload.SCHEMA)
        cls.check_schema(workload.SCHEMA)
        self._validator = cls(workload.SCHEMA)

    def on_post(self, req: falcon.Request, resp: falcon.Response, schema_id: str) -> None:
        try:
            document = orjson.loads(req.bounded_stream.read())
        except orjson.JSONDecodeError:
            raise falcon.HTTPBadRequest(title="the body is not JSON") from None
        errors = [
            {
                "path": _pointer(error.absolute_path),
                "message": error.message,
                "keyword": error.validator,
                "schema_path": _pointer(error.absolute_schema_path),
            }
            for error in itertools.islice(self._validator.iter_errors(document), MAX_ERRORS)
        ]
        resp.content_type = falcon.MEDIA_JSON
        resp.data = orjson.dumps({"is_valid": not errors, "errors": errors})


class Ready:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.data = b'{"status":"ready"}'


app = falcon.App()
app.add_route("/api/v1/schemas/{schema_id}", SchemaDocument())
app.add_route("/api/v1/validate/{schema_id}", Validate())
app.add_route("/readyz", Ready())
