"""`nlu eval`: train (only if the inputs changed: scripts/train.sh), evaluate on the held-out set,
save report-STAMP.json/.html and confusion-STAMP.png under reports/nlu/, and compare with the last
saved report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from trainer.compare import latest_saved, load, render
from trainer.paths import bot_env
from trainer.progress import stream


def train(root: Path, say: Callable[[str], None]) -> str | None:
    """scripts/train.sh with its progress shown; the model path, or None when training failed."""
    log = root / "reports" / "train.log"
    say(f"训练模型（输入未变时直接复用）/ training (reused when inputs are unchanged); 日志 / log: {log}")
    code, out = stream([str(root / "scripts" / "train.sh")], log, root, bot_env("INFO"), say)
    lines = out.strip().splitlines()
    return lines[-1] if code == 0 and lines else None


def evaluate(root: Path, model: str, bot_python: Path, say: Callable[[str], None]) -> tuple[int, Path | None]:
    """Run trainer.evaluate in the bot environment; (exit code, saved report path)."""
    out_dir = root / "reports" / "nlu"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    say("在留出测试集上评估 / evaluating on the held-out set …")
    args = [str(bot_python), "-m", "trainer.evaluate", model, "--out", str(out_dir), "--stamp", stamp]
    code, out = stream(args, root / "reports" / "eval.log", root, bot_env(), say)
    # Rasa's own debug lines go to stdout too (structlog); only the evaluation's lines are shown
    say("\n".join(line for line in out.splitlines() if line.startswith(("NLU held-out", "written:"))))
    saved = out_dir / f"report-{stamp}.json"
    return code, saved if saved.exists() else None


def run(root: Path, bot_python: Path, say: Callable[[str], None]) -> int:
    model = train(root, say)
    if model is None:
        say("训练失败，详见 reports/train.log / training failed, see reports/train.log")
        return 2
    previous = latest_saved(root / "reports" / "nlu")
    code, saved = evaluate(root, model, bot_python, say)
    if saved is None:
        say("评估失败，详见 reports/eval.log / evaluation failed, see reports/eval.log")
        return 2
    say(f"报告 / report: {saved.with_suffix('.html')}")
    if previous is not None:
        say(render(load(previous), load(saved), previous.name, saved.name))
    else:
        say("这是第一份保存的报告，下次评估时将与它对比 / first saved report: the next run compares with it")
    if code != 0:
        say("低于底线（intent 0.95 / entity 0.92）/ below the floors")
    return code


def compare_files(old: Path, new: Path, say: Callable[[str], None]) -> int:
    say(render(load(old), load(new), old.name, new.name))
    return 0
