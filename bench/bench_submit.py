"""Benchmark: application submissions over HTTP on SQLite (uvicorn, one process, loopback only).

Run: `.venv-api/bin/python bench/bench_submit.py` (or `make bench`).
Starts the API on a fresh SQLite file on 127.0.0.1, sends N submissions (each with its own
Idempotency-Key) from C concurrent connections, and reports throughput and latency percentiles.
Target on the 2-core machine: >= 200 submissions/s with p95 <= 50 ms.
"""

from __future__ import annotations

import asyncio
import os
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
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "LOG_LEVEL": "WARNING"}
        py = sys.executable
        subprocess.run(
            [py, "-m", "alembic", "-c", "api/alembic.ini", "upgrade", "head"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [py, "-m", "uvicorn", "api.asgi:app", "--port", str(port), "--log-level", "warning", "--no-access-log"],
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
            t0 = time.perf_counter()
            latencies = asyncio.run(run(base))
            elapsed = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(10)
    latencies.sort()
    rate = len(latencies) / elapsed
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95)]
    sys.stdout.write(
        f"submit over HTTP (SQLite, 1 uvicorn process, {CONCURRENCY} connections): {len(latencies)} submissions "
        f"in {elapsed:.1f} s = {rate:.0f}/s; p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(target >= 200/s, p95 <= 50 ms)\n"
    )
    return 0 if rate >= 200 and p95 <= 50 else 1


async def _warm(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(20):
            await client.post("/api/scenarios/open_restaurant/plan", json={"answers": ANSWERS})


if __name__ == "__main__":
    raise SystemExit(main())
