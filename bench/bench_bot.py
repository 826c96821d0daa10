"""Benchmark: per-turn latency of the bot over the REST webhook, against a stock `rasa init` bot
measured by the same code in the same run; plus training time from clean, time from start to
ready, and the Rasa server's resident memory.

Run (bot environment, after `make setup`): `.venv-bot/bin/python bench/bench_bot.py`
Everything runs on 127.0.0.1 with bounded loops. Target: our p95 <= 1.5 x the stock bot's p95.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv-bot" / "bin" / "python")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
RESTAURANT = [
    "你好",
    "我想在滨海开个小饭馆",
    "执照还没办",
    "一百二十平左右",
    "不卖烟",
    "要挂个招牌",
    "不是，临街的店",
    "/affirm",
    "我叫王芳，身份证120109199003151228，电话13612345678",
    "天津滨海新区芳味餐饮店",
    "王芳",
    "5个人",
    "天津市滨海新区塘沽街道解放路668号",
    "租的",
    "个体户",
    "10万",
    "餐饮服务",
    "120109199003151228",
    "跳过",
    "40个",
    "芳味小馆",
    "6平米",
    "热食",
    "3吨",
    "确认提交",
]
STOCK = ["hello", "I am sad", "yes", "great", "bye", "hi", "I am happy", "are you a bot?", "no", "goodbye"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, timeout: float = 300) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def turns(url: str, script: list[str], rounds: int) -> list[float]:
    latencies = []
    with httpx.Client(timeout=60) as client:
        for _ in range(rounds):
            sender = f"bench-{uuid.uuid4().hex[:8]}"
            for message in script:
                t0 = time.perf_counter()
                resp = client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
                latencies.append((time.perf_counter() - t0) * 1000)
                resp.raise_for_status()
    return latencies


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def main() -> int:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    procs: list[subprocess.Popen] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    try:
        # --- stock rasa init bot
        stock_dir = tmp / "stock"
        stock_dir.mkdir()
        subprocess.run(
            [PY, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(stock_dir)],
            env=env,
            check=True,
            capture_output=True,
        )
        stock_port = free_port()
        stock = subprocess.Popen(
            [PY, "-m", "rasa", "run", "--port", str(stock_port)],
            cwd=stock_dir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(stock)
        wait(f"http://127.0.0.1:{stock_port}/")
        stock_lat = turns(f"http://127.0.0.1:{stock_port}", STOCK, ROUNDS * 3)

        # --- our bot: training from clean (no Rasa cache), then API + actions + Rasa
        cache = tmp / "rasa-cache"
        t0 = time.monotonic()
        subprocess.run(
            [
                PY,
                "-m",
                "rasa",
                "train",
                "--config",
                "bot/config.yml",
                "--domain",
                "bot/domain",
                "--data",
                "data/nlu",
                "data/core",
                "--out",
                str(tmp / "models"),
                "--fixed-model-name",
                "bench",
            ],
            cwd=ROOT,
            env={**env, "RASA_CACHE_DIRECTORY": str(cache)},
            check=True,
            capture_output=True,
        )
        train_s = time.monotonic() - t0
        api_port, actions_port, rasa_port = free_port(), free_port(), free_port()
        api_env = {**env, "DATABASE_URL": f"sqlite:///{tmp / 'api.sqlite3'}", "LOG_LEVEL": "WARNING"}
        subprocess.run(
            [str(ROOT / ".venv-api/bin/alembic"), "-c", "api/alembic.ini", "upgrade", "head"],
            cwd=ROOT,
            env=api_env,
            check=True,
            capture_output=True,
        )
        procs.append(
            subprocess.Popen(
                [
                    str(ROOT / ".venv-api/bin/uvicorn"),
                    "api.asgi:app",
                    "--port",
                    str(api_port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                cwd=ROOT,
                env=api_env,
            )
        )
        procs.append(
            subprocess.Popen(
                [PY, "-m", "rasa_sdk", "--actions", "actions", "--port", str(actions_port)],
                cwd=ROOT,
                env={**env, "API_URL": f"http://127.0.0.1:{api_port}"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        token = secrets.token_urlsafe(24)
        rasa_env = {
            **env,
            "RASA_AUTH_TOKEN": token,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "TRACKER_DB_URL": f"sqlite:///{tmp / 'tracker.sqlite3'}",
        }
        started = time.monotonic()
        rasa = subprocess.Popen(
            [
                PY,
                "-m",
                "bot.serve",  # Rasa, as scripts/run_all.sh starts it
                "run",
                "--model",
                str(tmp / "models" / "bench.tar.gz"),
                "--enable-api",
                "--port",
                str(rasa_port),
                "--credentials",
                "bot/credentials.yml",
                "--endpoints",
                "bot/endpoints.yml",
            ],
            cwd=ROOT,
            env=rasa_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(rasa)
        wait(f"http://127.0.0.1:{rasa_port}/status?token={token}")
        ready_s = time.monotonic() - started
        wait(f"http://127.0.0.1:{api_port}/api/health")
        wait(f"http://127.0.0.1:{actions_port}/health")
        ours = turns(f"http://127.0.0.1:{rasa_port}", RESTAURANT, ROUNDS)
        memory = rss_mb(rasa.pid)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = p95(ours) / p95(stock_lat)
    sys.stdout.write(
        f"per-turn latency over REST, {len(ours)} turns completing open_restaurant x{ROUNDS}: "
        f"p50 {statistics.median(ours):.0f} ms, p95 {p95(ours):.0f} ms\n"
        f"stock `rasa init` bot, same client, {len(stock_lat)} turns: p50 {statistics.median(stock_lat):.0f} ms, "
        f"p95 {p95(stock_lat):.0f} ms -> ratio {ratio:.2f} (target <= 1.5)\n"
        f"training from clean {train_s:.0f} s (target <= 180 s); start to ready {ready_s:.0f} s (target <= 45 s); "
        f"Rasa server resident memory {memory:.0f} MB\n"
    )
    return 0 if ratio <= 1.5 and train_s <= 180 and ready_s <= 45 else 1


if __name__ == "__main__":
    raise SystemExit(main())
