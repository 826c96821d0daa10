"""Run a long command and show that it is alive: its progress lines, with the elapsed time.

Rasa writes its epochs as a tqdm bar (carriage returns) and its components as log lines; each new
component and each new epoch is printed once, prefixed with minutes:seconds since the start. The
whole output goes to a log file for when something fails."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

_EPOCH = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")
_COMPONENT = re.compile(r"(Starting to train component '[^']+'|Finished training\.|Your Rasa model is trained)")
_MODEL = re.compile(r"训练模型|模型已是最新|wrote |catalog OK")


def _elapsed(start: float) -> str:
    seconds = int(time.monotonic() - start)
    return f"[{seconds // 60:02d}:{seconds % 60:02d}]"


def stream(
    args: list[str], log: Path, cwd: Path, env: dict[str, str] | None = None, say: Callable[[str], None] | None = None
) -> tuple[int, str]:
    """Run `args`; print its progress lines; return (exit code, stdout). stderr goes to `log` too."""
    say = say or (lambda text: (sys.stdout.write(text + "\n"), sys.stdout.flush()))
    start = time.monotonic()
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read() if proc.stdout else b""))
    reader.start()
    last_epoch = None
    pending = ""
    with log.open("ab") as fh:
        assert proc.stderr is not None
        while True:
            chunk = proc.stderr.read1(4096) if hasattr(proc.stderr, "read1") else proc.stderr.read(4096)
            if not chunk:
                break
            fh.write(chunk)
            pending += chunk.decode("utf-8", errors="replace")
            *pieces, pending = re.split(r"[\r\n]", pending)
            for piece in pieces:
                epoch = _EPOCH.search(piece)
                if epoch and epoch.group(1) != last_epoch:
                    last_epoch = epoch.group(1)
                    say(f"{_elapsed(start)} 训练中 / training: 第 {epoch.group(1)}/{epoch.group(2)} 轮 (epoch)")
                elif (found := _COMPONENT.search(piece)) or _MODEL.search(piece):
                    say(f"{_elapsed(start)} {found.group(1) if found else piece.strip()}")
    code = proc.wait()
    reader.join()
    stdout = b"".join(out_chunks).decode("utf-8", errors="replace")
    with log.open("ab") as fh:
        fh.write(stdout.encode("utf-8"))
    say(f"{_elapsed(start)} 完成 / done (exit {code})")
    return code, stdout
