"""Production topology, run natively (there is no Docker engine here): two API processes and the
Rasa tracker store on PostgreSQL, a Redis lock store with a password (also holding the rate limits),
two Rasa servers behind the API's chat endpoint, one action server. A citizen completes a
scenario across both Rasa servers while each fault of the issue strikes once, and ends with exactly
one application and nothing typed lost."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.bot.conftest import BOT_PY, texts
from tests.bot.test_conversations import RETIREMENT_FORM
from tests.conftest import PG_ADMIN_URL, ROOT, ApiProcess, free_port, wait_http


def _database(admin: psycopg.Connection, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    return name


class Redis:
    """A redis-server of our own (so restarting it touches nothing else), password from stdin."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.password, self.workdir = free_port(), secrets.token_hex(16), workdir
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        config = f'port {self.port}\nbind 127.0.0.1\nrequirepass {self.password}\nsave ""\nappendonly no\n'
        self.proc = subprocess.Popen(["redis-server", "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        assert self.proc.stdin is not None
        self.proc.stdin.write(config.encode())
        self.proc.stdin.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise TimeoutError("redis did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


class Production:
    def __init__(self, model: str, workdir: Path) -> None:
        if subprocess.run(["which", "redis-server"], capture_output=True).returncode != 0:
            pytest.skip("redis-server is not installed")
        try:
            self.admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            pytest.skip(f"PostgreSQL not reachable ({exc})")
        self.model, self.workdir = model, workdir
        self.api_db, self.tracker_db = _database(self.admin, "zw_prod_api"), _database(self.admin, "zw_prod_rasa")
        self.redis = Redis(workdir)
        self.token = secrets.token_urlsafe(24)
        self.rasa_ports = [free_port(), free_port()]
        self.actions_port = free_port()
        common = {
            "APP_SECRET": secrets.token_hex(32),
            "RATE_LIMIT_STORAGE": f"redis://:{self.redis.password}@127.0.0.1:{self.redis.port}/2",
        }
        api_env = {
            **common,
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.api_db}",
            "RASA_URL": ",".join(f"http://127.0.0.1:{p}" for p in self.rasa_ports),
            "RASA_AUTH_TOKEN": self.token,
        }
        self.public_api = ApiProcess(workdir / "public", api_env)  # the chat endpoint
        self.inner_api = ApiProcess(workdir / "inner", api_env)  # the replica the actions call
        self.env = {
            **os.environ,
            **common,
            "API_URL": self.inner_api["url"],
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "TRACKER_DB_URL": f"postgresql://postgres@127.0.0.1:5432/{self.tracker_db}",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(self.redis.port),
            "REDIS_PASSWORD": self.redis.password,
            "RASA_AUTH_TOKEN": self.token,
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1",
        }
        self.rasa: list[subprocess.Popen | None] = [None, None]
        self.actions: subprocess.Popen | None = None
        self.client = httpx.Client(base_url=self.public_api["url"], timeout=90)

    def _log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    def start_actions(self) -> None:
        self.actions = subprocess.Popen(
            [BOT_PY, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=ROOT, env=self.env, stdout=self._log("actions"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", 60, self.actions)

    def stop_actions(self) -> None:
        assert self.actions is not None
        self.actions.kill()
        self.actions.wait(10)

    def start_rasa(self, i: int) -> None:
        port = self.rasa_ports[i]
        self.rasa[i] = subprocess.Popen(
            [BOT_PY, "-m", "bot.serve", "run", "--model", self.model, "--enable-api", "--port", str(port),
             "--credentials", "bot/credentials.yml", "--endpoints", "bot/endpoints.production.yml"],
            cwd=ROOT, env=self.env, stdout=self._log(f"rasa{i}"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_rasa(self, i: int) -> None:
        wait_http(f"http://127.0.0.1:{self.rasa_ports[i]}/status?token={self.token}", 240, self.rasa[i])

    def stop_rasa(self, i: int) -> None:
        proc = self.rasa[i]
        if proc is not None:
            proc.kill()
            proc.wait(30)
            self.rasa[i] = None

    def start(self) -> None:
        self.redis.start()
        self.public_api.start()
        self.inner_api.start()
        self.start_actions()
        self.start_rasa(0)
        self.start_rasa(1)
        self.wait_rasa(0)
        self.wait_rasa(1)

    def stop(self) -> None:
        for i in (0, 1):
            self.stop_rasa(i)
        if self.actions is not None and self.actions.poll() is None:
            self.stop_actions()
        self.public_api.stop()
        self.inner_api.stop()
        self.redis.stop()
        for name in (self.api_db, self.tracker_db):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()

    # --- talking and looking -------------------------------------------------------------------
    def chat(self, message: str) -> httpx.Response:
        return self.client.post("/api/chat", json={"message": message, "channel": "web"})

    def say(self, message: str) -> str:
        resp = self.chat(message)
        assert resp.status_code == 200, resp.text
        return texts(resp.json()["messages"])

    def query(self, sql: str, *args: object) -> list[tuple]:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{self.api_db}") as conn:
            return conn.execute(sql, args).fetchall()

    def conversation(self) -> str:
        return self.query("SELECT conversation_id FROM chat_session ORDER BY id DESC LIMIT 1")[0][0]

    def slots(self, i: int = 1) -> dict:
        url = f"http://127.0.0.1:{self.rasa_ports[i]}/conversations/{self.conversation()}/tracker"
        return httpx.get(url, params={"token": self.token}, timeout=30).json()["slots"]

    def say_to(self, i: int, message: str) -> str:
        """A message straight to one Rasa server (as the API would send it there)."""
        url = f"http://127.0.0.1:{self.rasa_ports[i]}/webhooks/rest/webhook"
        body = {"sender": self.conversation(), "message": message, "metadata": {"channel": "web"}}
        return texts(httpx.post(url, json=body, timeout=90).json())

    def drop_database_connections(self, *names: str) -> int:
        rows = self.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
            (list(names),),
        ).fetchall()
        return len(rows)


@pytest.fixture(scope="module")
def prod(rasa_model: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    stack = Production(rasa_model, tmp_path_factory.mktemp("prod"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def test_a_scenario_completed_across_two_rasa_servers_through_every_fault(prod: Production) -> None:
    # The API the actions use is down while the scenario is being chosen: an apology, nothing lost.
    prod.inner_api.stop()
    try:
        down = prod.say("退休了要办什么")
    finally:
        prod.inner_api.start()
    assert "暂时" in down or "稍后" in down
    assert "退休" in prod.say("退休了要办什么")
    assert prod.slots()["scenario"] == "retirement"

    # Guiding answers, alternating between the two Rasa servers (shared tracker store + lock store).
    for i, answer in enumerate(("不是", "不是", "没有", "有", "不是")):
        prod.say_to(i % 2, answer)
    prod.say_to(0, "/affirm")
    prod.say("我叫张伟，身份证120101196703070010，电话13612340000")
    assert prod.slots(0)["applicant_name"] == "张伟"

    # The PostgreSQL connections of the API and of the tracker store are all dropped.
    assert prod.drop_database_connections(prod.api_db, prod.tracker_db) > 0
    requested = prod.slots()["requested_slot"]
    prod.say(RETIREMENT_FORM[requested])
    assert prod.slots()[requested]

    # The tracker database is unavailable for a moment: a clear 503, then the same message goes through.
    prod.admin.execute(f'ALTER DATABASE "{prod.tracker_db}" ALLOW_CONNECTIONS false')
    prod.drop_database_connections(prod.tracker_db)
    try:
        blocked = prod.chat("嗯")
    finally:
        prod.admin.execute(f'ALTER DATABASE "{prod.tracker_db}" ALLOW_CONNECTIONS true')
    assert blocked.status_code == 503 and "不会丢失" in blocked.json()["message"]
    assert prod.slots()["applicant_name"] == "张伟"  # nothing entered before is lost

    # The Redis lock store restarts between two messages.
    prod.redis.stop()
    prod.redis.start()
    requested = prod.slots()["requested_slot"]
    prod.say(RETIREMENT_FORM[requested])
    assert prod.slots()[requested]

    # The action server is killed mid-form: an apology; after its restart the answer is taken.
    requested = prod.slots()["requested_slot"]
    prod.stop_actions()
    try:
        assert "出了点问题" in prod.say(RETIREMENT_FORM[requested])
    finally:
        prod.start_actions()
    prod.say(RETIREMENT_FORM[requested])
    assert prod.slots()[requested]

    # One Rasa server dies: the chat endpoint carries on with the other.
    prod.stop_rasa(0)
    for _ in range(10):
        slots = prod.slots()
        if slots.get("awaiting") == "confirm_submit":
            break
        prod.say(RETIREMENT_FORM[slots["requested_slot"]])
    assert prod.slots()["awaiting"] == "confirm_submit"

    # The API the actions use is down at submission, then back: exactly one application.
    prod.inner_api.stop()
    try:
        failed = prod.say("确认提交")
    finally:
        prod.inner_api.start()
    assert "暂时无法提交" in failed and "不会丢失" in failed
    done = prod.say("重试")
    number = prod.slots()["application_number"]
    assert number and number in done
    prod.say("确认")  # a second yes never submits again
    rows = prod.query("SELECT number, form_data->>'bank_account' FROM application")
    assert rows == [(number, "6222021001115555556")]
    prod.start_rasa(0)  # (left running for the fixture's teardown)
