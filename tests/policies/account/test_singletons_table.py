"""The singleton table agrees with the installed pulumi_aws: tokens, regions and import IDs."""

import functools
import importlib
import inspect
import json
import re

import pytest

from policies._core import aws_types
from policies.account.singletons import SINGLETONS
from tests.conftest import ROOT

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TYPES = json.loads((ROOT / "policies" / "_data" / "aws_types.json").read_text())["types"]


def resource_class(token):
    module, *path = aws_types.python_class(token).split(".")[1:]
    return functools.reduce(getattr, path, importlib.import_module(f"pulumi_aws.{module}"))


@pytest.mark.parametrize("entry", SINGLETONS, ids=lambda s: s.token)
def test_token_exists_in_aws_types(entry):
    assert entry.token in TYPES


@pytest.mark.parametrize("entry", SINGLETONS, ids=lambda s: s.token)
def test_regional_matches_the_region_property(entry):
    assert hasattr(resource_class(entry.token), "region") == entry.regional


@pytest.mark.parametrize("entry", SINGLETONS, ids=lambda s: s.token)
def test_import_id_matches_the_resource_documentation(entry):
    source = inspect.getsource(inspect.getmodule(resource_class(entry.token)))
    lines = re.findall(rf"pulumi import {re.escape(entry.token)} \S+ (\S+)", source)
    assert bool(lines) == bool(entry.import_id)
    if entry.import_id.startswith("the word "):
        assert entry.example_id in lines


def test_tokens_are_unique():
    tokens = [s.token for s in SINGLETONS]
    assert len(tokens) == len(set(tokens))
