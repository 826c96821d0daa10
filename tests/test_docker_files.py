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
