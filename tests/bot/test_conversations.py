"""End-to-end conversations over the REST webhook with the real API, action server and Rasa,
then the stored application checked through the API and its database."""

from __future__ import annotations

import json
import sqlite3
import uuid

import httpx

from tests.bot.conftest import BotStack, texts

RESTAURANT_FORM = {
    "company_name": "天津滨海新区芳味餐饮店",
    "legal_rep_name": "王芳",
    "employee_count": "5个人",
    "premises_address": "天津市滨海新区塘沽街道解放路668号",
    "premises_ownership": "租的",
    "enterprise_type": "个体户",
    "registered_capital": "10万",
    "business_scope": "餐饮服务",
    "legal_rep_id_number": "120109199003151228",
    "lease_end_date": "跳过",
    "seat_count": "40个",
    "signboard_text": "芳味小馆",
    "signboard_area": "6平米",
    "food_business_items": "热食",
    "drainage_volume": "3吨",
}
RETIREMENT_FORM = {
    "work_unit": "天津滨海新区某某物流有限公司",
    "retirement_date": "2027年3月1日",
    "housing_fund_account": "1201160012345678",
    "bank_name": "中国工商银行天津滨海新区支行",
    "bank_account": "6222021001115555556",
    "contact_address": "天津市滨海新区大港街道世纪大道100号",
}
NEWBORN_FORM = {
    "applicant_name": "李强",
    "id_number": "12010119880505001X",
    "phone": "13812345678",
    "contact_address": "天津市滨海新区泰达街道第三大街10号",
    "newborn_name": "李小米",
    "newborn_birth_date": "2026年10月8日",
    "newborn_gender": "女孩",
    "birth_certificate_no": "Q120123456",
    "mother_name": "王芳",
    "mother_id_number": "120109199003151228",
    "father_name": "李强",
    "father_id_number": "12010119880505001X",
    "hukou_address": "天津市滨海新区泰达街道第三大街10号",
    "household_head_name": "李强",
    "bank_name": "中国工商银行天津滨海新区支行",
    "bank_account": "6222021001115555556",
}


def fill_form(bot: BotStack, sender: str, values: dict[str, str]) -> list[str]:
    """Answer whatever the form asks, by the requested slot; return the slots asked, in order."""
    asked = []
    for _ in range(40):
        tracker = bot.tracker(sender)
        slot = tracker["slots"].get("requested_slot")
        if (tracker.get("active_loop") or {}).get("name") != "application_form" or not slot:
            return asked
        asked.append(slot)
        bot.say(sender, values[slot])
    raise AssertionError(f"form did not finish; asked {asked}")


def application(bot: BotStack, number: str) -> dict:
    with sqlite3.connect(bot.api["db_path"]) as conn:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM application WHERE number = ?", (number,)).fetchone())
        query = "SELECT COUNT(*) FROM application WHERE conversation_id = ?"
        row["rows_of_conversation"] = conn.execute(query, (row["conversation_id"],)).fetchone()[0]
    return row


def test_open_restaurant_from_first_words_to_stored_application(bot: BotStack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    greeting = bot.say(sender, "你好")
    assert "政务服务机器人" in texts(greeting)
    assert any(b["payload"].startswith("/start_scenario") for r in greeting for b in r.get("buttons", []))

    reply = texts(bot.say(sender, "我想在滨海开个小饭馆"))
    assert "开办餐饮店" in reply and "营业执照已经办好了吗" in reply
    assert bot.slots(sender)["scenario"] == "open_restaurant"

    bot.say(sender, "执照还没办")
    bot.say(sender, "一百二十平左右")
    bot.say(sender, "不卖烟")
    bot.say(sender, "要挂个招牌")
    plan = texts(bot.say(sender, "不是，临街的店"))
    slots = bot.slots(sender)
    assert (slots["has_business_license"], slots["floor_area"], slots["sells_tobacco"]) == (False, 120, False)
    assert "第1步" in plan and "第2步" in plan and "同时办理" in plan
    assert "互为前置" in plan and "先照后证" in plan
    assert "城镇污水排入排水管网许可" in plan and "需要您准备的材料" in plan
    scenario_url = f"{bot.api['url']}/api/scenarios/open_restaurant"
    answers = {q["id"]: slots[q["id"]] for q in httpx.get(scenario_url).json()["questions"]}
    saving = httpx.post(f"{scenario_url}/plan", json={"answers": answers}).json()["saving"]
    assert saving["saved_entries"] > 0
    assert f"合并后只需填写 {saving['merged_fields']} 项，比分别填报少 {saving['saved_entries']} 项" in plan
    assert f"需要您准备的材料（共{saving['materials_to_bring']}份）" in plan and "\n· 营业执照\n" not in plan

    bot.say(sender, "/affirm")
    assert bot.slots(sender)["requested_slot"] == "applicant_name"
    # several facts in one message; the ID number has a wrong check digit
    reply = texts(bot.say(sender, "我叫王芳，身份证120109199003151227，电话13612345678"))
    slots = bot.slots(sender)
    assert slots["applicant_name"] == "王芳" and slots["phone"] == "13612345678"
    assert slots["id_number"] is None and slots["requested_slot"] == "id_number"
    assert "校验码" in reply

    reply = texts(bot.say(sender, "120109199003151228"))
    slots = bot.slots(sender)
    assert slots["id_number"] == "120109199003151228"
    assert (slots["birth_date"], slots["gender"]) == ("1990-03-15", "female")  # derived, never asked
    assert "1990-03-15" in reply

    # a consultation question mid-form is answered, then the same field is asked again
    pending = bot.slots(sender)["requested_slot"]
    reply = texts(bot.say(sender, "要带什么材料"))
    assert "经营场所使用证明" in reply
    assert bot.slots(sender)["requested_slot"] == pending
    why = texts(bot.say(sender, "为什么要填这个"))
    assert "以下事项需要它" in why and "食品经营许可" in why
    asked = fill_form(bot, sender, RESTAURANT_FORM)
    assert "birth_date" not in asked and "gender" not in asked and "floor_area" not in asked

    summary = texts(bot.say(sender, "电话说错了，是13912345678"))
    assert bot.slots(sender)["phone"] == "13912345678"
    assert "139****5678" in summary and "120***********1228" in summary
    assert "120109199003151228" not in summary and "13912345678" not in summary

    done = texts(bot.say(sender, "确认提交", channel="kiosk"))
    number = bot.slots(sender)["application_number"]
    assert number and number.startswith("BH") and number in done
    again = texts(bot.say(sender, "确认"))  # a second yes never submits again (one row, checked below)
    assert again and "提交成功" not in again

    status = httpx.get(f"{bot.api['url']}/api/applications/{number}", params={"phone": "13912345678"}).json()
    assert status["scenario_id"] == "open_restaurant"
    assert {i["id"] for i in status["items"]} >= {"business_license", "food_business_permit", "drainage_permit"}
    row = application(bot, number)
    assert row["channel"] == "kiosk" and row["conversation_id"] == sender
    assert row["rows_of_conversation"] == 1
    form = json.loads(row["form_data"])
    assert form["birth_date"] == "1990-03-15" and form["phone"] == "13912345678"
    assert "lease_end_date" not in form  # skipped optional field

    # the case is closed: nothing personal stays in the conversation, nor carries into the next one
    slots = bot.slots(sender)
    assert not any(slots[f] for f in ("applicant_name", "id_number", "phone", "legal_rep_name", "premises_address"))
    stored = json.dumps(bot.tracker(sender)["events"], ensure_ascii=False)
    for raw in ("120109199003151228", "120109199003151227", "13912345678", "13612345678", "王芳", "解放路668号"):
        assert raw not in stored, raw


def test_newborn_with_status_query_at_the_end(bot: BotStack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    reply = texts(bot.say(sender, "孩子刚出生要办哪些手续"))
    assert "新生儿" in reply
    for answer in ("是的，本地户口", "还没领", "要参加", "要办", "有"):
        bot.say(sender, answer)
    assert bot.slots(sender)["mother_has_maternity_insurance"] is True
    bot.say(sender, "/affirm")
    # a wrong ID first, then a question mid-form, then everything
    reply = texts(bot.say(sender, "我叫李强，身份证12010119880505001，手机13812345678"))
    assert "18位" in reply
    assert "出生医学证明" in texts(bot.say(sender, "需要带哪些材料？"))
    fill_form(bot, sender, NEWBORN_FORM)
    summary = texts(bot.say(sender, "没问题"))
    number = bot.slots(sender)["application_number"]
    assert number, summary
    row = application(bot, number)
    assert row["rows_of_conversation"] == 1
    form = json.loads(row["form_data"])
    assert form["newborn_gender"] == "female" and form["newborn_birth_date"] == "2026-10-08"

    status = texts(bot.say(sender, f"查一下进度，受理编号{number}，手机13812345678"))
    assert number in status and "待办理" in status
    wrong = texts(bot.say(sender, f"查进度 {number} 13912345670"))
    assert "没有查到" in wrong


def test_status_form_asks_for_what_is_missing(bot: BotStack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    assert "受理编号" in texts(bot.say(sender, "我想查一下办理进度"))
    assert "手机号" in texts(bot.say(sender, "BH2026010100001"))
    assert "没有查到" in texts(bot.say(sender, "13612345678"))


def test_ambiguous_unknown_consultation_handoff_and_misses(bot: BotStack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    which = bot.say(sender, "我想开个店")
    titles = {b["title"] for r in which for b in r.get("buttons", [])}
    assert len(titles) >= 2 and "开办便利店" in titles
    assert "不能办理" in texts(bot.say(sender, "我想办护照"))
    assert "食品经营许可申请书" in texts(bot.say(sender, "开饭店要什么材料"))
    assert "食品经营许可" in texts(bot.say(sender, "食品经营许可多久能批"))
    assert "12345" in texts(bot.say(sender, "转人工"))
    assert "12345" in texts(bot.say(sender, "今天天气怎么样"))
    bot.say(sender, "黑猫白猫抓老鼠")
    with sqlite3.connect(bot.api["db_path"]) as conn:
        rows = conn.execute("SELECT text, sender_hash FROM nlu_miss").fetchall()
    assert any(text == "黑猫白猫抓老鼠" and sender not in hashed for text, hashed in rows)


def test_cancel_in_the_middle_keeps_nothing_in_progress(bot: BotStack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "我要开便利店")
    assert bot.slots(sender)["requested_slot"]
    bot.say(sender, "我的电话是13698765432")
    assert "已取消" in texts(bot.say(sender, "不办了"))
    tracker = bot.tracker(sender)
    assert tracker["active_loop"] in ({}, None) or not tracker["active_loop"].get("name")
    assert tracker["slots"]["scenario"] is None
    assert "13698765432" not in json.dumps(tracker["events"], ensure_ascii=False)  # masked once cancelled


def test_conversation_survives_a_restart_and_submits_once_after_an_api_failure(bot: BotStack) -> None:
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "退休了要办什么")
    for answer in ("不是", "不是", "没有", "有", "不是"):
        bot.say(sender, answer)
    bot.say(sender, "/affirm")
    bot.say(sender, "我叫张伟，身份证120101196703070010，电话13612340000")
    pending = bot.slots(sender)["requested_slot"]

    bot.stop_rasa()
    bot.start_rasa()  # the SQL tracker store keeps the conversation
    slots = bot.slots(sender)
    assert slots["requested_slot"] == pending and slots["applicant_name"] == "张伟"
    fill_form(bot, sender, RETIREMENT_FORM)
    assert bot.slots(sender)["awaiting"] == "confirm_submit"

    bot.api.stop()  # the API is down when the citizen confirms
    try:
        failed = texts(bot.say(sender, "确认提交"))
    finally:
        bot.api.start()
    assert "暂时无法提交" in failed and "不会丢失" in failed
    assert bot.slots(sender)["awaiting"] == "retry_submit"
    assert bot.slots(sender)["applicant_name"] == "张伟"
    done = texts(bot.say(sender, "重试"))
    number = bot.slots(sender)["application_number"]
    assert number in done
    bot.say(sender, "确认")
    with sqlite3.connect(bot.api["db_path"]) as conn:
        count = conn.execute("SELECT COUNT(*) FROM application WHERE conversation_id = ?", (sender,)).fetchone()[0]
    assert count == 1
