"""The bot's data and model: generated files are fresh, Rasa's data validation is clean, every
test story passes, the NLU meets its floors on the held-out set (report saved), and the fast
DIET loader gives exactly the predictions of Rasa's own loader."""

from __future__ import annotations

import os
import re
import subprocess

import yaml

from tests.conftest import ROOT

BOT_PY = str(ROOT / ".venv-bot" / "bin" / "python")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)


def test_generated_bot_files_are_up_to_date() -> None:
    out = run(str(ROOT / ".venv-api" / "bin" / "python"), "-m", "api.botgen", "--check")
    assert out.returncode == 0, out.stderr


def test_rasa_data_validate_is_clean() -> None:
    out = run(
        BOT_PY,
        "-m",
        "rasa",
        "data",
        "validate",
        "--config",
        "bot/config.yml",
        "--domain",
        "bot/domain",
        "--data",
        "data/nlu",
        "data/core",
    )
    assert out.returncode == 0, out.stderr[-2000:]
    # Responses that rules do not name but code does: form asks (utter_ask_*, dynamic slots), the
    # default fallback's utter_default, those the actions send by name, and bot/serve.py's own
    # (a message too long, an action that failed).
    actions_code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "actions").glob("*.py"))
    serve_code = (ROOT / "bot" / "serve.py").read_text(encoding="utf-8")
    used_by_code = (
        set(re.findall(r'response="(utter_\w+)"', actions_code))
        | set(re.findall(r'generate\("(utter_\w+)"', serve_code))
        | {"utter_default"}
    )
    problems = []
    for line in (out.stdout + out.stderr).splitlines():
        if "UserWarning" not in line:
            continue
        named = re.search(r"'(utter_\w+)' is not used", line)
        if named and (named.group(1).startswith("utter_ask_") or named.group(1) in used_by_code):
            continue
        problems.append(line)
    assert not problems, problems


def test_every_test_story_passes(rasa_model: str, tmp_path) -> None:
    out = run(
        BOT_PY,
        "-m",
        "rasa",
        "test",
        "core",
        "--model",
        rasa_model,
        "--stories",
        "tests/bot/test_stories.yml",
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path),
    )
    assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")


def test_nlu_meets_its_floors_on_the_held_out_set(rasa_model: str) -> None:
    out = run(BOT_PY, "scripts/eval_nlu.py", rasa_model, "--out", "reports/nlu")
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert (ROOT / "reports" / "nlu" / "report.json").exists()


def test_fast_diet_loader_predicts_exactly_as_rasas_loader(rasa_model: str) -> None:
    """bot.fast_diet skips Rasa's one-step training on load; every held-out parse must be identical."""
    out = run(BOT_PY, "scripts/check_fast_diet.py", rasa_model)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    held_out = yaml.safe_load((ROOT / "tests" / "nlu" / "test_nlu.yml").read_text(encoding="utf-8"))["nlu"]
    count = sum(
        1 for entry in held_out if "intent" in entry for line in entry["examples"].splitlines() if line.startswith("- ")
    )
    assert count >= 200 and f"{count} held-out messages, 0 different" in out.stdout
