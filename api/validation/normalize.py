"""Text normalisation for the validators: the project's one normaliser (`textnorm`, shared with the
bot's NLU), plus what only validation needs."""

from __future__ import annotations

import re

from textnorm import answer_words, half_width, normalize, simplify, spoken_digits

__all__ = ["answer_words", "clean_text", "half_width", "normalize", "simplify", "spoken_digits"]

_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Half-width, single spaces, no leading/trailing spaces (characters are kept as written)."""
    return _SPACES.sub(" ", half_width(text)).strip()
