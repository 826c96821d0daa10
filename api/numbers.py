"""受理编号 (application numbers): their one pattern, how new ones are made and how one is checked.

The pattern lives in the NLU data (data/nlu/regexes.yml, `application_number`), the file trainers
edit and the bot reads; the API and the actions take it from there. A number is "BH", the date
(YYMMDD), six random digits and a Luhn check digit (python-stdnum): 13 digits as before, but not
sequential, so knowing one number tells nothing about the others, and a mistyped digit is caught
before any lookup.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from functools import lru_cache
from pathlib import Path

import yaml
from stdnum import luhn

PREFIX = "BH"
REGEXES = Path(__file__).resolve().parents[1] / "data" / "nlu" / "regexes.yml"


@lru_cache(maxsize=1)
def pattern() -> re.Pattern[str]:
    """The application-number pattern of the NLU data, anchored."""
    data = yaml.safe_load(REGEXES.read_text(encoding="utf-8"))
    entry = next(e for e in data["nlu"] if e.get("regex") == "application_number")
    (regex,) = [line[2:].strip() for line in entry["examples"].splitlines() if line.startswith("- ")]
    return re.compile(rf"(?:{regex})", re.IGNORECASE)


def new_number(today: dt.date) -> str:
    body = today.strftime("%y%m%d") + f"{secrets.randbelow(10**6):06d}"
    return f"{PREFIX}{body}{luhn.calc_check_digit(body)}"


def is_well_formed(number: str) -> bool:
    """The pattern, and the check digit right."""
    return bool(pattern().fullmatch(number)) and luhn.is_valid(number[len(PREFIX) :])
