"""Proof that data is enough (issue #12): a new 一件事 scenario added without code.

In a copy of the project (no .git, models, var or reports; the two environments linked), the test
1. writes a new scenario file with `scripts/trainer scenario new` and fills in the template as a
   trainer would (its example values: 残疾人证办理一件事, which the catalog does not have);
2. puts one labelled example in data/nlu/inbox.yml through the trainer inbox's own code (recorded as
   the bot reports a fallback, grouped, labelled by a trainer, written by `python -m api.trainer_inbox
   export`): a phrasing the project's model does not understand ("办证那个事儿有信儿了吗" falls back, leaning ask_fee,
   with models/nlu-core-afe51b2f6280566a on 2026-12-04);
3. runs `scripts/trainer scenario add` (check, generate, nlu check, train: the one training);
4. starts that copy's API, action server and Rasa, completes the new scenario end to end over the
   public chat endpoint (POST /api/chat with its cookie) and reads the stored application from the
   copy's database; and asks the copy's model about the inbox message: now understood.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, free_port, wait_http

SKIPPED = {".git", "models", "var", "reports", ".venv-api", ".venv-bot", ".pytest_cache", ".ruff_cache", ".rasa"}
INBOX_MESSAGE = "办证那个事儿有信儿了吗"
INBOX = """version: "3.1"
nlu:
- intent: check_status
  examples: |
    - 办证那个事儿有信儿了吗
"""
FORM = {
    "applicant_name": "张秀兰",
    "id_number": "120109199003151228",
    "phone": "13812345678",
    "hukou_address": "天津市滨海新区塘沽街道解放路668号",
    "bank_name": "中国工商银行天津滨海新区支行",
    "bank_account": "6222021001115555556",
}
GUIDING = {"low_income_family": "我们家是低保户", "severe_disability": "三级", "needs_assistive_device": "不需要"}


def export_from_inbox(root: Path, message: str, intent: str) -> None:
    """The trainer inbox's path into the data, with its real code: the message recorded as the bot
    reports a fallback, grouped, labelled by a trainer, then written by the export command."""
    from api.catalog.loader import load_catalog
    from api.db import inbox
    from api.db.session import make_engine, session_factory
    from api.review import service
    from api.trainer_inbox.domain import choices
    from api.trainer_inbox.service import act
    from tests.conftest import migrate

    url = f"sqlite:///{root / 'var' / 'inbox.sqlite3'}"
    (root / "var").mkdir(exist_ok=True)
    migrate(url)
    engine = make_engine(url)
    with session_factory(engine)() as session:
        trainer = service.create_user(
            session,
            load_catalog(root / "data"),
            None,
            username="xu.trainer",
            display_name="徐训练",
            role="trainer",
            departments_=[],
            password="训练-Passw0rd-2026",
        )
        report = inbox.MissReport(text=message, sender_hash="proof-" + "0" * 10, intent="ask_fee", confidence=0.31)
        miss = inbox.record(session, report, threshold=0.5, candidates=2000)
        act(session, trainer, choices(root / "bot" / "domain"), miss.group_id, action="intent", intent=intent,
            out_of_scope_intent="out_of_scope")  # fmt: skip
        session.commit()
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [str(root / ".venv-api" / "bin" / "python"), "-m", "api.trainer_inbox", "export"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def copy_project(dest: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n == "__pycache__" or (Path(folder) == ROOT and n in SKIPPED)}

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    for venv in (".venv-api", ".venv-bot"):
        (dest / venv).symlink_to((ROOT / venv).resolve())
    return dest


class CopyStack:
    """The copy's API, action server and Rasa as processes on free ports, each started in the copy."""

    def __init__(self, root: Path, model: str) -> None:
        self.root, self.model = root, model
        self.token = secrets.token_urlsafe(24)
        self.api_port, self.actions_port, self.rasa_port = free_port(), free_port(), free_port()
        self.db = root / "var" / "api.sqlite3"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db}",
            "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "RASA_AUTH_TOKEN": self.token,
            "API_URL": f"http://127.0.0.1:{self.api_port}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "TRACKER_DB_URL": f"sqlite:///{root / 'var' / 'tracker.sqlite3'}",
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        self.procs: list[subprocess.Popen] = []

    def _start(self, name: str, args: list[str], health: str, timeout: float) -> None:
        log = open(self.root / "var" / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the process
        proc = subprocess.Popen(args, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        wait_http(health, timeout, proc)

    def start(self) -> None:
        (self.root / "var").mkdir(exist_ok=True)
        api, bot = self.root / ".venv-api" / "bin", str(self.root / ".venv-bot" / "bin" / "python")
        subprocess.run(
            [api / "alembic", "-c", "api/alembic.ini", "upgrade", "head"],
            cwd=self.root,
            env=self.env,
            check=True,
            capture_output=True,
        )
        self._start(
            "api",
            [str(api / "uvicorn"), "api.asgi:app", "--port", str(self.api_port)],
            f"http://127.0.0.1:{self.api_port}/api/health",
            60,
        )
        self._start(
            "actions",
            [bot, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            f"http://127.0.0.1:{self.actions_port}/health",
            90,
        )
        rasa = [bot, "-m", "bot.serve", "run", "--model", self.model, "--enable-api", "--port", str(self.rasa_port)]
        rasa += ["--credentials", "bot/credentials.yml", "--endpoints", "bot/endpoints.yml"]
        self._start("rasa", rasa, f"{self.env['RASA_URL']}/status?token={self.token}", 300)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def tracker(self, conversation: str) -> dict[str, Any]:
        url = f"{self.env['RASA_URL']}/conversations/{conversation}/tracker"
        resp = httpx.get(url, params={"token": self.token}, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def parse(self, text: str) -> dict[str, Any]:
        url = f"{self.env['RASA_URL']}/model/parse"
        resp = httpx.post(url, params={"token": self.token}, json={"text": text}, timeout=60)
        resp.raise_for_status()
        return resp.json()


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, float, str]]:
    """The copy with the new scenario and the inbox example, after `scenario add`: (root, model, seconds, output)."""
    root = copy_project(tmp_path_factory.mktemp("scenario_add") / "project")
    trainer = [str(root / "scripts" / "trainer")]
    new = subprocess.run(
        [*trainer, "scenario", "new", "disability_certificate"], cwd=root, capture_output=True, text=True
    )
    assert new.returncode == 0, new.stdout + new.stderr
    path = root / "data" / "scenarios" / "disability_certificate.yml"
    from trainer.scenario_new import fill_examples

    path.write_text(fill_examples(path.read_text(encoding="utf-8")), encoding="utf-8")
    export_from_inbox(root, INBOX_MESSAGE, "check_status")
    assert (root / "data" / "nlu" / "inbox.yml").read_text(encoding="utf-8").endswith(INBOX)  # after its header
    start = time.monotonic()
    out = subprocess.run([*trainer, "scenario", "add"], cwd=root, capture_output=True, text=True, timeout=3600)
    seconds = time.monotonic() - start
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    model = out.stdout.strip().splitlines()[-2].rsplit(": ", 1)[1]
    yield root, model, seconds, out.stdout


def test_scenario_add_generates_checks_and_trains_once(added: tuple[Path, str, float, str]) -> None:
    root, model, seconds, output = added
    assert (root / model).exists() and len(list((root / "models").glob("*.tar.gz"))) == 1
    for step in (
        "第 1/4 步",
        "第 2/4 步",
        "第 3/4 步",
        "第 4/4 步",
        "wrote bot/scenario_keywords.json",
        "NLU 检查通过",
    ):
        assert step in output, step
    assert "训练中 / training: 第 40/40 轮" in output  # the epochs were shown as they went
    keywords = json.loads((root / "bot" / "scenario_keywords.json").read_text(encoding="utf-8"))
    assert "办残疾证" in keywords["scenarios"]["disability_certificate"]
    print(f"scenario add (generate + checks + one training): {seconds:.0f} s")  # noqa: T201 - the measured time


def answer_until_done(chat, stack: CopyStack, conversation: str, values: dict[str, str], loop: str) -> list[str]:
    """Answer what the active loop `loop` asks, by its requested slot; return the slots asked."""
    asked = []
    for _ in range(20):
        tracker = stack.tracker(conversation)
        slot = tracker["slots"].get("requested_slot")
        if (tracker.get("active_loop") or {}).get("name") != loop or not slot:
            return asked
        asked.append(slot)
        chat(values[slot])
    raise AssertionError(f"{loop} did not finish; asked {asked}")


def test_the_new_scenario_is_completed_over_the_chat_endpoint(added: tuple[Path, str, float, str]) -> None:
    root, model, _, _ = added
    stack = CopyStack(root, model)
    try:
        stack.start()
        with httpx.Client(base_url=stack.env["API_URL"], timeout=120) as client:

            def chat(message: str) -> str:
                resp = client.post("/api/chat", json={"message": message, "channel": "web"})
                assert resp.status_code == 200, resp.text
                return "\n".join(m["text"] for m in resp.json()["messages"])

            chat("你好")
            reply = chat("家里老人想申请残疾人证")
            with sqlite3.connect(stack.db) as db:
                conversation = db.execute("SELECT conversation_id FROM chat_session").fetchone()[0]
            assert stack.tracker(conversation)["slots"]["scenario"] == "disability_certificate", reply
            assert "残疾人证办理一件事" in reply and "低保" in reply
            asked = answer_until_done(chat, stack, conversation, GUIDING, "guide_form")
            assert asked == list(GUIDING)
            slots = stack.tracker(conversation)["slots"]
            assert (slots["low_income_family"], slots["severe_disability"], slots["needs_assistive_device"]) == (
                True,
                False,
                False,
            )
            plan = "\n".join(m.get("text") or "" for m in _last_bot_messages(stack.tracker(conversation)))
            assert "第1步：残疾人证核发（含残疾评定）\n第2步：困难残疾人生活补贴" in plan, plan
            assert "不需要办理：重度残疾人护理补贴、残疾人辅助器具适配补贴" in plan, plan
            chat("/affirm")
            asked = answer_until_done(chat, stack, conversation, FORM, "application_form")
            assert set(asked) == set(FORM), asked
            done = chat("确认提交")
            number = stack.tracker(conversation)["slots"]["application_number"]
            assert number and number in done
            understood = stack.parse("办证那个事儿有信儿了吗")
        assert understood["intent"]["name"] == "check_status", understood["intent_ranking"][:3]
    finally:
        stack.stop()
    with sqlite3.connect(stack.db) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM application WHERE number = ?", (number,)).fetchone()
        items = {
            r[0] for r in db.execute("SELECT item_id FROM application_item WHERE application_id = ?", (row["id"],))
        }
    assert row["scenario_id"] == "disability_certificate" and row["conversation_id"] == conversation
    form = json.loads(row["form_data"])
    assert form["applicant_name"] == "张秀兰" and form["bank_account"] == "6222021001115555556"
    assert items == {"disability_certificate_issue", "living_subsidy"}


def _last_bot_messages(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot's messages since the last user message."""
    events = tracker["events"]
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e for e in events[last_user:] if e["event"] == "bot"]
