"""SQLite's write-ahead log is copied into the database by the background checkpointer, not by
the requests that commit (api/db/session.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from api.db.session import make_engine
from api.db.sqlite import WalCheckpointer


def _write_rows(engine, n: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)"))
    for i in range(n):
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": "申请" * 500 + str(i)})


def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    _write_rows(engine, 400)  # well over SQLite's default 1000-page automatic checkpoint
    assert (tmp_path / "db.sqlite3").stat().st_size < 64 * 1024  # the rows are all still in the log
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    checkpointer = WalCheckpointer(engine)
    busy, logged, copied = checkpointer.checkpoint()
    assert busy == 0 and logged > 1000 and copied == logged  # nothing was checkpointed before
    engine.dispose()


def test_background_thread_checkpoints_and_stops(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    checkpointer = WalCheckpointer(engine, interval=0.05)
    checkpointer.start()
    try:
        _write_rows(engine, 50)
        time.sleep(0.5)
        # the rows reached the database file itself: the thread checkpointed them
        assert (tmp_path / "db.sqlite3").stat().st_size > 50 * 3000
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 50
    finally:
        checkpointer.stop()
    assert not any(t.name == "wal-checkpoint" and t.is_alive() for t in threading.enumerate())
    engine.dispose()


def test_does_nothing_for_other_databases() -> None:
    assert not WalCheckpointer(make_engine("sqlite://")).applies
