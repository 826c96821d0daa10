"""`nlu check`: the NLU training data is sound before anyone trains on it.

Each check returns problems, each naming a file and line:
- Rasa's own data validation (`rasa data validate`, bot environment);
- every annotated entity starts and ends on a jieba token boundary (bot/jieba dictionary);
- no example sits in two intents (compared after normalisation);
- every intent has at least MIN_EXAMPLES examples;
- the catalog ids the data names exist (scenario/field entity values, `scenario` metadata, story slots);
- the generated files are fresh (`python -m api.botgen --check`);
- no held-out message (tests/nlu/**) is also a training example (after normalisation).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from textnorm import normalize
from trainer.nlu_data import Example, Synonym, compose, read_held_out, read_nlu_dir
from trainer.paths import bot_env

# Fewer examples than this and DIET cannot tell an intent from its neighbours; the smallest intent
# of the current data has 43 (list them with `nlu check --counts`).
MIN_EXAMPLES = 20
_NOT_A_CHAR = re.compile(r"[\W_]+", re.UNICODE)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    check: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.check}] {self.message}"


@dataclass
class Project:
    """The folders a check reads, under one project root (the real one, or a copy in a test)."""

    root: Path

    @property
    def nlu_dir(self) -> Path:
        return self.root / "data" / "nlu"

    @property
    def held_out(self) -> list[Path]:
        return sorted((self.root / "tests" / "nlu").rglob("*.yml"))

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def text_key(text: str) -> str:
    """What two examples are compared by: normalised (textnorm), without punctuation or spaces, lower case."""
    return _NOT_A_CHAR.sub("", normalize(text)).lower()


def check_duplicates(examples: list[Example]) -> list[Problem]:
    """The same text (after normalisation) under two intents: each example outside the intent most of
    its copies have is reported, naming where that intent has it."""
    groups: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        key = text_key(ex.text)
        if key:
            groups[key].append(ex)
    problems = []
    for group in groups.values():
        intents = [ex.intent for ex in group]
        if len(set(intents)) < 2:
            continue
        main = max(dict.fromkeys(intents), key=intents.count)  # ties: the first written
        ref = next(ex for ex in group if ex.intent == main)
        for ex in group:
            if ex.intent != main:
                message = f"“{ex.text}”同时是意图 {main}（{ref.where}）和 {ex.intent} 的样例"
                problems.append(Problem(ex.file, ex.line, "重复", message))
    return problems


def check_counts(examples: list[Example], minimum: int = MIN_EXAMPLES) -> list[Problem]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_intent[ex.intent].append(ex)
    return [
        Problem(exs[0].file, exs[0].line, "样例数", f"意图 {intent} 只有 {len(exs)} 条样例，至少需要 {minimum} 条")
        for intent, exs in sorted(by_intent.items())
        if len(exs) < minimum
    ]


def intent_counts(examples: list[Example]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for ex in examples:
        counts[ex.intent] += 1
    return dict(sorted(counts.items(), key=lambda kv: kv[1]))


def check_alignment(examples: list[Example], project: Project, bot_python: Path) -> list[Problem]:
    annotated = [ex for ex in examples if ex.entities]
    if not annotated:
        return []
    out = subprocess.run(
        [str(bot_python), "-m", "trainer.bot_tokens", str(project.root / "bot" / "jieba")],
        input=json.dumps([ex.text for ex in annotated], ensure_ascii=False),
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        env=bot_env(),
        check=False,
    )
    if out.returncode != 0:
        return [Problem("bot/jieba", 0, "分词", f"无法运行分词：{out.stderr.strip()[-500:]}")]
    problems = []
    for ex, spans in zip(annotated, json.loads(out.stdout), strict=True):
        starts = {s for s, _ in spans}
        ends = {e for _, e in spans}
        for ent in ex.entities:
            if ent.start in starts and ent.end in ends:
                continue
            cut = "/".join(ex.text[s:e] for s, e in spans)
            problems.append(
                Problem(
                    ex.file,
                    ex.line,
                    "分词对齐",
                    f"实体“{ex.text[ent.start : ent.end]}”({ent.entity}) 与分词不对齐：jieba 切为 {cut}；"
                    "请调整标注范围，或把该词加入字段别名（data/fields.yml）后运行生成",
                )
            )
    return problems


def check_catalog_ids(
    examples: list[Example], synonyms: list[Synonym], project: Project, scenarios: set[str], fields: set[str]
) -> list[Problem]:
    mapped = {w: s.name for s in synonyms for w in s.words}
    known = {"scenario": (scenarios, "场景"), "field": (fields, "字段")}
    problems = []
    for ex in examples:
        for ent in ex.entities:
            if ent.entity not in known:
                continue
            ids, kind = known[ent.entity]
            word = ex.text[ent.start : ent.end]
            value = ent.value or mapped.get(word) or word
            if value not in ids:
                problems.append(
                    Problem(ex.file, ex.line, "目录编号", f"{kind}实体“{word}”的值 {value} 不是已有的{kind}编号")
                )
        named = ex.metadata.get("scenario") if isinstance(ex.metadata, dict) else None
        if named is not None and named not in scenarios:
            problems.append(Problem(ex.file, ex.line, "目录编号", f"metadata 中的场景 {named} 不存在"))
    for path in [*sorted((project.root / "data" / "core").glob("*.yml")), project.root / "tests/bot/test_stories.yml"]:
        if path.exists():
            problems += _scenario_values(path, project, scenarios)
    return problems


def _scenario_values(path: Path, project: Project, scenarios: set[str]) -> list[Problem]:
    """`scenario: X` under stories' and rules' entities and slot_was_set must name a scenario."""
    problems = []
    stack = [compose(path)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                named = key.value == "scenario" and isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str")
                if named and value.value not in scenarios:
                    problems.append(
                        Problem(project.rel(path), value.start_mark.line + 1, "目录编号", f"场景 {value.value} 不存在")
                    )
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


def check_held_out(examples: list[Example], project: Project) -> list[Problem]:
    training = {text_key(ex.text): ex for ex in examples}
    problems = []
    for path in project.held_out:
        for held in read_held_out(path, project.root):
            ex = training.get(text_key(held.text))
            if ex is not None:
                problems.append(
                    Problem(
                        held.file,
                        held.line,
                        "留出集",
                        f"“{held.text}”也是训练样例（{ex.where}），留出集须与训练数据无重叠",
                    )
                )
    return problems


def check_fresh(project: Project, api_python: Path) -> list[Problem]:
    out = subprocess.run(
        [str(api_python), "-m", "api.botgen", "--check"], cwd=project.root, capture_output=True, text=True, check=False
    )
    if out.returncode == 0:
        return []
    stale = out.stderr.strip().rsplit(":", 1)[-1]
    return [
        Problem(
            name.strip(), 0, "生成文件", "已过期：目录改动后请运行生成（scripts/trainer scenario add 或 make generate）"
        )
        for name in stale.split(",")
        if name.strip()
    ] or [Problem("api/botgen.py", 0, "生成文件", out.stderr.strip()[-500:])]


# Rasa's warnings that are expected: responses the rules do not name but code uses (form asks,
# the fallback's utter_default, responses sent by actions by name) — tests/bot/test_model.py allows the same.
def _allowed_warning(line: str, project: Project) -> bool:
    named = re.search(r"'(utter_\w+)' is not used", line)
    if not named:
        return False
    code = "".join(p.read_text(encoding="utf-8") for p in (project.root / "actions").glob("*.py"))
    code += (project.root / "bot" / "serve.py").read_text(encoding="utf-8")
    used = set(re.findall(r'response="(utter_\w+)"', code)) | set(re.findall(r'generate\("(utter_\w+)"', code))
    return named.group(1).startswith("utter_ask_") or named.group(1) in used | {"utter_default"}


def _locate(line: str, examples: list[Example]) -> tuple[str, int] | None:
    """The file and line of an example (or an intent's first example) Rasa's message quotes ('…')."""
    first_of_intent: dict[str, Example] = {}
    for ex in examples:
        first_of_intent.setdefault(ex.intent, ex)
    by_text = first_of_intent | {ex.text: ex for ex in examples} | {ex.raw: ex for ex in examples}
    for quoted in re.findall(r"'([^']+)'", line):
        if quoted in by_text:
            return by_text[quoted].file, by_text[quoted].line
    return None


def check_rasa(project: Project, bot_python: Path, examples: list[Example] | None = None) -> list[Problem]:
    args = ["-m", "rasa", "data", "validate", "--config", "bot/config.yml", "--domain", "bot/domain"]
    out = subprocess.run(
        [str(bot_python), *args, "--data", "data/nlu", "data/core"],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=bot_env(),
        check=False,
    )
    problems = []
    for line in (out.stdout + out.stderr).splitlines():
        if ("UserWarning" in line or " ERROR " in line) and not _allowed_warning(line, project):
            located = _locate(line, examples or [])
            found = re.search(r"((?:data|bot)/[\w/.-]+\.yml)", line)
            file, at = located or (found.group(1) if found else "rasa data validate", 0)
            message = _ANSI.sub("", line).split("UserWarning:", 1)[-1].strip()
            problems.append(Problem(file, at, "Rasa", message[:400]))
    if out.returncode != 0 and not problems:
        problems.append(Problem("rasa data validate", 0, "Rasa", (out.stdout + out.stderr).strip()[-800:]))
    return problems


CHECKS = ("rasa", "alignment", "duplicates", "counts", "catalog", "fresh", "held_out")


def run_checks(
    project: Project,
    api_python: Path,
    bot_python: Path,
    skip: Iterable[str] = (),
    say: Callable[[str], None] = lambda _: None,
) -> list[Problem]:
    """Every check not skipped, in order; `say` hears each check's name and count as it finishes."""
    from api.catalog.loader import load_catalog

    examples, synonyms = read_nlu_dir(project.nlu_dir, project.root)
    catalog = load_catalog(project.root / "data")
    todo: dict[str, Callable[[], list[Problem]]] = {
        "rasa": lambda: check_rasa(project, bot_python, examples),
        "alignment": lambda: check_alignment(examples, project, bot_python),
        "duplicates": lambda: check_duplicates(examples),
        "counts": lambda: check_counts(examples),
        "catalog": lambda: check_catalog_ids(examples, synonyms, project, set(catalog.scenarios), set(catalog.fields)),
        "fresh": lambda: check_fresh(project, api_python),
        "held_out": lambda: check_held_out(examples, project),
    }
    problems: list[Problem] = []
    for name in CHECKS:
        if name in skip:
            continue
        found = todo[name]()
        say(f"{name}: {len(found)} 个问题" if found else f"{name}: 通过")
        problems += found
    return problems
