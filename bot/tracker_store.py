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

Personal data does not stay in the tracker once a case is closed: when a turn submits an
application (slot `application_number` set) or cancels one (`action_cancel`), every stored event of
the conversation is rewritten with its personal data masked (privacy.mask_text: the citizen's own
values of personal fields, from data/fields.yml, wherever they appear, and any ID, phone or card
number), and personal slot values are masked. The application itself lives in the API's database.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.inbox_capture import InboxReporter, Thresholds
from privacy import PERSONAL_KINDS, mask_text, mask_value

FIELDS_FILE = Path(__file__).resolve().parents[1] / "data" / "fields.yml"


@lru_cache(maxsize=1)
def personal_slots() -> dict[str, str]:
    """Slot → validator kind, for the fields that identify a person (and those derived from them)."""
    import yaml

    fields = yaml.safe_load(FIELDS_FILE.read_text(encoding="utf-8"))["fields"]
    kinds = {f["id"]: f["validator"]["kind"] for f in fields}
    personal = {fid: kind for fid, kind in kinds.items() if kind in PERSONAL_KINDS}
    for f in fields:
        if (f.get("derived_from") or {}).get("field") in personal:
            personal[f["id"]] = f["validator"]["kind"]
    return {**personal, "status_phone": "phone"}


def closes_a_case(tracker: DialogueStateTracker) -> bool:
    """This turn submitted or cancelled an application (events since the latest user message)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, SlotSet) and event.key == "application_number" and event.value:
            return True
        if isinstance(event, ActionExecuted) and event.action_name == "action_cancel":
            return True
    return False


def mask_event(data: dict[str, Any], known: list[str], personal: dict[str, str]) -> dict[str, Any]:
    """One stored event (Rasa's JSON) with personal data masked."""
    if isinstance(data.get("text"), str):
        data["text"] = mask_text(data["text"], known)
    parse = data.get("parse_data")
    if isinstance(parse, dict):
        if isinstance(parse.get("text"), str):
            parse["text"] = mask_text(parse["text"], known)
        for entity in parse.get("entities") or []:
            if isinstance(entity.get("value"), str):
                entity["value"] = mask_text(entity["value"], known)
    if data.get("event") == "slot" and data.get("name") in personal and data.get("value") not in (None, ""):
        data["value"] = mask_value(personal[data["name"]], data["value"])
    return data


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

    def __init__(
        self,
        *args: Any,
        live_conversations: int = 200,
        inbox_min_confidence: float = 0.7,
        inbox_min_margin: float = 0.1,
        inbox_reasks: int = 2,
        **kwargs: Any,
    ) -> None:
        self._live: OrderedDict[str, _Live] = OrderedDict()
        self._capacity = int(live_conversations)
        # the trainer inbox: unsure, fallen-back and re-asked turns (bot/inbox_capture.py)
        self.inbox = InboxReporter(Thresholds(float(inbox_min_confidence), float(inbox_min_margin), int(inbox_reasks)))
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()  # connections opened while creating tables get the pragmas too
        else:
            # A dropped database connection (a restart, a failover) is replaced before use instead of
            # failing a citizen's turn, and errors never carry the stored events into a log.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

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
        self.inbox.after_save(tracker, lambda: self.known_personal_values(tracker))
        if closes_a_case(tracker):
            self.mask_personal_data(tracker)
            return  # the next turn reads the masked conversation back
        # A session that began after this tracker's first event: the database answers with that
        # session only, so the next turn reads it back from there.
        if any(isinstance(e, SessionStarted) for e in itertools.islice(tracker.events, 1, None)):
            return
        last_event_id = self._latest_event_id(tracker.sender_id)
        self._live[tracker.sender_id] = _Live(tracker, len(tracker.events), last_event_id)
        while len(self._live) > self._capacity:
            self._live.popitem(last=False)

    @staticmethod
    def known_personal_values(tracker: DialogueStateTracker) -> list[str]:
        """The personal values this conversation gave (name, address, numbers), longest first."""
        personal = personal_slots()
        values = {str(e.value) for e in tracker.events if isinstance(e, SlotSet) and e.key in personal and e.value}
        return sorted(values, key=len, reverse=True)

    def mask_personal_data(self, tracker: DialogueStateTracker) -> int:
        """Rewrite the stored events of this conversation with personal data masked; rows changed."""
        personal = personal_slots()
        known = self.known_personal_values(tracker)
        changed = 0
        with self.session_scope() as session:
            rows = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id)
            for row in rows:
                masked = mask_event(json.loads(row.data), known, personal)
                if masked != json.loads(row.data):
                    row.data = json.dumps(masked)
                    changed += 1
            session.commit()
        return changed
