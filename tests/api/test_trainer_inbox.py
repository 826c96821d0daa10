"""The trainer inbox on SQLite and PostgreSQL: reports from the bot come in masked and grouped
(only with the internal token), a trainer labels groups through the staff API (roles, CSRF,
audit), and the export writes Rasa NLU YAML without repeating the training data."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from sqlalchemy import create_engine, func, select

from api.db.models import AuditEvent, InboxGroup, NluMiss
from api.trainer_inbox.grouping import best_match, group_text, similarity
from serversecret import internal_token
from tests.api.test_staff import _signed_in, _user
from tests.conftest import ROOT

INTERNAL = {"X-Internal-Token": internal_token()}


def report(client, text: str, **extra):
    body = {"text": text, "sender_hash": "ab" * 16, **extra}
    return client.post(
        "/api/nlu/misses", json=body, headers={**INTERNAL, "X-Conversation": extra.get("message_id", "c")}
    )


def rows(database_url: str, *columns):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        found = conn.execute(select(*columns).order_by(columns[0])).all()
    engine.dispose()
    return found


# -- grouping (pure) --------------------------------------------------------------------------


def test_grouping_text_normalises_script_width_punctuation_and_numbers() -> None:
    assert group_text("我想辦護照？？") == group_text("我想办护照") == "我想办护照"
    assert group_text("ＡＢＣ 我的手机136****5678能收到吗！") == "abc我的手机0能收到吗"
    assert group_text("120***********1228 是我的证件") == "0是我的证件"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("我想办护照", "我想辦護照？", True),
        ("我的手机136****5678能收到短信吗", "我的手机号137****1234能收到短信吗", True),
        ("办护照要多久", "办护照要多长时间", True),
        ("办护照要多久", "你们能帮我修电脑吗", False),
        ("好", "行", False),
    ],
)
def test_similar_phrasings_group_and_different_ones_do_not(a: str, b: str, same: bool) -> None:
    assert (similarity(group_text(a), group_text(b)) >= 0.5) is same


def test_best_match_picks_the_most_similar_group_above_the_threshold() -> None:
    groups = [(1, group_text("办护照要多少钱")), (2, group_text("办护照要多久")), (3, group_text("天气怎么样"))]
    assert best_match(group_text("办护照要多长时间"), groups, 0.5) == 2
    assert best_match(group_text("今天下雨吗"), groups, 0.5) is None


# -- coming in --------------------------------------------------------------------------------


def test_reports_need_the_internal_token_and_are_limited(client) -> None:
    body = {"text": "啊", "sender_hash": "ab" * 16}
    assert client.post("/api/nlu/misses", json=body).status_code == 403
    assert client.post("/api/nlu/misses", json=body, headers={"X-Internal-Token": "guess"}).status_code == 403
    assert client.post("/api/nlu/misses", json={**body, "text": "x" * 1001}, headers=INTERNAL).status_code == 422
    ranking = [{"name": "a", "confidence": 0.1}] * 4
    assert client.post("/api/nlu/misses", json={**body, "ranking": ranking}, headers=INTERNAL).status_code == 422


def test_reports_are_masked_grouped_and_merged_per_turn(client, database_url) -> None:
    ranking = [{"name": "ask_fee", "confidence": 0.41}, {"name": "ask_time_limit", "confidence": 0.38}]
    first = report(client, "我的手机13612345678能收到办护照的短信吗", kind="fallback", message_id="m1")
    assert first.status_code == 201, first.text
    # the Rasa server reports the same turn afterwards, with the state and the reply
    again = report(
        client,
        "我的手机13612345678能收到办护照的短信吗",
        kind="ambiguous",
        message_id="m1",
        ranking=ranking,
        scenario="open_restaurant",
        requested_slot="applicant_phone",
        active_loop="application_form",
        reply="抱歉，我没听懂。您的电话 13612345678 已记下。",
    )
    assert again.json()["id"] == first.json()["id"]
    assert report(client, "我的手机号13799998888能收到办护照的短信吗", message_id="m2").status_code == 201
    assert report(client, "你们管不管修电脑", message_id="m3").status_code == 201

    misses = rows(database_url, NluMiss.id, NluMiss.text, NluMiss.kind, NluMiss.reply, NluMiss.group_id)
    assert len(misses) == 3
    assert all("13612345678" not in m.text and "13799998888" not in m.text for m in misses)
    assert misses[0].text == "我的手机136****5678能收到办护照的短信吗"
    assert misses[0].kind == "fallback" and "136****5678" in misses[0].reply  # strongest kind kept
    assert misses[0].group_id == misses[1].group_id != misses[2].group_id
    groups = rows(database_url, InboxGroup.id, InboxGroup.count, InboxGroup.state)
    assert [(g.count, g.state) for g in groups] == [(2, "new"), (1, "new")]


# -- labelling --------------------------------------------------------------------------------


@pytest.fixture
def trainer(client) -> dict[str, str]:
    _user(client, "wang.trainer", "trainer", [])
    return _signed_in(client, "wang.trainer")


def test_a_reviewer_cannot_open_the_inbox(client) -> None:
    assert client.get("/api/staff/inbox").status_code == 401
    _user(client, "li.reviewer", "reviewer", ["滨海新区行政审批局"])
    _signed_in(client, "li.reviewer")
    assert client.get("/api/staff/inbox").status_code == 403
    assert client.get("/staff/inbox").status_code == 403


def test_trainer_labels_with_entities_and_every_action_is_audited(client, trainer, database_url) -> None:
    ranking = [
        {"name": "inform", "confidence": 0.44},
        {"name": "ask_fee", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1},
    ]
    report(client, "我叫张伟，想问营业执照", kind="low_confidence", ranking=ranking, message_id="t1")
    report(client, "这边能不能帮我订机票", message_id="t2")
    listed = client.get("/api/staff/inbox", params={"state": "new"}).json()
    assert listed["total"] == 2
    named = next(r for r in listed["rows"] if r["text"].startswith("我叫"))
    assert named["text"] == "我叫张*，想问营业执照"  # the name after 我叫 is masked
    detail = client.get(f"/api/staff/inbox/groups/{named['id']}").json()
    assert [s["name"] for s in detail["suggested"]] == ["inform", "ask_fee", "greet"]
    assert "out_of_scope" in detail["intents"] and "phone" in detail["entity_names"]

    gid = named["id"]
    body = {"action": "intent", "intent": "ask_howto", "entities": [{"start": 9, "end": 11, "entity": "field"}]}
    assert client.post(f"/api/staff/inbox/groups/{gid}/action", json=body).status_code == 403  # no CSRF
    bad = {**body, "entities": [{"start": 9, "end": 30, "entity": "field"}]}
    assert client.post(f"/api/staff/inbox/groups/{gid}/action", json=bad, headers=trainer).status_code == 422
    unknown = {**body, "intent": "make_coffee"}
    assert client.post(f"/api/staff/inbox/groups/{gid}/action", json=unknown, headers=trainer).status_code == 422
    done = client.post(f"/api/staff/inbox/groups/{gid}/action", json=body, headers=trainer)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "labelled"
    assert done.json()["entities"] == [{"start": 9, "end": 11, "entity": "field", "value": "执照"}]

    other = next(r for r in listed["rows"] if r["id"] != gid)["id"]
    note = {"action": "new_scenario", "note": ""}
    assert client.post(f"/api/staff/inbox/groups/{other}/action", json=note, headers=trainer).status_code == 422
    oos = {"action": "out_of_scope"}
    assert client.post(f"/api/staff/inbox/groups/{other}/action", json=oos, headers=trainer).status_code == 200

    audited = rows(database_url, AuditEvent.id, AuditEvent.actor, AuditEvent.action, AuditEvent.target)
    trail = [(a.actor, a.action, a.target) for a in audited if a.action.startswith("inbox_")]
    assert trail == [
        ("wang.trainer", "inbox_intent", f"inbox_group:{gid}"),
        ("wang.trainer", "inbox_out_of_scope", f"inbox_group:{other}"),
    ]


def test_export_writes_rasa_yaml_skips_training_examples_and_marks_exported(client, trainer, database_url) -> None:
    report(client, "我叫张伟，想问营业执照", message_id="e1")
    report(client, "你好", message_id="e2")  # already a greet example in data/nlu
    report(client, "你们能帮我订机票吗", message_id="e3")
    report(client, "帮我订张机票", message_id="e4")
    groups = {r["text"]: r["id"] for r in client.get("/api/staff/inbox").json()["rows"]}
    act = "/api/staff/inbox/groups/{}/action"
    spans = [{"start": 9, "end": 11, "entity": "field"}]
    client.post(
        act.format(groups["我叫张*，想问营业执照"]),
        json={"action": "intent", "intent": "ask_howto", "entities": spans},
        headers=trainer,
    )
    client.post(act.format(groups["你好"]), json={"action": "intent", "intent": "greet"}, headers=trainer)
    for text in ("你们能帮我订机票吗", "帮我订张机票"):
        if text in groups:
            client.post(act.format(groups[text]), json={"action": "out_of_scope"}, headers=trainer)

    assert client.post("/api/staff/inbox/export").status_code == 403  # CSRF
    exported = client.post("/api/staff/inbox/export", headers=trainer)
    assert exported.status_code == 200
    assert exported.headers["x-examples-skipped"] == "1"
    doc = yaml.safe_load(exported.text)
    by_intent = {e["intent"]: e["examples"] for e in doc["nlu"]}
    assert by_intent["ask_howto"] == "- 我叫张*，想问营业[执照](field)\n"
    assert "你们能帮我订机票吗" in by_intent["out_of_scope"] and "帮我订张机票" in by_intent["out_of_scope"]
    assert "greet" not in by_intent
    states = {g.state for g in rows(database_url, InboxGroup.id, InboxGroup.state)}
    assert states == {"exported"}
    # an exported group is final; the file still holds it the next time
    gid = groups["我叫张*，想问营业执照"]
    assert client.post(act.format(gid), json={"action": "ignore"}, headers=trainer).status_code == 409
    assert client.post("/api/staff/inbox/export", headers=trainer).text == exported.text
    exports = rows(database_url, AuditEvent.id, AuditEvent.action)
    assert sum(1 for e in exports if e.action == "inbox_exported") == len(groups)


def test_export_command_writes_the_file_and_marks_groups_exported(client, trainer, database_url, tmp_path) -> None:
    report(client, "请问可以代办签证吗", message_id="c1")
    gid = client.get("/api/staff/inbox").json()["rows"][0]["id"]
    client.post(f"/api/staff/inbox/groups/{gid}/action", json={"action": "out_of_scope"}, headers=trainer)
    out = tmp_path / "inbox.yml"
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "api.trainer_inbox", "export", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["nlu"] == [
        {"intent": "out_of_scope", "examples": "- 请问可以代办签证吗\n"}
    ]
    assert rows(database_url, InboxGroup.id, InboxGroup.state)[0].state == "exported"
    engine = create_engine(database_url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).where(AuditEvent.action == "inbox_exported")).scalar_one()
    engine.dispose()
    assert n == 1


def test_states_new_scenario_ignore_relabel_and_retention(client, trainer, database_url) -> None:
    import datetime as dt

    from api import retention

    report(client, "我想办理游艇驾驶证", message_id="s1")
    report(client, "哈哈哈哈哈", message_id="s2")
    groups = {r["text"]: r["id"] for r in client.get("/api/staff/inbox").json()["rows"]}
    act = "/api/staff/inbox/groups/{}/action"
    asked = client.post(
        act.format(groups["我想办理游艇驾驶证"]),
        json={"action": "new_scenario", "note": "游艇驾驶证考试与发证"},
        headers=trainer,
    )
    assert asked.json()["label"] == "new_scenario" and asked.json()["note"] == "游艇驾驶证考试与发证"
    ignored = client.post(act.format(groups["哈哈哈哈哈"]), json={"action": "ignore"}, headers=trainer)
    assert ignored.json()["state"] == "ignored"
    assert client.get("/api/staff/inbox", params={"state": "ignored"}).json()["total"] == 1
    assert client.get("/api/staff/inbox", params={"kind": "reasked"}).json()["total"] == 0
    # a new-scenario request is not training data: nothing to export, and it stays labelled
    assert "游艇" not in client.post("/api/staff/inbox/export", headers=trainer).text
    # an ignored group nobody labelled is purged with its messages; the labelled one stays
    with client.app.state.session_factory() as session:
        counts, _ = retention.purge_api(session, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        session.commit()
    assert counts["inbox_groups"] == 1 and counts["nlu_misses"] == 2
    assert [g.state for g in rows(database_url, InboxGroup.id, InboxGroup.state)] == ["labelled"]
