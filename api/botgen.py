"""Generate the catalog-derived parts of the Rasa bot, or check that they are up to date.

    python -m api.botgen           # write the files
    python -m api.botgen --check   # exit 1 (and say which) if a generated file is stale

Outputs (each starts with a GENERATED header; do not edit by hand):
- bot/domain/generated.yml  – one slot per guiding question and form field, and their ask texts
- data/nlu/generated.yml    – synonyms (scenario aliases → scenario id, field words → field id),
                              lookup tables for scenarios and fields
- bot/jieba/userdict.txt    – jieba user dictionary so catalog terms and entity values are whole tokens
- bot/scenario_keywords.json – scenario id → aliases, keywords and catalog texts, read by the NLU ScenarioFinder
Runs in the API environment (the bot environment has pydantic 1).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from api.catalog.loader import Catalog, load_catalog
from api.catalog.models import FieldDef, Question

ROOT = Path(__file__).resolve().parents[1]
HEADER = "# GENERATED from data/scenarios and data/fields.yml by `make generate` (python -m api.botgen). Do not edit.\n"
DOMAIN_FILE = ROOT / "bot" / "domain" / "generated.yml"
NLU_FILE = ROOT / "data" / "nlu" / "generated.yml"
USERDICT_FILE = ROOT / "bot" / "jieba" / "userdict.txt"
KEYWORDS_FILE = ROOT / "bot" / "scenario_keywords.json"
NLU_SOURCES = [ROOT / "data" / "nlu" / "intents.yml"]
_ANNOTATED = re.compile(r"\[([^\]\n]+)\][({]")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")


def _buttons(question_or_field: Question | FieldDef) -> list[dict[str, str]]:
    rule = question_or_field.validator
    if rule.kind == "bool":
        return [{"title": "是", "payload": "是"}, {"title": "否", "payload": "否"}]
    if rule.kind == "choice":
        return [{"title": c.label, "payload": c.label} for c in rule.choices]
    return []


def _response(text: str, buttons: list[dict[str, str]]) -> list[dict[str, Any]]:
    out: dict[str, Any] = {"text": text}
    if buttons:
        out["buttons"] = buttons
    return [out]


def questions_by_id(catalog: Catalog) -> dict[str, Question]:
    """Every guiding question once (same id in several scenarios means the same slot)."""
    found: dict[str, Question] = {}
    for sc in catalog.scenarios.values():
        for q in sc.questions:
            found.setdefault(q.id, q)
    return dict(sorted(found.items()))


def domain(catalog: Catalog) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    responses: dict[str, Any] = {}
    for qid, q in questions_by_id(catalog).items():
        if qid in catalog.fields:
            continue  # the field of the same id defines the slot
        slots[qid] = {"type": "any", "influence_conversation": False, "mappings": [{"type": "custom"}]}
        responses[f"utter_ask_{qid}"] = _response(q.label, _buttons(q))
    questions = questions_by_id(catalog)
    for fid, f in sorted(catalog.fields.items()):
        slots[fid] = {"type": "any", "influence_conversation": False, "mappings": [{"type": "custom"}]}
        if f.derived_from:
            continue  # never asked
        if fid in questions:  # asked as a guiding question; the answer fills the field
            responses[f"utter_ask_{fid}"] = _response(questions[fid].label, _buttons(questions[fid]))
            continue
        text = f"请告诉我{f.label}。{f.help}例如：{f.example}"
        if not f.required:
            text += "（没有可以说“跳过”）"
        responses[f"utter_ask_{fid}"] = _response(text, _buttons(f))
    return {"version": "3.1", "slots": slots, "responses": responses}


def nlu(catalog: Catalog) -> dict[str, Any]:
    synonyms = []
    for sc in sorted(catalog.scenarios.values(), key=lambda s: s.id):
        words = sorted({sc.name, *sc.aliases} - {sc.id})
        synonyms.append({"synonym": sc.id, "examples": "".join(f"- {w}\n" for w in words)})
    for fid, f in sorted(catalog.fields.items()):
        words = sorted({f.label, *f.aliases} - {fid})
        synonyms.append({"synonym": fid, "examples": "".join(f"- {w}\n" for w in words)})
    lookups = [
        {
            "lookup": "scenario",
            "examples": "".join(
                f"- {w}\n" for w in sorted({a for sc in catalog.scenarios.values() for a in (sc.name, *sc.aliases)})
            ),
        },
        {
            "lookup": "field",
            "examples": "".join(f"- {w}\n" for w in sorted({a for f in catalog.fields.values() for a in f.aliases})),
        },
    ]
    return {"version": "3.1", "nlu": synonyms + lookups}


def userdict(catalog: Catalog, nlu_sources: list[Path]) -> str:
    """Words jieba must keep whole: annotated entity texts, field words and answer choices.

    Scenario aliases are left out on purpose: many are whole phrases ("孩子刚出生要办哪些手续") and
    as dictionary words they would swallow the shorter entity annotated inside them.
    """
    words: set[str] = set()
    for sc in catalog.scenarios.values():
        for q in sc.questions:
            if q.validator.kind == "choice":
                words.update(w for c in q.validator.choices for w in (c.label, *c.synonyms))
    for f in catalog.fields.values():
        words.update([f.label, *f.aliases])
        if f.validator.kind == "choice":
            words.update(w for c in f.validator.choices for w in (c.label, *c.synonyms))
    words.update(w for w in catalog.true_words | catalog.false_words if _HAS_HAN.search(w))
    for path in nlu_sources:
        if path.exists():
            words.update(m.group(1) for m in _ANNOTATED.finditer(path.read_text(encoding="utf-8")))
    kept = sorted(w.strip() for w in words if _HAS_HAN.search(w) and " " not in w.strip())
    return "".join(f"{w} 2000\n" for w in kept)


def keywords(catalog: Catalog) -> str:
    """Scenario id → words that point to it, for the NLU's ScenarioFinder (bot/nlu_components.py)."""
    table = {
        sc.id: sorted({sc.name, *sc.aliases, *sc.keywords}, key=lambda w: (-len(w), w))
        for sc in sorted(catalog.scenarios.values(), key=lambda s: s.id)
    }
    # What each scenario is about, in the catalog's own words: the ScenarioFinder learns from these
    # besides the NLU examples (names, summary, items and their reasons).
    documents = {
        sc.id: [sc.name, sc.summary, *(it.name for it in sc.items), *(it.reason for it in sc.items)]
        for sc in sorted(catalog.scenarios.values(), key=lambda s: s.id)
    }
    body = {"_generated": HEADER.strip("# \n"), "scenarios": table, "documents": documents}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks (`examples: |`), as Rasa's own files do."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(doc: dict[str, Any]) -> str:
    return HEADER + yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def outputs(catalog: Catalog) -> dict[Path, str]:
    return {
        DOMAIN_FILE: _dump(domain(catalog)),
        NLU_FILE: _dump(nlu(catalog)),
        USERDICT_FILE: userdict(catalog, NLU_SOURCES),
        KEYWORDS_FILE: keywords(catalog),
    }


def main(argv: list[str]) -> int:
    catalog = load_catalog()
    stale = []
    for path, text in outputs(catalog).items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if "--check" in argv:
            stale.append(str(path.relative_to(ROOT)))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")
    if stale:
        sys.stderr.write(f"generated files are stale, run `make generate`: {', '.join(stale)}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
