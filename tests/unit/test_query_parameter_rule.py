"""Every query parameter is read through ``registry.http.fields.query_param``, which refuses NUL
(PostgreSQL's text cannot hold it): a parameter read any other way could carry one to the store
and answer 500 (issue 12, item 6)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from falcon import testing

from registry.domain.errors import InvalidRequest
from registry.http import fields

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "registry"
THE_READER = PACKAGE_DIR / "http" / "fields.py"
# Falcon's ways to read a query string: get_param and its typed variants, params, query_string.
DIRECT_READ = re.compile(r"\breq\.(get_param\w*|params\b|query_string\b)")


def test_no_module_reads_query_parameters_around_the_rule() -> None:
    direct = [
        f"{path.relative_to(PACKAGE_DIR.parent)}:{number}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if path != THE_READER
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if DIRECT_READ.search(line)
    ]
    assert direct == []


@pytest.mark.parametrize("query", ["prefix=%00", "prefix=a%00", "prefix=c&prefix=%00b"])
def test_nul_is_refused_naming_the_parameter(query: str) -> None:
    req = testing.create_req(path="/api/v1/subjects", query_string=query)
    with pytest.raises(InvalidRequest) as refused:
        fields.query_param(req, "prefix")
    assert refused.value.field == "prefix" and "'prefix'" in refused.value.message


def test_other_values_pass_unchanged() -> None:
    req = testing.create_req(path="/api/v1/subjects", query_string="prefix=a%20b&empty=")
    assert fields.query_param(req, "prefix") == "a b"
    assert fields.query_param(req, "empty") == ""
    assert fields.query_param(req, "absent") is None
