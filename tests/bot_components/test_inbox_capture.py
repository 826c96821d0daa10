"""What the Rasa server reports to the trainer inbox (bot/inbox_capture.py), on trackers built from
Rasa's own events and domain: unsure and ambiguous turns, fallbacks, answers refused twice in a row,
with the state and the reply; understood turns and accepted form answers are not reported."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.inbox_capture import Thresholds, refusals_in_a_row, turn_report
from tests.conftest import ROOT

LIMITS = Thresholds(min_confidence=0.7, min_margin=0.1, reasks=2)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


def said(text: str, *ranking: tuple[str, float], message_id: str = "m") -> UserUttered:
    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    parse = {"text": text, "intent": ranked[0] if ranked else {}, "intent_ranking": ranked, "entities": []}
    return UserUttered(text, parse["intent"], [], parse, message_id=message_id)


def tracker(domain: Domain, *events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("citizen-1", list(events), slots=domain.slots)


def test_an_understood_turn_is_not_reported(domain) -> None:
    t = tracker(domain, said("你好", ("greet", 0.98), ("thank", 0.01)), ActionExecuted("utter_greet"))
    assert turn_report(t, LIMITS, lambda: []) is None


def test_unsure_and_ambiguous_turns_come_with_ranking_state_and_masked_reply(domain) -> None:
    low = tracker(
        domain,
        SlotSet("scenario", "open_restaurant"),
        said("我电话13612345678办那个咋弄", ("ask_howto", 0.55), ("inform", 0.2), ("greet", 0.1), ("deny", 0.05)),
        BotUttered("您可以这样办理……"),
    )
    body = turn_report(low, LIMITS, lambda: [])
    assert body["kind"] == "low_confidence" and body["text"] == "我电话136****5678办那个咋弄"
    assert [r["name"] for r in body["ranking"]] == ["ask_howto", "inform", "greet"]
    assert body["scenario"] == "open_restaurant" and body["reply"] == "您可以这样办理……"
    assert body["message_id"] == "m" and len(body["sender_hash"]) == 32

    close = tracker(domain, said("多少钱多久", ("ask_fee", 0.48), ("ask_time_limit", 0.45)))
    assert turn_report(close, Thresholds(0.3, 0.1, 2), lambda: [])["kind"] == "ambiguous"


def test_fallback_turns_are_reported_without_the_fallback_intent(domain) -> None:
    t = tracker(
        domain,
        said("哈哈哈那个啥", ("nlu_fallback", 0.5), ("greet", 0.3)),
        ActionExecuted("action_record_miss"),
        BotUttered("抱歉，我没有听懂。"),
    )
    body = turn_report(t, LIMITS, lambda: [])
    assert body["kind"] == "fallback" and body["ranking"] == [{"name": "greet", "confidence": 0.3}]


def _form_turn(answer: str, value, message_id: str):
    return [
        said(answer, ("inform", 0.4), message_id=message_id),
        SlotSet("applicant_name", answer),
        SlotSet("applicant_name", value),
        BotUttered("请再说一次您的姓名。" if value is None else "好的。"),
    ]


def test_an_answer_refused_twice_in_a_row_is_reported_an_accepted_one_is_not(domain) -> None:
    start = [ActiveLoop("application_form"), SlotSet("requested_slot", "applicant_name")]
    once = tracker(domain, *start, *_form_turn("李建国我", None, "a"))
    assert turn_report(once, LIMITS, lambda: []) is None  # refused once: ordinary
    twice = tracker(domain, *start, *_form_turn("李建国我", None, "a"), *_form_turn("就是李建国", None, "b"))
    assert refusals_in_a_row(list(twice.events), 6) == 2
    body = turn_report(twice, LIMITS, lambda: ["李建国"])
    assert body["kind"] == "reasked" and body["text"] == "就是***"
    assert body["active_loop"] == "application_form" and body["requested_slot"] == "applicant_name"
    accepted = tracker(domain, *start, *_form_turn("李建国", "李建国", "c"))
    assert turn_report(accepted, LIMITS, lambda: []) is None  # low intent confidence, but the form took it
