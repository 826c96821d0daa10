"""The plan for one scenario and one set of guiding answers: the engine's single entry point."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from api.catalog.expressions import evaluate_condition
from api.catalog.loader import Catalog
from api.catalog.models import Item, Scenario
from api.engine.answers import resolve_answers
from api.engine.form import merge_form, merge_materials
from api.engine.stages import order_stages


class AnswersInvalid(ValueError):
    """Some guiding answers could not be understood; `errors` maps question id → Chinese message."""

    def __init__(self, errors: dict[str, str], suggestions: dict[str, Any] | None = None) -> None:
        super().__init__("引导问题的回答有误")
        self.errors = errors
        self.suggestions = suggestions or {}


def item_fields(it: Item, answers: Mapping[str, Any]) -> list[str]:
    """The item's fields plus those of its conditional groups whose condition holds."""
    extra = [fid for group in it.conditional_fields if evaluate_condition(group.when, answers) for fid in group.fields]
    return [*it.fields, *extra]


def _item_view(it: Item, fields: list[str], stage_of: dict[str, int], applicable: set[str]) -> dict[str, Any]:
    return {
        "id": it.id,
        "name": it.name,
        "department": it.department,
        "legal_basis": it.legal_basis,
        "reason": it.reason,
        "stage": stage_of[it.id],
        "prerequisites": [p for p in it.prerequisites if p in applicable],
        "prerequisites_already_met": [p for p in it.prerequisites if p not in applicable],
        "time_limit": it.time_limit.model_dump(),
        "fee": it.fee,
        "where": it.where,
        "fields": fields,
        "materials": [m.id for m in it.materials],
    }


def compute_plan(scenario: Scenario, raw_answers: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    """Applicable items, stages, merged form, materials and saving; raises AnswersInvalid.

    Plans are cached per catalog, scenario and normalised answers; treat the result as read-only.
    """
    resolved = resolve_answers(scenario, raw_answers, catalog)
    if resolved.errors:
        raise AnswersInvalid(resolved.errors, resolved.suggestions)
    return _plan(catalog, scenario.id, tuple(resolved.values.items()), tuple(resolved.assumed))


@lru_cache(maxsize=1024)
def _plan(
    catalog: Catalog, scenario_id: str, answer_items: tuple[tuple[str, Any], ...], assumed: tuple[str, ...]
) -> dict[str, Any]:
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
    asked = form["x-ask-order"]
    separate = sum(len(f) for f in fields_by_item.values())
    return {
        "scenario_id": scenario.id,
        "scenario_name": scenario.name,
        "answers": answers,
        "assumed_answers": list(assumed),
        "items": [_item_view(it, fields_by_item[it.id], stage_of, applicable) for it in items],
        "not_applicable": [
            {"id": it.id, "name": it.name, "department": it.department, "reason": it.reason}
            for it in scenario.items
            if it.id not in applicable
        ],
        "stages": [
            {
                "stage": st.number,
                "items": st.items,
                "parallel": st.parallel,
                "joint_groups": [{"items": g.items, "resolution": g.resolution} for g in st.joint_groups],
            }
            for st in stages
        ],
        "form": form,
        "materials": materials,
        "saving": {
            "separate_entries": separate,
            "merged_fields": len(asked),
            "saved_entries": separate - len(asked),
            "separate_materials": sum(len(it.materials) for it in items),
            "merged_materials": len(materials),
            "forms_replaced": len(items),
        },
    }


def clear_plan_cache() -> None:
    """Forget cached plans (benchmarks measure the uncached computation)."""
    _plan.cache_clear()
