"""Data functions for staff accounts and their sessions. Keyword-only; they flush, the caller commits."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from api.db.models import StaffSession, StaffUser, utcnow
from serversecret import keyed_hash


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC


def token_hash(token: str) -> str:
    return keyed_hash("staff-session", token)


def create_user(
    session: Session, *, username: str, display_name: str, role: str, departments: list[str], password_hash: str
) -> StaffUser:
    user = StaffUser(
        username=username,
        display_name=display_name,
        role=role,
        departments=departments,
        password_hash=password_hash,
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, *, username: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.username == username)).one_or_none()


def list_users(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.id)))


def count_admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StaffUser).where(StaffUser.role == "admin")) or 0


def is_locked(user: StaffUser, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and _aware(user.locked_until) > (now or utcnow())


def login_failed(session: Session, *, user: StaffUser, max_failures: int, lock_for: dt.timedelta) -> bool:
    """Count a failure; lock the account after `max_failures` in a row. Returns whether it is now locked."""
    user.failed_logins += 1
    if user.failed_logins >= max_failures:
        user.locked_until = utcnow() + lock_for
        user.failed_logins = 0
    session.flush()
    return is_locked(user)


def open_session(session: Session, *, user: StaffUser) -> tuple[StaffSession, str]:
    """A new signed-in session: (row, the cookie token). The failure count starts again."""
    user.failed_logins = 0
    user.locked_until = None
    token = secrets.token_urlsafe(32)
    row = StaffSession(token_hash=token_hash(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32))
    session.add(row)
    session.flush()
    return row, token


def find_session(session: Session, *, token: str, idle: dt.timedelta, lifetime: dt.timedelta) -> StaffSession | None:
    """The live session of this token: not ended, used within `idle`, younger than `lifetime`."""
    if not token or len(token) > 100:
        return None
    stmt = (
        select(StaffSession).where(StaffSession.token_hash == token_hash(token)).options(joinedload(StaffSession.user))
    )
    row = session.scalars(stmt).one_or_none()
    if row is None or row.ended_at is not None or not row.user.active:
        return None
    now = utcnow()
    if now - _aware(row.last_seen_at) > idle or now - _aware(row.created_at) > lifetime:
        row.ended_at = now
        session.flush()
        return None
    row.last_seen_at = now
    session.flush()
    return row


def end_session(session: Session, *, row: StaffSession) -> None:
    row.ended_at = utcnow()
    session.flush()
