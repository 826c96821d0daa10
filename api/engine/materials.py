"""The materials checklist of a plan: each material once, naming the items that need it, and
whether the citizen brings it, the departments share it, or the one merged form replaces it."""

from __future__ import annotations

from dataclasses import dataclass

from api.catalog.models import Item, Material, MaterialKind


@dataclass(frozen=True)
class MaterialEntry:
    id: str
    name: str
    note: str  # an item's note (e.g. "每名从业人员本人到场体检"), shown only when every item agrees on it
    items: tuple[str, ...]
    departments: tuple[str, ...]
    kind: MaterialKind  # what the citizen does with it: see `merged_kind`


_PRECEDENCE: dict[str, int] = {"bring": 0, "shared": 1, "form": 2}


def merged_kind(kinds: set[str]) -> MaterialKind:
    """One material asked by several items: the citizen brings it if any item needs it brought;
    otherwise it is shared if any item reads it from another department, else the merged form replaces it."""
    return min(kinds, key=_PRECEDENCE.__getitem__)  # type: ignore[return-value]


def merge_materials(items: list[Item]) -> tuple[MaterialEntry, ...]:
    """Each material once, in order of first use, with the items and departments that ask for it."""
    merged: dict[str, tuple[Material, list[str], list[str], set[str], set[str]]] = {}
    for it in items:
        for m in it.materials:
            entry = merged.get(m.id)
            if entry is None:
                entry = merged[m.id] = (m, [], [], set(), set())
            entry[1].append(it.id)
            if it.department not in entry[2]:
                entry[2].append(it.department)
            entry[3].add(m.note)
            entry[4].add(m.kind)
    return tuple(
        MaterialEntry(
            m.id,
            m.name,
            next(iter(notes)) if len(notes) == 1 else "",
            tuple(users),
            tuple(departments),
            merged_kind(kinds),
        )
        for m, users, departments, notes, kinds in merged.values()
    )
