"""Text normalisation shared by the validators: full-width → half-width, 繁 → 简, trimming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_SPACES = re.compile(r"\s+")
_PUNCT_EDGES = "。，,.!！?？~～;；:：、\"'“”‘’ "


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def half_width(text: str) -> str:
    """NFKC folds full-width digits, letters and punctuation (１３６ → 136, ＸＡ → XA)."""
    return unicodedata.normalize("NFKC", text)


def simplify(text: str) -> str:
    """Convert Traditional to Simplified Chinese characters."""
    return _t2s().convert(text)


def clean_text(text: str) -> str:
    """Half-width, single spaces, no leading/trailing spaces."""
    return _SPACES.sub(" ", half_width(text)).strip()


def answer_words(text: str) -> str:
    """A short answer reduced for matching: simplified, lower case, no spaces or edge punctuation."""
    return simplify(half_width(text)).lower().replace(" ", "").strip(_PUNCT_EDGES)
