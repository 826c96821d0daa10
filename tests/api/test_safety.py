"""Hostile and broken input at the API, and personal data kept out of what is written outside the
application (stored misses, logs): issue "safe to put on a public network"."""

from __future__ import annotations

import logging
import sys
import uuid

import pytest
from sqlalchemy import create_engine, select, text

from privacy import mask_text
from serversecret import internal_token

INTERNAL = {"X-Internal-Token": internal_token()}

PERSONAL = [
    ("我的手机 136 1234 5678", "13612345678"),
    ("加我 +86 136-1234-5678", "13612345678"),
    ("+8613612345678", "13612345678"),
    ("身份证 120109 1990 0315 1228 怎么办", "120109199003151228"),
    ("卡号 6222 0202 0011 2233 445", "6222020200112233445"),
]


@pytest.mark.parametrize(("message", "digits"), PERSONAL)
def test_spaced_and_prefixed_numbers_are_masked(message: str, digits: str) -> None:
    masked = mask_text(message)
    assert digits not in "".join(ch for ch in masked if ch.isdigit())
    assert "****" in masked or "*******" in masked


def test_names_and_addresses_are_masked_and_ordinary_words_are_not() -> None:
    assert "王小明" not in mask_text("我叫王小明，想开饭店")
    assert "解放路668号" not in mask_text("住在天津市滨海新区解放路668号3-201")
    assert mask_text("张秀兰要退休", known=["张秀兰"]) == "***要退休"
    for plain in ("开饭店要什么材料", "营业面积120平方米", "我叫什么", "BH2026112900001"):
        assert mask_text(plain) == plain


def test_stored_miss_has_no_spaced_phone_or_name(client, database_url) -> None:
    body = {"text": "我叫李建国 电话 +86 139 0223 3445", "sender_hash": "ab" * 16}
    assert client.post("/api/nlu/misses", json=body, headers=INTERNAL).status_code == 201
    from api.db.models import NluMiss

    engine = create_engine(database_url)
    with engine.connect() as conn:
        text = conn.execute(select(NluMiss.text)).scalar_one()
    engine.dispose()
    assert "李建国" not in text and "3445" in text and "0223" not in text


def test_numbers_too_long_to_be_answers_get_a_4xx_not_a_500(client) -> None:
    for field in ("employee_count", "registered_capital", "seat_count", "phone", "id_number"):
        resp = client.post(f"/api/fields/{field}/validate", json={"value": "1" * 400})
        assert resp.status_code == 200 and resp.json()["valid"] is False, field
    plan = client.post("/api/scenarios/open_restaurant/plan", json={"answers": {"floor_area": "9" * 400}})
    assert plan.status_code == 422 and "floor_area" in plan.json()["details"]["questions"]


def test_a_chunked_body_over_the_limit_gets_413(client) -> None:
    def chunks():
        for _ in range(70):
            yield b"x" * 1024

    resp = client.post("/api/fields/phone/validate", content=chunks(), headers={"content-type": "application/json"})
    assert resp.status_code == 413 and resp.json()["code"] == "body_too_large"

    def small():
        yield b'{"value": '
        yield b'"13612345678"}'

    ok = client.post("/api/fields/phone/validate", content=small(), headers={"content-type": "application/json"})
    assert ok.status_code == 200 and ok.json()["valid"] is True


def test_chat_refuses_long_messages_and_client_chosen_conversations(client) -> None:
    long = client.post("/api/chat", json={"message": "我想开饭店" * 101})
    assert long.status_code == 422 and long.json()["code"] == "message_too_long"
    forged = client.post("/api/chat", json={"message": "你好", "sender": "someone-else"})
    assert forged.status_code == 422


def test_access_log_lines_survive_masking_and_are_masked(caplog) -> None:
    from uvicorn.logging import AccessFormatter

    from privacy import mask_record

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', None, None)
    record.args = ("127.0.0.1:5000", "GET", "/api/applications/BH1?phone=13612345678", "1.1", 404)
    mask_record(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert "GET /api/applications/BH1?phone=136****5678" in line and "404" in line


def test_tracebacks_and_sql_errors_carry_no_personal_data(database_url) -> None:
    from api.db.session import make_engine
    from privacy import mask_record

    engine = make_engine(database_url)
    with pytest.raises(Exception) as failure, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE phone = :phone"), {"phone": "13612345678"})
    engine.dispose()
    assert "13612345678" not in str(failure.value)  # hide_parameters: the error names no values
    try:
        raise ValueError("身份证 120109199003151228 无效")
    except ValueError:
        record = logging.LogRecord("api", logging.ERROR, __file__, 1, "failed for %s", ("13612345678",), None)
        record.exc_info = sys.exc_info()
    mask_record(record)
    line = logging.Formatter().format(record)
    assert "13612345678" not in line and "120109199003151228" not in line and "Traceback" in line


def _submit(client, form=None, key=None):
    from tests.api.test_api import ANSWERS, FORM

    body = {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": form or FORM}
    return client.post("/api/applications", json=body, headers={"Idempotency-Key": key or uuid.uuid4().hex})


def test_a_correction_after_review_began_gets_a_409_that_discloses_nothing(client, database_url) -> None:
    from tests.api.test_api import FORM

    key = uuid.uuid4().hex
    number = _submit(client, key=key).json()["number"]
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE application SET status = 'in_review' WHERE number = :n"), {"n": number})
    engine.dispose()
    late = _submit(client, {**FORM, "seat_count": "41"}, key=key)
    assert late.status_code == 409 and late.json()["code"] == "already_in_review"
    assert number not in late.text and late.json()["details"] == {}
    assert "审核" in late.json()["message"]


def test_wrong_phones_lock_the_number_and_lookups_are_limited_per_client(client) -> None:
    number = _submit(client).json()["number"]
    for _ in range(5):
        wrong = client.get(f"/api/applications/{number}", params={"phone": "13900000000"})
        assert wrong.status_code == 404
    locked = client.get(f"/api/applications/{number}", params={"phone": "13612345678"})  # even the right one
    assert locked.status_code == 429 and locked.json()["code"] == "lookup_locked"
    assert int(locked.headers["Retry-After"]) > 0 and "锁定" in locked.json()["message"]
    # a client that keeps guessing is stopped whatever numbers it tries
    codes = [
        client.get(f"/api/applications/BH26112912345{i % 10}", params={"phone": "13612345678"}).status_code
        for i in range(30)
    ]
    assert 429 in codes and codes.index(429) <= 20


def test_applications_and_misses_are_limited_per_client(client) -> None:
    codes = [_submit(client).status_code for _ in range(12)]
    assert codes[:10] == [201] * 10 and codes[10:] == [429, 429]
    miss = {"text": "啊啊啊", "sender_hash": "cd" * 16}
    codes = [client.post("/api/nlu/misses", json=miss, headers=INTERNAL).status_code for _ in range(62)]
    assert codes.count(201) == 60 and codes[-1] == 429
