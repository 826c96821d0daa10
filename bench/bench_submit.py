"""Benchmark: application submissions over HTTP on SQLite (loopback only, bounded in time).

Run: `.venv-api/bin/python bench/bench_submit.py` (or `make bench`).
Starts the API on a fresh SQLite file on 127.0.0.1 with BENCH_WORKERS uvicorn processes (default
2, one per core), then sends submissions (each with its own Idempotency-Key) from
BENCH_CONCURRENCY connections: with `wrk` (Debian package; a light C client, so the server gets
the cores) for BENCH_SECONDS, else with an httpx client for BENCH_SUBMISSIONS requests.
Reports throughput and p50/p95. Target on the 2-core machine: >= 200/s with p95 <= 50 ms.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.test_api import ANSWERS, FORM  # noqa: E402

TOTAL = int(os.environ.get("BENCH_SUBMISSIONS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WRK_SCRIPT = """
local f = io.open(os.getenv("BENCH_BODY"), "r"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body; wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  wrk.headers["Idempotency-Key"] = string.format("wrk-%d-%d-%d", os.time(), math.random(1, 1e9), n)
  return wrk.format()
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.3f %.3f\\n", summary.requests, summary.errors.status,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run(base: str) -> list[float]:
    body = {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "channel": "web"}
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(TOTAL):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            t0 = time.perf_counter()
            resp = await client.post("/api/applications", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
            latencies.append((time.perf_counter() - t0) * 1000)
            if resp.status_code != 201:
                raise RuntimeError(f"unexpected {resp.status_code}: {resp.text[:200]}")

    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(client) for _ in range(CONCURRENCY)))
    return latencies


def main() -> int:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "LOG_LEVEL": "WARNING",
            # Every request comes from one client: the per-client limit (10/hour) stays checked, but
            # high enough not to refuse the benchmark's own submissions.
            "LIMIT_SUBMISSIONS_PER_CLIENT": "10000000/hour",
        }
        py = sys.executable
        subprocess.run(
            [py, "-m", "alembic", "-c", "api/alembic.ini", "upgrade", "head"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [
                py,
                "-m",
                "uvicorn",
                "api.asgi:app",
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            asyncio.run(_warm(base))
            if shutil.which("wrk"):
                client = "wrk"
                count, rate, p50, p95 = _wrk(base, tmp)
            else:
                client = "httpx"
                t0 = time.perf_counter()
                latencies = sorted(asyncio.run(run(base)))
                elapsed = time.perf_counter() - t0
                count, rate = len(latencies), len(latencies) / elapsed
                p50, p95 = statistics.median(latencies), latencies[int(len(latencies) * 0.95)]
        finally:
            server.terminate()
            server.wait(10)
    sys.stdout.write(
        f"submit over HTTP (SQLite, {WORKERS} uvicorn process(es), {CONCURRENCY} connections, {client}): "
        f"{count} submissions = {rate:.0f}/s; p50 {p50:.1f} ms, p95 {p95:.1f} ms (target >= 200/s, p95 <= 50 ms)\n"
    )
    return 0 if rate >= 200 and p95 <= 50 else 1


def _wrk(base: str, tmp: str) -> tuple[int, float, float, float]:
    """Run wrk for SECONDS; return (requests, rate, p50 ms, p95 ms). Non-201 answers fail the run."""
    body = {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "channel": "web"}
    Path(tmp, "body.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    Path(tmp, "submit.lua").write_text(WRK_SCRIPT, encoding="utf-8")
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONCURRENCY}",
            f"-d{SECONDS}s",
            "-s",
            str(Path(tmp, "submit.lua")),
            f"{base}/api/applications",
        ],
        env={**os.environ, "BENCH_BODY": str(Path(tmp, "body.json"))},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    requests, bad_status, duration_us, p50, p95 = line.split()[1:]
    if int(bad_status):
        raise RuntimeError(f"{bad_status} submissions were not accepted")
    return int(requests), int(requests) / (int(duration_us) / 1e6), float(p50), float(p95)


async def _warm(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(20):
            await client.post("/api/scenarios/open_restaurant/plan", json={"answers": ANSWERS})


if __name__ == "__main__":
    raise SystemExit(main())
