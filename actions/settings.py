"""Action server settings, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    api_url: str = os.environ.get("API_URL", "http://127.0.0.1:8000")
    api_timeout: float = float(os.environ.get("API_TIMEOUT", "5"))


settings = Settings()
