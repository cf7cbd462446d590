"""What the pack leaves for later so that it starts fast: the engine starts it for every preview."""

import re
import subprocess
import sys

import pytest

from policies._core.regex import LazyPattern
from tests.conftest import ROOT


def _shown(result: object) -> object:
    return result.group(0, 1) if isinstance(result, re.Match) else result


@pytest.mark.parametrize(("method", "args"), [
    ("match", ("PR42-api",)),
    ("match", ("api-pr42",)),
    ("fullmatch", ("pr42",)),
    ("fullmatch", ("pr42-api",)),
    ("search", ("api-PR42",)),
    ("search", ("api",)),
    ("sub", ("<pr>", "api-pr42-pr7")),
], ids=["match", "no-match", "fullmatch", "no-fullmatch", "search", "no-search", "sub"])
def test_a_lazy_pattern_answers_as_the_compiled_pattern_before_and_after_its_first_use(method, args):
    lazy, compiled = LazyPattern(r"pr(\d+)", re.I), re.compile(r"pr(\d+)", re.I)
    expected = _shown(getattr(compiled, method)(*args))
    assert _shown(getattr(lazy, method)(*args)) == expected
    assert _shown(getattr(lazy, method)(*args)) == expected
    assert getattr(lazy, method).__self__ == compiled  # from then on, the compiled pattern's own method


def test_importing_the_pack_compiles_none_of_its_patterns():
    code = ("import re, sys\n"
            "callers = []\n"
            "real = re.compile\n"
            "def spy(pattern, flags=0):\n"
            "    callers.append(sys._getframe(1).f_code.co_filename)\n"
            "    return real(pattern, flags)\n"
            "re.compile = spy\n"
            "import policies\n"
            f"print(*sorted({{c for c in callers if c.startswith({str(ROOT / 'policies')!r})}}))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_importing_the_pack_leaves_botocore_to_the_policy_that_reads_the_account():
    code = "import sys, policies; print(sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
