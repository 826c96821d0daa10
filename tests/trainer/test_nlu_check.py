"""`nlu check`: the real data passes; a broken copy fails with each problem at its file and line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT

TRAINER = [str(ROOT / ".venv-api" / "bin" / "python"), "-m", "trainer"]
BROKEN = """version: "3.1"
nlu:
- intent: goodbye
  examples: |
    - 再会了您内
    - 你好
- intent: check_status
  examples: |
    - 查一下[办理进](person_name)度
    - 想开个[面包房]{"entity": "scenario", "value": "open_bakery"}
- intent: ask_weather
  examples: |
    - 明天下雨吗
"""


def trainer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TRAINER, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=600)


def test_the_project_data_passes_nlu_check() -> None:
    out = trainer("nlu", "check", "--skip", "rasa")  # Rasa's validation: tests/bot/test_model.py runs it
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "NLU 检查通过" in out.stdout and "alignment: 通过" in out.stdout and "held_out: 通过" in out.stdout


def test_broken_nlu_data_is_refused_with_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "actions", tmp_path / "actions", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "data" / "nlu" / "broken.yml").write_text(BROKEN, encoding="utf-8")
    held = tmp_path / "tests" / "nlu"
    held.mkdir(parents=True)
    (held / "held.yml").write_text('version: "3.1"\nnlu:\n- intent: goodbye\n  examples: |\n    - 再会了您内\n')
    out = trainer("nlu", "check", "--root", str(tmp_path), "--skip", "fresh")  # fresh: api.botgen writes ROOT
    assert out.returncode == 1, out.stdout
    lines = out.stdout.splitlines()
    greet = next(
        n for n, text in enumerate((ROOT / "data/nlu/intents.yml").read_text().splitlines(), 1) if text == "    - 你好"
    )
    expected = [
        f"data/nlu/broken.yml:6: [重复] “你好”同时是意图 greet（data/nlu/intents.yml:{greet}）和 goodbye 的样例",
        "data/nlu/broken.yml:9: [分词对齐] 实体“办理进”(person_name) 与分词不对齐：jieba 切为 查/一下/办理/进度",
        "data/nlu/broken.yml:10: [目录编号] 场景实体“面包房”的值 open_bakery 不是已有的场景编号",
        "data/nlu/broken.yml:13: [样例数] 意图 ask_weather 只有 1 条样例，至少需要 20 条",
        f"data/nlu/intents.yml:{greet}: [Rasa] The example '你好' was found labeled with multiple different intents",
        "data/nlu/broken.yml:13: [Rasa] There is a message in the training data labeled with intent 'ask_weather'. "
        "This intent is not listed in your domain.",
        "tests/nlu/held.yml:5: [留出集] “再会了您内”也是训练样例（data/nlu/broken.yml:5），留出集须与训练数据无重叠",
    ]
    for line in expected:
        assert any(got.startswith(line) for got in lines), (line, out.stdout)
    assert "nlu check failed: 7 problems" in out.stdout
