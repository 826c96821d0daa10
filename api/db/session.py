"""Engine and session factory; one session per request. SQLite's tuning is in api/db/sqlite.py."""

from __future__ import annotations

import json

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from api.db.sqlite import set_pragmas


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
        event.listen(engine, "connect", set_pragmas)
        return engine
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_serializer=_json_dumps, hide_parameters=True
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
