"""The citizen's side of 补正 in the conversation, with the real processes: a citizen applies through
the chat endpoint; the conversation is kept with the application (masked) and its steps feed the
supervisors' funnel; an officer asks for a correction; the citizen's 查进度 shows what and why, the
bot reopens only those fields, and the same application comes back as its next version; the officer
approves, and the audit trail and the notification outbox show every step."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import httpx

from tests.bot.conftest import BotStack, texts
from tests.bot.test_conversations import NEWBORN_FORM
from tests.conftest import staff_client

PASSWORD = "审核-Passw0rd-2026"
MEDICAL_INSURANCE = "天津市医疗保障局滨海新区分局"
HOSPITAL = "分娩的助产机构（医院）出生医学证明签发窗口"


def chat(client: httpx.Client, message: str) -> str:
    resp = client.post("/api/chat", json={"message": message, "channel": "kiosk"})
    assert resp.status_code == 200, resp.text
    return texts(resp.json()["messages"])


def query(bot: BotStack, sql: str, *args: object) -> list[sqlite3.Row]:
    with sqlite3.connect(bot.api["db_path"]) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, args).fetchall()


def answer_form(bot: BotStack, client: httpx.Client, conversation: str, values: dict[str, str]) -> list[str]:
    """Answer what the form asks, by its requested slot; the slots asked, in order."""
    asked = []
    for _ in range(40):
        tracker = bot.tracker(conversation)
        slot = tracker["slots"].get("requested_slot")
        if (tracker.get("active_loop") or {}).get("name") != "application_form" or not slot:
            return asked
        asked.append(slot)
        chat(client, values[slot])
    raise AssertionError(f"form did not finish; asked {asked}")


def reviewer(bot: BotStack) -> httpx.Client:
    """A reviewer of the medical insurance bureau and the hospital's window, made by the first admin,
    signed in."""
    bot.api.create_admin("root", PASSWORD)
    with closing(staff_client(bot.api["url"], "root", PASSWORD)) as admin:
        user = {
            "username": "liu.yibao",
            "display_name": "刘医保",
            "role": "reviewer",
            "departments": [MEDICAL_INSURANCE, HOSPITAL],
            "password": PASSWORD,
        }
        assert admin.post("/api/staff/users", json=user).status_code == 201
    return staff_client(bot.api["url"], "liu.yibao", PASSWORD)


def test_apply_then_correct_in_the_conversation(bot: BotStack) -> None:
    citizen = httpx.Client(base_url=bot.api["url"], timeout=60)
    assert "新生儿" in chat(citizen, "孩子刚出生要办哪些手续")
    for answer in ("是的，本地户口", "还没领", "要参加", "要办", "有"):
        chat(citizen, answer)
    conversation = query(bot, "SELECT conversation_id FROM chat_session ORDER BY id DESC LIMIT 1")[0][0]
    chat(citizen, "/affirm")
    answer_form(bot, citizen, conversation, NEWBORN_FORM)
    chat(citizen, "没问题")
    number = bot.slots(conversation)["application_number"]
    assert number

    # the conversation is kept with the application, masked; its steps made the funnel
    app = query(bot, "SELECT * FROM application WHERE number = ?", number)[0]
    session = query(bot, "SELECT * FROM chat_session WHERE conversation_id = ?", conversation)[0]
    assert (session["scenario_id"], session["progress"]) == ("newborn", 3)  # form_complete
    assert app["conversation_turns"] == session["turns"] and session["turns"] >= len(NEWBORN_FORM) + 7
    lines = json.loads(query(bot, "SELECT lines FROM application_transcript WHERE application_id = ?", app["id"])[0][0])
    said = [line["text"] for line in lines if line["from"] == "user"]
    assert said[0] == "孩子刚出生要办哪些手续" and "没问题" in said
    assert any("新生儿" in line["text"] for line in lines if line["from"] == "bot")
    whole = json.dumps(lines, ensure_ascii=False)
    for personal in ("12010119880505001X", "13812345678", "6222021001115555556", "李小米", "泰达街道第三大街10号"):
        assert personal not in whole, personal

    # the officer asks for the bank details of the maternity allowance again
    officer = reviewer(bot)
    decision = officer.post(
        f"/api/staff/applications/{number}/items/maternity_allowance/decision",
        json={
            "action": "request_correction",
            "reason": "银行卡号与开户银行不一致，请核对。",
            "fields": ["bank_name", "bank_account"],
        },
    )
    assert decision.status_code == 200, decision.text
    detail = decision.json()
    assert "孩子刚出生要办哪些手续" in [t["text"] for t in detail["transcript"]]

    # the citizen asks for the status in the conversation: what, and why; then corrects only that
    status = chat(citizen, f"查一下进度，受理编号{number}，手机13812345678")
    assert "银行卡号与开户银行不一致" in status and "开户银行" in status and "现在就在这里补正吗" in status
    start = chat(citizen, "好的")
    assert "开户银行" in start
    assert bot.slots(conversation)["requested_slot"] == "bank_name"
    chat(citizen, "中国建设银行天津滨海分行")
    assert "银行卡号" in chat(citizen, "6217000010012345670")  # a wrong check digit: asked again
    summary = chat(citizen, "6217000010012345677")
    assert "建设银行" in summary and "新生儿姓名" not in summary  # only the corrected fields
    done = chat(citizen, "确认提交")
    assert number in done and "第2版" in done

    app = query(bot, "SELECT * FROM application WHERE number = ?", number)[0]
    form = json.loads(app["form_data"])
    assert app["version"] == 2 and form["bank_account"] == "6217000010012345677"
    assert form["newborn_name"] == "李小米"  # the rest kept
    item = query(
        bot,
        "SELECT status FROM application_item WHERE application_id = ? AND item_id = ?",
        app["id"],
        "maternity_allowance",
    )
    assert item[0]["status"] == "pending"
    old = query(bot, "SELECT form_data FROM application_version WHERE application_id = ?", app["id"])
    assert json.loads(old[0]["form_data"])["bank_account"] == "6222021001115555556"
    slots = bot.slots(conversation)
    assert slots["correction"] is None and slots["bank_account"] is None  # nothing personal stays
    later = httpx.Client(base_url=bot.api["url"], timeout=60)  # another day, another session
    again = chat(later, f"查进度 {number} 13812345678")
    assert "待办理" in again and "现在就在这里补正吗" not in again

    # the officer sees what changed, then approves (the hospital's certificate first: a prerequisite)
    changes = officer.get(f"/api/staff/applications/{number}").json()["changes"]
    assert {c["label"] for c in changes} == {"开户银行", "银行卡号"}
    for item in ("birth_medical_certificate", "maternity_allowance"):
        for action in ("accept", "approve"):
            path = f"/api/staff/applications/{number}/items/{item}/decision"
            assert officer.post(path, json={"action": action}).status_code == 200, (item, action)
    assert "已办结" in chat(later, f"查进度 {number} 13812345678")

    # every step is in the audit trail, and the citizen got one notice per decision
    steps = [e["action"] for e in officer.get(f"/api/staff/applications/{number}/audit").json()]
    for step in ("item.request_correction", "application.corrected", "item.accept", "item.approve"):
        assert step in steps, steps
    assert steps.count("item.approve") == 2 and steps.count("item.accept") == 2
    notices = query(bot, "SELECT text FROM notification WHERE application_number = ?", number)
    assert len(notices) == 5 and "补正" in notices[0]["text"]
