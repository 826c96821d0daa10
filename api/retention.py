"""Retention: purge what is past its age, keep anonymous counts.

    python -m api.retention [--days N] [--tracker-db URL] [--dry-run]

- applications created more than N days ago (RETENTION_DAYS, default 180) are deleted with their
  items, after their number per month, scenario, channel and status is added to `purged_count`;
- chat sessions last seen more than N days ago, and not-understood messages older than N days,
  are deleted, and so are the trainer inbox's groups nobody labelled (new or ignored) that got no
  message for N days (labelled and exported groups are training data, masked, and stay);
- the Rasa conversations of those sessions and applications are deleted from the tracker store
  (TRACKER_DB_URL, Rasa's `events` table), and so is every conversation idle for N days.

Run it daily (cron, or a Kubernetes CronJob). It prints what it purged, as counts only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.db.models import Application, ChatSession, InboxGroup, NluMiss, PurgedCount, utcnow
from api.db.session import make_engine, session_factory
from api.settings import settings


def purge_api(session: Session, cutoff: dt.datetime) -> tuple[dict[str, int], set[str]]:
    """Delete old applications, sessions and misses; (counts, conversation ids they held)."""
    old_apps = session.scalars(sa.select(Application).where(Application.created_at < cutoff)).all()
    counts: Counter[tuple[str, str, str, str]] = Counter(
        (a.created_at.strftime("%Y-%m"), a.scenario_id, a.channel, a.status) for a in old_apps
    )
    for (month, scenario, channel, status), n in counts.items():
        row = session.get(PurgedCount, (month, scenario, channel, status))
        if row is None:
            session.add(PurgedCount(month=month, scenario_id=scenario, channel=channel, status=status, applications=n))
        else:
            row.applications += n
    conversations = {a.conversation_id for a in old_apps if a.conversation_id}
    for app in old_apps:
        session.delete(app)
    old_sessions = session.scalars(sa.select(ChatSession).where(ChatSession.last_seen_at < cutoff)).all()
    conversations |= {s.conversation_id for s in old_sessions}
    for chat in old_sessions:
        session.delete(chat)
    misses = session.execute(sa.delete(NluMiss).where(NluMiss.created_at < cutoff)).rowcount
    unlabelled = sa.delete(InboxGroup).where(InboxGroup.state.in_(["new", "ignored"]), InboxGroup.updated_at < cutoff)
    groups = session.execute(unlabelled).rowcount
    session.flush()
    counts = {"applications": len(old_apps), "chat_sessions": len(old_sessions), "nlu_misses": misses}
    return {**counts, "inbox_groups": groups}, conversations


def purge_tracker(url: str, cutoff: dt.datetime, conversations: set[str]) -> int:
    """Delete Rasa conversations: the given ones, and every one whose newest event is older than cutoff."""
    engine = sa.create_engine(url, hide_parameters=True)
    try:
        events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    except sa.exc.NoSuchTableError:
        engine.dispose()
        return 0
    with engine.begin() as conn:
        idle = conn.execute(
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff.timestamp())
        ).scalars()
        senders = conversations | set(idle)
        deleted = 0
        batch = sorted(senders)
        for i in range(0, len(batch), 500):
            deleted += conn.execute(sa.delete(events).where(events.c.sender_id.in_(batch[i : i + 500]))).rowcount
    engine.dispose()
    return len(senders) if deleted else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="按保存期限清除个人数据 / purge data past its retention age")
    parser.add_argument("--days", type=int, default=int(os.environ.get("RETENTION_DAYS", "180")))
    parser.add_argument("--database-url", default=settings.DATABASE_URL)
    parser.add_argument("--tracker-db", default=os.environ.get("TRACKER_DB_URL", "sqlite:///var/tracker.sqlite3"))
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    cutoff = utcnow() - dt.timedelta(days=args.days)
    engine = make_engine(args.database_url)
    with session_factory(engine)() as session:
        counts, conversations = purge_api(session, cutoff)
        if args.dry_run:
            session.rollback()
        else:
            session.commit()
    engine.dispose()
    counts["conversations"] = 0 if args.dry_run else purge_tracker(args.tracker_db, cutoff, conversations)
    sys.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()) + f" (older than {args.days} days)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
