"""The trainer inbox's rows: misses as they come in (grouped on arrival), groups listed and read.
Functions only flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db.models import InboxGroup, NluMiss, utcnow
from api.trainer_inbox.grouping import best_match, group_text

# Why a message came in, strongest first: a turn reported twice keeps the strongest reason.
KINDS = ("reasked", "fallback", "ambiguous", "low_confidence")
STATES = ("new", "labelled", "exported", "ignored")


@dataclass(frozen=True)
class MissReport:
    text: str  # masked
    sender_hash: str
    intent: str | None = None
    confidence: float | None = None
    kind: str = "fallback"
    ranking: list[dict[str, Any]] | None = None
    scenario: str | None = None
    requested_slot: str | None = None
    active_loop: str | None = None
    reply: str | None = None
    turn_key: str | None = None


def _stronger(a: str, b: str) -> str:
    return min(a, b, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS))


def _enrich(miss: NluMiss, report: MissReport) -> None:
    """A second report of the same turn fills what the first did not know (the reply, the state)."""
    miss.kind = _stronger(miss.kind, report.kind)
    for name in ("ranking", "scenario", "requested_slot", "active_loop", "reply", "intent", "confidence"):
        if getattr(miss, name) in (None, [], "") and getattr(report, name) not in (None, [], ""):
            setattr(miss, name, getattr(report, name))


def assign_group(session: Session, miss: NluMiss, *, threshold: float, candidates: int) -> InboxGroup:
    """Put a new miss in the most similar group not yet exported, or in a group of its own."""
    norm = group_text(miss.text)
    stmt = (
        select(InboxGroup.id, InboxGroup.norm_text)
        .where(InboxGroup.state != "exported")
        .order_by(InboxGroup.updated_at.desc())
        .limit(candidates)
    )
    rows = [(gid, text) for gid, text in session.execute(stmt)]
    exact = next((gid for gid, text in rows if text == norm), None)
    match = exact if exact is not None else best_match(norm, rows, threshold)
    if match is None:
        group = InboxGroup(norm_text=norm, text=miss.text, state="new", count=1)
        session.add(group)
        session.flush()
    else:
        session.execute(
            update(InboxGroup).where(InboxGroup.id == match).values(count=InboxGroup.count + 1, updated_at=utcnow())
        )
        group = session.get(InboxGroup, match)
    miss.group_id = group.id
    session.flush()
    return group


def record(session: Session, report: MissReport, *, threshold: float, candidates: int) -> NluMiss:
    """Store one report, or enrich the miss already stored for the same turn (`turn_key`)."""
    if report.turn_key:
        existing = session.scalars(select(NluMiss).where(NluMiss.turn_key == report.turn_key)).first()
        if existing is not None:
            _enrich(existing, report)
            session.flush()
            return existing
    miss = NluMiss(**{k: getattr(report, k) for k in MissReport.__dataclass_fields__})
    try:
        with session.begin_nested():
            session.add(miss)
            session.flush()
    except IntegrityError:  # the other reporter of this turn was quicker
        existing = session.scalars(select(NluMiss).where(NluMiss.turn_key == report.turn_key)).one()
        _enrich(existing, report)
        session.flush()
        return existing
    assign_group(session, miss, threshold=threshold, candidates=candidates)
    return miss


@dataclass(frozen=True)
class GroupRow:
    group: InboxGroup
    kinds: dict[str, int]


def list_groups(
    session: Session, *, state: str | None, kind: str | None, offset: int, limit: int
) -> tuple[list[GroupRow], int]:
    """Groups, most frequent first, with how many of their misses came in for which reason."""
    stmt = select(InboxGroup)
    if state:
        stmt = stmt.where(InboxGroup.state == state)
    if kind:
        stmt = stmt.where(exists().where(NluMiss.group_id == InboxGroup.id, NluMiss.kind == kind))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    groups = list(
        session.scalars(
            stmt.order_by(InboxGroup.count.desc(), InboxGroup.updated_at.desc()).offset(offset).limit(limit)
        )
    )
    kinds: dict[int, dict[str, int]] = defaultdict(dict)
    if groups:
        counted = (
            select(NluMiss.group_id, NluMiss.kind, func.count())
            .where(NluMiss.group_id.in_([g.id for g in groups]))
            .group_by(NluMiss.group_id, NluMiss.kind)
        )
        for gid, k, n in session.execute(counted):
            kinds[gid][k] = n
    return [GroupRow(g, kinds[g.id]) for g in groups], total


def examples(session: Session, *, group_id: int, limit: int) -> list[NluMiss]:
    stmt = select(NluMiss).where(NluMiss.group_id == group_id).order_by(NluMiss.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def distinct_texts(session: Session, *, group_id: int, limit: int) -> list[str]:
    """The group's distinct example texts, oldest first (the first is the group's own text)."""
    stmt = select(NluMiss.text).where(NluMiss.group_id == group_id).order_by(NluMiss.id).limit(limit * 5)
    seen: list[str] = []
    for text in session.scalars(stmt):
        if text not in seen:
            seen.append(text)
        if len(seen) >= limit:
            break
    return seen


def suggested_intents(
    session: Session, *, group_id: int, exclude: frozenset[str], top: int = 3
) -> list[dict[str, Any]]:
    """The intents the classifier ranked highest over the group's examples (mean confidence)."""
    scores: dict[str, float] = defaultdict(float)
    stmt = select(NluMiss.ranking, NluMiss.intent, NluMiss.confidence).where(NluMiss.group_id == group_id).limit(200)
    rows = list(session.execute(stmt))
    for ranking, intent, confidence in rows:
        for entry in ranking or ([{"name": intent, "confidence": confidence or 0}] if intent else []):
            if entry.get("name") and entry["name"] not in exclude:
                scores[entry["name"]] += float(entry.get("confidence") or 0)
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:top]
    return [{"name": name, "confidence": round(total / max(1, len(rows)), 3)} for name, total in best]


def labelled_groups(session: Session) -> list[InboxGroup]:
    stmt = select(InboxGroup).where(InboxGroup.state == "labelled", InboxGroup.label.in_(["intent", "out_of_scope"]))
    return list(session.scalars(stmt.order_by(InboxGroup.id)))


def kind_counts(session: Session, *, group_id: int) -> dict[str, int]:
    stmt = select(NluMiss.kind, func.count()).where(NluMiss.group_id == group_id).group_by(NluMiss.kind)
    return {kind: n for kind, n in session.execute(stmt)}
