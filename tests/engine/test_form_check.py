"""The server-side check of a whole form, on the plan's MergedForm and the catalog."""

from __future__ import annotations

from api.catalog.loader import Catalog
from api.engine.form_check import check_form
from api.engine.plan import compute_plan

ANSWERS = {"has_business_license": "有", "floor_area": "120平", "uses_mall_drainage": "是"}


def _form(catalog: Catalog):
    return compute_plan(catalog.scenarios["open_restaurant"], ANSWERS, catalog).form


def _valid_values(catalog: Catalog, form) -> dict[str, object]:
    """Every asked field filled with its catalog example (the examples are valid values)."""
    return {f.id: catalog.fields[f.id].example for f in form.asked if f.prefilled is None}


def test_a_complete_form_is_normalised_and_its_derived_fields_filled(catalog: Catalog) -> None:
    form = _form(catalog)
    data, errors = check_form(form, _valid_values(catalog, form), catalog)
    assert errors == {}
    assert data["floor_area"] == 120  # the guiding answer fills the field of the same id
    assert form.derived_by_source  # the ID number's birth date and gender, at least
    assert list(data) == [f.id for f in form.fields]  # every field, each derived one after its source


def test_missing_unknown_and_invalid_values_are_named_per_field(catalog: Catalog) -> None:
    form = _form(catalog)
    values = _valid_values(catalog, form)
    required = next(f for f in form.asked if f.required and f.id != "phone")
    del values[required.id]
    values["phone"] = "12345"
    values["shoe_size"] = "42"
    data, errors = check_form(form, values, catalog)
    assert errors[required.id] == f"请填写{required.label}。"
    assert "shoe_size" in errors
    assert "phone" in errors and "phone" not in data
    optional = [f for f in form.asked if not f.required]
    assert all(f.id not in errors for f in optional)  # optional fields may stay empty


def test_a_submitted_derived_value_is_replaced_by_the_derived_one(catalog: Catalog) -> None:
    form = _form(catalog)
    values = {**_valid_values(catalog, form), "birth_date": "1900-01-01"}
    data, errors = check_form(form, values, catalog)
    assert errors == {}
    assert data["birth_date"] != "1900-01-01"
