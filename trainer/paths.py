"""Where the project and its two Python environments are (the project the package sits in)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API_PY = ROOT / ".venv-api" / "bin" / "python"
BOT_PY = ROOT / ".venv-bot" / "bin" / "python"
REPORTS = ROOT / "reports" / "nlu"


def bot_env() -> dict[str, str]:
    """Environment for the bot's Python: no telemetry, quiet Rasa logs."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}
