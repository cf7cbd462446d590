"""The property layer's accessors: each returns the value in the shape it names, or None, and never
raises, whatever the program set."""

from __future__ import annotations

import re

import pytest

from policies._core.values import (
    STRINGIFIED_OUTPUT_TEXT,
    UNKNOWN,
    Prop,
    Props,
    Secret,
    prop_of,
    to_struct,
)
from tests.conftest import ROOT

SHAPES = ("str", "bool", "int", "list", "dict")

# (case id, value, what each accessor as_<shape> returns for it)
ACCESSORS = [
    ("string", "pr42", {"str": "pr42", "bool": None, "int": None, "list": ["pr42"], "dict": None}),
    ("true-text", "True", {"str": "True", "bool": True, "int": None, "list": ["True"], "dict": None}),
    ("digits", " -7 ", {"str": " -7 ", "bool": None, "int": -7, "list": [" -7 "], "dict": None}),
    ("boolean", False, {"str": None, "bool": False, "int": None, "list": [False], "dict": None}),
    ("whole-float", 14.0, {"str": None, "bool": None, "int": 14, "list": [14.0], "dict": None}),
    ("fraction", 1.5, {"str": None, "bool": None, "int": None, "list": [1.5], "dict": None}),
    ("list", ["a", "b"], {"str": None, "bool": None, "int": None, "list": ["a", "b"], "dict": None}),
    ("object", {"k": 1}, {"str": None, "bool": None, "int": None, "list": None, "dict": {"k": 1}}),
    ("unknown", UNKNOWN, {"str": None, "bool": None, "int": None, "list": None, "dict": None}),
    ("null", None, {"str": None, "bool": None, "int": None, "list": None, "dict": None}),
]


@pytest.mark.parametrize(("value", "expected"), [a[1:] for a in ACCESSORS], ids=[a[0] for a in ACCESSORS])
def test_each_accessor_gives_its_shape_or_none(value, expected):
    prop = prop_of("p", value)
    assert {shape: getattr(prop, f"as_{shape}")() for shape in expected} == expected


def test_a_secret_is_read_through_and_stays_secret():
    prop = Props.from_dict({"p": Secret("pr42")}).raw("p")
    wrapped = prop_of("p", prop)
    assert (wrapped.as_str(), wrapped.secret, wrapped.display()) == ("pr42", True, "[secret]")


JSON = [
    ("object", {"Version": "2012-10-17"}, ({"Version": "2012-10-17"}, None)),
    ("text", '{"a": [1, 2]}', ({"a": [1, 2]}, None)),
    ("invalid", '{"a": ', (None, "it is not valid JSON (Expecting value at line 1 column 7)")),
    ("huge-number", "1" * 5000, (None, "it holds a number too long to read")),
    ("stringified", f"{STRINGIFIED_OUTPUT_TEXT} ...",
     (None, "it holds the text of a stringified Output (an f-string or str() over an Output)")),
    ("number", 5, (None, "it is a number, not a JSON document")),
]


@pytest.mark.parametrize(("value", "expected"), [j[1:] for j in JSON], ids=[j[0] for j in JSON])
def test_json_gives_the_document_or_why_not(value, expected):
    assert prop_of("policy", value).json() == expected


def test_a_secret_is_compared_by_value_and_cannot_be_hashed():
    assert Secret([1]) == Secret([1])
    assert Secret([1]) != Secret([2])
    with pytest.raises(TypeError):
        hash(Secret("pr42"))


def test_messages_are_the_undecoded_values_by_key():
    props = Props(to_struct({"name": "orders", "tags": {"env": "dev"}}))
    messages = dict(props.messages())
    assert sorted(messages) == ["name", "tags"]
    assert messages["name"].string_value == "orders"
    assert messages["tags"].struct_value.fields["env"].string_value == "dev"


def test_the_accessors_do_not_shadow_builtins():
    """``as_str()`` and the rest: a method named ``str`` made ``str`` in the class body the method."""
    assert [shape for shape in SHAPES if hasattr(Prop, shape)] == []
    assert [shape for shape in SHAPES if not callable(getattr(Prop, f"as_{shape}", None))] == []


_OLD_CALL = re.compile(r"\.(?:" + "|".join(SHAPES) + r")\(\)")


def test_no_code_or_doc_calls_the_old_accessor_names():
    files = [p for folder in ("policies", "aws_conventions", "tools", "tests", "examples", "benchmarks")
             for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md")
             and not {"venv", ".venv", "__pycache__"} & set(p.relative_to(ROOT).parts)]
    files += [ROOT / "README.md", ROOT / "__main__.py"]
    assert len(files) > 100
    calls = [f"{path.relative_to(ROOT)}:{number}" for path in files
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if _OLD_CALL.search(line)]
    assert calls == []
