"""Evaluation on the held-out citizen set (tests/nlu/citizen/, built from public questions, never
trained on), over the REST channel of the real bot with the real action server and API.

- First messages: each in a fresh conversation. *Found* when the bot started the right scenario,
  or answered about it and offered it (`offered_scenario`), or asked "您是要办理……吗？" with the
  right one first or among the two or three scenarios offered as buttons. Each way is reported
  apart (*started*, *offered* first, *among choices*); errors list every message not started or
  offered first.
- Out of scope: each in a fresh conversation. *Kept out* when no scenario was started and the
  reply is not the hand-off; *honest* when the reply also names where to go (12345).
- In-form answers: the conversation is brought to the point where the slot is asked (once per
  scenario and slot; later messages start from a copy of its events), then the message is sent.
  Correct when the slot gets the expected value (or any value for `accept`), or, for `reject`,
  stays empty and is asked again.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.bot.conftest import BotStack, texts
from tests.conftest import ROOT

CITIZEN_DIR = ROOT / "tests" / "nlu" / "citizen"
REPORT_DIR = ROOT / "reports" / "citizen"


def load_set(name: str) -> Any:
    with (CITIZEN_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def new_sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b.get("payload", "") for r in replies for b in r.get("buttons") or []]


def first_message_outcome(bot: BotStack, text: str) -> dict[str, Any]:
    sender = new_sender("first")
    replies = bot.say(sender, text)
    slots = bot.slots(sender)
    return {
        "text": text,
        "reply": texts(replies),
        "buttons": _buttons(replies),
        "scenario": slots.get("scenario"),
        "offered": slots.get("offered_scenario"),
        "intent": (bot.tracker(sender).get("latest_message") or {}).get("intent", {}).get("name"),
    }


def evaluate_first_messages(bot: BotStack) -> dict[str, Any]:
    data = load_set("first_messages.yml")
    per: dict[str, Counter] = defaultdict(Counter)
    errors = []
    for scenario, entries in data["scenarios"].items():
        for entry in entries:
            out = first_message_outcome(bot, entry["text"])
            long = len(entry["text"]) > 60
            started = out["scenario"] == scenario
            offered = not started and out["offered"] == scenario
            payload = f'/start_scenario{{"scenario": "{scenario}"}}'
            choice = not (started or offered) and out["scenario"] is None and payload in out["buttons"]
            found = started or offered or choice
            per[scenario]["total"] += 1
            per[scenario]["long"] += long
            per[scenario]["started"] += started
            per[scenario]["offered"] += offered
            per[scenario]["among_choices"] += choice
            per[scenario]["found"] += found
            per[scenario]["long_found"] += long and found
            per[scenario]["empty_reply"] += not out["reply"].strip()
            if not (started or offered):
                errors.append({"expected": scenario, **out})
    total = sum(c["total"] for c in per.values())
    found = sum(c["found"] for c in per.values())
    longs = sum(c["long"] for c in per.values())
    return {
        "messages": total,
        "found": found / total,
        "started": sum(c["started"] for c in per.values()) / total,
        "offered": sum(c["offered"] for c in per.values()) / total,
        "among_choices": sum(c["among_choices"] for c in per.values()) / total,
        "started_or_offered_first": sum(c["started"] + c["offered"] for c in per.values()) / total,
        "long_messages": longs,
        "long_found": sum(c["long_found"] for c in per.values()) / max(longs, 1),
        "empty_replies": sum(c["empty_reply"] for c in per.values()),
        "per_scenario": {s: {**c, "found_rate": round(c["found"] / c["total"], 3)} for s, c in sorted(per.items())},
        "errors": errors,
    }


def evaluate_out_of_scope(bot: BotStack) -> dict[str, Any]:
    data = load_set("first_messages.yml")["out_of_scope"]
    counts: Counter = Counter()
    errors = []
    for entry in data:
        out = first_message_outcome(bot, entry["text"])
        started = out["scenario"] is not None
        handoff = "转接人工" in out["reply"]
        kept_out = not started and not handoff
        counts["total"] += 1
        counts["kept_out"] += kept_out
        counts["offered"] += out["offered"] is not None
        counts["honest"] += kept_out and "12345" in out["reply"]
        counts["empty_reply"] += not out["reply"].strip()
        if not kept_out or "12345" not in out["reply"]:
            errors.append({"topic": entry.get("topic"), **out})
    return {
        "messages": counts["total"],
        "kept_out": counts["kept_out"] / counts["total"],
        "honest": counts["honest"] / counts["total"],
        "offered_a_scenario": counts["offered"] / counts["total"],
        "empty_replies": counts["empty_reply"],
        "errors": errors,
    }


class StateBuilder:
    """Brings a conversation to the point where one slot is asked, once; copies it for each message."""

    def __init__(self, bot: BotStack) -> None:
        self.bot = bot
        self.api = httpx.Client(base_url=bot.api["url"], timeout=30)
        self.fields = {f["id"]: f for f in self.api.get("/api/fields").json()}
        self._states: dict[tuple[str, str], list[dict[str, Any]] | None] = {}

    def _answer_sets(self, scenario: dict[str, Any]) -> list[dict[str, Any]]:
        qs = scenario["questions"]
        default = {q["id"]: q["default"] for q in qs}
        flip = {q["id"]: (not q["default"]) if q["type"] == "bool" else q["default"] for q in qs}
        yes = {q["id"]: True if q["type"] == "bool" else q["default"] for q in qs}
        no = {q["id"]: False if q["type"] == "bool" else q["default"] for q in qs}
        sets = [default, yes, no, flip]
        for q in qs:  # every choice, and a large number (fields asked only above a size)
            if q["type"] == "choice":
                sets += [{**yes, q["id"]: c["value"]} for c in q["choices"]]
            elif q["type"] == "number":
                sets += [{**s, q["id"]: min(q.get("max") or 1000, 1000)} for s in (default, yes)]
        return sets

    def _say_answer(self, question: dict[str, Any], value: Any) -> str:
        if question["type"] == "bool":
            return "是" if value else "否"
        if question["type"] == "choice":
            return next(c["label"] for c in question["choices"] if c["value"] == value)
        return str(value)

    def state(self, scenario_id: str, slot: str) -> list[dict[str, Any]] | None:
        key = (scenario_id, slot)
        if key not in self._states:
            self._states[key] = self._build(scenario_id, slot)
        return self._states[key]

    def _build(self, scenario_id: str, slot: str) -> list[dict[str, Any]] | None:
        scenario = self.api.get(f"/api/scenarios/{scenario_id}").json()
        questions = {q["id"]: q for q in scenario["questions"]}
        answers = self._answer_sets(scenario)[0]
        if slot not in questions:
            for candidate in self._answer_sets(scenario):
                plan = self.api.post(f"/api/scenarios/{scenario_id}/plan", json={"answers": candidate}).json()
                if slot in plan["form"]["properties"]:
                    answers = candidate
                    break
            else:
                return None
        sender = new_sender("state")
        self.bot.say(sender, f'/start_scenario{{"scenario": "{scenario_id}"}}')
        for _ in range(60):
            tracker = self.bot.tracker(sender)
            slots = tracker["slots"]
            loop = (tracker.get("active_loop") or {}).get("name")
            requested = slots.get("requested_slot")
            if requested == slot and loop in ("guide_form", "application_form"):
                return [e for e in tracker["events"] if e.get("event") != "session_started"]
            if loop == "guide_form" and requested in questions:
                self.bot.say(sender, self._say_answer(questions[requested], answers[requested]))
            elif loop == "application_form" and requested in self.fields:
                self.bot.say(sender, str(self.fields[requested]["example"]))
            elif slots.get("awaiting") == "start_filling":
                self.bot.say(sender, "/affirm")
            else:
                return None
        return None

    def copy(self, events: list[dict[str, Any]]) -> str:
        """A new conversation holding exactly these events (Rasa's replace; appending them to a new
        conversation does not bring its form back)."""
        sender = new_sender("answer")
        resp = self.bot.client.put(
            f"{self.bot.rasa_url}/conversations/{sender}/tracker/events", json=events, params={"token": self.bot.token}
        )
        resp.raise_for_status()
        return sender


def _same(got: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return got is expected
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return abs(float(got) - float(expected)) < 1e-9
    return str(got) == str(expected)


def evaluate_form_answers(bot: BotStack) -> dict[str, Any]:
    builder = StateBuilder(bot)
    per_kind: dict[str, Counter] = defaultdict(Counter)
    errors = []
    unreachable = []
    for entry in load_set("form_answers.yml")["answers"]:
        events = builder.state(entry["scenario"], entry["slot"])
        if events is None:
            unreachable.append(entry)
            continue
        sender = builder.copy(events)
        replies = bot.say(sender, entry["text"])
        slots = bot.slots(sender)
        got = slots.get(entry["slot"])
        expect = entry["expect"]
        if expect == "reject":
            ok = got is None and slots.get("requested_slot") == entry["slot"]
            kind = "reject"
        elif expect == "accept":
            ok = got is not None and got != "__skipped__"
            kind = "accept"
        else:
            ok = _same(got, expect)
            kind = "value"
        per_kind[kind]["total"] += 1
        per_kind[kind]["correct"] += ok
        per_kind[kind]["empty_reply"] += not texts(replies).strip()
        if not ok:
            errors.append({**entry, "got": got, "reply": texts(replies)[:300]})
    total = sum(c["total"] for c in per_kind.values())
    return {
        "answers": total,
        "correct": sum(c["correct"] for c in per_kind.values()) / max(total, 1),
        "per_kind": {k: {**c, "rate": round(c["correct"] / c["total"], 3)} for k, c in sorted(per_kind.items())},
        "unreachable": unreachable,
        "empty_replies": sum(c["empty_reply"] for c in per_kind.values()),
        "errors": errors,
    }


def write_report(name: str, result: dict[str, Any]) -> Path:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = REPORT_DIR / f"{name}.json"
    result = {**result, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S")}
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
