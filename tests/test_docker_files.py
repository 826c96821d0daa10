"""The deployment files hold together (no Docker engine here, so their structure is checked):
every file they copy exists, the services the architecture names are there, and the production
endpoints use the SQL (PostgreSQL) tracker store and the Redis lock store."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT


def test_dockerfiles_copy_only_what_exists() -> None:
    for name in ("Dockerfile.api", "Dockerfile.bot"):
        text = (ROOT / "docker" / name).read_text(encoding="utf-8")
        assert text.startswith("#") and "\nFROM python:3." in text
        for source in re.findall(r"^COPY (\S+) ", text, re.M):
            assert (ROOT / source).exists(), f"{name} copies missing {source}"
        assert "USER app" in text


def test_compose_services_and_production_endpoints() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text(encoding="utf-8"))
    assert {"postgres", "redis", "api", "actions", "rasa"} <= set(compose["services"])
    rasa = compose["services"]["rasa"]
    assert rasa["deploy"]["replicas"] >= 2
    assert rasa["environment"]["TRACKER_DB_URL"].startswith("postgresql://")
    assert compose["services"]["api"]["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    for service in compose["services"].values():
        build = service.get("build")
        if build:
            assert (ROOT / build["dockerfile"]).exists()
    endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.production.yml").read_text(encoding="utf-8"))
    # Rasa's SQL tracker store (subclassed to keep live conversations in memory), importable from bot/
    assert endpoints["tracker_store"]["type"] == "bot.tracker_store.CachedSQLTrackerStore"
    assert (ROOT / "bot" / "tracker_store.py").exists()
    assert endpoints["lock_store"]["type"] == "redis"


def test_compose_keeps_internals_private_and_secrets_off_command_lines() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    # Only the API is published, and only on the host's loopback (a TLS proxy sits in front).
    published = {name: s["ports"] for name, s in services.items() if s.get("ports")}
    assert list(published) == ["api"] and all(p.startswith("127.0.0.1:") for p in published["api"])
    # The application connects as its own role, never as the PostgreSQL superuser.
    assert "zhengwu_app:" in services["api"]["environment"]["DATABASE_URL"]
    assert "zhengwu_app:" in services["rasa"]["environment"]["TRACKER_DB_URL"]
    init = (ROOT / "docker" / "postgres-init.sh").read_text(encoding="utf-8")
    assert "NOSUPERUSER" in init and "OWNER zhengwu_app" in init
    # Redis takes a password, read from standard input; the lock store and rate limits send it.
    assert "requirepass" in " ".join(services["redis"]["command"])
    assert "${REDIS_PASSWORD}" in services["api"]["environment"]["RATE_LIMIT_STORAGE"]
    endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.production.yml").read_text(encoding="utf-8"))
    assert endpoints["lock_store"]["password"] == "${REDIS_PASSWORD}"
    # No secret on a command line: the Rasa token goes by environment (bot/serve.py refuses argv).
    texts = [(ROOT / "docker" / n).read_text(encoding="utf-8") for n in ("Dockerfile.api", "Dockerfile.bot")]
    texts += [" ".join(map(str, s.get("command", []))) for s in services.values()]
    for text in texts:
        assert "--auth-token" not in text and "--cors" not in text
