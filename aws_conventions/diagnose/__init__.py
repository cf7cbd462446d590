"""Mistakes that stop a program before any policy can run: project checks on the program's files
(``project.py``) and explanations of a failed program (``explain.py``). ``checks.py`` lists them all."""

from .checks import CHECKS, Check
from .explain import explain
from .project import check_project, stack_config_rules

__all__ = ["CHECKS", "Check", "check_project", "explain", "stack_config_rules"]
