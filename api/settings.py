"""API settings: one class, one instance, read from the environment (and .env when present)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    DATABASE_URL: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'api.sqlite3'}"
    DATA_DIR: Path = PROJECT_ROOT / "data"
    MAX_BODY_BYTES: int = 64 * 1024
    NUMBER_PREFIX: str = "BH"
    LOG_LEVEL: str = "INFO"
    TELEMETRY: bool = False


settings = Settings()
