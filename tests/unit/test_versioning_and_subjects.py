import pytest

from registry.domain.errors import InvalidRequest
from registry.domain.subjects import check_subject, split_subject
from registry.domain.versioning import Bump, SemVer, next_version


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("test.schema.user", ("test.schema", "user")),
        ("user", ("default", "user")),
        ("a.b", ("a", "b")),
        ("trailing.", ("default", "trailing.")),
        (".leading", ("default", ".leading")),
    ],
)
def test_split_subject(subject, expected):
    assert split_subject(subject) == expected


@pytest.mark.parametrize("bad", ["", "x" * 256, "tab\there", "nul\x00", "bell\x07", 12, None])
def test_bad_subjects(bad):
    with pytest.raises(InvalidRequest):
        check_subject(bad)


def test_good_subjects():
    assert check_subject("x" * 255) == "x" * 255
    assert check_subject("ünïcode.名前 with spaces") == "ünïcode.名前 with spaces"


def test_versions_order_numerically():
    assert SemVer.parse("1.10.0") > SemVer.parse("1.9.9")
    assert sorted([SemVer(2, 0, 0), SemVer(1, 0, 10), SemVer(1, 0, 2)]) == [
        SemVer(1, 0, 2),
        SemVer(1, 0, 10),
        SemVer(2, 0, 0),
    ]


@pytest.mark.parametrize("bad", ["1.0", "1.0.0.0", "01.0.0", "v1.0.0", "-1.0.0", "", "1.0.0-beta"])
def test_bad_versions(bad):
    with pytest.raises(InvalidRequest):
        SemVer.parse(bad)


def test_next_version():
    assert next_version(None, Bump.MINOR) == SemVer(1, 0, 0)
    assert next_version(SemVer(1, 2, 3), Bump.PATCH) == SemVer(1, 2, 4)
    assert next_version(SemVer(1, 2, 3), Bump.MINOR) == SemVer(1, 3, 0)
    assert next_version(SemVer(1, 2, 3), Bump.MAJOR) == SemVer(2, 0, 0)
