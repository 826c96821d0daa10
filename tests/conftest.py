"""Shared fixtures: the real catalog, API clients over a migrated SQLite or PostgreSQL database, and
a running API process (for the bot tests). Imports of the API happen inside fixtures, because
tests/actions runs in the bot environment (Python 3.10, pydantic 1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def catalog():
    # imported here: tests/actions runs in the bot environment, which cannot import the API
    from api.catalog.loader import load_catalog

    return load_catalog(ROOT / "data")


def _postgres_database() -> Iterator[str]:
    import psycopg

    name = f"zw_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432 ({exc}); PostgreSQL tests skipped")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        yield from _postgres_database()


def migrate(url: str, revision: str = "head", downgrade: bool = False) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "api" / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logger"] = False
    (command.downgrade if downgrade else command.upgrade)(cfg, revision)


@pytest.fixture
def client(database_url: str):
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings

    migrate(database_url)
    app = create_app(Settings(DATABASE_URL=database_url, DATA_DIR=ROOT / "data"))
    with TestClient(app) as test_client:
        yield test_client


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, process=None) -> None:
    """Poll `url` until it answers 200, or fail with what the process printed."""
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def staff_client(url: str, username: str, password: str):
    """An httpx client signed in to the staff API, with its CSRF header set."""
    import httpx

    client = httpx.Client(base_url=url, timeout=30)
    login = client.post("/api/staff/login", json={"username": username, "password": password})
    assert login.status_code == 200, login.text
    client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    return client


class ApiProcess(dict):
    """The real API as a process (the API environment's uvicorn) on a fresh SQLite file;
    a dict of url/db_path for the tests, with stop()/start() to simulate an outage."""

    def __init__(self, workdir: Path, extra_env: dict[str, str] | None = None) -> None:
        import os

        workdir.mkdir(parents=True, exist_ok=True)
        db = workdir / "api.sqlite3"
        self.log_path = workdir / "api.log"
        super().__init__(url=f"http://127.0.0.1:{free_port()}", db_path=str(db), database_url=f"sqlite:///{db}")
        self.env = {**os.environ, "DATABASE_URL": self["database_url"], "LOG_LEVEL": "WARNING", **(extra_env or {})}
        self.proc = None

    def start(self) -> None:
        import subprocess

        venv = ROOT / ".venv-api" / "bin"
        subprocess.run(
            [venv / "alembic", "-c", "api/alembic.ini", "upgrade", "head"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        port = self["url"].rsplit(":", 1)[1]
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process
        self.proc = subprocess.Popen(
            [venv / "uvicorn", "api.asgi:app", "--port", port, "--log-level", "info"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_http(f"{self['url']}/api/health", 60, self.proc)

    def create_admin(self, username: str, password: str, display_name: str | None = None) -> None:
        """The first administrator, made by the command an operator runs."""
        import os
        import subprocess
        import sys

        args = [sys.executable, "-m", "api.staff_admin", "create-admin", username]
        args += ["--display-name", display_name] if display_name else []
        env = {**os.environ, "DATABASE_URL": self["database_url"], "STAFF_ADMIN_PASSWORD": password}
        made = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        assert made.returncode == 0, made.stderr

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    api = ApiProcess(tmp_path_factory.mktemp("api"))
    api.start()
    try:
        yield api
    finally:
        api.stop()
