"""The staff queue: applications filtered and paged in waiting-time order, and counts per status.

Two ways to answer, the same rows either way (tests/api/test_review_queue.py compares them):
- a department's queue (a reviewer's, or any filter by department) with no number filter is read
  from the item indexes alone: each item carries its application's status, submission time,
  scenario and channel, and one item per application and department is marked `department_first`,
  so a department's applications are one index range, no DISTINCT and no application row read;
- every other filter (all departments, or a 受理编号) is answered from the application table's
  indexes (migration 0005).
bench/bench_queue.py measures both at 100,000 applications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, true, union_all
from sqlalchemy.orm import Session, aliased, defer, selectinload

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


def _departments(f: QueueFilter) -> set[str] | None:
    """The departments the queue is limited to, or None for all."""
    departments = set(f.departments) if f.departments is not None else None
    if f.department:
        departments = {f.department} if departments is None else departments & {f.department}
    return departments


def _bounds(f: QueueFilter) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(f.date_from, dt.time(), dt.UTC) if f.date_from else None
    end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), dt.UTC) if f.date_to else None
    return start, end


def by_items(f: QueueFilter) -> bool:
    """Whether the item indexes answer this filter (a department's queue; a 受理编号 is one row of
    the application table's unique index)."""
    return _departments(f) is not None and not f.number


# --- from the application table ---------------------------------------------------------------


def _filtered(stmt: Select, f: QueueFilter, *, with_status: bool = True) -> Select:
    if with_status and f.status:
        stmt = stmt.where(Application.status == f.status)
    if f.scenario_id:
        stmt = stmt.where(Application.scenario_id == f.scenario_id)
    if f.channel:
        stmt = stmt.where(Application.channel == f.channel)
    if f.number:
        stmt = stmt.where(Application.number == f.number)
    start, end = _bounds(f)
    if start:
        stmt = stmt.where(Application.created_at >= start)
    if end:
        stmt = stmt.where(Application.created_at < end)
    departments = _departments(f)
    if departments is not None:  # the ids from an index on (department, application_id), no item rows read
        named = ApplicationItem.department.in_(sorted(departments))
        if f.assignee and not f.department:
            named = or_(named, ApplicationItem.assignee == f.assignee)
        stmt = stmt.where(Application.id.in_(select(ApplicationItem.application_id).where(named)))
    return stmt


# --- from the item indexes ---------------------------------------------------------------------


def _item_parts(f: QueueFilter, *, with_status: bool) -> list[Select]:
    """Disjoint selects of (status, created_at, id), one row per application in the queue: the
    departments' applications (one index range per department), then those assigned to the reviewer
    that have no item of these departments."""
    it = ApplicationItem
    departments = sorted(_departments(f) or ())
    conditions: list[ColumnElement[bool]] = []
    if with_status and f.status:
        conditions.append(it.application_status == f.status)
    if f.scenario_id:
        conditions.append(it.scenario_id == f.scenario_id)
    if f.channel:
        conditions.append(it.channel == f.channel)
    start, end = _bounds(f)
    if start:
        conditions.append(it.application_created_at >= start)
    if end:
        conditions.append(it.application_created_at < end)
    columns = (
        it.application_status.label("status"),
        it.application_created_at.label("created_at"),
        it.application_id.label("id"),
    )
    named = select(*columns).where(it.department.in_(departments), it.department_first == true(), *conditions)
    if len(departments) > 1:  # an application with items of two of them
        named = named.distinct()
    parts = [named]
    if f.assignee and not f.department:
        other = aliased(ApplicationItem)
        of_departments = exists().where(other.application_id == it.application_id, other.department.in_(departments))
        parts.append(select(*columns).where(it.assignee == f.assignee, ~of_departments, *conditions).distinct())
    return parts


def _page_ids(session: Session, f: QueueFilter, *, number: int, size: int, items: bool) -> list[int]:
    offset = (number - 1) * size
    if not items:
        stmt = _filtered(select(Application.id), f).order_by(Application.created_at, Application.id)
        return list(session.scalars(stmt.offset(offset).limit(size)))
    parts = _item_parts(f, with_status=True)
    if len(parts) == 1:
        stmt = parts[0].order_by(ApplicationItem.application_created_at, ApplicationItem.application_id)
    else:  # both parts in index order, merged
        compound = union_all(*parts)
        stmt = compound.order_by(compound.selected_columns.created_at, compound.selected_columns.id)
    return [row.id for row in session.execute(stmt.offset(offset).limit(size))]


def page(
    session: Session, f: QueueFilter, *, number: int, size: int, from_items: bool | None = None
) -> list[Application]:
    """One page (1-based), longest waiting first. The page's ids come from an index alone (a deep
    page skips index entries, not rows); then only those rows are read. `from_items`: force one way
    (None: the item indexes wherever they answer the filter)."""
    items = by_items(f) if from_items is None else from_items
    ids = _page_ids(session, f, number=number, size=size, items=items)
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


def counts_by_status(session: Session, f: QueueFilter, *, from_items: bool | None = None) -> dict[str, int]:
    """How many applications in each status, under every filter but the status (the total of a
    page is read from it). `from_items` as in `page`."""
    if not (by_items(f) if from_items is None else from_items):
        stmt = _filtered(select(Application.status, func.count()).select_from(Application), f, with_status=False)
        return {status: n for status, n in session.execute(stmt.group_by(Application.status))}
    counts: dict[str, int] = {}
    for part in _item_parts(f, with_status=False):
        rows = part.subquery()
        stmt = select(rows.c.status, func.count()).group_by(rows.c.status)
        for status, n in session.execute(stmt):
            counts[status] = counts.get(status, 0) + n
    return counts
