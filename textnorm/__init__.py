"""The one text normaliser, shared by the bot's NLU (bot/nlu_components.py) and the API's validators.

It has no dependency beyond OpenCC, so both environments (the bot's Python 3.10 and the API's 3.11)
import the same code:

- `normalize`: what every message goes through before NLU and validation: invisible characters
  removed, full-width → half-width (NFKC: "１３６" → "136", "ＸＹ" → "XY", "，" → ","), traditional →
  simplified characters, runs of spaces and repeated punctuation collapsed, edge spaces trimmed;
- `spoken_digits`: digits said one by one, as voice input and elderly users give phone, ID and card
  numbers ("幺三九零二二三三四四五五" → "13902233445"); applied only where a field expects digits;
- `answer_words`: a short answer reduced for matching against word lists.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# The longest message the assistant reads: the public chat endpoint refuses longer ones with a
# polite reply, Rasa refuses them too (bot/serve.py), and the NLU never sees more than this.
MAX_MESSAGE_CHARS = 500

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# "？？？" → "?", "！！" → "!", "。。。" → "。"; ellipses become one "…".
_REPEATED_PUNCT = re.compile(r"([?!,.。、~;:…])\1+")
_EDGE = " ,.;:、。~…"
# Digits as said one by one. 幺 (1), 洞 (0), 拐 (7) and 勾 (9) are the radio/telephone readings.
_SPOKEN = {
    "零": "0", "〇": "0", "洞": "0", "○": "0",
    "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
    "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9", "勾": "9",
}  # fmt: skip
# A run of at least four digits (spoken or written, optionally separated by spaces or dashes):
# shorter runs are ordinary words ("一二" in "一二楼", "三四个").
_DIGIT_CHAR = "[0-9" + "".join(_SPOKEN) + "]"
_DIGIT_RUN = re.compile(rf"{_DIGIT_CHAR}(?:[\s\-]*{_DIGIT_CHAR}){{3,}}")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def half_width(text: str) -> str:
    """NFKC folds full-width digits, letters and punctuation (１３６ → 136, ＸＡ → XA)."""
    return unicodedata.normalize("NFKC", text)


def simplify(text: str) -> str:
    """Traditional → simplified characters (開便利店需要什麼證 → 开便利店需要什么证)."""
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """A message as the NLU and the validators see it. Idempotent: normalize(normalize(t)) == normalize(t)."""
    text = _INVISIBLE.sub("", text)
    text = simplify(half_width(text))
    text = _REPEATED_PUNCT.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def spoken_digits(text: str) -> str:
    """Runs of four or more digits said one by one become Arabic digits (separators kept)."""

    def convert(match: re.Match[str]) -> str:
        return "".join(_SPOKEN.get(ch, ch) for ch in match.group())

    return _DIGIT_RUN.sub(convert, text)


def answer_words(text: str) -> str:
    """A short answer reduced for matching: normalised, lower case, no spaces or edge punctuation."""
    return normalize(text).lower().replace(" ", "").strip(_EDGE + "!?\"'“”‘’")


def is_blank(text: str | None) -> bool:
    """Nothing the citizen could have meant: empty, or only spaces and punctuation."""
    return not answer_words(text or "")
