"""`scenario check`: the catalogs load, and every combination of guiding answers gives a plan.

The loader (api.catalog.loader) already refuses conditions naming unknown questions, items naming
unknown fields and prerequisite cycles without `joint_resolution`; its error is shown here with the
file line. Checked here besides:
- a condition comparing a choice question with a value that is not one of its choices;
- an item no combination of answers makes applicable (only said when every combination was run).
Then each combination (all of them, or a bounded sample) goes through api.engine.plan.compute_plan.
"""

from __future__ import annotations

import ast
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from api.catalog.loader import Catalog, CatalogError, load_catalog
from api.catalog.models import Question, Scenario
from api.engine.plan import AnswersInvalid, compute_plan

# More combinations than this and a sample of this many is run (seeded: the same sample each time).
MAX_COMBINATIONS = 256


@dataclass(frozen=True)
class ScenarioProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def line_of(path: Path, dotted: str) -> int:
    """1-based line of a dotted path (`items.2.condition`) inside a YAML file; 0 if not found."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return 0
    line = 0
    for part in [p for p in dotted.split(".") if p]:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == part), None)
            if found is None:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            break
    return line


def catalog_problem(exc: CatalogError) -> ScenarioProblem:
    path = Path(exc.file)
    return ScenarioProblem(exc.file, line_of(path, exc.path), f"{exc.path or '<root>'}: {exc.reason}")


def _comparisons(scenario: Scenario) -> Iterator[tuple[int, str, str, Any]]:
    """(item index, where, question id, constant) of every `question OP constant` in the conditions."""
    for ii, it in enumerate(scenario.items):
        texts = [(f"items.{ii}.condition", it.condition)] + [
            (f"items.{ii}.conditional_fields.{ci}.when", c.when) for ci, c in enumerate(it.conditional_fields)
        ]
        for where, text in texts:
            if not text:
                continue
            for node in ast.walk(ast.parse(text, mode="eval")):
                if not isinstance(node, ast.Compare):
                    continue
                operands = [node.left, *node.comparators]
                names = [o.id for o in operands if isinstance(o, ast.Name)]
                constants = [c.value for o in operands for c in _constants(o)]
                for name in names:
                    for value in constants:
                        yield ii, where, name, value


def _constants(node: ast.AST) -> list[ast.Constant]:
    if isinstance(node, ast.Constant):
        return [node]
    if isinstance(node, ast.List | ast.Tuple):
        return [e for e in node.elts if isinstance(e, ast.Constant)]
    return []


def check_choice_values(path: Path, scenario: Scenario) -> list[ScenarioProblem]:
    questions = {q.id: q for q in scenario.questions}
    problems = []
    for _, where, name, value in _comparisons(scenario):
        q = questions.get(name)
        if q is None or q.validator.kind != "choice":
            continue
        values = [c.value for c in q.validator.choices]
        if value not in values:
            problems.append(
                ScenarioProblem(
                    str(path),
                    line_of(path, where),
                    f"{where}: 问题 {name} 没有选项 {value!r}（可选：{', '.join(values)}）",
                )
            )
    return problems


def candidate_values(question: Question, scenario: Scenario) -> list[Any]:
    """The answers worth trying: both booleans, every choice, numbers around each threshold."""
    kind = question.validator.kind
    if kind == "bool":
        return [True, False]
    if kind == "choice":
        return [c.value for c in question.validator.choices]
    if kind == "number":
        values = {question.default}
        for _, _, name, const in _comparisons(scenario):
            if name == question.id and isinstance(const, int | float) and not isinstance(const, bool):
                values |= {const - 1, const, const + 1}
        rule = question.validator
        kept = [v for v in values if (rule.min is None or v >= rule.min) and (rule.max is None or v <= rule.max)]
        return sorted(kept)
    return [question.default]


def combinations(scenario: Scenario, limit: int = MAX_COMBINATIONS) -> tuple[list[dict[str, Any]], int]:
    """Every combination of candidate answers, or a seeded sample of `limit`; and the full count."""
    options = [(q.id, candidate_values(q, scenario)) for q in scenario.questions]
    total = 1
    for _, values in options:
        total *= len(values)
    if total <= limit:
        combos = itertools.product(*(values for _, values in options))
        return [dict(zip([qid for qid, _ in options], combo, strict=True)) for combo in combos], total
    rng = random.Random(20261204)
    sample = {tuple(q.default for q in scenario.questions)}
    while len(sample) < limit:
        sample.add(tuple(rng.choice(values) for _, values in options))
    ids = [qid for qid, _ in options]
    return [dict(zip(ids, combo, strict=True)) for combo in sorted(sample, key=repr)], total


def _short(value: Any) -> str:
    return {True: "是", False: "否"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def check_scenario(
    path: Path, scenario: Scenario, catalog: Catalog, say: Callable[[str], None], verbose: bool = True
) -> list[ScenarioProblem]:
    problems = check_choice_values(path, scenario)
    combos, total = combinations(scenario, MAX_COMBINATIONS)
    sampled = "" if len(combos) == total else f"（共 {total} 种，抽样 {len(combos)} 种）"
    say(f"场景 {scenario.id}（{scenario.name}）：{len(combos)} 种引导回答组合{sampled}")
    seen_items: set[str] = set()
    for n, answers in enumerate(combos, 1):
        try:
            plan = compute_plan(scenario, answers, catalog)
        except AnswersInvalid as exc:
            problems.append(ScenarioProblem(str(path), 0, f"回答组合 {answers} 被引擎拒绝：{exc.errors}"))
            continue
        seen_items |= {it.id for it in plan.items}
        if verbose:
            given = " ".join(f"{k}={_short(v)}" for k, v in answers.items())
            stages = " → ".join("[" + ", ".join(st.items) + "]" for st in plan.stages)
            say(f"  #{n} {given}")
            say(
                f"      事项 {len(plan.items)} 项：{stages}；"
                f"共 {len(plan.stages)} 步；合并表单 {len(plan.form.asked)} 项"
            )
    if len(combos) == total:
        for ii, it in enumerate(scenario.items):
            if it.id not in seen_items:
                where = f"items.{ii}.condition"
                problems.append(
                    ScenarioProblem(str(path), line_of(path, where), f"{where}: 事项 {it.id} 在任何回答组合下都不适用")
                )
    return problems


def run(data_dir: Path, say: Callable[[str], None], only: str | None = None, verbose: bool = True) -> int:
    """Load and check the catalogs; print the combinations; 0 when there is no problem."""
    from trainer.scenario_new import unfilled

    for path in sorted((data_dir / "scenarios").glob("*.yml")):
        lines = unfilled(path)
        if lines:
            say(
                f"{path}:{lines[0]}: 模板还有 {len(lines)} 行「示例：…」未填写"
                f"（第 {', '.join(map(str, lines[:12]))} 行…）"
            )
            return 1
    try:
        catalog = load_catalog(data_dir)
    except CatalogError as exc:
        say(f"目录校验失败 / catalog invalid:\n{catalog_problem(exc)}")
        return 1
    say(f"目录加载成功 / catalog OK: {len(catalog.fields)} 个字段，{len(catalog.scenarios)} 个场景")
    problems: list[ScenarioProblem] = []
    for sid, scenario in sorted(catalog.scenarios.items()):
        if only and sid != only:
            continue
        problems += check_scenario(data_dir / "scenarios" / f"{sid}.yml", scenario, catalog, say, verbose)
    for p in problems:
        say(str(p))
    if problems:
        say(f"场景检查未通过：{len(problems)} 个问题 / scenario check failed")
        return 1
    say("场景检查通过 / scenario check passed")
    return 0
