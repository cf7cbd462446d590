"""The one way messages shorten a list: the first few items, then how many more."""

import pytest

from policies import and_more


@pytest.mark.parametrize(("items", "limit", "kwargs", "expected"), [
    (["a", "b"], 3, {}, "a, b"),
    (["a", "b", "c"], 3, {}, "a, b, c"),
    (["a", "b", "c", "d", "e"], 3, {}, "a, b, c and 2 more"),
    (["a", "b", "c"], 1, {"sep": "; "}, "a; and 2 more"),
    (["a", "b", "c"], 2, {"sep": "; ", "what": "resource types"}, "a; b; and 1 more resource types"),
    ([], 5, {}, ""),
], ids=["under-the-limit", "at-the-limit", "over-the-limit", "semicolons", "named", "empty"])
def test_and_more(items, limit, kwargs, expected):
    assert and_more(items, limit, **kwargs) == expected
