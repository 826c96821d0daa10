"""The HTTP API on a real database (SQLite and the local PostgreSQL), through its real routes."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, func, select

from api.db.models import Application
from serversecret import internal_token
from tests.conftest import migrate

ANSWERS = {
    "has_business_license": "还没办",
    "floor_area": "一百二十平左右",
    "sells_tobacco": "不卖",
    "outdoor_signboard": "要",
}
FORM = {
    "applicant_name": "王芳",
    "id_number": "120109199003151228",
    "phone": "136 1234 5678",
    "company_name": "天津滨海新区芳味餐饮店",
    "enterprise_type": "个体户",
    "registered_capital": "10万",
    "business_scope": "餐饮服务",
    "legal_rep_name": "王芳",
    "legal_rep_id_number": "120109199003151228",
    "employee_count": "5人",
    "premises_address": "天津市滨海新区塘沽街道解放路668号",
    "premises_ownership": "租的",
    "seat_count": "40",
    "signboard_text": "芳味小馆",
    "signboard_area": "6平方米",
    "food_business_items": "热食",
    "drainage_volume": "3吨",
}


def submit(client, body=None, key=None):
    body = body or {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "channel": "kiosk"}
    return client.post("/api/applications", json=body, headers={"Idempotency-Key": key or uuid.uuid4().hex})


def test_scenarios_list_and_detail(client) -> None:
    listed = client.get("/api/scenarios").json()
    assert {s["id"] for s in listed} >= {"open_restaurant", "newborn", "bereavement"}
    detail = client.get("/api/scenarios/open_restaurant").json()
    q = {q["id"]: q for q in detail["questions"]}
    assert q["sells_tobacco"]["type"] == "bool"
    assert q["floor_area"]["type"] == "number"
    assert client.get("/api/scenarios/open_bank").json()["code"] == "scenario_not_found"


def test_plan_endpoint_returns_stages_and_merged_form(client) -> None:
    resp = client.post("/api/scenarios/open_restaurant/plan", json={"answers": ANSWERS})
    assert resp.status_code == 200
    plan = resp.json()
    assert [set(s["items"]) for s in plan["stages"]] == [
        {"business_license", "food_business_permit", "staff_health_certificate"},
        {"outdoor_signboard_permit", "drainage_permit"},
    ]
    assert plan["form"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert plan["form"]["properties"]["phone"]["title"] == "手机号码"
    assert plan["saving"]["merged_fields"] < plan["saving"]["separate_entries"]
    bad = client.post("/api/scenarios/open_restaurant/plan", json={"answers": {"floor_area": "很大"}})
    assert bad.status_code == 422
    assert bad.json()["code"] == "answers_invalid"
    assert "floor_area" in bad.json()["details"]["questions"]


def test_validate_field_endpoint(client) -> None:
    ok = client.post("/api/fields/id_number/validate", json={"value": "120109199003151228"}).json()
    assert ok == {
        "valid": True,
        "value": "120109199003151228",
        "derived": {"birth_date": "1990-03-15", "gender": "female", "region_code": "120109", "region": "天津市大港区"},
    }
    bad = client.post("/api/fields/id_number/validate", json={"value": "120109199003151227"}).json()
    assert bad["valid"] is False and "校验码" in bad["message"]
    assert client.post("/api/fields/shoe_size/validate", json={"value": "1"}).status_code == 404


def test_submission_is_validated_stored_and_trackable(client, database_url) -> None:
    resp = submit(client)
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["number"].startswith("BH") and len(body["number"]) == 15
    assert body["status"] == "submitted"
    engine = create_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(select(Application).where(Application.number == body["number"])).one()
    engine.dispose()
    assert row.form_data["phone"] == "13612345678"
    assert row.form_data["birth_date"] == "1990-03-15"  # derived, not asked
    assert row.form_data["premises_ownership"] == "leased"
    assert row.form_data["floor_area"] == 120  # from the guiding answer
    assert row.channel == "kiosk"
    assert row.answers["sells_tobacco"] is False
    assert {it["id"] for it in row.plan_snapshot["items"]} >= {"business_license", "drainage_permit"}

    status = client.get(f"/api/applications/{body['number']}", params={"phone": "13612345678"})
    assert status.status_code == 200
    items = status.json()["items"]
    assert {i["id"] for i in items} == {it["id"] for it in row.plan_snapshot["items"]}
    assert all(i["status"] == "pending" for i in items)

    wrong_phone = client.get(f"/api/applications/{body['number']}", params={"phone": "13912345678"})
    unknown = client.get("/api/applications/BH2026010199999", params={"phone": "13612345678"})
    assert wrong_phone.status_code == unknown.status_code == 404
    assert wrong_phone.json() == unknown.json()


def test_numbers_cannot_be_walked(client) -> None:
    from stdnum import luhn

    from api.numbers import is_well_formed

    numbers = [submit(client).json()["number"] for _ in range(3)]
    today = dt.date.today().strftime("%y%m%d")
    for number in numbers:
        assert number.startswith("BH" + today) and len(number) == 15 and is_well_formed(number)
        assert luhn.is_valid(number[2:])
    # not sequential: neighbours of a number are not the next citizen's
    assert all(abs(int(a[8:14]) - int(b[8:14])) != 1 for a, b in itertools.pairwise(numbers))
    assert len(set(numbers)) == 3


def test_form_errors_are_per_field_in_chinese(client) -> None:
    form = {**FORM, "id_number": "120109199003151227", "phone": "+1 650 253 0000"}
    form.pop("company_name")
    resp = submit(client, {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": form})
    assert resp.status_code == 422
    err = resp.json()
    assert err["code"] == "form_invalid"
    assert set(err["details"]["fields"]) == {"id_number", "phone", "company_name"}
    assert "校验码" in err["details"]["fields"]["id_number"]
    assert err["details"]["fields"]["company_name"].startswith("请填写")


def test_idempotency_key_replays_or_conflicts(client) -> None:
    key = uuid.uuid4().hex
    first = submit(client, key=key)
    again = submit(client, key=key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    # a correction after a committed submission (its reply lost): the next version, same number
    other = {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": {**FORM, "seat_count": "41"}}
    revised = submit(client, other, key=key)
    assert revised.status_code == 200, revised.text
    assert revised.json()["number"] == first.json()["number"]
    assert revised.json()["revised"] is True and revised.json()["version"] == 2
    assert submit(client, other, key=key).json()["replayed"] is True  # and its retry replays it
    missing = client.post("/api/applications", json={"scenario_id": "open_restaurant"})
    assert missing.status_code == 422 and missing.json()["code"] == "invalid_request"


def test_fifty_concurrent_identical_submissions_make_one_row(client, database_url) -> None:
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda _: submit(client, key=key), range(50)))
    assert {r.status_code for r in responses} <= {200, 201}
    assert sum(r.status_code == 201 for r in responses) == 1
    assert len({r.json()["number"] for r in responses}) == 1
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Application)).scalar_one()
    engine.dispose()
    assert count == 1


def test_errors_are_json_without_stack_traces(client) -> None:
    too_big = client.post(
        "/api/scenarios/open_restaurant/plan",
        content=b'{"answers": {"x": "' + b"a" * 70_000 + b'"}}',
        headers={"content-type": "application/json"},
    )
    assert too_big.status_code == 413
    assert too_big.json()["code"] == "body_too_large"
    garbage = client.post(
        "/api/scenarios/open_restaurant/plan", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 422
    assert set(garbage.json()) == {"code", "message", "details"}
    assert "Traceback" not in garbage.text
    assert client.get("/api/nowhere").json()["code"] == "not_found"


def test_nlu_miss_is_recorded_with_personal_data_masked(client, database_url) -> None:
    resp = client.post(
        "/api/nlu/misses",
        json={
            "text": "我的身份证120109199003151228怎么办",
            "sender_hash": "ab" * 16,
            "intent": "nlu_fallback",
            "confidence": 0.2,
        },
        headers={"X-Internal-Token": internal_token()},
    )
    assert resp.status_code == 201
    from api.db.models import NluMiss

    engine = create_engine(database_url)
    with engine.connect() as conn:
        text = conn.execute(select(NluMiss.text)).scalar_one()
    engine.dispose()
    assert "120109199003151228" not in text and "120***********1228" in text


def test_migrations_run_from_empty_and_back(database_url) -> None:
    migrate(database_url)
    migrate(database_url, "base", downgrade=True)
    migrate(database_url)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Application)).scalar_one() == 0
    engine.dispose()
