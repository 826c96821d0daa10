"""Each scenario's plan for several answer sets, against stages written out by hand."""

from __future__ import annotations

import dataclasses

import pytest
from jsonschema import Draft202012Validator

from api.catalog.loader import Catalog
from api.engine.form import form_schema
from api.engine.plan import AnswersInvalid, compute_plan

# (scenario, answers as a citizen might give them, expected stages: list of sets of item ids)
CASES = [
    (
        "open_restaurant",
        {
            "has_business_license": "还没办",
            "floor_area": "一百二十平左右",
            "sells_tobacco": "卖",
            "outdoor_signboard": "要",
        },
        [
            {"business_license", "food_business_permit", "tobacco_retail_license", "staff_health_certificate"},
            {"outdoor_signboard_permit", "drainage_permit"},
        ],
    ),
    (
        "open_restaurant",
        {
            "has_business_license": "已经办好了",
            "floor_area": "350平米",
            "sells_tobacco": "不卖烟",
            "uses_mall_drainage": "是",
        },
        [{"food_business_permit", "fire_safety_check", "staff_health_certificate"}],
    ),
    (
        "open_restaurant",
        {"has_business_license": False, "floor_area": 300, "sells_tobacco": False, "uses_mall_drainage": True},
        [{"business_license", "food_business_permit", "staff_health_certificate"}],
    ),
    (
        "open_convenience_store",
        {"food_scope": "只卖预包装", "sells_tobacco": "卖", "floor_area": "80平"},
        [{"business_license", "tobacco_retail_license"}, {"prepackaged_food_filing"}],
    ),
    (
        "open_convenience_store",
        {"food_scope": "bulk_or_fresh", "sells_tobacco": "不卖", "outdoor_signboard": "要", "floor_area": "400"},
        [{"business_license"}, {"food_business_permit", "outdoor_signboard_permit", "fire_safety_check"}],
    ),
    (
        "open_pharmacy",
        {"drug_scope": "otc_b_only", "medical_devices": "class3", "sells_health_food": "是"},
        [
            {"business_license"},
            {"drug_retail_license_otc_b", "device_class2_filing", "device_class3_license", "prepackaged_food_filing"},
        ],
    ),
    (
        "open_pharmacy",
        {"drug_scope": "prescription", "medical_devices": "none", "has_business_license": "有"},
        [{"drug_retail_license"}],
    ),
    ("start_company", {}, [{"company_registration"}, {"tax_info_confirmation"}]),
    (
        "start_company",
        {"need_seal": "要", "need_invoice": "需要", "has_employees": "有", "need_bank_account": "要"},
        [
            {"company_registration"},
            {
                "seal_engraving",
                "tax_info_confirmation",
                "employee_social_insurance",
                "employee_medical_insurance",
                "bank_account_appointment",
            },
            {"invoice_application"},
        ],
    ),
    (
        "newborn",
        {},
        [
            {"birth_medical_certificate", "vaccination_certificate"},
            {"birth_registration"},
            {"resident_medical_insurance", "social_security_card"},
        ],
    ),
    (
        "newborn",
        {"hukou_local": "不是", "has_birth_certificate": "已经领了", "mother_has_maternity_insurance": "有"},
        # not local: birth registration is done where the hukou is; dependants of it drop too
        [{"vaccination_certificate", "maternity_allowance"}],
    ),
    (
        "retirement",
        {"special_job_early_retirement": "是", "paid_in_other_provinces": "是", "only_child_parent": "是"},
        [
            {"retirement_archive_review", "pension_transfer"},
            {"pension_approval"},
            {"medical_retiree_change", "housing_fund_retirement_withdrawal", "only_child_parent_bonus"},
        ],
    ),
    (
        "retirement",
        {"has_housing_fund": "没有"},
        [{"pension_approval"}, {"medical_retiree_change"}],
    ),
    (
        "house_transfer",
        {"has_mortgage": "有", "transfer_utilities": "要", "transfer_broadband": "要"},
        [
            {"mortgage_release"},
            {"transaction_tax", "transfer_registration"},
            {"utilities_transfer", "broadband_transfer"},
        ],
    ),
    ("house_transfer", {}, [{"transaction_tax", "transfer_registration"}]),
    (
        "bereavement",
        {"died_in_hospital": "不是，在家走的", "was_receiving_pension": "是", "deceased_has_housing_fund": "有"},
        [
            {"death_certificate_home"},
            {"cremation_certificate", "hukou_cancellation", "pension_termination_funeral_grant"},
            {"housing_fund_death_withdrawal"},
        ],
    ),
    (
        "bereavement",
        {"has_property": "有", "has_driving_license": "有"},
        [
            {"death_certificate_hospital"},
            {
                "cremation_certificate",
                "hukou_cancellation",
                "property_inheritance_registration",
                "driving_license_cancellation",
            },
        ],
    ),
]


@pytest.mark.parametrize(("scenario_id", "answers", "expected"), CASES)
def test_plan_stages_match_the_hand_written_expectation(catalog: Catalog, scenario_id, answers, expected) -> None:
    plan = compute_plan(catalog.scenarios[scenario_id], answers, catalog)
    assert [set(stage.items) for stage in plan.stages] == expected
    assert {it.id for it in plan.items} == set().union(*expected)


def test_every_scenario_has_a_plan_for_default_answers(catalog: Catalog) -> None:
    for scenario in catalog.scenarios.values():
        plan = compute_plan(scenario, {}, catalog)
        assert plan.stages, scenario.id
        assert plan.assumed_answers == tuple(q.id for q in scenario.questions)


def test_mutual_prerequisite_becomes_one_joint_stage_with_its_resolution(catalog: Catalog) -> None:
    plan = compute_plan(catalog.scenarios["house_transfer"], {}, catalog)
    (group,) = plan.stages[0].joint_groups
    assert set(group.items) == {"transaction_tax", "transfer_registration"}
    assert "并联" in group.resolution

    plan = compute_plan(catalog.scenarios["open_convenience_store"], {"sells_tobacco": "卖"}, catalog)
    (group,) = plan.stages[0].joint_groups
    assert set(group.items) == {"business_license", "tobacco_retail_license"}
    assert "先照后证" in group.resolution


def test_cycle_disappears_when_one_side_is_already_done(catalog: Catalog) -> None:
    plan = compute_plan(catalog.scenarios["open_restaurant"], {"has_business_license": "有"}, catalog)
    assert all(not stage.joint_groups for stage in plan.stages)
    food = next(it for it in plan.items if it.id == "food_business_permit")
    assert food.prerequisites_already_met == ("business_license",)


def test_merged_form_asks_each_fact_once_with_provenance(catalog: Catalog) -> None:
    plan = compute_plan(
        catalog.scenarios["open_restaurant"],
        {"has_business_license": "没有", "sells_tobacco": "卖", "outdoor_signboard": "要"},
        catalog,
    )
    form = plan.form
    order = [f.id for f in form.asked]
    assert len(order) == len(set(order))
    assert order[:3] == ["applicant_name", "id_number", "phone"]
    phone_sources = {p.item for p in form.by_id["phone"].provenance}
    assert {"business_license", "food_business_permit", "tobacco_retail_license"} <= phone_sources
    # derived facts are in the form, right after their source, but never asked
    assert form.by_id["birth_date"].derived_from.field == "id_number"
    assert "birth_date" not in order and "gender" not in order
    ids = [f.id for f in form.fields]
    assert ids.index("birth_date") == ids.index("id_number") + 1
    assert {f.id for f in form.derived_by_source["id_number"]} >= {"birth_date", "gender"}
    # the answer to the floor-area question fills the field of the same id
    assert form.by_id["floor_area"].prefilled == 100
    per_item = sum(len(it.fields) for it in plan.items)
    catalog_items = {it.id: it for it in catalog.scenarios["open_restaurant"].items}
    per_item_materials = sum(len(catalog_items[it.id].materials) for it in plan.items)
    assert per_item_materials > len(plan.materials)  # merging saved some
    saving = dataclasses.asdict(plan.saving)
    assert {k: saving[k] for k in list(saving)[:6]} == {
        "separate_entries": per_item,
        "merged_fields": len(order),
        "saved_entries": per_item - len(order),
        "separate_materials": per_item_materials,
        "merged_materials": len(plan.materials),
        "forms_replaced": len(plan.items),
    }
    assert plan.saving.merged_fields < plan.saving.separate_entries


def test_form_schema_is_rendered_from_the_merged_form(catalog: Catalog) -> None:
    plan = compute_plan(catalog.scenarios["open_restaurant"], {"has_business_license": "有"}, catalog)
    schema = form_schema(plan.form)
    Draft202012Validator.check_schema(schema)
    assert schema["x-order"] == [f.id for f in plan.form.fields] == list(schema["properties"])
    assert schema["x-ask-order"] == [f.id for f in plan.form.asked]
    assert schema["required"] == [f.id for f in plan.form.asked if f.required]
    assert [g["id"] for g in schema["x-groups"]] == [g.id for g in plan.form.groups]
    phone = schema["properties"]["phone"]
    assert phone["title"] == catalog.fields["phone"].label
    assert [p["item"] for p in phone["x-provenance"]] == [p.item for p in plan.form.by_id["phone"].provenance]
    assert schema["properties"]["birth_date"]["readOnly"] is True
    assert schema["properties"]["birth_date"]["x-derived-from"] == {"field": "id_number", "key": "birth_date"}
    assert schema["properties"]["floor_area"]["default"] == 100
    assert schema["properties"]["floor_area"]["x-prefilled-from-answer"] is True
    assert "default" not in schema["properties"]["phone"]


def test_a_plan_is_immutable_and_cached(catalog: Catalog) -> None:
    scenario = catalog.scenarios["open_restaurant"]
    plan = compute_plan(scenario, {"sells_tobacco": "卖"}, catalog)
    assert compute_plan(scenario, {"sells_tobacco": "是"}, catalog) is plan  # same normalised answers
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.saving = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.answers["sells_tobacco"] = False  # type: ignore[index]
    assert isinstance(plan.items, tuple) and isinstance(plan.stages[0].items, tuple)


def test_uscc_is_asked_only_once_the_business_is_licensed(catalog: Catalog) -> None:
    scenario = catalog.scenarios["open_restaurant"]
    assert "uscc" not in compute_plan(scenario, {"has_business_license": "没有"}, catalog).form.by_id
    licensed = compute_plan(scenario, {"has_business_license": "有"}, catalog).form
    assert "uscc" in [f.id for f in licensed.asked]


def test_materials_are_merged_by_id(catalog: Catalog) -> None:
    plan = compute_plan(catalog.scenarios["open_convenience_store"], {"sells_tobacco": "卖"}, catalog)
    ids = [m.id for m in plan.materials]
    assert len(ids) == len(set(ids))
    id_card = next(m for m in plan.materials if m.id == "id_card")
    assert len(id_card.items) >= 2


def test_unintelligible_answers_are_reported_per_question(catalog: Catalog) -> None:
    with pytest.raises(AnswersInvalid) as info:
        compute_plan(
            catalog.scenarios["open_restaurant"], {"floor_area": "挺大的", "sells_tobacco": "看情况吧"}, catalog
        )
    assert set(info.value.errors) == {"floor_area", "sells_tobacco"}
    assert "数字" in info.value.errors["floor_area"]
