"""The trainer inbox end to end, over the real Rasa server, action server and API: the bot fails
to understand a message with a phone number in it; the message reaches the inbox masked, grouped
with a near-duplicate from another citizen, with its ranking and the bot's reply; a trainer labels
it through the staff API; the export is valid Rasa training data (Rasa's own reader and validator
in the bot environment). Retraining on it is left to the scenario-add test (no training here)."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import yaml

from tests.bot.conftest import BOT_PY, BotStack, texts
from tests.conftest import ROOT, staff_client
from textnorm import normalize

PASSWORD = "训练-Passw0rd-2026"
VALIDATE = """
import sys
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
data = RasaYAMLReader().read(sys.argv[1])  # validates the YAML schema too
for m in data.intent_examples:
    print(m.get("intent"), "|", m.get("text"), "|", [e["entity"] for e in m.get("entities") or []])
"""


@pytest.fixture(scope="module")
def trainer(bot: BotStack) -> Iterator[httpx.Client]:
    """A trainer's signed-in client, the account made by an administrator as in production."""
    bot.api.create_admin("inbox.admin", PASSWORD)
    with closing(staff_client(bot.api["url"], "inbox.admin", PASSWORD)) as admin:
        body = {"username": "zhao.trainer", "display_name": "赵训练", "role": "trainer", "password": PASSWORD}
        assert admin.post("/api/staff/users", json=body).status_code == 201
    with closing(staff_client(bot.api["url"], "zhao.trainer", PASSWORD)) as client:
        yield client


def _all_new_groups(client: httpx.Client) -> list[dict]:
    rows, page, pages = [], 1, 1
    while page <= pages:
        listed = client.get("/api/staff/inbox", params={"state": "new", "page": page}).json()
        rows += listed["rows"]
        page, pages = page + 1, listed["pages"]
    return rows


def _wait_for_group(client: httpx.Client, needle: str, expected: list[str]) -> dict:
    """The group whose first message contains `needle`, once every expected example is in it with
    the reply (the Rasa server reports in the background, after the turn)."""
    deadline = time.monotonic() + 20
    while True:
        rows = _all_new_groups(client)  # after the whole suite, hundreds: a group seen once is on a late page
        # a group is named by its first message, which may be the same words in another form ("在嗎")
        found = next((r for r in rows if needle in normalize(r["text"])), None)
        if found:
            detail = client.get(f"/api/staff/inbox/groups/{found['id']}").json()
            mine = [ex for ex in detail["examples"] if ex["text"] in expected]
            if len(mine) == len(expected) and all(ex["reply"] for ex in mine):
                return detail
        assert time.monotonic() < deadline, rows
        time.sleep(0.3)


def test_not_understood_message_to_labelled_valid_training_data(
    bot: BotStack, trainer: httpx.Client, tmp_path: Path
) -> None:
    first, second = f"inbox-{uuid.uuid4().hex[:8]}", f"inbox-{uuid.uuid4().hex[:8]}"
    reply = texts(bot.say(first, "黑猫白猫抓老鼠 我电话13612345678"))
    assert reply  # the bot answered something (it did not understand)
    bot.say(second, "黑猫白猫抓老鼠呀 我手机13799998888")

    masked = ["黑猫白猫抓老鼠 我电话136****5678", "黑猫白猫抓老鼠呀 我手机137****8888"]
    group = _wait_for_group(trainer, "黑猫白猫抓老鼠", masked)  # one group (other tests' 黑猫白猫… too)
    assert group["count"] >= 2 and group["state"] == "new"
    shown = [ex["text"] for ex in group["examples"]]
    assert not any("13612345678" in t or "13799998888" in t for t in shown)
    example = next(ex for ex in group["examples"] if "136****5678" in ex["text"])
    assert example["kind"] == "fallback"
    assert example["ranking"] and len(example["ranking"]) <= 3
    assert example["ranking"][0]["name"] != "nlu_fallback"
    # the reply comes from the Rasa server's report of the same turn, merged with the action server's
    assert example["reply"] and example["reply"].strip() in reply
    assert len(group["suggested"]) <= 3

    labelled = trainer.post(f"/api/staff/inbox/groups/{group['id']}/action", json={"action": "out_of_scope"})
    assert labelled.status_code == 200 and labelled.json()["state"] == "labelled"

    exported = trainer.post("/api/staff/inbox/export")
    assert exported.status_code == 200
    out = tmp_path / "inbox.yml"
    out.write_text(exported.text, encoding="utf-8")
    doc = yaml.safe_load(exported.text)
    oos = next(e for e in doc["nlu"] if e["intent"] == "out_of_scope")
    assert "- 黑猫白猫抓老鼠 我电话136****5678" in oos["examples"]

    read = subprocess.run([BOT_PY, "-c", VALIDATE, str(out)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert read.returncode == 0, read.stderr[-2000:]
    assert "out_of_scope | 黑猫白猫抓老鼠 我电话136****5678 | []" in read.stdout
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    command = ["-m", "rasa", "data", "validate", "--config", "bot/config.yml", "--domain", "bot/domain", "--data"]
    validate = subprocess.run(
        [BOT_PY, *command, "data/nlu", "data/core", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = validate.stdout + validate.stderr
    assert validate.returncode == 0, output[-3000:]
    assert "not listed in your domain" not in output and "黑猫白猫" not in output
    assert trainer.get(f"/api/staff/inbox/groups/{group['id']}").json()["state"] == "exported"


def test_an_unsure_turn_answered_by_a_rule_reaches_the_inbox(bot: BotStack, trainer: httpx.Client) -> None:
    """No custom action runs for a greeting: only the Rasa server's tracker store can report it.
    The message is the first of a few short greetings the trained model is unsure of (a training
    from clean is not repeatable: "在吗" was greet ≈ 0.63, ask_where ≈ 0.33 in one)."""
    message, ranking = _first_unsure(bot, UNSURE_CANDIDATES)
    sender = f"inbox-{uuid.uuid4().hex[:8]}"
    reply = texts(bot.say(sender, message))
    group = _wait_for_group(trainer, message, [message])
    example = next(ex for ex in group["examples"] if ex["text"] == message)
    assert example["kind"] in ("low_confidence", "ambiguous")
    assert example["ranking"][0]["name"] == ranking[0]["name"]
    assert example["reply"] and example["reply"].strip() in reply


UNSURE_CANDIDATES = ("在吗", "在不在", "有人吗", "喂喂", "您好在吗", "在么")


def _first_unsure(bot: BotStack, candidates: tuple[str, ...]) -> tuple[str, list[dict]]:
    """The first candidate the model answers with an intent, below 0.7 or within 0.1 of the second
    (what the Rasa server reports as unsure), asked through Rasa's parse endpoint (no conversation)."""
    seen = {}
    for message in candidates:
        parse = bot.client.post(f"{bot.rasa_url}/model/parse", params={"token": bot.token}, json={"text": message})
        parse.raise_for_status()
        data = parse.json()
        ranking = [r for r in data["intent_ranking"] if r["name"] != "nlu_fallback"]
        top, second = ranking[0]["confidence"], ranking[1]["confidence"]
        if data["intent"]["name"] != "nlu_fallback" and (top < 0.7 or top - second < 0.1):
            return message, ranking
        seen[message] = ranking[:2]
    raise AssertionError(f"the model is sure of every candidate ({seen}): add another unsure greeting")
