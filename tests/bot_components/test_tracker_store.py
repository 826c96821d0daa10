"""The conversation store (bot/tracker_store.py) on a real SQLite file, with Rasa's own classes:
it reuses live trackers only while the database agrees, and conversations survive a restart."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered

from bot.tracker_store import CachedSQLTrackerStore
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


def store(domain: Domain, path: Path) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=domain, host=f"sqlite:///{path}", db="rasa")


def run(coro):
    return asyncio.run(coro)


def started(s: CachedSQLTrackerStore, sender: str):
    """A conversation as Rasa begins it: session start, then the citizen's first message."""
    tracker = run(s.create_tracker(sender))
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    tracker.update(UserUttered("我想开饭店", {"name": "start_scenario", "confidence": 0.99}))
    run(s.save(tracker))
    return run(s.retrieve(sender))


def test_saved_conversation_is_served_from_memory_and_matches_the_database(domain: Domain, tmp_path: Path) -> None:
    s = store(domain, tmp_path / "t.sqlite3")
    tracker = started(s, "citizen-1")
    tracker.update(SlotSet("scenario", "open_restaurant"))
    run(s.save(tracker))

    again = run(s.retrieve("citizen-1"))
    assert again is tracker  # no rebuild from the events
    fresh = store(domain, tmp_path / "t.sqlite3")  # a restarted server reads the database
    reloaded = run(fresh.retrieve("citizen-1"))
    assert reloaded is not tracker
    assert reloaded.get_slot("scenario") == "open_restaurant"
    assert [e.as_dict()["event"] for e in reloaded.events] == [e.as_dict()["event"] for e in tracker.events]


def test_each_event_is_stored_once_over_many_turns(domain: Domain, tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    s = store(domain, path)
    tracker = started(s, "citizen-6")
    for turn in range(5):
        tracker = run(s.retrieve("citizen-6"))
        tracker.update(UserUttered(f"第{turn}句", {"name": "inform", "confidence": 0.9}))
        tracker.update(SlotSet("floor_area", 100 + turn))
        run(s.save(tracker))
    reloaded = run(store(domain, path).retrieve("citizen-6"))  # the database's view, as on restart
    assert [e.as_dict() for e in reloaded.events] == [e.as_dict() for e in tracker.events]
    assert [e.text for e in reloaded.events if isinstance(e, UserUttered)][-5:] == [f"第{t}句" for t in range(5)]
    assert reloaded.get_slot("floor_area") == 104


def test_writes_by_another_server_are_seen(domain: Domain, tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    replica_a, replica_b = store(domain, path), store(domain, path)
    tracker_a = started(replica_a, "citizen-2")
    run(replica_a.save(tracker_a))

    tracker_b = run(replica_b.retrieve("citizen-2"))
    tracker_b.update(SlotSet("scenario", "newborn"))
    run(replica_b.save(tracker_b))

    seen_by_a = run(replica_a.retrieve("citizen-2"))
    assert seen_by_a is not tracker_a
    assert seen_by_a.get_slot("scenario") == "newborn"


def test_a_tracker_changed_but_not_saved_is_not_reused(domain: Domain, tmp_path: Path) -> None:
    s = store(domain, tmp_path / "t.sqlite3")
    tracker = started(s, "citizen-3")
    run(s.save(tracker))
    tracker.update(SlotSet("scenario", "open_restaurant"))  # a turn that failed before saving

    again = run(s.retrieve("citizen-3"))
    assert again is not tracker
    assert again.get_slot("scenario") is None


def test_a_new_domain_forgets_live_trackers(domain: Domain, tmp_path: Path) -> None:
    s = store(domain, tmp_path / "t.sqlite3")
    tracker = started(s, "citizen-4")
    run(s.save(tracker))
    assert run(s.retrieve("citizen-4")) is tracker
    s.domain = domain  # what Rasa does when it loads another model
    assert run(s.retrieve("citizen-4")) is not tracker


def test_sqlite_uses_write_ahead_logging(domain: Domain, tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite3"
    started(store(domain, path), "citizen-5")
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_only_the_most_recent_conversations_stay_in_memory(domain: Domain, tmp_path: Path) -> None:
    s = CachedSQLTrackerStore(
        domain=domain, host=f"sqlite:///{tmp_path / 't.sqlite3'}", db="rasa", live_conversations=2
    )
    trackers = {}
    for sender in ("a", "b", "c"):
        trackers[sender] = started(s, sender)
        run(s.save(trackers[sender]))
    assert run(s.retrieve("c")) is trackers["c"]
    assert run(s.retrieve("b")) is trackers["b"]
    oldest = run(s.retrieve("a"))  # dropped from memory, read back from the database
    assert oldest is not trackers["a"]
    assert [e.as_dict() for e in oldest.events] == [e.as_dict() for e in trackers["a"].events]
