"""Simulated citizens: many whole conversations with natural answers, over the REST webhook, against the real stack.

Each conversation takes one scenario, opens with a natural first message, then reads Rasa's tracker and answers
whatever is pending: the requested slot of guide_form / application_form with a random natural variant from
tests/sim/citizen_answers.yml (yes/no questions: the citizen decides yes or no once, then says it in words), "开始填写"
and the summary with /affirm or a natural yes. Now and then the citizen first asks why a question is asked or a
consultation question (the same question must be asked again), and after the summary corrects a field (it must
change). A conversation is completed only when `application_number` is set AND the application is stored under that
number for this conversation (checked in the API's database and through GET /api/applications/{number}), with every
answered value as the table says. It is stuck when the same question is asked three times in a row (the citizen
answered twice in vain), when nothing is pending and nothing was submitted, or after 60 turns.

Run (API environment, from the repository root; starts API, action server and Rasa like tests/bot/conftest.py,
training the model with scripts/train.sh only when its inputs changed):

    .venv-api/bin/python bench/sim_citizens.py [--runs 10] [--seed 1] [--scenario newborn ...]

Writes reports/sim/report.json (every conversation with its transcript) and reports/sim/report.md.
`run(bot, runs_per_scenario, seed)` is the same, on a running stack (tests/bot/test_simulated_citizens.py).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "sim" / "citizen_answers.yml"
REPORT_DIR = ROOT / "reports" / "sim"

SKIPPED = "__skipped__"  # the slot value of a skipped optional field (actions/slots.py)
FORMS = ("guide_form", "application_form")
MAX_TURNS = 60
MAX_ASKS = 3  # the same question asked this many times in a row: stuck
P_WHY = 0.15  # per conversation, at most once each
P_CONSULT = 0.15
P_CORRECTION = 0.3  # at the summary, at most once
P_NATURAL_YES = 0.4  # a natural yes instead of the /affirm button
NOT_UNDERSTOOD = "没有听懂"  # in actions/texts.yml `not_understood`


def load_table(path: Path = TABLE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def same(expected: Any, got: Any) -> bool:
    """Whether a slot value is the expected normalised value (numbers compared as numbers, booleans strictly)."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return math.isclose(float(expected), float(got), rel_tol=0, abs_tol=1e-9)
    return expected == got


def _texts(replies: list[dict[str, Any]]) -> list[str]:
    return [r["text"] for r in replies if r.get("text")]


class Conversation:
    """One simulated citizen talking to the bot about one scenario."""

    def __init__(self, bot: Any, table: dict[str, Any], scenario: str, rng: random.Random, label: str) -> None:
        self.bot, self.table, self.scenario, self.rng = bot, table, scenario, rng
        self.sender = f"sim-{label}-{uuid.uuid4().hex[:8]}"
        self.turns = 0
        self.transcript: list[dict[str, Any]] = []
        self.last_message = ""
        self.last_state = ""  # what the last message answered: a slot, awaiting:…, (start), why@slot…
        self.last_reply: list[str] = []
        self.truth: dict[str, bool] = {}  # yes/no decided once per question
        self.intended: dict[str, Any] = {}  # the value meant for a number/choice question or a field
        self.tried: dict[str, list[str]] = defaultdict(list)  # variants sent for the pending question, in a row
        self.expected: dict[str, Any] = {}  # slot -> value it must hold (accepted answers and corrections)
        self.bad_slots: set[str] = set()  # slots already reported wrong (not reported again at the end)
        self.used: set[str] = set()  # why / consult / correction, at most once each
        self.made: list[str] = []  # why / consult / correction actually sent
        self.failures: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []  # answers the bot did not take (asked again)
        self.outcome = ""
        self.stuck: dict[str, Any] | None = None
        self.application_number: str | None = None
        self.clarified = False

    # --- talking ------------------------------------------------------------------------------------------------
    def say(self, message: str, state: str) -> list[dict[str, Any]]:
        replies = self.bot.say(self.sender, message)
        self.turns += 1
        self.last_message, self.last_reply, self.last_state = message, _texts(replies), state
        self.transcript.append({"state": state, "user": message, "bot": self.last_reply})
        return replies

    def tracker(self) -> dict[str, Any]:
        return self.bot.tracker(self.sender)

    def fail(self, kind: str, **details: Any) -> None:
        self.failures.append({"kind": kind, "scenario": self.scenario, **details})

    # --- choosing answers ---------------------------------------------------------------------------------------
    def _variants(self, slot: str) -> list[dict[str, Any]] | None:
        """[{text, value}] for a question or field id, or None if the table has none."""
        question = self.table["questions"].get(slot)
        if question is not None:
            if "values" in question:
                return question["values"]
            if slot not in self.truth:
                self.truth[slot] = self.rng.random() < 0.5
            key = "yes" if self.truth[slot] else "no"
            return [{"text": t, "value": self.truth[slot]} for t in question[key]]
        return self.table["fields"].get(slot)

    def pick_answer(self, slot: str) -> dict[str, Any] | None:
        """A random variant; asked again, a different wording of the same value when there is one."""
        variants = self._variants(slot)
        if not variants:
            return None
        if slot not in self.intended:
            self.intended[slot] = self.rng.choice(variants)["value"]
        fresh = [v for v in variants if v["text"] not in self.tried[slot]] or variants
        meant = [v for v in fresh if same(self.intended[slot], v["value"])] or fresh
        return self.rng.choice(meant)

    # --- checks ---------------------------------------------------------------------------------------------------
    def check_answer(self, slot: str, answer: dict[str, Any], slots: dict[str, Any], asked_again: bool) -> None:
        got = slots.get(slot)
        if got is None:
            self.rejected.append(
                {"slot": slot, "text": answer["text"], "reply": " / ".join(self.last_reply), "asked_again": asked_again}
            )
            return
        if not same(answer["value"], got):
            self.bad_slots.add(slot)
            self.fail("value_mismatch", slot=slot, text=answer["text"], expected=answer["value"], got=got)
            return
        self.expected[slot] = answer["value"]
        for key, value in (answer.get("derived") or {}).items():
            if not same(value, slots.get(key)):
                self.bad_slots.add(key)
                self.fail("value_mismatch", slot=key, text=answer["text"], expected=value, got=slots.get(key))
            else:
                self.expected[key] = value

    def verify_stored(self, number: str, slots: dict[str, Any]) -> bool:
        """The application is stored under this number for this conversation, with the values the citizen gave."""
        ok = True
        last = "\n".join(self.last_reply)
        if number not in last:
            ok = False
            self.fail("storage", slot="application_number", detail=f"受理编号 {number} not in the reply", reply=last)
        db_path = (getattr(self.bot, "api", None) or {}).get("db_path")
        if db_path:
            with sqlite3.connect(db_path) as conn:
                conn.row_factory = sqlite3.Row
                row = conn.execute("SELECT * FROM application WHERE number = ?", (number,)).fetchone()
                count = conn.execute(
                    "SELECT COUNT(*) FROM application WHERE conversation_id = ?", (self.sender,)
                ).fetchone()[0]
            if row is None:
                self.fail("storage", slot="application_number", detail=f"no stored application {number}")
                return False
            if row["conversation_id"] != self.sender or row["scenario_id"] != self.scenario or count != 1:
                ok = False
                self.fail(
                    "storage",
                    slot="application_number",
                    detail=f"stored for {row['conversation_id']}/{row['scenario_id']}, {count} rows for this sender",
                )
            answers, form = json.loads(row["answers"]), json.loads(row["form_data"])
            questions = self.table["questions"]
            form_fields = set(slots.get("form_fields") or [])
            for slot, value in self.expected.items():
                if slot in self.bad_slots or not (slot in answers or slot in form_fields):
                    continue
                stored = answers[slot] if slot in questions and slot in answers else form.get(slot, SKIPPED)
                if not same(value, stored):
                    self.bad_slots.add(slot)
                    self.fail("stored_value", slot=slot, expected=value, got=stored)
        phone = slots.get("phone")
        if phone and phone != SKIPPED:
            resp = self.bot.client.get(f"{self.bot.api['url']}/api/applications/{number}", params={"phone": phone})
            if resp.status_code != 200 or resp.json().get("scenario_id") != self.scenario:
                ok = False
                self.fail("storage", slot="application_number", detail=f"status query answered {resp.status_code}")
        return ok

    # --- the conversation -----------------------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        try:
            self._run()
        except Exception as exc:  # the bot or the stack failed: a failed conversation, the run goes on
            self.outcome = "error"
            self.stuck = self._stuck_point(self.last_state or "(start)", "error", detail=f"{type(exc).__name__}: {exc}")
        return self.result()

    def _stuck_point(self, slot: str, kind: str, **extra: Any) -> dict[str, Any]:
        """kind: asked_again (the same question a third time in a row), dropped (nothing pending afterwards:
        cancelled, ended or left the form), scenario (not found), turn_limit, no_answer (table), error."""
        return {
            "scenario": self.scenario,
            "slot": slot,
            "kind": kind,
            "message": self.last_message,
            "reply": " / ".join(self.last_reply),
            **extra,
        }

    def _start(self) -> bool:
        """Name the scenario (tapping the right button if the bot offers a choice); a second wording if the first
        one is not understood, as with any question."""
        openings = list(self.table["scenarios"][self.scenario]["first_messages"])
        self.rng.shuffle(openings)
        chosen = None
        for first in openings[:2]:
            replies = self.say(first, "(start)")
            chosen = self.tracker()["slots"].get("scenario")
            if chosen is None:
                payload = next(
                    (
                        b["payload"]
                        for r in replies
                        for b in r.get("buttons") or []
                        if f'"{self.scenario}"' in (b.get("payload") or "")
                    ),
                    None,
                )
                if payload:
                    self.clarified = True
                    self.say(payload, "(scenario choice)")
                    chosen = self.tracker()["slots"].get("scenario")
            if chosen is not None:
                break
            self.rejected.append(
                {"slot": "(scenario)", "text": first, "reply": " / ".join(self.last_reply), "asked_again": True}
            )
        if chosen != self.scenario:
            self.outcome = "wrong_scenario" if chosen else "stuck"
            self.stuck = self._stuck_point("(scenario)", "scenario", got=chosen)
            return False
        return True

    def _run(self) -> None:
        if not self._start():
            return
        last_key, streak = None, 0
        pending: tuple[str, dict[str, Any]] | None = None  # the answer just sent, checked at the next read
        while True:
            tracker = self.tracker()
            slots = tracker["slots"]
            loop = (tracker.get("active_loop") or {}).get("name")
            requested, awaiting = slots.get("requested_slot"), slots.get("awaiting")
            key = requested if loop in FORMS and requested else f"awaiting:{awaiting}" if awaiting else None
            if pending:
                self.check_answer(*pending, slots, asked_again=key == pending[0])
                pending = None
            if slots.get("application_number"):
                number = self.application_number = slots["application_number"]
                self.outcome = "completed" if self.verify_stored(number, slots) else "not_stored"
                return
            if key is None:
                self.outcome = "stuck"
                detail = f"afterwards nothing pending (active_loop={loop}, requested_slot={requested})"
                self.stuck = self._stuck_point(self.last_state, "dropped", detail=detail)
                return
            streak = streak + 1 if key == last_key else 1
            last_key = key
            if streak >= MAX_ASKS:
                self.outcome = "stuck"
                self.stuck = self._stuck_point(key, "asked_again")
                return
            if self.turns >= MAX_TURNS:
                self.outcome = "turn_limit"
                self.stuck = self._stuck_point(key, "turn_limit")
                return
            if key.startswith("awaiting:"):
                if self._at_awaiting(awaiting, slots):
                    last_key = None  # a correction was made: the summary shown again is not a re-ask
                continue
            if streak == 1 and self._interject(loop, requested):
                last_key = None
                continue
            if streak == 1:
                self.tried[requested] = []
            answer = self.pick_answer(requested)
            if answer is None:
                self.outcome = "stuck"
                self.stuck = self._stuck_point(requested, "no_answer", detail="no answer for this slot in the table")
                return
            self.tried[requested].append(answer["text"])
            self.say(str(answer["text"]), requested)
            pending = (requested, answer)

    def _interject(self, loop: str, requested: str) -> bool:
        """Maybe ask why / a consultation question first; True if the state changed (then read it again)."""
        for kind, chance in (("why", P_WHY), ("consult", P_CONSULT)):
            if kind in self.used or self.turns >= MAX_TURNS - 1 or self.rng.random() >= chance:
                continue
            self.used.add(kind)
            self.made.append(kind)
            pool = "consult" if kind == "consult" else "why_question" if loop == "guide_form" else "why_field"
            message = self.rng.choice(self.table["interjections"][pool])
            replies = _texts(self.say(message, f"{kind}@{requested}"))
            tracker = self.tracker()
            now_loop = (tracker.get("active_loop") or {}).get("name")
            now = tracker["slots"].get("requested_slot")
            if now_loop != loop or now != requested:
                self.fail(
                    f"{kind}_interjection",
                    slot=requested,
                    text=message,
                    detail=f"afterwards active_loop={now_loop}, requested_slot={now}",
                    reply=" / ".join(replies),
                )
                return True
            if len(replies) < 2 or any(NOT_UNDERSTOOD in t for t in replies):
                self.fail(
                    f"{kind}_interjection",
                    slot=requested,
                    text=message,
                    detail="not answered (only the question again, or not understood)",
                    reply=" / ".join(replies),
                )
        return False

    def _at_awaiting(self, awaiting: str, slots: dict[str, Any]) -> bool:
        """Answer 开始填写 / the summary; True if a correction was sent."""
        if awaiting == "confirm_submit" and "correction" not in self.used and self.rng.random() < P_CORRECTION:
            self.used.add("correction")
            if self._correct(slots):
                return True
        natural = self.table["affirm"].get(awaiting)
        if natural and self.rng.random() < P_NATURAL_YES:
            self.say(self.rng.choice(natural), f"awaiting:{awaiting}")
        else:
            self.say("/affirm", f"awaiting:{awaiting}")
        return False

    def _correct(self, slots: dict[str, Any]) -> bool:
        form_fields = slots.get("form_fields") or []
        options = [
            (field, c)
            for field, corrections in self.table["corrections"].items()
            if field in form_fields and slots.get(field) not in (None, SKIPPED)
            for c in corrections
            if not same(c["value"], slots.get(field))
        ]
        if not options:
            return False
        field, correction = self.rng.choice(options)
        self.made.append("correction")
        before = slots.get(field)
        self.say(correction["text"], f"correction@{field}")
        after = self.tracker()["slots"]
        if not same(correction["value"], after.get(field)):
            detail = "unchanged" if same(before, after.get(field)) else "changed to another value"
            if detail != "unchanged":
                self.bad_slots.add(field)
            self.fail(
                "correction",
                slot=field,
                text=correction["text"],
                expected=correction["value"],
                got=after.get(field),
                detail=detail,
                reply=" / ".join(self.last_reply),
            )
            return True
        self.expected[field] = correction["value"]
        self.bad_slots.discard(field)
        if after.get("awaiting") != "confirm_submit":
            self.fail(
                "correction",
                slot=field,
                text=correction["text"],
                detail=f"summary not shown again (awaiting={after.get('awaiting')})",
                reply=" / ".join(self.last_reply),
            )
        return True

    def result(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "scenario": self.scenario,
            "outcome": self.outcome,
            "completed": self.outcome == "completed",
            "clean": self.outcome == "completed" and not self.failures,
            "turns": self.turns,
            "application_number": self.application_number,
            "scenario_clarified_by_button": self.clarified,
            "truth": self.truth,
            "interjections": self.made,
            "stuck": self.stuck,
            "failures": self.failures,
            "rejected_answers": self.rejected,
            "transcript": self.transcript,
        }


# --- the run and its report -----------------------------------------------------------------------------------------
def _turn_stats(turns: list[int]) -> dict[str, Any]:
    if not turns:
        return {"mean": None, "p50": None, "max": None}
    return {"mean": round(statistics.mean(turns), 1), "p50": statistics.median(turns), "max": max(turns)}


def _summary(conversations: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(conversations)
    completed = [c for c in conversations if c["completed"]]
    clean = [c for c in conversations if c["clean"]]
    return {
        "conversations": n,
        "completed": len(completed),
        "completion_rate": round(len(completed) / n, 3) if n else None,
        "clean": len(clean),
        "clean_rate": round(len(clean) / n, 3) if n else None,
        "outcomes": dict(Counter(c["outcome"] for c in conversations)),
        "scenario_chosen_by_button": sum(c["scenario_clarified_by_button"] for c in conversations),
        "interjections_made": dict(Counter(k for c in conversations for k in c["interjections"])),
        "interjections_failed": dict(
            Counter(
                f["kind"]
                for c in conversations
                for f in c["failures"]
                if f["kind"].endswith(("interjection", "correction"))
            )
        ),
        "turns_per_completion": _turn_stats([c["turns"] for c in completed]),
    }


def _json_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def aggregate(conversations: list[dict[str, Any]], seed: int, runs: int) -> dict[str, Any]:
    stuck: dict[tuple[str, str], dict[str, Any]] = {}
    for c in conversations:
        s = c["stuck"]
        if s:
            entry = stuck.setdefault(
                (s["scenario"], s["slot"], s["kind"]),
                {
                    "scenario": s["scenario"],
                    "slot": s["slot"],
                    "kind": s["kind"],
                    "count": 0,
                    "example": s,
                    "messages": Counter(),
                },
            )
            entry["count"] += 1
            entry["messages"][s["message"]] += 1
    stuck_points = sorted(stuck.values(), key=lambda e: (-e["count"], e["scenario"], e["slot"]))
    for e in stuck_points:
        e["messages"] = dict(e["messages"].most_common())

    by_kind: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for c in conversations:
        for f in c["failures"]:
            details = {k: v for k, v in f.items() if k not in ("scenario", "reply")}
            key = _json_key(details)
            entry = by_kind[f["kind"]].setdefault(key, {**details, "count": 0, "scenarios": Counter()})
            entry.setdefault("reply", f.get("reply"))
            entry["count"] += 1
            entry["scenarios"][f["scenario"]] += 1
    failures = {
        kind: sorted(({**e, "scenarios": dict(e["scenarios"])} for e in entries.values()), key=lambda e: -e["count"])
        for kind, entries in sorted(by_kind.items())
    }

    rejected: dict[tuple[str, str], dict[str, Any]] = {}
    for c in conversations:
        for r in c["rejected_answers"]:
            entry = rejected.setdefault(
                (r["slot"], r["text"]), {"slot": r["slot"], "text": r["text"], "count": 0, "example_reply": r["reply"]}
            )
            entry["count"] += 1

    scenarios = sorted({c["scenario"] for c in conversations})
    return {
        "generated_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seed": seed,
        "runs_per_scenario": runs,
        "limits": {"max_turns": MAX_TURNS, "stuck_after_asks_in_a_row": MAX_ASKS},
        "overall": _summary(conversations),
        "per_scenario": {s: _summary([c for c in conversations if c["scenario"] == s]) for s in scenarios},
        "stuck_points": stuck_points,
        "failures": failures,
        "value_mismatches": failures.get("value_mismatch", []) + failures.get("stored_value", []),
        "rejected_answers": sorted(rejected.values(), key=lambda e: (-e["count"], e["slot"])),
        "conversations": conversations,
    }


def run(
    bot: Any, runs_per_scenario: int = 10, seed: int = 1, scenarios: list[str] | None = None, table: Path = TABLE
) -> dict[str, Any]:
    """Run `runs_per_scenario` simulated conversations per scenario against a running BotStack; the report dict."""
    answers = load_table(table)
    chosen = scenarios or sorted(answers["scenarios"])
    conversations = []
    for scenario in chosen:
        for i in range(runs_per_scenario):
            rng = random.Random(f"{seed}:{scenario}:{i}")
            conversations.append(Conversation(bot, answers, scenario, rng, f"{scenario}-{seed}-{i}").run())
    return aggregate(conversations, seed, runs_per_scenario)


def _rate(summary: dict[str, Any]) -> str:
    return f"{summary['completed']}/{summary['conversations']} ({summary['completion_rate']:.0%})"


def markdown(report: dict[str, Any]) -> str:
    o = report["overall"]
    t = o["turns_per_completion"]
    lines = [
        "# Simulated citizens",
        "",
        f"{report['generated_at']} · seed {report['seed']} · {report['runs_per_scenario']} conversations per scenario"
        f" · stuck = the same question asked {MAX_ASKS} times in a row, or {MAX_TURNS} turns",
        "",
        f"**Completed (application stored and checked): {_rate(o)}**; without any failure (value, why/consultation,"
        f" correction): {o['clean']}/{o['conversations']}. Turns per completion: mean {t['mean']}, p50 {t['p50']},"
        f" max {t['max']}.",
        "",
        "| scenario | completed | clean | outcomes | turns mean / p50 / max |",
        "|---|---:|---:|---|---|",
    ]
    for s, v in report["per_scenario"].items():
        t = v["turns_per_completion"]
        outcomes = ", ".join(f"{k} {n}" for k, n in sorted(v["outcomes"].items()))
        lines.append(f"| {s} | {_rate(v)} | {v['clean']} | {outcomes} | {t['mean']} / {t['p50']} / {t['max']} |")
    lines += [
        "",
        "## Stuck points",
        "",
        "kind: asked_again = the same question a third time in a row; dropped = afterwards nothing was pending"
        " (cancelled, said goodbye, left the form); scenario = not found from two first messages.",
        "",
        "| scenario | slot | kind | count | example: last message → bot reply |",
        "|---|---|---|---:|---|",
    ]
    for e in report["stuck_points"]:
        ex = e["example"]
        reply = ex["reply"].replace("\n", " ")[:160]
        lines.append(f"| {e['scenario']} | {e['slot']} | {e['kind']} | {e['count']} | “{ex['message']}” → {reply} |")
    lines += ["", "## Value mismatches", "", "| slot | said | expected | stored | count |", "|---|---|---|---|---:|"]
    for e in report["value_mismatches"]:
        lines.append(f"| {e['slot']} | {e.get('text', '')} | {e['expected']} | {e['got']} | {e['count']} |")
    made, failed = o["interjections_made"], o["interjections_failed"]
    lines += [
        "",
        "## Why-questions, consultations, corrections",
        "",
        f"why-questions {made.get('why', 0)} (failed {failed.get('why_interjection', 0)}), consultations"
        f" {made.get('consult', 0)} (failed {failed.get('consult_interjection', 0)}), corrections after the summary"
        f" {made.get('correction', 0)} (failed {failed.get('correction', 0)}).",
    ]
    for kind in ("why_interjection", "consult_interjection", "correction", "storage"):
        entries = report["failures"].get(kind, [])
        if entries:
            lines += ["", f"## {kind}", "", "| slot | said | what | count |", "|---|---|---|---:|"]
            for e in entries:
                what = e.get("detail") or f"expected {e.get('expected')}, got {e.get('got')}"
                lines.append(f"| {e['slot']} | {e.get('text', '')} | {what} | {e['count']} |")
    lines += [
        "",
        "## Answers the bot did not take (every attempt, top 40)",
        "",
        "| slot | said | count | bot reply |",
        "|---|---|---:|---|",
    ]
    for e in report["rejected_answers"][:40]:
        lines.append(f"| {e['slot']} | {e['text']} | {e['count']} | {e['example_reply'].replace(chr(10), ' ')[:120]} |")
    return "\n".join(lines) + "\n"


def short_summary(report: dict[str, Any]) -> str:
    o = report["overall"]
    t = o["turns_per_completion"]
    lines = [
        f"completed {_rate(o)}, clean {o['clean']}; turns per completion mean {t['mean']} p50 {t['p50']} max {t['max']}"
    ]
    lines += [f"  {s:24} {_rate(v)}  {v['outcomes']}" for s, v in report["per_scenario"].items()]
    lines.append("stuck points:")
    lines += [
        f"  {e['count']:3} × {e['scenario']} / {e['slot']} ({e['kind']}): “{e['example']['message']}”"
        for e in report["stuck_points"][:12]
    ]
    made, failed = o["interjections_made"], o["interjections_failed"]
    lines.append(
        f"why/consult/correction made {made.get('why', 0)}/{made.get('consult', 0)}/{made.get('correction', 0)},"
        f" failed {failed.get('why_interjection', 0)}/{failed.get('consult_interjection', 0)}"
        f"/{failed.get('correction', 0)}"
    )
    lines.append(f"value mismatches: {sum(e['count'] for e in report['value_mismatches'])}")
    lines += [
        f"  {e['slot']}: “{e.get('text', '')}” → {e['got']} (want {e['expected']})"
        for e in report["value_mismatches"][:12]
    ]
    return "\n".join(lines)


def write_reports(report: dict[str, Any], out: Path = REPORT_DIR) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")


def train_model() -> str:
    """Train (or reuse) the model exactly as tests/bot/conftest.py's rasa_model fixture does."""
    out = subprocess.run([ROOT / "scripts" / "train.sh"], cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"scripts/train.sh failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="conversations per scenario (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    parser.add_argument("--out", type=Path, default=REPORT_DIR)
    args = parser.parse_args()

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.bot.conftest import BotStack
    from tests.conftest import ApiProcess

    started = time.monotonic()
    model = train_model()
    with tempfile.TemporaryDirectory(prefix="sim-citizens-") as tmp:
        workdir = Path(tmp)
        api = ApiProcess(workdir)
        api.start()
        stack = BotStack(api, model, workdir)
        try:
            stack.start_actions()
            stack.start_rasa()
            report = run(stack, args.runs, args.seed, args.scenario)
        finally:
            stack.stop()
            api.stop()
    report["model"] = model
    report["seconds"] = round(time.monotonic() - started, 1)
    write_reports(report, args.out)
    sys.stdout.write(short_summary(report) + f"\nreports: {args.out / 'report.md'}, {args.out / 'report.json'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
