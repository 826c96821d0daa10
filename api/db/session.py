"""Engine and session factory; one session per request."""

from __future__ import annotations

import fcntl
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool


def _json_dumps(value: object) -> str:
    # Chinese text stored as itself, not as \uXXXX escapes: rows a third of the size, faster writes.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str) -> Engine:
    """An engine for SQLite (WAL, busy timeout, foreign keys) or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_json_dumps
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_serializer=_json_dumps)


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
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
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
