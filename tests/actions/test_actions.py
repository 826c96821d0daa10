"""Actions against the real API (no mocks): what they say and which slots they set."""

from __future__ import annotations

import asyncio
import uuid

from tests.actions.conftest import make_tracker

RESTAURANT_FIELDS = [
    "applicant_name",
    "id_number",
    "phone",
    "company_name",
    "legal_rep_name",
    "premises_address",
    "lease_end_date",
    "seat_count",
]


def run(action, tracker, domain=None):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return events, [m.get("text") or "" for m in dispatcher.messages], dispatcher.messages


def slots_set(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def form_tracker(text, requested, intent="inform", entities=None, **slots):
    return make_tracker(
        slots={"scenario": "open_restaurant", "form_fields": RESTAURANT_FIELDS, "requested_slot": requested, **slots},
        text=text,
        intent=intent,
        entities=entities,
        active_loop="application_form",
    )


def test_several_facts_in_one_message_land_and_a_bad_id_is_asked_again() -> None:
    from actions.forms import ValidateApplicationForm

    tracker = form_tracker(
        "我叫王芳，身份证120109199003151227，电话13612345678",
        "applicant_name",
        entities=[
            {"entity": "person_name", "value": "王芳"},
            {"entity": "id_number", "value": "120109199003151227"},
            {"entity": "phone", "value": "13612345678"},
        ],
    )
    events, texts, _ = run(ValidateApplicationForm(), tracker)
    slots = slots_set(events)
    assert slots["applicant_name"] == "王芳"
    assert slots["phone"] == "13612345678"
    assert "id_number" not in slots or slots["id_number"] is None
    assert slots["requested_slot"] == "id_number"
    assert any("校验码" in t for t in texts)


def test_valid_id_sets_derived_facts_and_says_so() -> None:
    from actions.forms import ValidateApplicationForm

    tracker = form_tracker("120109199003151228", "id_number", applicant_name="王芳")
    events, texts, _ = run(ValidateApplicationForm(), tracker)
    slots = slots_set(events)
    assert slots["id_number"] == "120109199003151228"
    assert (slots["birth_date"], slots["gender"]) == ("1990-03-15", "female")
    assert slots["requested_slot"] == "phone"
    assert any("1990-03-15" in t and "女" in t for t in texts)


def test_mid_form_correction_changes_the_named_field() -> None:
    from actions.forms import ValidateApplicationForm

    tracker = form_tracker(
        "电话说错了，是13912345678",
        "company_name",
        intent="correct",
        entities=[{"entity": "field", "value": "phone"}, {"entity": "phone", "value": "13912345678"}],
        applicant_name="王芳",
        id_number="120109199003151228",
        phone="13612345678",
    )
    events, texts, _ = run(ValidateApplicationForm(), tracker)
    slots = slots_set(events)
    assert slots["phone"] == "13912345678"
    assert slots["requested_slot"] == "company_name"
    assert any("已把“手机号码”改为" in t for t in texts)


def test_skip_only_for_optional_fields() -> None:
    from actions.forms import ValidateApplicationForm

    optional = form_tracker("跳过", "lease_end_date", intent="skip")
    events, texts, _ = run(ValidateApplicationForm(), optional)
    assert slots_set(events)["lease_end_date"] == "__skipped__"
    required = form_tracker("跳过", "company_name", intent="skip")
    events, texts, _ = run(ValidateApplicationForm(), required)
    assert slots_set(events)["company_name"] is None
    assert any("必填" in t for t in texts)


def test_a_question_mid_form_is_not_taken_as_the_answer() -> None:
    from actions.forms import ValidateApplicationForm

    tracker = form_tracker("要带什么材料？", "premises_address", intent="ask_materials")
    events, _, _ = run(ValidateApplicationForm(), tracker)
    assert events == []  # rejected: the rules answer it, then the form asks again


def test_guide_form_takes_natural_answers() -> None:
    from actions.forms import ValidateGuideForm

    tracker = make_tracker(
        slots={"scenario": "open_restaurant", "requested_slot": "floor_area", "has_business_license": False},
        text="一百二十平左右",
        active_loop="guide_form",
    )
    events, _, _ = run(ValidateGuideForm(), tracker)
    slots = slots_set(events)
    assert slots["floor_area"] == 120 and slots["requested_slot"] == "sells_tobacco"
    bad = make_tracker(
        slots={"scenario": "open_restaurant", "requested_slot": "floor_area"}, text="挺大的", active_loop="guide_form"
    )
    events, texts, _ = run(ValidateGuideForm(), bad)
    assert slots_set(events)["floor_area"] is None and any("数字" in t for t in texts)


def convenience_store_slots() -> dict:
    """A convenience-store application ready to submit (what the form leaves in the tracker)."""
    return {
        "scenario": "open_convenience_store",
        "food_scope": "prepackaged_only",
        "sells_tobacco": False,
        "outdoor_signboard": False,
        "floor_area": 80,
        "form_fields": [
            "applicant_name",
            "id_number",
            "phone",
            "company_name",
            "legal_rep_name",
            "legal_rep_id_number",
            "enterprise_type",
            "registered_capital",
            "business_scope",
            "premises_address",
            "premises_ownership",
            "lease_end_date",
        ],
        "applicant_name": "王芳",
        "id_number": "120109199003151228",
        "phone": "13612345678",
        "company_name": "天津滨海新区芳芳便利店",
        "legal_rep_name": "王芳",
        "legal_rep_id_number": "120109199003151228",
        "enterprise_type": "individual",
        "registered_capital": 5,
        "business_scope": "食品销售（仅销售预包装食品）",
        "premises_address": "天津市滨海新区塘沽街道解放路668号",
        "premises_ownership": "leased",
        "lease_end_date": "__skipped__",
        "awaiting": "confirm_submit",
        "submission_count": 0,
    }


def test_submission_is_idempotent_for_a_conversation() -> None:
    from actions.submission import ActionSubmitApplication

    sender = f"conv-{uuid.uuid4().hex[:8]}"
    slots = convenience_store_slots()
    first, texts1, _ = run(ActionSubmitApplication(), make_tracker(slots=slots, sender=sender, intent="affirm"))
    number = slots_set(first).get("application_number")
    assert number, texts1
    # the same submission again (e.g. the reply was lost and the citizen says yes again)
    again, _, _ = run(ActionSubmitApplication(), make_tracker(slots=slots, sender=sender, intent="affirm"))
    assert slots_set(again)["application_number"] == number


def test_status_lookup_needs_the_right_phone() -> None:
    from actions.misc_actions import ActionCheckStatus
    from actions.submission import ActionSubmitApplication

    submitted, _, _ = run(
        ActionSubmitApplication(),
        make_tracker(slots=convenience_store_slots(), sender=f"conv-{uuid.uuid4().hex[:8]}", intent="affirm"),
    )
    number = slots_set(submitted)["application_number"]

    def lookup(phone: str) -> tuple[list, list[str]]:
        entities = [{"entity": "application_number", "value": number}, {"entity": "phone", "value": phone}]
        tracker = make_tracker(text=f"查进度 {number} {phone}", intent="check_status", entities=entities)
        events, texts, _ = run(ActionCheckStatus(), tracker)
        return events, texts

    _, right = lookup("13612345678")  # the phone the application was made with
    assert any(number in t and "当前状态" in t for t in right), right
    events, wrong = lookup("13612345679")  # an existing number, the wrong phone
    assert any("没有查到" in t for t in wrong) and not any("当前状态" in t for t in wrong)
    assert slots_set(events)["next_step"] == "listen"
    missing = make_tracker(text="查进度", intent="check_status")
    events, _, _ = run(ActionCheckStatus(), missing)
    assert slots_set(events)["next_step"] == "status_form"


def test_vague_request_offers_the_matching_scenarios() -> None:
    from actions.scenario_actions import ActionSelectScenario

    # the NLU's ScenarioFinder was unsure: its ranking comes with the message
    ranking = [
        {"scenario": "open_convenience_store", "score": 0.41},
        {"scenario": "open_restaurant", "score": 0.33},
        {"scenario": "open_pharmacy", "score": 0.04},
    ]
    tracker = make_tracker(text="我想开个店", intent="start_scenario", extra={"scenario_ranking": ranking})
    events, _, messages = run(ActionSelectScenario(), tracker)
    titles = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert titles[:2] == ["开办便利店", "开办餐饮店"] and "开办零售药店" not in titles  # below the choice score
    assert slots_set(events)["next_step"] == "listen"
    assert slots_set(events)["offered_scenario"] == "open_convenience_store"
    # nothing plausible: the honest out-of-scope answer
    events, _, messages = run(ActionSelectScenario(), make_tracker(text="我想办护照", intent="start_scenario"))
    assert "12345" in messages[0]["text"] and "scenario" not in slots_set(events)
    events, _, _ = run(
        ActionSelectScenario(),
        make_tracker(
            text="我想开饭馆", intent="start_scenario", entities=[{"entity": "scenario", "value": "open_restaurant"}]
        ),
    )
    assert slots_set(events)["scenario"] == "open_restaurant" and slots_set(events)["next_step"] == "guide_form"


def test_an_unsure_cancel_never_drops_the_application() -> None:
    from actions.forms import ValidateApplicationForm
    from actions.misc_actions import ActionCancel

    gibberish = form_tracker(
        "叽里咕噜巴拉巴拉", "phone", intent="cancel", applicant_name="王芳", id_number="120109199003151228"
    )
    gibberish.latest_message["intent"]["confidence"] = 0.66
    events, texts, _ = run(ValidateApplicationForm(), gibberish)
    assert slots_set(events)["phone"] is None and slots_set(events)["requested_slot"] == "phone"
    assert any("手机" in t for t in texts)  # validated as an answer to the question, and refused

    outside = make_tracker(
        slots={"scenario": "open_restaurant", "applicant_name": "王芳"},
        text="叽里咕噜",
        intent="cancel",
        confidence=0.66,
    )
    events, texts, _ = run(ActionCancel(), outside)
    assert "scenario" not in slots_set(events) and any("没有听懂" in t for t in texts)
    sure = make_tracker(slots={"scenario": "open_restaurant"}, text="不办了", intent="cancel", confidence=0.99)
    events, _, messages = run(ActionCancel(), sure)
    assert slots_set(events)["scenario"] is None and messages[0]["response"] == "utter_cancelled"


def test_sender_hash_is_keyed_with_the_server_secret() -> None:
    import hashlib

    from actions.slots import sender_hash

    hashed = sender_hash(make_tracker(text="啊", sender="kiosk-7"))
    assert len(hashed) == 32 and hashed == sender_hash(make_tracker(text="哦", sender="kiosk-7"))
    assert hashed != hashlib.sha256(b"kiosk-7").hexdigest()[:32]  # not computable without the secret


def test_the_plan_and_a_materials_question_list_only_what_the_citizen_brings(api) -> None:
    import httpx

    from actions.help_actions import consult_lines
    from actions.scenario_actions import explain_plan

    url = f"{api['url']}/api/scenarios/open_restaurant"
    scenario = httpx.get(url).json()
    plan = httpx.post(f"{url}/plan", json={"answers": {"sells_tobacco": "卖"}}).json()
    lines = explain_plan(plan).splitlines()
    saving = plan["saving"]

    def line(m: dict) -> str:
        return f"· {m['name']}" + (f"（{m['note']}）" if m["note"] else "")

    brought = [m for m in plan["materials"] if m["kind"] == "bring"]
    not_brought = [m for m in plan["materials"] if m["kind"] != "bring"]
    assert len(brought) == saving["materials_to_bring"] and not_brought
    assert all(line(m) in lines for m in brought)
    assert not any(line(m) in lines for m in not_brought)
    assert all(m["name"] in "".join(lines) for m in not_brought)  # named once, as not to be handed in
    assert f"从分别申请时的{saving['separate_materials']}份减少到{saving['materials_to_bring']}份" in "".join(lines)
    assert saving["merged_days"] < saving["separate_days"]
    assert f"最长要{saving['separate_days']}个工作日，并联办理最长{saving['merged_days']}个工作日" in "".join(lines)

    food = next(it for it in plan["items"] if it["id"] == "food_business_permit")
    answer = consult_lines("ask_materials", scenario, plan, "食品经营许可要带什么材料")
    catalog = next(it for it in scenario["items"] if it["id"] == "food_business_permit")["materials"]
    assert [m["id"] for m in catalog] == food["materials"]
    assert [line(m) for m in catalog if m["kind"] == "bring"] == [a for a in answer if a.startswith("· ")]
    assert "食品经营许可申请书" in answer[-2] and "营业执照" in answer[-1]
