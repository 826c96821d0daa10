"""The intents and entities a trainer may choose: the bot's domain (bot/domain/*.yml), read once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

# Rasa's own intents, never a training label.
NOT_LABELS = frozenset({"nlu_fallback"})


@dataclass(frozen=True)
class Choices:
    intents: tuple[str, ...]
    entities: tuple[str, ...]


@lru_cache(maxsize=4)
def choices(domain_dir: Path) -> Choices:
    intents: list[str] = []
    entities: list[str] = []
    for path in sorted(domain_dir.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("intents") or []:
            name = entry if isinstance(entry, str) else next(iter(entry))
            if name not in NOT_LABELS and name not in intents:
                intents.append(name)
        for entry in doc.get("entities") or []:
            name = entry if isinstance(entry, str) else next(iter(entry))
            if name not in entities:
                entities.append(name)
    return Choices(tuple(intents), tuple(entities))
