"""A recogniser for tests: it "hears" the text in ASR_MODEL_DIR/transcript.txt whenever it gets
audio (the browser records Chromium's fake microphone). Plugged in exactly as a real one is,
through ASR_RECOGNISER, so the route, the normaliser and the page are the real ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class FixtureRecogniser:
    def __init__(self, settings: Any) -> None:
        self.transcript = (Path(settings.ASR_MODEL_DIR) / "transcript.txt").read_text(encoding="utf-8").strip()

    def transcribe(self, audio: bytes, content_type: str) -> str:
        if not audio:
            return ""
        return self.transcript
