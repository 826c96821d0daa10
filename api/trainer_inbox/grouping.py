"""Near-duplicate grouping: the project's normaliser, then character n-gram similarity (Dice
coefficient over character bigrams, unigrams for one-character texts). Pure functions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from textnorm import normalize

_NUMBER = re.compile(r"[\d*]*\d[\d*]*|\*{2,}")  # numbers, masked or not: one citizen's phone is another's
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)  # spaces and punctuation
NORM_MAX_CHARS = 500


def group_text(text: str) -> str:
    """What grouping compares: normalised (繁→简, full-width → half-width), lower case, no spaces or
    punctuation, every number (masked or not) one "0"."""
    return _NOISE.sub("", _NUMBER.sub("0", normalize(text).lower()))[:NORM_MAX_CHARS]


def _grams(text: str, n: int = 2) -> Counter[str]:
    if len(text) < n:
        return Counter([text]) if text else Counter()
    return Counter(text[i : i + n] for i in range(len(text) - n + 1))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigram multisets of two grouping texts, 0…1."""
    if a == b:
        return 1.0
    ga, gb = _grams(a), _grams(b)
    total = sum(ga.values()) + sum(gb.values())
    return 2 * sum((ga & gb).values()) / total if total else 0.0


def best_match(norm: str, candidates: Iterable[tuple[int, str]], threshold: float) -> int | None:
    """The id of the most similar candidate (id, grouping text) at or above `threshold`, or None."""
    best_id, best_score = None, threshold
    for cid, text in candidates:
        score = similarity(norm, text)
        if score >= best_score and (best_id is None or score > best_score):
            best_id, best_score = cid, score
        if score == 1.0:
            return cid
    return best_id
