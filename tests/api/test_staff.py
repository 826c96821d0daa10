"""The staff workspace's API on SQLite and PostgreSQL: sign-in with lockout and CSRF, a reviewer's
queue limited to their departments, decisions through the state table and the stages, reveals and
every action audited in a trail the database will not let anyone change."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from tests.api.test_api import ANSWERS, FORM, submit
from tests.conftest import ROOT

PASSWORD = "审核-Passw0rd-2026"
APPROVALS = "滨海新区行政审批局"
SIGNBOARDS = "滨海新区城市管理委员会"


def _user(client, username: str, role: str, departments: list[str]) -> None:
    from api.review import service

    with client.app.state.session_factory() as session:
        service.create_user(
            session,
            client.app.state.catalog,
            None,
            username=username,
            display_name=username,
            role=role,
            departments_=departments,
            password=PASSWORD,
        )


def _login(client, username: str, password: str = PASSWORD):
    resp = client.post("/api/staff/login", json={"username": username, "password": password})
    return resp


def _signed_in(client, username: str) -> dict[str, str]:
    resp = _login(client, username)
    assert resp.status_code == 200, resp.text
    return {"X-CSRF-Token": resp.json()["csrf_token"]}


@pytest.fixture
def restaurant(client) -> str:
    resp = submit(client, {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "channel": "web"})
    assert resp.status_code == 201, resp.text
    return resp.json()["number"]


def _decide(client, csrf, number: str, item: str, action: str, **extra):
    return client.post(
        f"/api/staff/applications/{number}/items/{item}/decision", json={"action": action, **extra}, headers=csrf
    )


def test_nothing_answers_without_login(client, restaurant) -> None:
    spec = client.get("/openapi.json").json()["paths"]
    operations = [
        (method.upper(), path.replace("{number}", restaurant).replace("{item_id}", "business_license"))
        for path, ops in spec.items()
        if path.startswith("/api/staff") and path != "/api/staff/login"
        for method in ops
    ]
    assert len(operations) >= 10
    for method, path in operations:
        resp = client.request(method, path.replace("{user_id}", "1"), json={})
        assert resp.status_code == 401 and resp.json()["code"] == "login_required", (method, path, resp.text)
    for page in ("/staff", f"/staff/applications/{restaurant}", "/staff/users", "/staff/audit"):
        resp = client.get(page, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/staff/login")


def test_reviewer_sees_and_decides_only_their_departments_items(client, restaurant) -> None:
    _user(client, "li.sign", "reviewer", [SIGNBOARDS])
    csrf = _signed_in(client, "li.sign")
    queue = client.get("/api/staff/applications").json()
    assert [r["number"] for r in queue["rows"]] == [restaurant]
    assert queue["rows"][0]["applicant"] == "王*" and "王芳" not in str(queue)
    detail = client.get(f"/api/staff/applications/{restaurant}").json()
    actions = {it["id"]: [a["action"] for a in it["actions"]] for it in detail["items"]}
    assert actions["outdoor_signboard_permit"] == ["accept", "reject", "request_correction"]
    assert actions["business_license"] == []  # another department's item: shown, not decidable
    resp = _decide(client, csrf, restaurant, "business_license", "accept")
    assert resp.status_code == 403 and resp.json()["code"] == "not_your_department"

    _user(client, "zhao.water", "reviewer", ["滨海新区水务局"])
    client.cookies.clear()
    _signed_in(client, "zhao.water")
    other = submit(
        client, {"scenario_id": "retirement", "answers": {}, "form_data": {}, "channel": "web"}
    )  # an invalid retirement form never reaches the queue
    assert other.status_code == 422
    assert [r["number"] for r in client.get("/api/staff/applications").json()["rows"]] == [restaurant]
    assert client.get("/api/staff/applications", params={"scenario_id": "newborn"}).json()["total"] == 0


def test_decisions_follow_the_state_table_and_the_stages(client, restaurant) -> None:
    _user(client, "wang.approve", "reviewer", [APPROVALS, SIGNBOARDS, "滨海新区水务局"])
    csrf = _signed_in(client, "wang.approve")
    refused = _decide(client, csrf, restaurant, "business_license", "approve")
    assert refused.status_code == 409 and "不能“办结”" in refused.json()["message"]
    assert _decide(client, csrf, restaurant, "outdoor_signboard_permit", "accept").status_code == 200
    early = _decide(client, csrf, restaurant, "outdoor_signboard_permit", "approve")
    assert early.status_code == 409 and "营业执照" in early.json()["message"]  # stage 2 waits for stage 1
    no_reason = _decide(client, csrf, restaurant, "food_business_permit", "reject")
    assert no_reason.status_code == 409 and "理由" in no_reason.json()["message"]

    for item in ("business_license", "food_business_permit"):
        assert _decide(client, csrf, restaurant, item, "accept").status_code == 200
    # mutual prerequisites, resolved by joint review: either may be approved first
    detail = _decide(client, csrf, restaurant, "food_business_permit", "approve").json()
    assert detail["status"] == "in_review"
    assert _decide(client, csrf, restaurant, "business_license", "approve").status_code == 200
    detail = _decide(client, csrf, restaurant, "outdoor_signboard_permit", "approve").json()
    statuses = {it["id"]: it["status"] for it in detail["items"]}
    assert statuses["outdoor_signboard_permit"] == "approved"

    fix = _decide(
        client,
        csrf,
        restaurant,
        "drainage_permit",
        "request_correction",
        reason="日排水量与后厨规模不符，请核实。",
        fields=["drainage_volume"],
    )
    assert fix.status_code == 200 and fix.json()["status"] == "need_more", fix.text
    item = next(it for it in fix.json()["items"] if it["id"] == "drainage_permit")
    assert item["correction_labels"] and item["reason"].startswith("日排水量")
    status = client.get(f"/api/applications/{restaurant}", params={"phone": FORM["phone"]}).json()
    assert status["status"] == "need_more"

    trail = client.get(f"/api/staff/applications/{restaurant}/audit").json()
    kinds = [(e["action"], e["target"]) for e in trail]
    assert ("item.approve", "food_business_permit") in kinds and ("item.request_correction", "drainage_permit") in kinds
    approve = next(e for e in trail if e["action"] == "item.approve" and e["target"] == "business_license")
    assert approve["before"]["status"] == "in_review" and approve["after"]["status"] == "approved"
    assert all(e["actor"] == "wang.approve" for e in trail)


def test_reveal_is_audited_and_needs_csrf(client, restaurant) -> None:
    _user(client, "chen", "supervisor", [])
    csrf = _signed_in(client, "chen")
    detail = client.get(f"/api/staff/applications/{restaurant}").json()
    phone = next(f for g in detail["form"] for f in g["fields"] if f["id"] == "phone")
    assert phone["value"] == "136****5678" and phone["personal"]
    assert client.post(f"/api/staff/applications/{restaurant}/reveal", json={"field": "phone"}).status_code == 403
    shown = client.post(f"/api/staff/applications/{restaurant}/reveal", json={"field": "phone"}, headers=csrf)
    assert shown.json() == {"field": "phone", "value": "13612345678"}
    trail = client.get(f"/api/staff/applications/{restaurant}/audit").json()
    assert [(e["action"], e["target"], e["actor"]) for e in trail] == [("reveal", "phone", "chen")]
    # a supervisor reads everything but decides nothing
    resp = _decide(client, csrf, restaurant, "business_license", "accept")
    assert resp.status_code == 403


def test_repeated_wrong_passwords_lock_the_account_and_are_audited(client) -> None:
    _user(client, "wu", "reviewer", [APPROVALS])
    for _ in range(4):
        assert _login(client, "wu", "wrong-password-1").status_code == 401
    locked = _login(client, "wu", "wrong-password-1")
    assert locked.status_code == 423 and "锁定" in locked.json()["message"]
    assert _login(client, "wu").status_code == 423  # even the right password, while locked
    unknown = _login(client, "nobody", "whatever-123")
    assert unknown.status_code == 401 and unknown.json()["message"] == "用户名或密码不正确。"

    _user(client, "root.admin", "admin", [])
    _signed_in(client, "root.admin")
    users = {u["username"]: u["id"] for u in client.get("/api/staff/users").json()}
    trail = client.get(f"/api/staff/users/{users['wu']}/audit").json()
    assert [e["action"] for e in trail].count("login.failed") == 5
    assert "login.refused_locked" in [e["action"] for e in trail]


def test_admin_creates_accounts_roles_are_enforced(client) -> None:
    _user(client, "root.admin", "admin", [])
    csrf = _signed_in(client, "root.admin")
    body = {"username": "sun.rev", "role": "reviewer", "departments": [APPROVALS], "password": "short"}
    weak = client.post("/api/staff/users", json=body, headers=csrf)
    assert weak.status_code == 422 and "至少10位" in weak.json()["message"]
    made = client.post("/api/staff/users", json={**body, "password": PASSWORD}, headers=csrf)
    assert made.status_code == 201 and made.json()["departments"] == [APPROVALS]
    bad_dept = client.post(
        "/api/staff/users",
        json={**body, "username": "x.y", "departments": ["火星局"], "password": PASSWORD},
        headers=csrf,
    )
    assert bad_dept.status_code == 422
    client.cookies.clear()
    _signed_in(client, "sun.rev")
    assert client.get("/api/staff/users").status_code == 403
    _user(client, "tr", "trainer", [])
    client.cookies.clear()
    _signed_in(client, "tr")
    assert client.get("/api/staff/applications").status_code == 403


def test_the_audit_trail_cannot_be_changed(client, database_url) -> None:
    _user(client, "root.admin", "admin", [])
    _signed_in(client, "root.admin")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM audit_event")).scalar()
        assert count >= 2  # user.created, login
        for statement in ("UPDATE audit_event SET actor = 'someone'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement))
            conn.rollback()
        assert conn.execute(text("SELECT COUNT(*) FROM audit_event")).scalar() == count
    engine.dispose()
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        if "audit" in path:
            assert set(operations) == {"get"}, path


def test_create_admin_command_then_login(tmp_path) -> None:
    from tests.conftest import migrate

    url = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    migrate(url)
    env = {**os.environ, "DATABASE_URL": url, "STAFF_ADMIN_PASSWORD": PASSWORD}
    name = f"admin{uuid.uuid4().hex[:6]}"
    out = subprocess.run(
        [sys.executable, "-m", "api.staff_admin", "create-admin", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    again = subprocess.run(
        [sys.executable, "-m", "api.staff_admin", "create-admin", name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1 and "已被使用" in again.stderr

    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings

    with TestClient(create_app(Settings(DATABASE_URL=url, DATA_DIR=ROOT / "data"))) as c:
        assert _login(c, name).json()["user"]["role"] == "admin"


def test_correction_loop_from_the_officer_to_the_citizen_and_back(client, restaurant, tmp_path) -> None:
    _user(client, "wang.approve", "reviewer", [APPROVALS, SIGNBOARDS, "滨海新区水务局"])
    csrf = _signed_in(client, "wang.approve")
    reason = "日排水量与后厨规模不符，请核实。"
    asked = _decide(
        client, csrf, restaurant, "drainage_permit", "request_correction", reason=reason, fields=["drainage_volume"]
    )
    assert asked.status_code == 200
    phone = FORM["phone"]
    status = client.get(f"/api/applications/{restaurant}", params={"phone": phone}).json()
    drainage = next(it for it in status["items"] if it["id"] == "drainage_permit")
    assert drainage["reason"] == reason and drainage["correction"] == [
        {"id": "drainage_volume", "label": "日排水量（吨）"}
    ]

    url = f"/api/applications/{restaurant}/correction"
    other = client.post(url, json={"phone": phone, "form_data": {"seat_count": "50"}})
    assert other.status_code == 422 and other.json()["code"] == "not_requested"
    wrong_phone = client.post(url, json={"phone": "13900000000", "form_data": {"drainage_volume": "5吨"}})
    assert wrong_phone.status_code == 404
    invalid = client.post(url, json={"phone": phone, "form_data": {"drainage_volume": "很多"}})
    assert invalid.status_code == 422 and "drainage_volume" in invalid.json()["details"]["fields"]

    fixed = client.post(url, json={"phone": phone, "form_data": {"drainage_volume": "五吨"}})
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    assert body["version"] == 2
    assert next(it for it in body["items"] if it["id"] == "drainage_permit")["status"] == "pending"
    again = client.post(url, json={"phone": phone, "form_data": {"drainage_volume": "5吨"}})
    assert again.status_code == 200 and again.json()["version"] == 2  # a retry changes nothing

    detail = client.get(f"/api/staff/applications/{restaurant}").json()
    assert detail["version"] == 2 and detail["status"] != "need_more"
    assert detail["changes"] == [{"label": "日排水量（吨）", "before": "3", "after": "5"}]
    engine = create_engine(client.app.state.settings.DATABASE_URL)
    with engine.connect() as conn:
        old = conn.execute(text("SELECT version, replaced_by FROM application_version")).all()
        assert [tuple(r) for r in old] == [(1, "correction")]
    engine.dispose()
    trail = client.get(f"/api/staff/applications/{restaurant}/audit").json()
    assert ("application.corrected", "申请人") in [(e["action"], e["actor"]) for e in trail]


def test_notifications_are_sent_once_and_logged_masked(client, restaurant, caplog) -> None:
    from api import notify

    _user(client, "wang.approve", "reviewer", [APPROVALS])
    csrf = _signed_in(client, "wang.approve")
    _decide(client, csrf, restaurant, "business_license", "accept")
    _decide(client, csrf, restaurant, "food_business_permit", "reject", reason="场所不符合要求。")
    cfg = client.app.state.settings
    caplog.set_level("INFO", logger="api.notify")
    assert notify.drain(cfg) == 2
    assert notify.drain(cfg) == 0  # each once
    lines = [r.getMessage() for r in caplog.records if r.name == "api.notify"]
    assert len(lines) == 2 and all("136****5678" in line for line in lines)
    assert "13612345678" not in " ".join(lines)
    assert "营业执照（设立登记）”已受理" in lines[0] and "未通过：场所不符合要求。" in lines[1]

    sent: list[tuple[str, str]] = []

    class Failing:
        def send(self, recipient: str, message: str) -> None:
            sent.append((recipient, message))
            raise RuntimeError("gateway down")

    _decide(client, csrf, restaurant, "business_license", "approve")
    assert notify.drain(cfg, Failing()) == 0 and len(sent) == 1
    assert notify.drain(cfg, Failing()) == 0 and len(sent) == 1  # claimed: never sent twice


def test_csv_export_is_masked_unless_an_admin_asks_and_is_audited(client, restaurant) -> None:
    _user(client, "chen", "supervisor", [])
    _signed_in(client, "chen")
    resp = client.get("/api/staff/applications.csv", params={"scenario_id": "open_restaurant"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.text.lstrip("\ufeff"))))
    assert rows[0][0] == "受理编号" and rows[1][0] == restaurant
    assert rows[1][2] == "王*" and rows[1][3] == "136****5678" and "13612345678" not in resp.text
    assert client.get("/api/staff/applications.csv", params={"unmasked": "true"}).status_code == 403

    _user(client, "root.admin", "admin", [])
    client.cookies.clear()
    _signed_in(client, "root.admin")
    full = client.get("/api/staff/applications.csv", params={"unmasked": "true"})
    assert "13612345678" in full.text and "王芳" in full.text
    users = {u["username"]: u["id"] for u in client.get("/api/staff/users").json()}
    exports = [e for e in client.get(f"/api/staff/users/{users['root.admin']}/audit").json() if e["action"] == "export"]
    assert exports and exports[0]["after"]["masked"] is False
    chen = [e for e in client.get(f"/api/staff/users/{users['chen']}/audit").json() if e["action"] == "export"]
    assert chen[0]["after"] == {"rows": 1, "masked": True, "scenario_id": "open_restaurant"}


def test_analytics_per_scenario_and_channel(client, restaurant) -> None:
    from serversecret import internal_token

    internal = {"X-Internal-Token": internal_token()}
    assert client.post("/api/fields/phone/validate", json={"value": "12345"}, headers=internal).json()["valid"] is False
    client.post("/api/fields/phone/validate", json={"value": "12345"})  # not from the bot: not counted
    client.post("/api/fields/id_number/validate", json={"value": "1"}, headers=internal)
    client.post("/api/fields/phone/validate", json={"value": "999"}, headers=internal)
    _user(client, "wang.approve", "reviewer", [APPROVALS])
    csrf = _signed_in(client, "wang.approve")
    _decide(client, csrf, restaurant, "business_license", "accept")
    assert client.get("/api/staff/analytics").status_code == 403  # reviewers do not see it

    _user(client, "chen", "supervisor", [])
    client.cookies.clear()
    _signed_in(client, "chen")
    report = client.get("/api/staff/analytics").json()
    (row,) = report["rows"]
    assert (row["scenario_id"], row["channel"], row["submitted"], row["accepted"], row["approved"]) == (
        "open_restaurant", "web", 1, 1, 0
    )  # fmt: skip
    assert row["saved_entries"] > 0 and row["separate_days"] >= row["merged_days"]
    assert report["failing_fields"][0] == {"field_id": "phone", "label": "手机号码", "failures": 2}
    assert {f["field_id"] for f in report["failing_fields"]} == {"phone", "id_number"}
    page = client.get("/staff/analytics")
    assert page.status_code == 200 and "开办餐饮店" in page.text and "手机号码：2 次" in page.text


def test_a_supervisor_reassigns_an_item_to_a_reviewer_of_another_department(client, restaurant) -> None:
    _user(client, "zhao.water", "reviewer", ["滨海新区水务局"])
    _user(client, "chen", "supervisor", [])
    csrf = _signed_in(client, "zhao.water")
    assert _decide(client, csrf, restaurant, "business_license", "accept").status_code == 403
    assign = f"/api/staff/applications/{restaurant}/items/business_license/assign"
    assert client.post(assign, json={"username": "zhao.water"}, headers=csrf).status_code == 403  # not a supervisor

    client.cookies.clear()
    sup = _signed_in(client, "chen")
    refused = client.post(assign, json={"username": "chen"}, headers=sup)
    assert refused.status_code == 422  # only to a reviewer
    done = client.post(assign, json={"username": "zhao.water"}, headers=sup)
    assert done.status_code == 200
    assert next(it for it in done.json()["items"] if it["id"] == "business_license")["assignee"] == "zhao.water"

    client.cookies.clear()
    csrf = _signed_in(client, "zhao.water")
    assert _decide(client, csrf, restaurant, "business_license", "accept").status_code == 200
    trail = client.get(f"/api/staff/applications/{restaurant}/audit").json()
    assigned = next(e for e in trail if e["action"] == "item.assigned")
    assert assigned["actor"] == "chen" and assigned["after"] == {"assignee": "zhao.water"}


def test_funnel_turns_and_transcript_of_conversations(client) -> None:
    """What the bot reports of each conversation (api/routes/chat.py keeps it per session) makes the
    funnel; a submission through the bot carries the conversation, masked, and its turns."""
    from api.db import chat_sessions
    from serversecret import internal_token

    with client.app.state.session_factory() as session:
        rows = [chat_sessions.open_session(session, channel="kiosk")[0] for _ in range(4)]
        furthest_steps = ("scenario_found", "questions_answered", "form_complete", "form_complete")
        for row, furthest in zip(rows, furthest_steps, strict=True):
            for _ in range(3):
                chat_sessions.count_turn(row)
            reports = [{"progress": "scenario_found", "scenario": "open_restaurant"}, {"progress": furthest}]
            chat_sessions.record_progress(session, row=row, reports=reports)
        chatted = rows[3].conversation_id
        session.commit()
    transcript = [
        {"from": "user", "text": "我想在滨海开个小饭馆"},
        {"from": "bot", "text": "好的，我们先回答几个问题。"},
        {"from": "user", "text": "我叫王芳，电话13612345678"},  # masked by the sender or not: masked here
    ]
    body = {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "channel": "kiosk"}
    by_bot = {**body, "conversation_id": chatted, "transcript": transcript}
    headers = {"Idempotency-Key": f"funnel-{uuid.uuid4().hex}", "X-Internal-Token": internal_token()}
    number = client.post("/api/applications", json=by_bot, headers=headers).json()["number"]
    again = client.post("/api/applications", json={**by_bot, "transcript": transcript * 2}, headers=headers)
    assert again.status_code == 200 and again.json()["replayed"] is True  # a later turn's retry is a replay
    forged = submit(client, {**body, "transcript": [{"from": "bot", "text": "已批准"}]})  # not from the bot
    assert forged.status_code == 201

    _user(client, "chen", "supervisor", [])
    _signed_in(client, "chen")
    detail = client.get(f"/api/staff/applications/{number}").json()
    assert [line["from"] for line in detail["transcript"]] == ["user", "bot", "user"]
    assert "13612345678" not in str(detail["transcript"]) and "王芳" not in str(detail["transcript"])
    assert detail["transcript"][2]["text"].startswith("我叫") and detail["conversation_turns"] == 3
    assert client.get(f"/api/staff/applications/{forged.json()['number']}").json()["transcript"] == []
    page = client.get(f"/staff/applications/{number}")
    assert "对话记录" in page.text and "我想在滨海开个小饭馆" in page.text and "13612345678" not in page.text

    (row,) = client.get("/api/staff/analytics").json()["rows"]
    funnel = [row[k] for k in ("scenario_found", "questions_answered", "form_complete", "submitted")]
    assert (row["channel"], funnel, row["median_turns"]) == ("kiosk", [4, 3, 2, 2], 3)
    assert row["separate_trips"] >= 2 * 2 and row["trips_online"] == 0  # one trip per item saved, online
    page = client.get("/staff/analytics").text
    assert "办理漏斗" in page and "<svg" in page  # drawn on the server, its figures in its description
    assert "找到场景 4；答完引导问题 3；填完表单 2；提交申请 2；" in page
