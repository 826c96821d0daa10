"""The staff queue: applications filtered and paged in waiting-time order, and counts per status.
Every filter is served by an index (migration 0005); a reviewer's queue is limited to the
applications with an item of their departments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from api.db.models import Application, ApplicationItem


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    scenario_id: str | None = None
    department: str | None = None
    channel: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    number: str | None = None
    departments: tuple[str, ...] | None = None  # None: every department (supervisor, admin)
    assignee: str | None = None  # with `departments`: also the items assigned to this reviewer


def _filtered(stmt: Select, f: QueueFilter, *, with_status: bool = True) -> Select:
    if with_status and f.status:
        stmt = stmt.where(Application.status == f.status)
    if f.scenario_id:
        stmt = stmt.where(Application.scenario_id == f.scenario_id)
    if f.channel:
        stmt = stmt.where(Application.channel == f.channel)
    if f.number:
        stmt = stmt.where(Application.number == f.number)
    if f.date_from:
        stmt = stmt.where(Application.created_at >= dt.datetime.combine(f.date_from, dt.time(), dt.UTC))
    if f.date_to:
        end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
        stmt = stmt.where(Application.created_at < end)
    departments = set(f.departments) if f.departments is not None else None
    if f.department:
        departments = {f.department} if departments is None else departments & {f.department}
    if departments is not None:  # the ids from an index on (department, application_id), no item rows read
        named = ApplicationItem.department.in_(sorted(departments))
        if f.assignee and not f.department:
            named = or_(named, ApplicationItem.assignee == f.assignee)
        stmt = stmt.where(Application.id.in_(select(ApplicationItem.application_id).where(named)))
    return stmt


def page(session: Session, f: QueueFilter, *, number: int, size: int) -> list[Application]:
    """One page (1-based), longest waiting first. The page's ids come from an index alone (a deep
    page skips index entries, not rows); then only those rows are read."""
    ids = list(
        session.scalars(
            _filtered(select(Application.id), f)
            .order_by(Application.created_at, Application.id)
            .offset((number - 1) * size)
            .limit(size)
        )
    )
    if not ids:
        return []
    stmt = (
        select(Application)
        .where(Application.id.in_(ids))
        .order_by(Application.created_at, Application.id)
        .options(
            selectinload(Application.items),
            # the queue shows none of these large JSON columns
            defer(Application.plan_snapshot),
            defer(Application.form_data),
            defer(Application.answers),
        )
    )
    return list(session.scalars(stmt))


def counts_by_status(session: Session, f: QueueFilter) -> dict[str, int]:
    """How many applications in each status, under every filter but the status (one query; the
    total of a page is read from it)."""
    stmt = _filtered(select(Application.status, func.count()).select_from(Application), f, with_status=False)
    return dict(session.execute(stmt.group_by(Application.status)).tuples().all())
