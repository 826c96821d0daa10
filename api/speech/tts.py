"""Read aloud on the server, for browsers without a Chinese voice: espeak-ng's Mandarin ("cmn")."""

from __future__ import annotations

import asyncio
import shutil


class SpeechFailed(Exception):
    """The synthesiser is missing or failed."""


def available(command: str) -> bool:
    return bool(command) and shutil.which(command) is not None


async def synthesize(command: str, text: str, timeout: float = 10.0) -> bytes:
    """WAV audio of `text`. The text goes on stdin, never into the command line."""
    path = shutil.which(command) if command else None
    if path is None:
        raise SpeechFailed(command)
    proc = await asyncio.create_subprocess_exec(
        path, "-v", "cmn", "--stdin", "--stdout",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        audio, _ = await asyncio.wait_for(proc.communicate(text.encode("utf-8")), timeout)
    except TimeoutError:
        proc.kill()
        raise SpeechFailed("timeout") from None
    if proc.returncode != 0 or not audio.startswith(b"RIFF"):
        raise SpeechFailed(f"exit {proc.returncode}")
    return audio
