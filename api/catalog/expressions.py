"""Item conditions: a small, safe boolean language over the guiding answers.

Catalog text is never passed to eval/exec. A condition is parsed once with `ast` and checked
against a whitelist of node types and the scenario's question ids; evaluation is done by
simpleeval with only the answers in scope.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from simpleeval import EvalWithCompoundTypes

_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
)


class ConditionError(ValueError):
    """A condition that is not valid in the catalog's expression language."""


def parse_condition(text: str, known_names: set[str]) -> set[str]:
    """Check a condition's syntax and names; return the question ids it reads."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"条件表达式语法错误：{exc.msg}") from None
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ConditionError(f"条件表达式不允许使用 {type(node).__name__}")
        if isinstance(node, ast.Name):
            names.add(node.id)
    unknown = names - known_names
    if unknown:
        raise ConditionError(f"条件引用了未定义的引导问题：{', '.join(sorted(unknown))}")
    return names


def evaluate_condition(text: str | None, answers: Mapping[str, Any]) -> bool:
    """Evaluate a (previously parsed) condition; an absent condition always applies."""
    if not text:
        return True
    evaluator = EvalWithCompoundTypes(names=dict(answers), functions={})
    try:
        return bool(evaluator.eval(text))
    except TypeError:
        # e.g. comparing a missing number with a threshold: the condition is not met.
        return False
