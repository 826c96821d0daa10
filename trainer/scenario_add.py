"""`scenario add`: after a scenario file is written (or changed), everything the bot needs, in one step:

1. scenario check: the catalogs load and every combination of guiding answers gives a plan;
2. generate the bot files from the catalog (python -m api.botgen);
3. nlu check: the NLU data, the generated files included;
4. train the model (scripts/train.sh; reused when nothing changed), showing its progress.
Stops at the first step that fails. Prints the model path last."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from trainer import nlu_check, scenario_check
from trainer.paths import bot_env
from trainer.progress import stream


def run(root: Path, api_python: Path, bot_python: Path, say: Callable[[str], None]) -> int:
    start = time.monotonic()

    def step(n: int, text: str) -> None:
        say(f"[{int(time.monotonic() - start):4d}s] 第 {n}/4 步 / step {n}/4: {text}")

    step(1, "检查场景目录 / scenario check")
    if scenario_check.run(root / "data", say, verbose=False) != 0:
        return 1
    step(2, "生成机器人文件 / generating the bot files (api.botgen)")
    out = subprocess.run([str(api_python), "-m", "api.botgen"], cwd=root, capture_output=True, text=True, check=False)
    say(out.stdout.strip() or "生成文件已是最新 / generated files already up to date")
    if out.returncode != 0:
        say(out.stderr.strip())
        return 1
    step(3, "检查 NLU 数据 / nlu check")
    problems = nlu_check.run_checks(nlu_check.Project(root), api_python, bot_python, (), lambda s: say("  " + s))
    for p in sorted(problems):
        say(str(p))
    if problems:
        say(f"NLU 检查未通过：{len(problems)} 个问题，未训练 / nlu check failed, not training")
        return 1
    say("NLU 检查通过 / nlu check passed")
    step(4, "训练模型 / training (几分钟 / minutes)")
    code, stdout = stream(
        [str(root / "scripts" / "train.sh")], root / "reports" / "train.log", root, bot_env("INFO"), say
    )
    if code != 0:
        say("训练失败，详见 reports/train.log / training failed, see reports/train.log")
        return 1
    model = stdout.strip().splitlines()[-1]
    say(f"完成，用时 {int(time.monotonic() - start)} 秒；模型 / model: {model}")
    say("重启机器人（make run）后新场景生效 / restart the bot (make run) to use it")
    return 0
