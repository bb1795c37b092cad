"""``HTTPProblem``: an HTTP-level error (bad JSON, wrong media type, body too large) with our code.

It lives apart from ``registry.http.errors``, which renders every error and so imports the
Confluent dialect, because the Confluent resources raise it too (through ``registry.http.body``).
"""

from __future__ import annotations

from typing import Any

import falcon


class HTTPProblem(falcon.HTTPError):
    def __init__(
        self, status: str, code: str, message: str, *, headers: dict[str, str] | None = None, **details: Any
    ) -> None:
        super().__init__(status, title=message, headers=headers)
        self.problem_code = code
        self.details = details
