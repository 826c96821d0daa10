"""Engine and session factory; one session per request."""

from __future__ import annotations

import fcntl
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool


def _json_dumps(value: object) -> str:
    # Chinese text stored as itself, not as \uXXXX escapes: rows a third of the size, faster writes.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str) -> Engine:
    """An engine for SQLite (WAL, busy timeout, foreign keys) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=_json_dumps,
            hide_parameters=True,  # an error's message never carries the form's values into a log
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # Checkpoints belong to WalCheckpointer (below), not to whichever request commits when
            # the log reaches 1000 pages; this larger bound only caps the log if it is not running.
            cur.execute("PRAGMA wal_autocheckpoint=20000")
            cur.close()

        return engine
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_serializer=_json_dumps, hide_parameters=True
    )


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


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def iter_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        yield session


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


P = ParamSpec("P")
T = TypeVar("T")


async def run_db(session: Session, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking database work from an async route.

    SQLite is a local file: a write is a millisecond of CPU-like work, so it runs on the event
    loop. Handing it to a thread costs more than it saves: the thread waits for the GIL behind the
    loop's request parsing, and submissions drop from ~390/s to ~200/s (bench/bench_submit.py).
    A server database is network I/O and goes to the thread pool, so the loop keeps serving."""
    if session.get_bind().dialect.name == "sqlite":
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)
