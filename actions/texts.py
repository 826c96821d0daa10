"""Citizen-facing texts, loaded from texts.yml (no Chinese user text in Python code)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_FILE = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=1)
def _texts() -> dict[str, str]:
    with _FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def text(key: str, **values: Any) -> str:
    """The template `key` filled with `values`."""
    return _texts()[key].format(**values)
