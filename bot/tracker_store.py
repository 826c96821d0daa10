"""Conversation store: Rasa's SQL tracker store, plus the live conversations kept in memory.

Rasa's SQLTrackerStore rebuilds a conversation from all its events on every message (query,
JSON-decode, replay of ~200 events late in a form): a fifth of the Rasa server's time per turn.
This store keeps the tracker it last saved and hands it out again while the database holds nothing
newer. "Nothing newer" is one indexed query (the conversation's latest event id), so writes by
another Rasa replica or by a server that restarted are always seen. A tracker that was changed and
not saved (a turn that failed half-way) is never reused: its event count gives it away.

The database stays the only source of truth: conversations survive a restart, and PostgreSQL or
SQLite is chosen by `TRACKER_DB_URL` as before. SQLite gets WAL and synchronous=NORMAL, as the
API's database does.

Configured in bot/endpoints.yml as `type: bot.tracker_store.CachedSQLTrackerStore`, with
`live_conversations` (default 200): the most recently active conversations kept, least recent
dropped first. A finished 25-turn form is about 0.4 MB in memory, so 200 cost at most ~90 MB; a
dropped conversation is simply read back from the database, as Rasa's own store always does.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker


@dataclass
class _Live:
    tracker: DialogueStateTracker
    event_count: int  # len(tracker.events) when it was saved
    last_event_id: int | None  # the conversation's newest row in the database then


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that reuses the trackers it saved while the database agrees with them."""

    def __init__(self, *args: Any, live_conversations: int = 200, **kwargs: Any) -> None:
        self._live: OrderedDict[str, _Live] = OrderedDict()
        self._capacity = int(live_conversations)
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened while creating tables get the pragmas too

    # A new model may bring a new domain (other slots): trackers built with the old one are stale.
    @property  # type: ignore[override]
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self._domain = domain or Domain.empty()
        self._live.clear()

    def _latest_event_id(self, sender_id: str) -> int | None:
        with self.session_scope() as session:
            query = session.query(sa.func.max(self.SQLEvent.id)).filter(self.SQLEvent.sender_id == sender_id)
            return query.scalar()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        live = self._live.pop(sender_id, None)
        if (
            live is not None
            and len(live.tracker.events) == live.event_count
            and self._latest_event_id(sender_id) == live.last_event_id
        ):
            self._live[sender_id] = live
            return live.tracker
        return await super().retrieve(sender_id)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events not stored yet. For a live tracker the database was found to hold exactly its
        first `event_count` events when this turn began, and the lock store keeps other servers off
        this conversation until it is saved; otherwise Rasa counts the stored rows."""
        live = self._live.get(tracker.sender_id)
        if live is not None and live.tracker is tracker:
            return itertools.islice(tracker.events, live.event_count, len(tracker.events))
        return super()._additional_events(session, tracker)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events with Rasa's own save, then keep the tracker as the live one."""
        await super().save(tracker)  # calls _additional_events above: no row count for a live tracker
        self._live.pop(tracker.sender_id, None)
        # A session that began after this tracker's first event: the database answers with that
        # session only, so the next turn reads it back from there.
        if any(isinstance(e, SessionStarted) for e in itertools.islice(tracker.events, 1, None)):
            return
        last_event_id = self._latest_event_id(tracker.sender_id)
        self._live[tracker.sender_id] = _Live(tracker, len(tracker.events), last_event_id)
        while len(self._live) > self._capacity:
            self._live.popitem(last=False)
