"""Runs after the other end-to-end tests of tests/bot (pytest takes files in name order): the logs
of every process they started (API, action server, Rasa, the production topology) hold no full
ID number or mobile number, although those conversations typed many, and never Rasa's token
(which tests send in query strings, as the contract says)."""

from __future__ import annotations

import re

import pytest

from tests.bot.conftest import BotStack

FULL_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
FULL_PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def test_no_log_of_the_run_holds_a_full_id_or_phone(bot: BotStack, tmp_path_factory: pytest.TempPathFactory) -> None:
    bot.say("log-check", "我叫王芳，身份证120109199003151228，电话 136 1234 5678")  # at least one to find
    logs = sorted(tmp_path_factory.getbasetemp().rglob("*.log"))
    assert {p.name for p in logs} >= {"api.log", "actions.log", "rasa.log"}
    found = {}
    for path in logs:
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = FULL_ID.findall(text) + FULL_PHONE.findall(text) + [t for t in (bot.token,) if t in text]
        if hits:
            found[str(path)] = hits[:5]
    assert not found, found
