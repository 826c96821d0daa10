"""The one public way in (issue "safe to put on a public network"), with the real processes:
the API's chat endpoint in front, Rasa and the action server on loopback behind it."""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import time
import uuid

import httpx
import pytest

from tests.bot.conftest import BotStack, texts


def chat(client: httpx.Client, message: str) -> dict:
    resp = client.post("/api/chat", json={"message": message, "channel": "web"})
    assert resp.status_code == 200, resp.text
    return resp.json()


def conversations(bot: BotStack) -> list[tuple[str, str | None]]:
    with sqlite3.connect(bot.api["db_path"]) as db:
        return db.execute("SELECT conversation_id, ended_at FROM chat_session ORDER BY id").fetchall()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        line = next(x for x in fh if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_rasa_http_api_requires_the_token(bot: BotStack) -> None:
    sender = f"t-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "你好")
    for path in (f"/conversations/{sender}/tracker", "/status", "/domain"):
        assert bot.client.get(bot.rasa_url + path).status_code == 401, path
        assert bot.client.get(bot.rasa_url + path, params={"token": "guess"}).status_code == 401, path
    events = [{"event": "slot", "name": "applicant_name", "value": "攻击者"}]
    assert bot.client.post(f"{bot.rasa_url}/conversations/{sender}/tracker/events", json=events).status_code == 401
    assert bot.client.post(f"{bot.rasa_url}/model/train", json={}).status_code == 401
    assert bot.slots(sender)["applicant_name"] is None  # with the token: readable, and unchanged


def test_no_cors_for_browsers_on_rasa(bot: BotStack) -> None:
    resp = bot.client.get(bot.rasa_url + "/", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in resp.headers


def test_rasa_and_actions_listen_on_loopback_only(bot: BotStack) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for port in (bot.rasa_port, bot.actions_port):
        with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
            pass


def test_chat_endpoint_issues_the_session_and_no_client_can_name_one(bot: BotStack) -> None:
    with httpx.Client(base_url=bot.api["url"], timeout=60) as first, httpx.Client(base_url=bot.api["url"]) as other:
        reply = chat(first, "孩子刚出生要办哪些手续")
        assert reply["session"] == {"started": True, "expired": False}
        assert "新生儿" in texts(reply["messages"])
        cookie = first.cookies.get("zw_session")
        assert cookie and len(cookie) >= 40
        assert chat(first, "是的")["session"]["started"] is False
        conversation = conversations(bot)[-1][0]
        assert len(conversation) == 32 and conversation not in cookie  # the client never sees Rasa's id
        # naming the conversation is refused, not silently taken
        forged = other.post("/api/chat", json={"message": "我叫什么", "sender": conversation})
        assert forged.status_code == 422
        # another client starts its own, empty conversation
        assert chat(other, "你好")["session"]["started"] is True
        assert conversations(bot)[-1][0] != conversation


def test_session_cookie_flags(bot: BotStack) -> None:
    resp = httpx.post(f"{bot.api['url']}/api/chat", json={"message": "你好"}, timeout=60)
    flags = resp.headers["set-cookie"].lower()
    assert "httponly" in flags and "samesite=strict" in flags and "path=/api/chat" in flags


def test_an_idle_session_expires_and_nothing_carries_over(bot: BotStack) -> None:
    with httpx.Client(base_url=bot.api["url"], timeout=60) as client:
        chat(client, "我要退休，办理退休手续")
        chat(client, "是")
        conversation = conversations(bot)[-1][0]
        bot.say(conversation, "张秀兰")  # whatever was asked, a name went into this conversation
        # 31 minutes pass (SESSION_IDLE_MINUTES is 30)
        past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)).isoformat(sep=" ")
        with sqlite3.connect(bot.api["db_path"]) as db:
            db.execute("UPDATE chat_session SET last_seen_at = ? WHERE conversation_id = ?", (past, conversation))
        reply = chat(client, "我要开个饭店")
        assert reply["session"] == {"started": True, "expired": True}
        rows = dict(conversations(bot))
        assert rows[conversation] is not None  # the old one is ended for good
        fresh = conversations(bot)[-1][0]
        assert fresh != conversation
        slots = bot.slots(fresh)
        assert slots["scenario"] == "open_restaurant"
        assert not any(slots.get(f) for f in ("applicant_name", "id_number", "phone", "legal_rep_name"))


def test_ending_a_session_starts_the_next_citizen_afresh(bot: BotStack) -> None:
    with httpx.Client(base_url=bot.api["url"], timeout=60) as kiosk:
        chat(kiosk, "我想开便利店")
        first = conversations(bot)[-1][0]
        assert kiosk.delete("/api/chat/session").status_code == 204
        assert chat(kiosk, "你好")["session"]["started"] is True
        assert conversations(bot)[-1][0] != first


def test_oversized_messages_never_reach_the_nlu(bot: BotStack) -> None:
    with httpx.Client(base_url=bot.api["url"], timeout=60) as client:
        resp = client.post("/api/chat", json={"message": "我想开饭店" * 120})
        assert resp.status_code == 422 and resp.json()["code"] == "message_too_long"
        assert "500" in resp.json()["message"]
    # Rasa refuses them too, whatever the channel: 20,000 characters answered at once, RSS unchanged
    sender = f"big-{uuid.uuid4().hex[:8]}"
    before = rss_mb(bot.rasa.pid)
    started = time.monotonic()
    replies = bot.say(sender, "我想开饭店，" * 3400)
    took = time.monotonic() - started
    assert "太长" in texts(replies)
    assert took < 1.0, took
    assert rss_mb(bot.rasa.pid) < before * 1.5
    assert not [e for e in bot.tracker(sender)["events"] if e["event"] == "user"]


def test_the_nlu_never_reads_more_than_the_limit_on_any_channel(bot: BotStack) -> None:
    started = time.monotonic()
    resp = bot.client.post(f"{bot.rasa_url}/model/parse", params={"token": bot.token}, json={"text": "开饭店" * 7000})
    assert resp.status_code == 200 and time.monotonic() - started < 2.0
    assert len(resp.json()["text"]) <= 500


def test_an_action_failure_still_gets_a_reply_and_keeps_what_was_entered(bot: BotStack) -> None:
    sender = f"fail-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "我要开个饭店")
    scenario = bot.slots(sender)["scenario"]
    bot.actions.terminate()
    bot.actions.wait(10)
    try:
        replies = bot.say(sender, "是")
        assert "出了点问题" in texts(replies)
    finally:
        bot.start_actions()
    assert bot.slots(sender)["scenario"] == scenario
    assert texts(bot.say(sender, "是"))  # and the conversation goes on


def test_a_submission_whose_reply_was_lost_resolves_to_the_stored_application(bot: BotStack) -> None:
    from serversecret import keyed_hash
    from tests.bot.test_conversations import RETIREMENT_FORM, fill_form

    sender = f"lost-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "退休了要办什么")
    for answer in ("不是", "不是", "没有", "有", "不是", "/affirm"):
        bot.say(sender, answer)
    bot.say(sender, "我叫张伟，身份证120101196703070010，电话13612340000")
    fill_form(bot, sender, RETIREMENT_FORM)
    assert bot.slots(sender)["awaiting"] == "confirm_submit"
    # An earlier confirmation reached the API and was stored, but its reply never came back; the
    # citizen has changed a field since. The key is the bot's own (the server secret is shared).
    key = keyed_hash("submission", sender, "retirement", "0")
    slots = bot.slots(sender)
    questions = httpx.get(f"{bot.api['url']}/api/scenarios/retirement").json()["questions"]
    answers = {q["id"]: slots[q["id"]] for q in questions if slots.get(q["id"]) is not None}
    form = {f: slots[f] for f in slots["form_fields"] if slots.get(f) not in (None, "__skipped__")}
    earlier = {**form, "phone": "13612349999"}  # what it said before the citizen corrected the phone
    body = {"scenario_id": "retirement", "answers": answers, "form_data": earlier, "conversation_id": sender}
    resp = httpx.post(f"{bot.api['url']}/api/applications", json=body, headers={"Idempotency-Key": key})
    assert resp.status_code == 201, resp.text
    stored = resp.json()
    # a stranger without the secret cannot squat the citizen's key
    assert keyed_hash("submission", sender, "retirement", "0") != uuid.uuid5(uuid.NAMESPACE_OID, sender).hex

    reply = texts(bot.say(sender, "确认提交"))
    assert stored["number"] in reply and "更新" in reply and "请重试" not in reply
    assert bot.slots(sender)["application_number"] == stored["number"]
    with sqlite3.connect(bot.api["db_path"]) as db:
        rows = db.execute("SELECT number, version, phone FROM application WHERE conversation_id = ?", (sender,))
        assert rows.fetchall() == [(stored["number"], 2, "13612340000")]  # one application, as corrected
