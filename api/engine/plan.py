"""The plan for one scenario and one set of guiding answers: the engine's single entry point.

`compute_plan` returns a frozen, typed Plan; the routes render it as JSON (api/routes/schemas.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from api.catalog.expressions import evaluate_condition
from api.catalog.loader import Catalog
from api.catalog.models import Item, Scenario, TimeLimit
from api.engine.answers import resolve_answers
from api.engine.form import MergedForm, merge_form
from api.engine.materials import MaterialEntry, merge_materials
from api.engine.stages import Stage, order_stages


class AnswersInvalid(ValueError):
    """Some guiding answers could not be understood; `errors` maps question id → Chinese message."""

    def __init__(self, errors: dict[str, str], suggestions: dict[str, Any] | None = None) -> None:
        super().__init__("引导问题的回答有误")
        self.errors = errors
        self.suggestions = suggestions or {}


@dataclass(frozen=True)
class PlanItem:
    """An applicable item as the plan places it: its stage, its fields for these answers, and which
    of its prerequisites are in the plan or already met (not applicable, so done before)."""

    id: str
    name: str
    department: str
    legal_basis: str
    reason: str
    stage: int
    prerequisites: tuple[str, ...]
    prerequisites_already_met: tuple[str, ...]
    time_limit: TimeLimit
    fee: str
    where: str
    fields: tuple[str, ...]
    materials: tuple[str, ...]  # material ids; the merged checklist is Plan.materials


@dataclass(frozen=True)
class Saving:
    """What one application saves the citizen against applying item by item (四减): field entries,
    materials, steps, statutory days and trips."""

    separate_entries: int  # fields over the items' separate forms
    merged_fields: int  # fields the citizen fills in the one form
    saved_entries: int
    separate_materials: int  # materials handed in item by item
    merged_materials: int  # entries of the merged checklist, whatever their kind
    forms_replaced: int
    materials_to_bring: int  # checklist entries the citizen brings
    materials_shared: int  # read by the departments themselves (电子证照, issued by an earlier item)
    materials_replaced_by_form: int  # the items' own application forms
    separate_steps: int  # one application per item
    merged_steps: int  # one application for all
    separate_days: int  # statutory working days, item after item
    merged_days: int  # through the stages: each stage takes its longest item
    trips_online: int  # submitted online: no trip to a window
    separate_trips: int  # one trip per item


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: plans are cached, renderings cached on them
class Plan:
    scenario_id: str
    scenario_name: str
    answers: Mapping[str, Any]  # every question's value, defaults included (read-only)
    assumed_answers: tuple[str, ...]  # the questions that took their default
    items: tuple[PlanItem, ...]
    not_applicable: tuple[Item, ...]
    stages: tuple[Stage, ...]
    form: MergedForm
    materials: tuple[MaterialEntry, ...]
    saving: Saving


def item_fields(it: Item, answers: Mapping[str, Any]) -> list[str]:
    """The item's fields plus those of its conditional groups whose condition holds."""
    extra = [fid for group in it.conditional_fields if evaluate_condition(group.when, answers) for fid in group.fields]
    return [*it.fields, *extra]


def _plan_item(it: Item, fields: list[str], stage_of: dict[str, int], applicable: set[str]) -> PlanItem:
    return PlanItem(
        id=it.id,
        name=it.name,
        department=it.department,
        legal_basis=it.legal_basis,
        reason=it.reason,
        stage=stage_of[it.id],
        prerequisites=tuple(p for p in it.prerequisites if p in applicable),
        prerequisites_already_met=tuple(p for p in it.prerequisites if p not in applicable),
        time_limit=it.time_limit,
        fee=it.fee,
        where=it.where,
        fields=tuple(fields),
        materials=tuple(m.id for m in it.materials),
    )


def compute_plan(scenario: Scenario, raw_answers: Mapping[str, Any], catalog: Catalog) -> Plan:
    """Applicable items, stages, merged form, materials and saving; raises AnswersInvalid.

    Plans are cached per catalog, scenario and normalised answers; a Plan is immutable."""
    resolved = resolve_answers(scenario, raw_answers, catalog)
    if resolved.errors:
        raise AnswersInvalid(resolved.errors, resolved.suggestions)
    return _plan(catalog, scenario.id, tuple(resolved.values.items()), tuple(resolved.assumed))


@lru_cache(maxsize=1024)
def _plan(
    catalog: Catalog, scenario_id: str, answer_items: tuple[tuple[str, Any], ...], assumed: tuple[str, ...]
) -> Plan:
    scenario = catalog.scenarios[scenario_id]
    answers = dict(answer_items)
    items = [it for it in scenario.items if evaluate_condition(it.condition, answers)]
    applicable = {it.id for it in items}
    stages = order_stages(items)
    stage_of = {iid: st.number for st in stages for iid in st.items}
    prefilled = {qid: v for qid, v in answers.items() if qid in catalog.fields}
    fields_by_item = {it.id: item_fields(it, answers) for it in items}
    form = merge_form(f"{scenario.name}“一件事”联合申请表", items, fields_by_item, catalog, prefilled)
    materials = merge_materials(items)
    asked = len(form.asked)
    separate = sum(len(f) for f in fields_by_item.values())
    return Plan(
        scenario_id=scenario.id,
        scenario_name=scenario.name,
        answers=MappingProxyType(answers),
        assumed_answers=assumed,
        items=tuple(_plan_item(it, fields_by_item[it.id], stage_of, applicable) for it in items),
        not_applicable=tuple(it for it in scenario.items if it.id not in applicable),
        stages=stages,
        form=form,
        materials=materials,
        saving=_saving(items, stages, separate, asked, materials),
    )


def statutory_days(it: Item) -> int:
    """The item's statutory working days; a text that gives no number (体检后出具, 由银行确定…)
    counts as 0, so the days saved are never overstated."""
    return it.time_limit.statutory_days or 0


def _saving(
    items: list[Item], stages: tuple[Stage, ...], separate: int, asked: int, materials: tuple[MaterialEntry, ...]
) -> Saving:
    days = {it.id: statutory_days(it) for it in items}
    kinds = Counter(m.kind for m in materials)
    return Saving(
        separate_entries=separate,
        merged_fields=asked,
        saved_entries=separate - asked,
        separate_materials=sum(len(it.materials) for it in items),
        merged_materials=len(materials),
        forms_replaced=len(items),
        materials_to_bring=kinds["bring"],
        materials_shared=kinds["shared"],
        materials_replaced_by_form=kinds["form"],
        separate_steps=len(items),
        merged_steps=min(1, len(items)),
        separate_days=sum(days.values()),
        # A stage's items run in parallel (a joint group is reviewed together), so it lasts as long
        # as its longest item; stages follow one another.
        merged_days=sum(max(days[i] for i in st.items) for st in stages),
        trips_online=0,
        separate_trips=len(items),
    )


def clear_plan_cache() -> None:
    """Forget cached plans (benchmarks measure the uncached computation)."""
    _plan.cache_clear()
