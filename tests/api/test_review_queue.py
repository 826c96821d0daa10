"""The staff queue's copies on the items (the application's status, submission time, scenario and
channel, the first item of each department) stay in sync through submission, revision, decisions, corrections and
reassignment; a department's queue read from the item indexes returns the same rows, order and
counts as the application-table path for every filter; migration 0010 backfills existing rows.
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from tests.conftest import migrate

PASSWORD = "队列-Passw0rd-2026"
APPROVALS = "滨海新区行政审批局"  # two items of open_restaurant and both of open_pharmacy
TAX = "国家税务总局天津市滨海新区税务局"
POLICE = "天津市公安局滨海分局户籍地派出所"
SCENARIOS = ["open_restaurant", "open_pharmacy", "start_company", "house_transfer", "bereavement", "newborn"]
BASE = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    migrate(database_url)
    engine = sa.create_engine(database_url)
    with Session(engine) as s:
        yield s
    engine.dispose()


def _plan(catalog, scenario_id: str) -> dict:
    from api.engine.plan import compute_plan
    from api.routes.schemas import plan_snapshot

    return plan_snapshot(compute_plan(catalog.scenarios[scenario_id], {}, catalog))


def _submit(session: Session, catalog, key: str, scenario_id: str, channel: str, request_hash: str = "v1"):
    from api.db.applications import store_or_resolve

    new = {
        "scenario_id": scenario_id,
        "answers": {},
        "form_data": {"applicant_name": "张三", "phone": "13900000000"},
        "plan": _plan(catalog, scenario_id),
        "channel": channel,
        "conversation_id": None,
        "idempotency_key": key,
        "request_hash": request_hash,
    }
    app, how = store_or_resolve(session, key, new)
    assert app is not None
    return app, how


def _user(session: Session, catalog, username: str, role: str, departments: list[str]):
    from api.review import service

    return service.create_user(
        session, catalog, None, username=username, display_name=username, role=role,
        departments_=departments, password=PASSWORD,
    )  # fmt: skip


def _items_in_sync(session: Session) -> int:
    """Assert every item's copies match its application; return how many items were checked."""
    from api.db.models import Application

    session.expire_all()
    checked = 0
    for app in session.scalars(sa.select(Application).options(selectinload(Application.items))):
        seen: set[str] = set()
        for it in app.items:  # in position order
            assert it.application_status == app.status, (app.number, it.item_id)
            assert _aware(it.application_created_at) == _aware(app.created_at), (app.number, it.item_id)
            assert (it.scenario_id, it.channel) == (app.scenario_id, app.channel), (app.number, it.item_id)
            assert it.department_first == (it.department not in seen), (app.number, it.item_id)
            seen.add(it.department)
            checked += 1
    return checked


@pytest.fixture
def seeded(session: Session, catalog, monkeypatch) -> Session:
    """36 applications over a month (two pairs submitted at the same instant), then a reviewer's and
    a supervisor's day: accept, approve, reject, 补正 and the citizen's correction, a revision before
    review, and 改派 to a reviewer of another department."""
    from api.db import applications
    from api.db.models import Application
    from api.review import service
    from api.review.corrections import apply_correction

    submitted = [BASE - dt.timedelta(hours=20 * (i - (i in (7, 21)))) for i in range(36)]
    clock = itertools.chain(submitted, itertools.repeat(BASE + dt.timedelta(hours=1)))
    monkeypatch.setattr(applications, "utcnow", lambda: next(clock))
    apps = [
        _submit(session, catalog, f"key-{i}", SCENARIOS[i % len(SCENARIOS)], ("web", "mobile", "kiosk")[i % 3])[0]
        for i in range(36)
    ]
    reviewer = _user(session, catalog, "approvals", "reviewer", [APPROVALS])
    supervisor = _user(session, catalog, "sup", "supervisor", [])
    police = _user(session, catalog, "police", "reviewer", [POLICE])
    numbers = [a.number for a in apps]

    def decide(number: str, item_id: str, action: str, **extra) -> None:
        service.decision(
            session, reviewer, catalog, number, item_id, action=action,
            reason=extra.get("reason", ""), fields=extra.get("fields", []), client="test",
        )  # fmt: skip

    for n in numbers[0:12:6]:  # open_restaurant: accepted, then the licence approved
        decide(n, "business_license", "accept")
        decide(n, "business_license", "approve")
    decide(numbers[1], "business_license", "accept")  # open_pharmacy, in review
    decide(numbers[13], "business_license", "reject", reason="经营场所不符合要求")
    decide(numbers[13], "drug_retail_license", "reject", reason="经营场所不符合要求")  # open_pharmacy: rejected
    decide(numbers[19], "business_license", "accept")
    decide(numbers[19], "drug_retail_license", "accept")
    decide(numbers[19], "business_license", "approve")
    decide(numbers[19], "drug_retail_license", "approve")  # open_pharmacy: approved
    for n in (numbers[12], numbers[24]):  # open_restaurant: 补正
        decide(n, "food_business_permit", "request_correction", reason="请补充面积", fields=["applicant_name"])
    session.expire_all()
    corrected = session.scalars(sa.select(Application).where(Application.number == numbers[24])).one()
    apply_correction(session, app=corrected, data={**corrected.form_data, "applicant_name": "李四"}, changed=["x"])
    session.commit()
    _, how = _submit(session, catalog, "key-2", SCENARIOS[2], "kiosk", request_hash="v2")  # revised before review
    assert how == "revised"
    # 改派: items of other departments given to the approvals reviewer (one of an application that
    # has approvals items too, so it must be counted once) and one to the police reviewer
    service.assign(session, supervisor, numbers[3], "transaction_tax", "approvals", client="test")
    service.assign(session, supervisor, numbers[5], "birth_registration", "approvals", client="test")
    service.assign(session, supervisor, numbers[0], "drainage_permit", "approvals", client="test")
    service.assign(session, supervisor, numbers[1], "business_license", "police", client="test")
    assert police.username == "police"
    return session


def test_the_items_copies_stay_in_sync_through_every_change(seeded: Session) -> None:
    from api.db.models import Application

    assert _items_in_sync(seeded) > 36
    statuses = set(seeded.scalars(sa.select(Application.status)))
    assert {"submitted", "in_review", "approved", "rejected", "need_more"} <= statuses
    # the corrected application went back to the queue, and its items say so
    assert seeded.scalars(sa.select(Application.version).where(Application.version > 1)).all()


def _filters(catalog) -> list:
    from api.db.review_queue import QueueFilter

    ten_days_ago = (BASE - dt.timedelta(days=10)).date()
    dates = [(None, None), (ten_days_ago, None), (None, ten_days_ago), (ten_days_ago, BASE.date())]
    statuses = [None, "submitted", "in_review", "need_more", "approved", "rejected"]
    scopes = [
        {"departments": (APPROVALS,), "assignee": "approvals"},
        {"departments": (APPROVALS,), "assignee": "approvals", "department": APPROVALS},
        {"departments": (APPROVALS,), "assignee": "approvals", "department": TAX},
        {"departments": (APPROVALS, TAX), "assignee": "approvals"},
        {"departments": (POLICE,), "assignee": "police"},
        {"departments": (TAX,), "assignee": "nobody"},
        {"departments": (), "assignee": "approvals"},
        {"department": APPROVALS},  # a supervisor filtering by department
        {"department": TAX},
    ]
    others = [
        {"scenario_id": "open_pharmacy"},
        {"channel": "kiosk"},
        {"scenario_id": "house_transfer", "channel": "web"},
    ]
    return [
        QueueFilter(status=s, date_from=d1, date_to=d2, **scope)
        for scope, s, (d1, d2) in itertools.product(scopes, statuses, dates)
    ] + [
        QueueFilter(status=s, date_from=d1, **scope, **other)
        for scope, s, d1, other in itertools.product(scopes, (None, "submitted"), (None, ten_days_ago), others)
    ]


def test_a_departments_queue_from_the_items_equals_the_application_path(seeded: Session, catalog) -> None:
    from api.db.review_queue import by_items, counts_by_status, page

    filters = _filters(catalog)
    assert all(by_items(f) for f in filters)
    nonempty = 0
    for f in filters:
        expected_counts = counts_by_status(seeded, f, from_items=False)
        assert counts_by_status(seeded, f, from_items=True) == expected_counts, f
        expected = [a.number for p in range(1, 5) for a in page(seeded, f, number=p, size=5, from_items=False)]
        got = [a.number for p in range(1, 5) for a in page(seeded, f, number=p, size=5, from_items=True)]
        assert got == expected, f
        nonempty += bool(expected)
    assert nonempty > len(filters) // 3
    # the cases the item path must get right are in the data: an application of two approvals items,
    # and applications assigned to the approvals reviewer with and without approvals items
    from api.db.review_queue import QueueFilter

    scoped = QueueFilter(departments=(APPROVALS,), assignee="approvals")
    alone = QueueFilter(departments=(APPROVALS,))
    assert sum(counts_by_status(seeded, scoped).values()) == sum(counts_by_status(seeded, alone).values()) + 2


def test_other_filters_use_the_application_table(seeded: Session) -> None:
    from api.db.review_queue import QueueFilter, by_items, counts_by_status, page

    assert not by_items(QueueFilter(departments=(APPROVALS,), assignee="approvals", number="X"))
    assert not by_items(QueueFilter(status="submitted", scenario_id="open_pharmacy"))
    f = QueueFilter(departments=(APPROVALS,), assignee="approvals", scenario_id="open_pharmacy")
    assert by_items(f)
    assert {a.scenario_id for a in page(seeded, f, number=1, size=50)} == {"open_pharmacy"}
    assert sum(counts_by_status(seeded, f).values()) == 6
    number = page(seeded, f, number=1, size=1)[0].number
    by_number = QueueFilter(departments=(APPROVALS,), assignee="approvals", number=number)
    assert [a.number for a in page(seeded, by_number, number=1, size=50)] == [number]
    assert counts_by_status(seeded, QueueFilter(departments=(TAX,), number=number)) == {}


def test_migration_0010_backfills_existing_items(database_url: str, catalog) -> None:
    from api.db.models import Application

    migrate(database_url, "0008")
    engine = sa.create_engine(database_url)
    plan = _plan(catalog, "open_restaurant")
    created = dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for i, status in enumerate(("in_review", "need_more")):
            conn.execute(
                Application.__table__.insert(),
                {
                    "id": i + 1, "number": f"N{i}", "scenario_id": "open_restaurant", "status": status,
                    "channel": "web", "conversation_id": None, "phone": "", "applicant_name": "张三",
                    "answers": {}, "form_data": {}, "plan_snapshot": plan, "idempotency_key": f"k{i}",
                    "request_hash": "h", "version": 1, "created_at": created + dt.timedelta(days=i),
                    "updated_at": created,
                },
            )  # fmt: skip
            for pos, it in enumerate(plan["items"]):
                conn.execute(
                    sa.text(
                        "INSERT INTO application_item (application_id, position, item_id, item_name, department, "
                        "stage, status, updated_at) VALUES (:a, :p, :i, :n, :d, :s, 'pending', :u)"
                    ),
                    {"a": i + 1, "p": pos, "i": it["id"], "n": it["name"], "d": it["department"], "s": 1, "u": created},
                )
    engine.dispose()
    migrate(database_url)
    engine = sa.create_engine(database_url)
    with Session(engine) as s:
        assert _items_in_sync(s) == 2 * len(plan["items"])
        firsts = s.scalars(sa.text("SELECT count(*) FROM application_item WHERE department_first")).one()
        assert firsts == 2 * len({it["department"] for it in plan["items"]}) < 2 * len(plan["items"])
    engine.dispose()


def test_working_days_count_whole_weeks_as_a_day_by_day_walk_would() -> None:
    from api.review.views import working_days_between

    def walk(start: dt.datetime, end: dt.datetime) -> int:
        days, day = 0, start.date()
        while day < end.date():
            day += dt.timedelta(days=1)
            days += day.weekday() < 5
        return days

    starts = [BASE + dt.timedelta(days=d, hours=h) for d in range(7) for h in (0, 15)]
    for start, span in itertools.product(starts, range(-3, 200)):
        end = start + dt.timedelta(days=span, hours=5)
        assert working_days_between(start, end) == walk(start, end), (start, end)
    assert working_days_between(BASE, BASE + dt.timedelta(days=7)) == 5  # Monday 30 Nov → Monday 7 Dec
    assert working_days_between(BASE.replace(tzinfo=None), BASE + dt.timedelta(days=1)) == 1  # naive = UTC
