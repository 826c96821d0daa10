"""Where the project and its two Python environments are (the project the package sits in)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API_PY = ROOT / ".venv-api" / "bin" / "python"
BOT_PY = ROOT / ".venv-bot" / "bin" / "python"
REPORTS = ROOT / "reports" / "nlu"


def bot_env(log_level: str = "WARNING") -> dict[str, str]:
    """Environment for the bot's Python: no telemetry; Rasa's log level (training needs INFO: above
    it Rasa hides its progress bar, whose epochs are what `trainer.progress` shows)."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": log_level}
