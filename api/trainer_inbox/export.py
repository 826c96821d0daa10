"""The labelled groups as Rasa 3 NLU training data (`data/nlu/inbox.yml` by default).

The file is rebuilt from the database each time: every group labelled or already exported, under its
intent (out-of-scope ones under the project's out-of-scope intent), entity spans written `[text](entity)`.
An example already in the other training files is skipped with a warning, so the file never repeats
(or contradicts) them. Exporting marks the labelled groups exported, audited. The file only changes
the *next* training (`scripts/train.sh`); the running model never sees it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import audit, inbox
from api.db.models import InboxGroup, StaffUser, utcnow
from api.settings import Settings
from textnorm import normalize

log = logging.getLogger(__name__)

HEADER = (
    "# GENERATED from the trainer inbox (/staff/inbox) by `python -m api.trainer_inbox export`. Do not edit:\n"
    "# label in the inbox and export again. Used by the next training only (scripts/train.sh).\n"
)
# Rasa's entity annotation: [text](entity), [text]{"entity": …} or [text][{…}]
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


@dataclass
class ExportResult:
    yaml_text: str
    written: int = 0
    skipped: list[str] = field(default_factory=list)  # "text: already in <intent>"
    exported_groups: list[int] = field(default_factory=list)


def plain(example: str) -> str:
    """An example without its entity annotations, normalised as the NLU normalises messages."""
    return normalize(_ANNOTATION.sub(r"\1", example))


def training_examples(nlu_dir: Path, exclude: Path) -> dict[str, str]:
    """Plain text → intent of every example in the NLU training files, except the export itself."""
    found: dict[str, str] = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        if path.resolve() == exclude.resolve():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("nlu") or []:
            if isinstance(entry, dict) and "intent" in entry and isinstance(entry.get("examples"), str):
                for line in entry["examples"].splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        found.setdefault(plain(line[2:]), entry["intent"])
    return found


def _one_line(text: str) -> str:
    # brackets would read as an entity annotation; line breaks would end the example
    return " ".join(text.replace("[", "【").replace("]", "】").split())


def annotate(text: str, entities: list[dict[str, Any]] | None) -> str:
    """The example with its entity spans written Rasa's way: 我叫[张三](person_name)."""
    out, at = [], 0
    for span in sorted(entities or [], key=lambda e: e["start"]):
        out += [
            _one_line(text[at : span["start"]]),
            f"[{_one_line(text[span['start'] : span['end']])}]({span['entity']})",
        ]
        at = span["end"]
    out.append(_one_line(text[at:]))
    return "".join(out)


def group_examples(session: Session, group: InboxGroup, limit: int) -> list[str]:
    """The annotated group text; with no entity marked, the group's other distinct examples too (an
    unannotated entity in them would teach the model that it is no entity)."""
    if group.entities:
        return [annotate(group.text, group.entities)]
    texts = [group.text, *inbox.distinct_texts(session, group_id=group.id, limit=limit)]
    return list(dict.fromkeys(_one_line(t) for t in texts))[:limit]


def render(by_intent: dict[str, list[str]]) -> str:
    lines = [HEADER + 'version: "3.1"', "nlu:" if by_intent else "nlu: []"]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |", *(f"    - {ex}" for ex in by_intent[intent])]
    return "\n".join(lines) + "\n"


def build(session: Session, *, nlu_dir: Path, out: Path, out_of_scope_intent: str, limit: int) -> ExportResult:
    """The file's text from every labelled or exported group, skipping what training data has."""
    known = training_examples(nlu_dir, out)
    stmt = (
        select(InboxGroup)
        .where(InboxGroup.state.in_(["labelled", "exported"]), InboxGroup.label.in_(["intent", "out_of_scope"]))
        .order_by(InboxGroup.id)
    )
    by_intent: dict[str, list[str]] = {}
    result = ExportResult("")
    for group in session.scalars(stmt):
        intent = out_of_scope_intent if group.label == "out_of_scope" else group.intent
        if not intent:
            continue
        for example in group_examples(session, group, limit):
            key = plain(example)
            if key in known:
                result.skipped.append(f"{plain(example)}: already in {known[key]}")
                continue
            known[key] = intent
            by_intent.setdefault(intent, []).append(example)
            result.written += 1
        if group.state == "labelled":
            result.exported_groups.append(group.id)
    result.yaml_text = render(by_intent)
    return result


def build_from_settings(session: Session, cfg: Settings, *, out: Path) -> ExportResult:
    """`build` with the operator's settings (the page's download and the command alike)."""
    return build(
        session,
        nlu_dir=cfg.DATA_DIR / "nlu",
        out=out,
        out_of_scope_intent=cfg.INBOX_OUT_OF_SCOPE_INTENT,
        limit=cfg.INBOX_EXPORT_EXAMPLES,
    )


def mark_exported(session: Session, result: ExportResult, *, actor: StaffUser | None, client: str | None) -> None:
    """Labelled → exported for the groups in this export, one audit event each."""
    now = utcnow()
    for gid in result.exported_groups:
        group = session.get(InboxGroup, gid)
        if group is None or group.state != "labelled":
            continue
        group.state, group.exported_at = "exported", now
        audit.record(
            session,
            actor=actor,
            actor_name="trainer_inbox export",
            action="inbox_exported",
            target=f"inbox_group:{gid}",
            before={"state": "labelled"},
            after={"state": "exported", "intent": group.intent},
            client=client,
        )
    session.flush()
