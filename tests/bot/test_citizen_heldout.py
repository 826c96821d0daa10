"""The held-out citizen set (tests/nlu/citizen/, from public questions, never trained on), run over
the REST channel of the real bot. Floors sit a little below the figures measured when they were
set (README, "NLU figures"); reports are written to reports/citizen/."""

from __future__ import annotations

import re

import yaml

from tests.bot.citizen_eval import (
    StateBuilder,
    evaluate_first_messages,
    evaluate_form_answers,
    evaluate_out_of_scope,
    load_set,
    new_sender,
    write_report,
)
from tests.bot.conftest import BotStack, texts
from tests.conftest import ROOT

FOUND_FLOOR = 0.95
KEPT_OUT_FLOOR = 0.95
FORM_ANSWERS_FLOOR = 0.93


def test_first_messages_find_their_scenario(bot: BotStack) -> None:
    result = evaluate_first_messages(bot)
    write_report("first_messages", result)
    assert result["empty_replies"] == 0
    assert result["found"] >= FOUND_FLOOR, (result["found"], result["per_scenario"], result["errors"][:15])


def test_out_of_scope_messages_start_no_scenario(bot: BotStack) -> None:
    result = evaluate_out_of_scope(bot)
    write_report("out_of_scope", result)
    assert result["empty_replies"] == 0
    assert result["kept_out"] >= KEPT_OUT_FLOOR, (result["kept_out"], result["errors"][:15])


def test_in_form_answers_are_accepted_or_rejected_correctly(bot: BotStack) -> None:
    result = evaluate_form_answers(bot)
    write_report("form_answers", result)
    assert not result["unreachable"], result["unreachable"][:5]
    assert result["empty_replies"] == 0
    assert result["correct"] >= FORM_ANSWERS_FLOOR, (result["correct"], result["per_kind"], result["errors"][:15])


def _every_held_out_message() -> list[str]:
    messages = [e["text"] for es in load_set("first_messages.yml")["scenarios"].values() for e in es]
    messages += [e["text"] for e in load_set("first_messages.yml")["out_of_scope"]]
    messages += [e["text"] for e in load_set("form_answers.yml")["answers"]]
    with (ROOT / "tests" / "nlu" / "test_nlu.yml").open(encoding="utf-8") as fh:
        for block in yaml.safe_load(fh)["nlu"]:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    # "[text](entity)" and '[text]{"entity": …}' annotations → the plain text
                    messages.append(re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:]))
    return list(dict.fromkeys(m for m in messages if m))


def test_no_message_in_any_state_gets_an_empty_reply(bot: BotStack) -> None:
    """Every message of both held-out sets, sent with no conversation, inside the guiding questions
    (a yes/no question) and inside the form (a free-text field, where anything could be an answer)."""
    builder = StateBuilder(bot)
    states = {
        "fresh": None,
        "guide_bool": builder.state("retirement", "hukou_outside_tianjin"),
        "form_text": builder.state("start_company", "business_scope"),
    }
    assert all(events is not None for name, events in states.items() if name != "fresh")
    silent = []
    for message in _every_held_out_message():
        for name, events in states.items():
            sender = builder.copy(events) if events is not None else new_sender("fresh")
            if not texts(bot.say(sender, message)).strip():
                silent.append((name, message))
    assert not silent, silent[:20]
