"""Server-side check of a whole submitted form against the plan's merged form."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from api.catalog.loader import Catalog
from api.validation.validate import validate_field

_VALIDATORS: dict[tuple[Any, ...], Draft202012Validator] = {}


def _validator_for(plan: dict[str, Any]) -> Draft202012Validator:
    """One compiled JSON Schema validator per scenario and answers (the form depends on nothing else)."""
    key = (plan["scenario_id"], *sorted(plan["answers"].items()))
    validator = _VALIDATORS.get(key)
    if validator is None:
        if len(_VALIDATORS) > 1024:
            _VALIDATORS.clear()
        validator = Draft202012Validator(plan["form"], format_checker=Draft202012Validator.FORMAT_CHECKER)
        _VALIDATORS[key] = validator
    return validator


def check_form(
    plan: dict[str, Any], form_data: dict[str, Any], catalog: Catalog
) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise every value with the field validators, then check the whole against the merged
    form's JSON Schema; return (normalised data, errors by field id)."""
    form: dict[str, Any] = plan["form"]
    props: dict[str, Any] = form["properties"]
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for key in form_data:
        if key not in props:
            errors[key] = "本事项不需要填写此项，请删除后再提交。"
    for fid in form["x-ask-order"]:
        raw = form_data.get(fid, props[fid].get("default"))
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if fid in form["required"]:
                errors[fid] = f"请填写{props[fid]['title']}。"
            continue
        result = validate_field(fid, raw, catalog)
        if not result.valid:
            errors[fid] = result.message
            continue
        data[fid] = result.value
        for did, prop in props.items():
            source = prop.get("x-derived-from")
            if source and source["field"] == fid and source["key"] in result.derived:
                data[did] = result.derived[source["key"]]
    if not errors:
        validator = _validator_for(plan)
        for err in validator.iter_errors(data):
            fid = err.path[0] if err.path else (err.validator_value[0] if err.validator == "required" else "")
            errors.setdefault(str(fid) or "form", f"{props.get(fid, {}).get('title', '表单')}不符合要求。")
    return data, errors
