"""Figures for supervisors, per scenario and channel, over a period: the way from a conversation to
an approved application, the time it took, the fields citizens struggle with, and what merging saved."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db.chat_sessions import PROGRESS_STEPS
from api.db.models import Application, ApplicationItem, ChatSession, ValidationFailure

# The conversation's steps before a submission (after "started"), counted per scenario and channel:
# a session counts in every step up to the furthest it reached.
FUNNEL_STEPS = PROGRESS_STEPS[1:]

SAVING_KEYS = (
    "saved_entries",
    "separate_materials",
    "materials_to_bring",
    "separate_days",
    "merged_days",
    "separate_steps",
    "separate_trips",
    "trips_online",
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
            Application.conversation_turns,
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

    def row_of(scenario_id: str, channel: str) -> dict[str, Any]:
        return rows.setdefault(
            (scenario_id, channel),
            {
                "scenario_id": scenario_id,
                "channel": channel,
                **dict.fromkeys(FUNNEL_STEPS, 0),
                "submitted": 0,
                "accepted": 0,
                "approved": 0,
                "minutes": [],
                "turns": [],
            },
        )

    # the conversations' part of the funnel: how far each session got, by the scenario it found
    reached = session.execute(
        select(ChatSession.scenario_id, ChatSession.channel, ChatSession.progress, func.count())
        .where(ChatSession.created_at >= start, ChatSession.created_at < end, ChatSession.scenario_id.is_not(None))
        .group_by(ChatSession.scenario_id, ChatSession.channel, ChatSession.progress)
    ).all()
    for scenario_id, channel, progress, count in reached:
        row = row_of(scenario_id, channel)
        for level, step in enumerate(FUNNEL_STEPS, start=1):
            if progress >= level:
                row[step] += count
    for app_id, scenario_id, channel, status, created, saving, chat_started, turns in apps:
        row = row_of(scenario_id, channel)
        if turns is not None:
            row["turns"].append(turns)
        row["submitted"] += 1
        row["accepted"] += app_id in started
        row["approved"] += status in ("approved", "partly_approved")
        if chat_started is not None:
            row["minutes"].append((_aware(created) - _aware(chat_started)).total_seconds() / 60)
        for key in SAVING_KEYS:
            row[key] = row.get(key, 0) + int((saving or {}).get(key) or 0)
    for row in rows.values():
        minutes, turns = row.pop("minutes"), row.pop("turns")
        row["median_minutes"] = round(statistics.median(minutes), 1) if minutes else None
        row["median_turns"] = statistics.median(turns) if turns else None
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
