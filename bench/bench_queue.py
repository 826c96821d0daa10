"""Benchmark: the staff review queue at 100,000 applications (SQLite, as `make run` stores them).

Fills a fresh database with 100,000 applications (every scenario, realistic plan snapshots and item
rows, statuses, channels and dates over half a year), then times `GET /api/staff/applications` —
the route a queue page calls: filters, the page of 50, the total and the counts per status — for
a supervisor and for reviewers bound to one department (the catalog's first, and the one with the
most applications). Reports p50/p95 per filter, the load average before and after (the machine may
be shared), and the process's peak memory.

Run: `.venv-api/bin/python bench/bench_queue.py` (or `make bench-queue`). Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from fastapi.testclient import TestClient

from api.catalog.loader import load_catalog
from api.engine.plan import compute_plan
from api.main import create_app
from api.routes.schemas import plan_snapshot
from api.settings import Settings
from tests.conftest import migrate

APPLICATIONS = 100_000
ROUNDS = 60
PASSWORD = "bench-Passw0rd-1"
STATUSES = [("submitted", 55), ("in_review", 25), ("need_more", 5), ("approved", 10), ("rejected", 5)]
CHANNELS = ["web", "mobile", "kiosk"]


def fill(url: str, catalog) -> None:
    from sqlalchemy import create_engine

    from api.db.models import Application, ApplicationItem

    snapshots = {sid: plan_snapshot(compute_plan(sc, {}, catalog)) for sid, sc in catalog.scenarios.items()}
    rng = random.Random(20261204)
    now = dt.datetime.now(dt.UTC)
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    engine = create_engine(url)
    with engine.begin() as conn:
        for start in range(0, APPLICATIONS, 5000):
            apps, items = [], []
            for i in range(start, min(start + 5000, APPLICATIONS)):
                sid = rng.choice(list(snapshots))
                created = now - dt.timedelta(minutes=rng.randrange(0, 180 * 24 * 60))
                status = rng.choice(statuses)
                apps.append(
                    {
                        "id": i + 1,
                        "number": f"BH{created:%y%m%d}{i:07d}",
                        "scenario_id": sid,
                        "status": status,
                        "channel": rng.choice(CHANNELS),
                        "conversation_id": None,
                        "phone": f"139{i:08d}",
                        "applicant_name": "张三",
                        "answers": {},
                        "form_data": {"applicant_name": "张三", "phone": f"139{i:08d}"},
                        "plan_snapshot": snapshots[sid],
                        "idempotency_key": f"bench-{i}",
                        "request_hash": "x",
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                item_status = {"submitted": "pending", "need_more": "need_more"}.get(status, status)
                departments = [it["department"] for it in snapshots[sid]["items"]]
                for pos, it in enumerate(snapshots[sid]["items"]):
                    items.append(
                        {
                            "application_id": i + 1,
                            "position": pos,
                            "item_id": it["id"],
                            "item_name": it["name"],
                            "department": it["department"],
                            "stage": it["stage"],
                            "status": item_status,
                            "updated_at": created,
                            "application_status": status,
                            "application_created_at": created,
                            "scenario_id": sid,
                            "channel": apps[-1]["channel"],
                            "department_first": departments.index(it["department"]) == pos,
                        }
                    )
            conn.execute(Application.__table__.insert(), apps)
            conn.execute(ApplicationItem.__table__.insert(), items)
    engine.dispose()


def timed(client: TestClient, params: dict) -> list[float]:
    times = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        resp = client.get("/api/staff/applications", params=params)
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.text
    return times


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    try:
        return run(tmp)
    finally:
        shutil.rmtree(tmp)  # the database is 1 GB


def run(tmp: Path) -> int:
    from api.review import service

    catalog = load_catalog()
    url = f"sqlite:///{tmp / 'queue.sqlite3'}"
    migrate(url)
    t0 = time.perf_counter()
    fill(url, catalog)
    size_mb = (tmp / "queue.sqlite3").stat().st_size / 1e6
    sys.stdout.write(f"filled {APPLICATIONS} applications in {time.perf_counter() - t0:.0f} s ({size_mb:.0f} MB)\n")

    app = create_app(Settings(DATABASE_URL=url, LOG_LEVEL="WARNING", LIMIT_CHAT_PER_CLIENT="1000000/minute"))
    department = service.departments(catalog)[0]
    largest = max(
        service.departments(catalog),
        key=lambda d: sum(any(it.department == d for it in sc.items) for sc in catalog.scenarios.values()),
    )
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            service.create_user(session, catalog, None, username="sup", display_name="sup", role="supervisor",
                                departments_=[], password=PASSWORD)  # fmt: skip
            service.create_user(session, catalog, None, username="rev", display_name="rev", role="reviewer",
                                departments_=[department], password=PASSWORD)  # fmt: skip
            service.create_user(session, catalog, None, username="big", display_name="big", role="reviewer",
                                departments_=[largest], password=PASSWORD)  # fmt: skip
        cases = {
            "supervisor: all, page 1": ("sup", {}),
            "supervisor: status=submitted": ("sup", {"status": "submitted"}),
            "supervisor: scenario+channel": ("sup", {"scenario_id": "open_restaurant", "channel": "kiosk"}),
            "supervisor: last 30 days, in_review": (
                "sup",
                {"status": "in_review", "date_from": (dt.date.today() - dt.timedelta(days=30)).isoformat()},
            ),
            "supervisor: page 200": ("sup", {"page": "200"}),
            "supervisor: by number": ("sup", {"number": "BH0000000000000"}),
            "reviewer: own department, submitted": ("rev", {"status": "submitted"}),
            "reviewer: own department, all": ("rev", {}),
            "reviewer, largest department: submitted": ("big", {"status": "submitted"}),
            "reviewer, largest department: all": ("big", {}),
            "reviewer, largest department: page 200": ("big", {"page": "200"}),
            "reviewer, largest department: 30 days": (
                "big",
                {"date_from": (dt.date.today() - dt.timedelta(days=30)).isoformat()},
            ),
            "reviewer, largest department: scenario": ("big", {"scenario_id": "open_restaurant"}),
        }
        sessions = {}  # one sign-in per account (sign-ins are rate-limited per client)
        for user in ("sup", "rev", "big"):
            client.cookies.clear()
            assert client.post("/api/staff/login", json={"username": user, "password": PASSWORD}).status_code == 200
            sessions[user] = httpx.Cookies(client.cookies)
        sys.stdout.write(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
        worst = 0.0
        for name, (user, params) in cases.items():
            client.cookies = sessions[user]
            timed(client, params)  # warm-up
            times = sorted(timed(client, params))
            p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
            worst = max(worst, p95)
            sys.stdout.write(f"{name:45s} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms\n")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    sys.stdout.write(f"worst p95 {worst:.1f} ms (target ≤ 100 ms); peak memory {peak:.0f} MB\n")
    return 0 if worst <= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
