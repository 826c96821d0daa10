"""The notification outbox: written in the transaction of the change it reports; each row is claimed
by one sender before it is sent, so a message is sent at most once even with several senders."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.db.models import Notification, utcnow


def enqueue(session: Session, *, application_number: str, recipient: str, text: str) -> None:
    if recipient:
        session.add(Notification(application_number=application_number, recipient=recipient, text=text))
        session.flush()


def claim(session: Session, *, limit: int = 100) -> list[Notification]:
    """Unsent, unclaimed notifications, oldest first, now claimed by this sender (committed)."""
    ids = list(
        session.scalars(
            select(Notification.id).where(Notification.claimed_at.is_(None)).order_by(Notification.id).limit(limit)
        )
    )
    claimed = []
    for nid in ids:
        result = session.execute(
            update(Notification)
            .where(Notification.id == nid, Notification.claimed_at.is_(None))
            .values(claimed_at=utcnow())
        )
        if result.rowcount == 1:
            claimed.append(nid)
    session.commit()
    return list(session.scalars(select(Notification).where(Notification.id.in_(claimed)).order_by(Notification.id)))


def mark_sent(session: Session, *, notification: Notification) -> None:
    notification.sent_at = utcnow()
    session.commit()


def for_application(session: Session, *, number: str) -> list[Notification]:
    stmt = select(Notification).where(Notification.application_number == number).order_by(Notification.id)
    return list(session.scalars(stmt))
