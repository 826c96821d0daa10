"""Voice input (口输填报): recorded audio in, text out, through a recogniser the operator plugs in.

No Chinese speech model can be shipped with the project, so none is built in: ASR_RECOGNISER names
a class ("module:Class") that takes the settings and has `transcribe(audio, content_type) -> str`.
`VoskRecogniser` runs Vosk (pip install vosk; ffmpeg decodes the browser's recording) with the
model directory in ASR_MODEL_DIR. Whatever it returns goes through the same normaliser as typed
text, and spoken digits ("幺三九…") become digits.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Protocol

from textnorm import normalize, spoken_digits


class RecognitionFailed(Exception):
    """The audio could not be turned into text."""


class Recogniser(Protocol):
    def transcribe(self, audio: bytes, content_type: str) -> str: ...


def load_recogniser(spec: str, settings: Any) -> Recogniser | None:
    """The configured recogniser, or None when voice input is off; a wrong spec fails at start-up."""
    if not spec:
        return None
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)(settings)


def recognise(recogniser: Recogniser, audio: bytes, content_type: str) -> str:
    """The citizen's words as the NLU and the validators read typed text."""
    text = recogniser.transcribe(audio, content_type)
    return spoken_digits(normalize(text))


class VoskRecogniser:
    """Vosk with an operator-supplied model (e.g. vosk-model-small-cn); ffmpeg converts to 16 kHz PCM."""

    def __init__(self, settings: Any) -> None:
        from vosk import Model  # type: ignore[import-not-found]  # optional: installed by the operator

        model_dir = Path(settings.ASR_MODEL_DIR or "")
        if not model_dir.is_dir():
            raise RuntimeError(f"ASR_MODEL_DIR is not a directory: {model_dir}")
        if shutil.which("ffmpeg") is None:
            raise RuntimeError("VoskRecogniser needs ffmpeg to decode the browser's recording")
        self._model = Model(str(model_dir))

    def transcribe(self, audio: bytes, content_type: str) -> str:
        from vosk import KaldiRecognizer  # type: ignore[import-not-found]

        pcm = subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-i", "pipe:0", "-ac", "1", "-ar", "16000", "-f", "s16le", "pipe:1"],
            input=audio, capture_output=True, timeout=30, check=False,
        )  # fmt: skip
        if pcm.returncode != 0:
            raise RecognitionFailed("decode")
        rec = KaldiRecognizer(self._model, 16000)
        rec.AcceptWaveform(pcm.stdout)
        return str(json.loads(rec.FinalResult()).get("text", "")).replace(" ", "")
