"""`scenario check` and `scenario new`: broken scenarios are refused with the file line and a clear
reason; the template, once its example values are filled in, is a valid catalog entry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from trainer import scenario_check
from trainer.scenario_new import TemplateError, fill_examples, unfilled, write_template


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def check(data: Path) -> tuple[int, str]:
    said: list[str] = []
    code = scenario_check.run(data, said.append, verbose=False)
    return code, "\n".join(said)


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` once; return the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_the_project_catalog_passes_and_every_combination_is_listed() -> None:
    said: list[str] = []
    assert scenario_check.run(ROOT / "data", said.append) == 0
    text = "\n".join(said)
    assert "场景 open_restaurant（开办餐饮店）：64 种引导回答组合" in text
    # floor_area is compared with 300: 299, 300 and 301 are tried besides the default 100
    assert re.search(r"floor_area=301 .*\n\s+事项 \d+ 项：.*fire_safety_check.*；共 \d 步；合并表单 \d+ 项", text)
    assert "场景检查通过" in text


BROKEN = [
    ("retirement", "condition: only_child_parent", "condition: only_child_parents", "条件引用了未定义的引导问题"),
    (
        "retirement",
        "fields: [applicant_name, id_number, phone, work_unit]\n",
        "fields: [applicant_name, id_number, phone, work_place]\n",
        "未知字段 work_place",
    ),
    (
        "retirement",
        "prerequisites: [retirement_archive_review, pension_transfer]",
        "prerequisites: [retirement_archive_review, pension_transfer, medical_retiree_change]",
        "互为前置的环",
    ),
    (
        "open_pharmacy",
        "condition: drug_scope == 'prescription'",
        "condition: drug_scope == 'prescriptions'",
        "问题 drug_scope 没有选项 'prescriptions'",
    ),
    (
        "retirement",
        "condition: only_child_parent",
        "condition: only_child_parent and not only_child_parent",
        "事项 only_child_parent_bonus 在任何回答组合下都不适用",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "reason"), BROKEN)
def test_a_broken_scenario_is_refused_with_its_line(data: Path, file: str, old: str, new: str, reason: str) -> None:
    path = data / "scenarios" / f"{file}.yml"
    line = edit(path, old, new)
    code, said = check(data)
    assert code == 1
    problem = next(s for s in said.splitlines() if reason in s)
    assert problem.startswith(f"{path}:"), problem
    reported = int(problem.split(":")[1])
    if "互为前置" in reason:  # the item of the cycle that says nothing of how it is resolved
        assert "items.3.joint_resolution" in problem and reported > line, problem
    else:  # the line of the key named (the condition, the field list) or of its item
        assert line - 12 <= reported <= line, (line, problem)


def test_a_template_still_holding_examples_is_refused(data: Path) -> None:
    path = write_template(data, "disability_certificate")
    code, said = check(data)
    assert code == 1 and f"{path}:" in said and "「示例：…」未填写" in said
    with pytest.raises(TemplateError, match="已存在"):
        write_template(data, "disability_certificate")
    with pytest.raises(TemplateError, match="不合规"):
        write_template(data, "Disability-Certificate")


def test_the_template_filled_with_its_examples_is_a_valid_scenario(data: Path) -> None:
    from api.catalog.loader import load_catalog

    path = write_template(data, "disability_certificate")
    path.write_text(fill_examples(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert unfilled(path) == []
    scenario = load_catalog(data).scenarios["disability_certificate"]
    assert scenario.name == "残疾人证办理一件事" and len(scenario.items) == 4 and len(scenario.questions) == 3
    code, said = check(data)
    assert code == 0, said
    assert "场景 disability_certificate（残疾人证办理一件事）：8 种引导回答组合" in said


def test_too_many_combinations_are_sampled_and_say_so(data: Path) -> None:
    from api.catalog.loader import load_catalog

    scenario = load_catalog(data).scenarios["open_restaurant"]
    combos, total = scenario_check.combinations(scenario, limit=10)
    assert total == 64 and len(combos) == 10
    assert {q.id: q.default for q in scenario.questions} in combos  # the all-defaults one always
    said: list[str] = []
    scenario_check.MAX_COMBINATIONS, saved = 10, scenario_check.MAX_COMBINATIONS
    try:
        scenario_check.check_scenario(data / "scenarios/open_restaurant.yml", scenario, load_catalog(data), said.append)
    finally:
        scenario_check.MAX_COMBINATIONS = saved
    assert "（共 64 种，抽样 10 种）" in said[0]


def test_scenario_add_stops_at_a_broken_scenario_before_generating_or_training(data: Path) -> None:
    from trainer import scenario_add

    edit(data / "scenarios" / "retirement.yml", "condition: only_child_parent", "condition: only_child_parents")
    said: list[str] = []
    code = scenario_add.run(data.parent, ROOT / ".venv-api/bin/python", ROOT / ".venv-bot/bin/python", said.append)
    text = "\n".join(said)
    assert code == 1 and "条件引用了未定义的引导问题：only_child_parents" in text
    assert "第 1/4 步" in text and "第 2/4 步" not in text
