"""The whole bot as users run it: the API, the action server and the Rasa server as real processes,
talked to over the REST channel. The model is trained (or reused when its inputs are unchanged)
by scripts/train.sh, exactly as `make run` does."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, ApiProcess, free_port, wait_http

BOT_PY = ROOT / ".venv-bot" / "bin" / "python"


@pytest.fixture(scope="session")
def rasa_model() -> str:
    out = subprocess.run([ROOT / "scripts" / "train.sh"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1]


class RasaEndpoint(dict):
    """Where the test Rasa server will listen and the token its HTTP API takes (known before the API
    process starts, so the API's chat endpoint can forward to it)."""

    def __init__(self) -> None:
        port = free_port()
        super().__init__(port=port, url=f"http://127.0.0.1:{port}", token=secrets.token_urlsafe(24))


@pytest.fixture(scope="session")
def rasa_endpoint() -> RasaEndpoint:
    return RasaEndpoint()


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory, rasa_endpoint: RasaEndpoint) -> Iterator[ApiProcess]:
    """The API process, with its chat endpoint pointed at the test Rasa server."""
    api = ApiProcess(
        tmp_path_factory.mktemp("api"),
        {"RASA_URL": rasa_endpoint["url"], "RASA_AUTH_TOKEN": rasa_endpoint["token"]},
    )
    api.start()
    try:
        yield api
    finally:
        api.stop()


class BotStack:
    """API + actions + Rasa; `say` talks over REST, `tracker` reads Rasa's tracker (with the token)."""

    def __init__(self, api: ApiProcess, model: str, workdir: Path, rasa: RasaEndpoint | None = None) -> None:
        rasa = rasa or RasaEndpoint()
        self.api, self.model, self.workdir = api, model, workdir
        self.actions_port, self.rasa_port = free_port(), rasa["port"]
        self.rasa_url, self.token = rasa["url"], rasa["token"]
        self.env = {
            **os.environ,
            "API_URL": api["url"],
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.actions_port}/webhook",
            "TRACKER_DB_URL": f"sqlite:///{workdir / 'tracker.sqlite3'}",
            "RASA_TELEMETRY_ENABLED": "false",
            "RASA_AUTH_TOKEN": self.token,
            "SANIC_HOST": "127.0.0.1",
        }
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None
        self.client = httpx.Client(timeout=60)

    def start_actions(self) -> None:
        log = open(self.workdir / "actions.log", "ab")  # noqa: SIM115 - kept open for the process
        self.actions = subprocess.Popen(
            [BOT_PY, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", 60, self.actions)

    def start_rasa(self) -> None:
        log = open(self.workdir / "rasa.log", "ab")  # noqa: SIM115 - kept open for the process
        self.rasa = subprocess.Popen(
            [
                BOT_PY,
                "-m",
                "bot.serve",  # Rasa, as scripts/run_all.sh starts it
                "run",
                "--model",
                self.model,
                "--enable-api",
                "--port",
                str(self.rasa_port),
                "--credentials",
                "bot/credentials.yml",
                "--endpoints",
                "bot/endpoints.yml",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{self.rasa_url}/status?token={self.token}", 180, self.rasa)

    def stop_rasa(self) -> None:
        if self.rasa is not None:
            self.rasa.terminate()
            self.rasa.wait(30)

    def stop(self) -> None:
        self.stop_rasa()
        if self.actions is not None:
            self.actions.terminate()
            self.actions.wait(10)

    def say(self, sender: str, message: str, channel: str = "web") -> list[dict[str, Any]]:
        resp = self.client.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message, "metadata": {"channel": channel}},
        )
        resp.raise_for_status()
        return resp.json()

    def tracker(self, sender: str) -> dict[str, Any]:
        resp = self.client.get(f"{self.rasa_url}/conversations/{sender}/tracker", params={"token": self.token})
        resp.raise_for_status()
        return resp.json()

    def slots(self, sender: str) -> dict[str, Any]:
        return self.tracker(sender)["slots"]


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.fixture(scope="session")
def bot(
    api_server: ApiProcess, rasa_model: str, rasa_endpoint: RasaEndpoint, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotStack]:
    stack = BotStack(api_server, rasa_model, tmp_path_factory.mktemp("bot"), rasa_endpoint)
    try:
        stack.start_actions()
        stack.start_rasa()
        yield stack
    finally:
        stack.stop()
