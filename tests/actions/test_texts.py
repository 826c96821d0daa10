"""Citizen texts live in one place, actions/texts.yml: the actions format them, and `make generate`
copies its utter_* entries into the domain. No citizen-facing Chinese string is written in Python."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import yaml

from tests.conftest import ROOT

HAN = re.compile(r"[\u4e00-\u9fff]")
TEXTS = ROOT / "actions" / "texts.yml"


def test_every_text_key_is_a_name_and_every_template_parses() -> None:
    texts = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))
    assert all(isinstance(key, str) for key in texts), [k for k in texts if not isinstance(k, str)]  # yes/no!
    for key, value in texts.items():
        list(string.Formatter().parse(value))  # a broken {placeholder} fails here
        if key.startswith("utter_"):
            assert "{" not in value, f"{key}: Rasa would fill {{…}} from slots"


def test_the_domain_has_no_hand_written_responses() -> None:
    base = yaml.safe_load((ROOT / "bot" / "domain" / "base.yml").read_text(encoding="utf-8"))
    assert not base.get("responses"), "write citizen texts in actions/texts.yml (utter_* keys)"


def _constant_strings_outside_module_constants(path: Path) -> list[tuple[int, str]]:
    """Chinese string literals that are not docstrings and not module-level constants (the word lists
    and patterns that recognise what citizens say)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            allowed.add(id(body[0].value))  # docstring
    for node in tree.body:  # module-level NAME = ... (patterns, word lists)
        if isinstance(node, ast.Assign | ast.AnnAssign):
            allowed |= {id(n) for n in ast.walk(node)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and HAN.search(node.value)
        if id(node) not in allowed
    ]


def test_no_citizen_text_is_written_in_python() -> None:
    found = {}
    for folder in ("actions", "bot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            strings = _constant_strings_outside_module_constants(path)
            if strings:
                found[str(path.relative_to(ROOT))] = strings
    assert not found, found
