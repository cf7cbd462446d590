"""Mistakes that stop a program before any policy can run: project checks on the program's files
(``project.py``, ``sources.py``) and explanations of a failed program (``explain.py``). ``checks.py``
lists them all."""

from ..findings import Diagnosis
from .checks import CHECKS, Check
from .explain import explain, workaround
from .project import check_project, proposed_main, stack_config_rules
from .sources import CHECK as _SOURCE_OUTPUT_JSON

__all__ = ["CHECKS", "Check", "check_project", "explain", "proposed_main", "stack_config_rules", "with_explanations",
           "workaround"]


def with_explanations(found: list[Diagnosis], explained: list[Diagnosis]) -> list[Diagnosis]:
    """``found`` then ``explained``, without a source check that the failure explains at the same line."""
    at = {d.location for d in explained if d.check == "program-output-json"}
    return [d for d in found if not (d.check == _SOURCE_OUTPUT_JSON and d.location in at)] + explained
