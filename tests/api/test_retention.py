"""The retention command purges what is past its age and keeps anonymous counts."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from api import retention
from serversecret import internal_token
from tests.api.test_api import ANSWERS, FORM


def _tracker_db(path) -> str:
    """A tracker store with Rasa's `events` layout (rasa/core/tracker_store.py SQLEvent)."""
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255),"
            " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        now = dt.datetime.now(dt.UTC).timestamp()
        rows = [("old-conv", now - 200 * 86400), ("app-conv", now - 1000), ("live-conv", now - 60)]
        for sender, stamp in rows:
            conn.execute(
                sa.text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"),
                {"s": sender, "t": stamp, "d": '{"text": "我叫张三 13612345678"}'},
            )
    engine.dispose()
    return url


def test_old_data_is_purged_and_counted(client, database_url, tmp_path) -> None:
    old = client.post(
        "/api/applications",
        json={"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "conversation_id": "app-conv"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).json()["number"]
    recent = client.post(
        "/api/applications",
        json={"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).json()["number"]
    client.post(
        "/api/nlu/misses", json={"text": "啥", "sender_hash": "ab" * 16}, headers={"X-Internal-Token": internal_token()}
    )
    engine = sa.create_engine(database_url)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=200)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE application SET created_at = :t WHERE number = :n"), {"t": long_ago, "n": old})
        conn.execute(sa.text("UPDATE nlu_miss SET created_at = :t"), {"t": long_ago})
    tracker = _tracker_db(tmp_path / "tracker.sqlite3")

    assert retention.main(["--days", "180", "--database-url", database_url, "--tracker-db", tracker]) == 0

    with engine.connect() as conn:
        numbers = set(conn.execute(sa.text("SELECT number FROM application")).scalars())
        counts = conn.execute(sa.text("SELECT scenario_id, applications FROM purged_count")).all()
        misses = conn.execute(sa.text("SELECT count(*) FROM nlu_miss")).scalar_one()
        items = conn.execute(sa.text("SELECT count(*) FROM application_item")).scalar_one()
    engine.dispose()
    assert numbers == {recent} and counts == [("open_restaurant", 1)] and misses == 0 and items > 0
    tracker_engine = sa.create_engine(tracker)
    with tracker_engine.connect() as conn:
        senders = set(conn.execute(sa.text("SELECT sender_id FROM events")).scalars())
    tracker_engine.dispose()
    assert senders == {"live-conv"}  # the old one and the purged application's conversation are gone
