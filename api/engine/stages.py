"""Order applicable items into stages: prerequisites first, independent items in parallel,
and mutual prerequisites (a cycle) merged into one joint stage entry — never an error or a hang."""

from __future__ import annotations

from dataclasses import dataclass

from api.catalog.graph import strongly_connected
from api.catalog.models import Item


@dataclass(frozen=True)
class JointGroup:
    """Items that are each other's prerequisite, run together, and how the catalog resolves that."""

    items: tuple[str, ...]
    resolution: str


@dataclass(frozen=True)
class Stage:
    number: int
    items: tuple[str, ...]
    joint_groups: tuple[JointGroup, ...]

    @property
    def parallel(self) -> bool:
        return len(self.items) > 1


def order_stages(items: list[Item]) -> tuple[Stage, ...]:
    """Layer the items by longest prerequisite chain; a strongly connected group shares a layer."""
    position = {it.id: i for i, it in enumerate(items)}
    graph = {it.id: [p for p in it.prerequisites if p in position] for it in items}
    components = strongly_connected(graph)  # prerequisites come out before their dependants
    component_of = {node: ci for ci, comp in enumerate(components) for node in comp}
    level: dict[int, int] = {}
    for ci, comp in enumerate(components):
        deps = {component_of[p] for node in comp for p in graph[node]} - {ci}
        level[ci] = 1 + max((level[d] for d in deps), default=-1)
    by_level: dict[int, list[int]] = {}
    for ci, lv in level.items():
        by_level.setdefault(lv, []).append(ci)
    stages: list[Stage] = []
    for lv in sorted(by_level):
        comps = by_level[lv]
        ids = tuple(sorted((node for ci in comps for node in components[ci]), key=position.__getitem__))
        joint = []
        for ci in comps:
            if len(components[ci]) > 1:
                members = tuple(sorted(components[ci], key=position.__getitem__))
                texts = dict.fromkeys(
                    items[position[m]].joint_resolution.strip() for m in members if items[position[m]].joint_resolution
                )
                joint.append(JointGroup(members, "".join(texts)))
        stages.append(Stage(lv + 1, ids, tuple(joint)))
    return tuple(stages)
