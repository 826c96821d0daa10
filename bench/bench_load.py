"""Benchmark: 1, 10 and 50 simulated citizens at once, each completing 开办餐饮店 through the public
chat endpoint (API → Rasa → actions → API), against the same load on a stock `rasa init` bot over
its REST channel, measured by the same code in the same run.

Reports per-turn p50/p95/p99, turns per second, applications completed and lost (a citizen told a
受理编号 that is not stored, or a conversation that failed: must be 0), Rasa's resident memory after
start-up, after the load and after hostile inputs (five 20,000-character messages), and how long
the longest hostile message held Rasa.

Run (after `make setup`): `.venv-bot/bin/python bench/bench_load.py` (about 10 minutes).
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_bot import PY, RESTAURANT, STOCK, free_port, rss_mb, wait  # noqa: E402
from tests.bot.conftest import BotStack, RasaEndpoint  # noqa: E402
from tests.conftest import ApiProcess  # noqa: E402

LEVELS = [int(n) for n in os.environ.get("BENCH_LEVELS", "1,10,50").split(",")]
NUMBER = re.compile(r"BH\d{13}")
UNLIMITED = {  # one machine plays every citizen: the per-client limits would stop the benchmark itself
    "LIMIT_CHAT_PER_CLIENT": "1000000/minute",
    "LIMIT_SESSIONS_PER_CLIENT": "1000000/hour",
    "LIMIT_CHAT_PER_SESSION": "1000/minute",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def citizen(api_url: str) -> tuple[list[float], str | None, str | None]:
    """One citizen completing the restaurant scenario: (turn latencies ms, number told, error)."""
    latencies: list[float] = []
    with httpx.Client(base_url=api_url, timeout=120) as client:
        reply = ""
        for message in RESTAURANT:
            t0 = time.perf_counter()
            resp = client.post("/api/chat", json={"message": message, "channel": "web"})
            latencies.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 200:
                return latencies, None, f"HTTP {resp.status_code} on {message!r}"
            reply = "\n".join(m["text"] for m in resp.json()["messages"])
        found = NUMBER.search(reply)
        return latencies, found.group() if found else None, None if found else "no number in the last reply"


def stock_citizen(url: str, turns: int) -> tuple[list[float], str | None, str | None]:
    latencies: list[float] = []
    sender = f"stock-{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=120) as client:
        for i in range(turns):
            t0 = time.perf_counter()
            resp = client.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": STOCK[i % len(STOCK)]}
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 200:
                return latencies, None, f"HTTP {resp.status_code}"
    return latencies, "ok", None


def run_level(n: int, one) -> dict:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(lambda _: one(), range(n)))
    seconds = time.monotonic() - started
    latencies = [x for lat, _, _ in results for x in lat]
    return {
        "citizens": n,
        "turns": len(latencies),
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "turns_per_s": len(latencies) / seconds,
        "numbers": [num for _, num, err in results if num and not err],
        "errors": [err for _, _, err in results if err],
    }


def main() -> int:
    model = subprocess.run([ROOT / "scripts" / "train.sh"], cwd=ROOT, capture_output=True, text=True, check=True)
    model_path = model.stdout.strip().splitlines()[-1]
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        rasa = RasaEndpoint()
        api = ApiProcess(workdir, {"RASA_URL": rasa["url"], "RASA_AUTH_TOKEN": rasa["token"], **UNLIMITED})
        api.start()
        stack = BotStack(api, model_path, workdir, rasa)
        stock = None
        try:
            stack.start_actions()
            stack.start_rasa()
            rss_start = rss_mb(stack.rasa.pid)
            ours = [run_level(n, lambda: citizen(api["url"])) for n in LEVELS]
            with sqlite3.connect(api["db_path"]) as db:
                stored = {row[0] for row in db.execute("SELECT number FROM application")}
            rss_load = rss_mb(stack.rasa.pid)
            hostile = []
            for _ in range(5):
                t0 = time.perf_counter()
                stack.say(f"hostile-{uuid.uuid4().hex[:6]}", "我想开饭店，" * 3400)
                hostile.append(time.perf_counter() - t0)
            rss_hostile = rss_mb(stack.rasa.pid)
            # --- the stock bot, same levels, as many turns per citizen as ours
            stock_dir = workdir / "stock"
            stock_dir.mkdir()
            env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
            subprocess.run([PY, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(stock_dir)], env=env,
                           check=True, capture_output=True)  # fmt: skip
            port = free_port()
            stock = subprocess.Popen([PY, "-m", "rasa", "run", "--port", str(port)], cwd=stock_dir, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            wait(f"http://127.0.0.1:{port}/")
            theirs = [run_level(n, lambda: stock_citizen(f"http://127.0.0.1:{port}", len(RESTAURANT))) for n in LEVELS]
        finally:
            if stock is not None:
                stock.terminate()
                stock.wait(30)
            stack.stop()
            api.stop()
    out.append("| citizens at once | bot | turns | p50 ms | p95 ms | p99 ms | turns/s | completed | lost |")
    out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    lost_total = 0
    for mine, stock_level in zip(ours, theirs, strict=True):
        lost = len(mine["errors"]) + sum(1 for n in mine["numbers"] if n not in stored)
        lost_total += lost
        out.append(
            f"| {mine['citizens']} | ours (chat endpoint) | {mine['turns']} | {mine['p50']:.0f} | {mine['p95']:.0f} | "
            f"{mine['p99']:.0f} | {mine['turns_per_s']:.1f} | {len(mine['numbers'])} | {lost} |"
        )
        out.append(
            f"| {stock_level['citizens']} | stock `rasa init` (REST) | {stock_level['turns']} | "
            f"{stock_level['p50']:.0f} | {stock_level['p95']:.0f} | {stock_level['p99']:.0f} | "
            f"{stock_level['turns_per_s']:.1f} | – | {len(stock_level['errors'])} |"
        )
    out.append(
        f"\nRasa resident memory: {rss_start:.0f} MB after start-up, {rss_load:.0f} MB after the load, "
        f"{rss_hostile:.0f} MB after five 20,000-character messages "
        f"({rss_hostile / rss_start:.2f}x; target <= 1.5x); longest hostile message held Rasa "
        f"{max(hostile) * 1000:.0f} ms (target <= 1000 ms)."
    )
    errors = [e for level in ours for e in level["errors"]]
    if errors:
        out.append(f"errors: {errors[:10]}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0 if lost_total == 0 and rss_hostile <= 1.5 * rss_start and max(hostile) <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
