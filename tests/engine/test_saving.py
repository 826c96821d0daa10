"""四减 per plan: materials by kind, steps, statutory days and trips, computed from the catalog."""

from __future__ import annotations

import pytest

from api.catalog.loader import Catalog
from api.catalog.models import Scenario
from api.engine.plan import compute_plan


def _answer_sets(scenario: Scenario) -> list[dict]:
    bools = [q.id for q in scenario.questions if q.validator.kind == "bool"]
    return [{}, dict.fromkeys(bools, True), dict.fromkeys(bools, False)]


def _cases(catalog: Catalog):
    for sc in catalog.scenarios.values():
        for answers in _answer_sets(sc):
            yield sc, answers, compute_plan(sc, answers, catalog)


def test_materials_are_counted_by_kind(catalog: Catalog) -> None:
    for sc, answers, plan in _cases(catalog):
        items = [it for it in sc.items if it.id in {p.id for p in plan.items}]
        kinds: dict[str, set[str]] = {}
        for it in items:
            for m in it.materials:
                kinds.setdefault(m.id, set()).add(m.kind)
        # brought if any item needs it brought; else shared if any department reads it itself
        expected = {mid: "bring" if "bring" in k else "shared" if "shared" in k else "form" for mid, k in kinds.items()}
        assert {m.id: m.kind for m in plan.materials} == expected, (sc.id, answers)
        s = plan.saving
        counted = (s.materials_to_bring, s.materials_shared, s.materials_replaced_by_form)
        assert counted == tuple(list(expected.values()).count(k) for k in ("bring", "shared", "form")), sc.id
        assert sum(counted) == s.merged_materials == len(plan.materials)
        assert s.separate_materials == sum(len(it.materials) for it in items)


def test_steps_days_and_trips(catalog: Catalog) -> None:
    for sc, answers, plan in _cases(catalog):
        s = plan.saving
        days = {it.id: it.time_limit.statutory_days or 0 for it in sc.items}  # none stated counts 0
        assert (s.separate_steps, s.merged_steps) == (len(plan.items), 1), sc.id
        assert (s.separate_trips, s.trips_online) == (len(plan.items), 0), sc.id
        assert s.separate_days == sum(days[it.id] for it in plan.items), (sc.id, answers)
        # the critical path: stages one after another, the items of a stage side by side
        longest_of_stage = [max(days[i] for i in stage.items) for stage in plan.stages]
        assert s.merged_days == sum(longest_of_stage), (sc.id, answers)
        assert max(days[it.id] for it in plan.items) <= s.merged_days <= s.separate_days


@pytest.mark.parametrize(
    ("answers", "bring", "separate_days", "merged_days"),
    [
        # 营业执照 3 ‖ 食品经营许可 10 ‖ 健康证明 (none stated), then 排水许可 15
        ({}, 10, 3 + 10 + 15, 10 + 15),
        # + 烟草 20 in the joint first stage, 招牌 (none stated) beside 排水 in the second
        ({"sells_tobacco": "卖", "outdoor_signboard": "要"}, 12, 3 + 10 + 20 + 15, 20 + 15),
    ],
)
def test_open_restaurant_four_reductions(catalog: Catalog, answers, bring, separate_days, merged_days) -> None:
    plan = compute_plan(catalog.scenarios["open_restaurant"], answers, catalog)
    s = plan.saving
    assert s.materials_to_bring == bring < s.merged_materials
    assert (s.separate_days, s.merged_days) == (separate_days, merged_days)
    not_brought = {m.name for m in plan.materials if m.kind != "bring"}
    assert "营业执照" in not_brought and "食品经营许可申请书" in not_brought
    assert "申请人身份证明" not in not_brought
