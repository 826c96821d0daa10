"""Figures for supervisors, per scenario and channel, over a period: the way from a conversation to
an approved application, the time it took, the fields citizens struggle with, and what merging saved."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.models import Application, ApplicationItem, ChatSession, ValidationFailure

SAVING_KEYS = (
    "saved_entries",
    "separate_materials",
    "materials_to_bring",
    "separate_days",
    "merged_days",
    "separate_steps",
)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def report(session: Session, *, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    sessions = dict(
        session.execute(
            select(ChatSession.channel, func.count())
            .where(ChatSession.created_at >= start, ChatSession.created_at < end)
            .group_by(ChatSession.channel)
        ).all()
    )
    apps = session.execute(
        select(
            Application.id,
            Application.scenario_id,
            Application.channel,
            Application.status,
            Application.created_at,
            Application.plan_snapshot["saving"],
            ChatSession.created_at,
        )
        .outerjoin(ChatSession, ChatSession.conversation_id == Application.conversation_id)
        .where(Application.created_at >= start, Application.created_at < end)
    ).all()
    started = {
        app_id
        for (app_id,) in session.execute(
            select(ApplicationItem.application_id.distinct()).where(
                ApplicationItem.status != "pending",
                ApplicationItem.application_id.in_([a[0] for a in apps] or [-1]),
            )
        )
    }
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for app_id, scenario_id, channel, status, created, saving, chat_started in apps:
        row = rows.setdefault(
            (scenario_id, channel),
            {
                "scenario_id": scenario_id,
                "channel": channel,
                "submitted": 0,
                "accepted": 0,
                "approved": 0,
                "minutes": [],
            },
        )
        row["submitted"] += 1
        row["accepted"] += app_id in started
        row["approved"] += status in ("approved", "partly_approved")
        if chat_started is not None:
            row["minutes"].append((_aware(created) - _aware(chat_started)).total_seconds() / 60)
        for key in SAVING_KEYS:
            row[key] = row.get(key, 0) + int((saving or {}).get(key) or 0)
    for row in rows.values():
        minutes = row.pop("minutes")
        row["median_minutes"] = round(statistics.median(minutes), 1) if minutes else None
    failures = session.execute(
        select(ValidationFailure.field_id, func.count())
        .where(ValidationFailure.at >= start, ValidationFailure.at < end)
        .group_by(ValidationFailure.field_id)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    return {
        "sessions_by_channel": sessions,
        "rows": sorted(rows.values(), key=lambda r: (r["scenario_id"], r["channel"])),
        "failing_fields": [{"field_id": f, "failures": n} for f, n in failures],
    }
