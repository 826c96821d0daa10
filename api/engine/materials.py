"""The materials checklist of a plan: each material once, naming the items that need it."""

from __future__ import annotations

from dataclasses import dataclass

from api.catalog.models import Item, Material


@dataclass(frozen=True)
class MaterialEntry:
    id: str
    name: str
    note: str  # an item's note (e.g. "每名从业人员本人到场体检"), shown only when every item agrees on it
    items: tuple[str, ...]
    departments: tuple[str, ...]


def merge_materials(items: list[Item]) -> tuple[MaterialEntry, ...]:
    """Each material once, in order of first use, with the items and departments that ask for it."""
    merged: dict[str, tuple[Material, list[str], list[str], set[str]]] = {}
    for it in items:
        for m in it.materials:
            entry = merged.get(m.id)
            if entry is None:
                entry = merged[m.id] = (m, [], [], set())
            entry[1].append(it.id)
            if it.department not in entry[2]:
                entry[2].append(it.department)
            entry[3].add(m.note)
    return tuple(
        MaterialEntry(m.id, m.name, next(iter(notes)) if len(notes) == 1 else "", tuple(users), tuple(departments))
        for m, users, departments, notes in merged.values()
    )
