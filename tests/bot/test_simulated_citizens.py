"""Simulated citizens (bench/sim_citizens.py) against the whole stack: a few conversations per scenario with natural
answers from tests/sim/citizen_answers.yml must all end with a stored application holding the values meant.
The table itself is checked first: every guiding question and form field has answers, and every expected value is
what the API's own validators make of it."""

from __future__ import annotations

import json

from bench import sim_citizens
from tests.bot.conftest import BotStack

RUNS_PER_SCENARIO = 2
SEED = 20261129


def _used_fields(catalog) -> set[str]:
    used = set()
    for scenario in catalog.scenarios.values():
        for item in scenario.items:
            used |= set(item.fields)
            for conditional in item.conditional_fields:
                used |= set(conditional.fields)
    return {f for f in used if not catalog.fields[f].derived_from}


def test_the_answer_table_covers_every_scenario_question_and_field(catalog) -> None:
    table = sim_citizens.load_table()
    assert set(table["scenarios"]) == set(catalog.scenarios)
    for section in ("fields", "corrections"):  # a stray comma in a YAML flow mapping makes an extra key
        for field_id, variants in table[section].items():
            for v in variants:
                assert set(v) in ({"text", "value"}, {"text", "value", "derived"}), (section, field_id, v)
                assert isinstance(v["text"], str), (section, field_id, v)
    for scenario_id, scenario in catalog.scenarios.items():
        assert len(table["scenarios"][scenario_id]["first_messages"]) >= 3, scenario_id
        for q in scenario.questions:
            answers = table["questions"].get(q.id)
            assert answers, f"no answers for question {q.id}"
            if q.validator.kind == "bool":
                assert len(answers["yes"]) >= 2 and len(answers["no"]) >= 2, q.id
            else:
                assert len(answers["values"]) >= 2, q.id
    missing = _used_fields(catalog) - set(table["fields"])
    assert not missing, f"fields without answers: {sorted(missing)}"
    assert table["interjections"]["why_question"] and table["interjections"]["why_field"]
    assert table["interjections"]["consult"] and table["corrections"]


def test_every_expected_value_is_what_the_validators_store(catalog) -> None:
    from api.validation.validate import validate_field, validate_rule

    table = sim_citizens.load_table()
    wrong = []
    for field_id, variants in {**table["fields"], **table["corrections"]}.items():
        field = catalog.fields[field_id]
        for v in variants:
            if v["value"] == sim_citizens.SKIPPED:
                assert not field.required, f"{field_id} is required and cannot be skipped"
                continue
            result = validate_field(field_id, v["value"], catalog)
            if not (result.valid and sim_citizens.same(v["value"], result.value)):
                wrong.append((field_id, v["value"], result.message or result.value))
            for key, value in (v.get("derived") or {}).items():
                if result.derived.get(key) != value:
                    wrong.append((field_id, f"derived {key}", value, result.derived.get(key)))
    questions = {q.id: q for s in catalog.scenarios.values() for q in s.questions}
    for qid, answers in table["questions"].items():
        for v in answers.get("values", []):
            result = validate_rule(questions[qid].validator, v["value"], qid, catalog)
            if not (result.valid and sim_citizens.same(v["value"], result.value)):
                wrong.append((qid, v["value"], result.message or result.value))
    assert not wrong, wrong


def test_simulated_citizens_complete_every_conversation(bot: BotStack) -> None:
    report = sim_citizens.run(bot, RUNS_PER_SCENARIO, SEED)
    overall = report["overall"]
    assert overall["conversations"] == RUNS_PER_SCENARIO * len(report["per_scenario"]) > 0
    failed = [
        {k: c[k] for k in ("sender", "scenario", "outcome", "turns", "stuck", "failures")}
        for c in report["conversations"]
        if not c["clean"]
    ]
    details = json.dumps(failed, ensure_ascii=False, indent=1, default=str)
    assert not failed, f"{sim_citizens.short_summary(report)}\n\nconversations that failed:\n{details}"
    for c in report["conversations"]:
        assert c["application_number"] and c["turns"] <= sim_citizens.MAX_TURNS
