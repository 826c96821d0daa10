"""Signing in: rate-limited per client, an account locked after repeated wrong passwords, every
attempt audited. The same answer for an unknown name and a wrong password."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.auth.passwords import dummy_verify, verify
from api.db import audit, staff
from api.db.models import StaffSession

WRONG = "用户名或密码不正确。"
LOCKED = "该账号因多次输错密码已暂时锁定，请{minutes}分钟后再试，或联系系统管理员。"


class LoginRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def attempt(
    session: Session, *, username: str, password: str, client: str, max_failures: int, lock_minutes: int
) -> tuple[StaffSession, str]:
    """(the new session, its cookie token), or LoginRefused. Commits the audit record either way."""
    username = username.strip()[:64]
    user = staff.get_user(session, username=username)
    locked_message = LOCKED.format(minutes=lock_minutes)
    if user is None or not user.active:
        dummy_verify()
        audit.record(
            session, actor=None, actor_name=username, action="login.failed", target="unknown_user", client=client
        )
        session.commit()
        raise LoginRefused(401, "login_failed", WRONG)
    if staff.is_locked(user):
        audit.record(session, actor=user, action="login.refused_locked", client=client)
        session.commit()
        raise LoginRefused(423, "account_locked", locked_message)
    ok, new_hash = verify(password, user.password_hash)
    if not ok:
        locked = staff.login_failed(
            session, user=user, max_failures=max_failures, lock_for=dt.timedelta(minutes=lock_minutes)
        )
        audit.record(
            session, actor=user, action="login.failed", after={"locked": locked} if locked else None, client=client
        )
        session.commit()
        if locked:
            raise LoginRefused(423, "account_locked", locked_message)
        raise LoginRefused(401, "login_failed", WRONG)
    if new_hash:
        user.password_hash = new_hash
    row, token = staff.open_session(session, user=user)
    audit.record(session, actor=user, action="login", client=client)
    session.commit()
    return row, token
