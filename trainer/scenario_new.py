"""`scenario new ID`: a commented template for a new scenario file, and the check that one is filled in.

The template (trainer/scenario_template.yml) carries example values inside 「示例：…」 markers: a file
still holding a marker is refused by `scenario check` with the lines to fill in."""

from __future__ import annotations

import re
from pathlib import Path

from api.catalog.models import Identifier  # noqa: F401 - the id rule the template's id must follow

TEMPLATE = Path(__file__).with_name("scenario_template.yml")
MARKER = re.compile(r"「示例：([^」]*)」")
ID_RULE = re.compile(r"^[a-z][a-z0-9_]{1,47}$")


class TemplateError(ValueError):
    """The id is not usable or the file exists already."""


def template(scenario_id: str) -> str:
    return TEMPLATE.read_text(encoding="utf-8").replace("__ID__", scenario_id)


def write_template(data_dir: Path, scenario_id: str) -> Path:
    """Write data/scenarios/ID.yml from the template; refuses a bad id or an existing file."""
    if not ID_RULE.match(scenario_id):
        raise TemplateError(f"场景编号 {scenario_id!r} 不合规：只用小写英文字母、数字和下划线，以字母开头，2–48 个字符")
    path = data_dir / "scenarios" / f"{scenario_id}.yml"
    if path.exists():
        raise TemplateError(f"{path} 已存在，不会覆盖")
    path.write_text(template(scenario_id), encoding="utf-8")
    return path


def fill_examples(text: str) -> str:
    """The template with every marker replaced by its example value (what a trainer does by hand)."""
    return MARKER.sub(lambda m: m.group(1), text)


def unfilled(path: Path) -> list[int]:
    """Lines (1-based) of `path` that still hold a 「示例：…」 marker."""
    return [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if MARKER.search(line)]
