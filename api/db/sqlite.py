"""SQLite tuning for the embedded default: connection pragmas, WAL checkpoints off the request path,
and one writer at a time across threads and worker processes. PostgreSQL needs none of it."""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError


def set_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL, NORMAL sync, foreign keys, and checkpoints left to WalCheckpointer (below)."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    # Checkpoints belong to WalCheckpointer, not to whichever request commits when the log reaches
    # 1000 pages; this larger bound only caps the log if it is not running.
    cur.execute("PRAGMA wal_autocheckpoint=20000")
    cur.close()


log = logging.getLogger("api.db")


def is_sqlite_file(engine: Engine) -> bool:
    """An SQLite database in a file (not in memory): the case for the write lock and checkpoints."""
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


class WalCheckpointer:
    """Copies SQLite's write-ahead log into the database file from a background thread.

    By default SQLite checkpoints inside the commit that crosses 1000 log pages, so one citizen's
    submission waits for a few megabytes to be written and synced: with 2 workers that put the p95
    of bench/bench_submit.py at 31–47 ms, against 24–31 ms with no checkpoints at all. A PASSIVE
    checkpoint never waits for readers or writers, and the sqlite3 module releases the GIL while
    it runs, so requests go on meanwhile. Only for SQLite files; a no-op elsewhere."""

    def __init__(self, engine: Engine, interval: float = 1.0) -> None:
        self._engine, self._interval = engine, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def applies(self) -> bool:
        return is_sqlite_file(self._engine)

    def start(self) -> None:
        if self.applies and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, frames in the log, frames copied), or None if it failed."""
        try:
            with self._engine.connect() as conn:
                busy, logged, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
                return busy, logged, copied
        except OperationalError as exc:  # e.g. another worker's checkpoint holds the log: next time
            log.debug("WAL checkpoint skipped: %s", exc)
            return None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.checkpoint()


_THREAD_LOCK = threading.Lock()


@contextmanager
def _sqlite_writer(path: str) -> Iterator[None]:
    """One writer at a time across threads (a lock) and across worker processes (flock on a file
    beside the database). Waiters wake as soon as the writer finishes, instead of sleeping in
    SQLite's busy handler, which costs tens of milliseconds under load."""
    with _THREAD_LOCK, open(f"{path}.writelock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_lock(engine: Engine) -> AbstractContextManager[object]:
    """Serialise SQLite write transactions; PostgreSQL needs no such lock."""
    if is_sqlite_file(engine):
        return _sqlite_writer(engine.url.database)
    return nullcontext()
