"""Experiment: does a spaCy EntityRuler built from the catalogs help the NLU on the held-out set?

Builds a blank Chinese spaCy pipeline (jieba segmenter, no downloaded model) with an EntityRuler
whose patterns are the catalog's field words and scenario aliases/keywords, trains the production
config plus SpacyNLP + SpacyEntityExtractor, and evaluates both models with scripts/eval_nlu.py.
Run in the bot environment: `.venv-bot/bin/python bench/spacy_experiment.py` (about 8 minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def build_spacy(out: Path) -> None:
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler")
    patterns = []
    synonyms = yaml.safe_load((ROOT / "data" / "nlu" / "generated.yml").read_text(encoding="utf-8"))["nlu"]
    keywords = json.loads((ROOT / "bot" / "scenario_keywords.json").read_text(encoding="utf-8"))["scenarios"]
    scenario_ids = set(keywords)
    for entry in synonyms:
        if "synonym" not in entry:
            continue
        label = "scenario" if entry["synonym"] in scenario_ids else "field"
        for line in entry["examples"].splitlines():
            word = line.removeprefix("- ").strip()
            if word:
                patterns.append({"label": label, "pattern": word, "id": entry["synonym"]})
    for sid, words in keywords.items():
        patterns += [{"label": "scenario", "pattern": w, "id": sid} for w in words]
    ruler.add_patterns(patterns)
    nlp.to_disk(out)


def main() -> int:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    tmp = Path(tempfile.mkdtemp(prefix="spacy-exp-"))
    spacy_dir = tmp / "spacy_zh"
    build_spacy(spacy_dir)
    config = yaml.safe_load((ROOT / "bot" / "config.yml").read_text(encoding="utf-8"))
    pipeline = config["pipeline"]
    pipeline.insert(0, {"name": "SpacyNLP", "model": str(spacy_dir)})
    at = next(i for i, c in enumerate(pipeline) if c["name"] == "EntitySynonymMapper")
    pipeline.insert(at, {"name": "SpacyEntityExtractor", "dimensions": ["field", "scenario"]})
    (tmp / "config.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    results = {}
    for name, cfg in (("production", ROOT / "bot" / "config.yml"), ("with spaCy ruler", tmp / "config.yml")):
        model_dir = tmp / name.replace(" ", "_")
        subprocess.run(
            [
                PY,
                "-m",
                "rasa",
                "train",
                "nlu",
                "--config",
                str(cfg),
                "--nlu",
                "data/nlu",
                "--out",
                str(model_dir),
                "--fixed-model-name",
                "m",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        out = tmp / f"report-{model_dir.name}"
        subprocess.run(
            [PY, "scripts/eval_nlu.py", str(model_dir / "m.tar.gz"), "--out", str(out)],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )
        results[name] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for name, r in results.items():
        per = ", ".join(f"{k} {v['f1']:.2f}" for k, v in r["per_entity"].items())
        sys.stdout.write(
            f"{name}: intent macro-F1 {r['intent_macro_f1']:.3f}, entity micro-F1 {r['entity_micro_f1']:.3f} ({per})\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
