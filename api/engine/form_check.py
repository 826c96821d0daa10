"""Server-side check of a whole submitted form against the plan's merged form."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from api.catalog.loader import Catalog
from api.engine.form import MergedForm, form_schema
from api.validation.validate import validate_field


@lru_cache(maxsize=1024)
def _schema_validator(form: MergedForm) -> Draft202012Validator:
    """One compiled JSON Schema validator per merged form (plans, and so their forms, are cached)."""
    return Draft202012Validator(form_schema(form), format_checker=Draft202012Validator.FORMAT_CHECKER)


def check_form(form: MergedForm, form_data: dict[str, Any], catalog: Catalog) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise every value with the field validators, fill the derived fields, then check the whole
    against the merged form's JSON Schema; return (normalised data, errors by field id)."""
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for key in form_data:
        if key not in form.by_id:
            errors[key] = "本事项不需要填写此项，请删除后再提交。"
    for field in form.asked:
        raw = form_data.get(field.id, field.prefilled)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.required:
                errors[field.id] = f"请填写{field.label}。"
            continue
        result = validate_field(field.id, raw, catalog)
        if not result.valid:
            errors[field.id] = result.message
            continue
        data[field.id] = result.value
        for derived in form.derived_by_source.get(field.id, ()):
            key = derived.derived_from.key  # type: ignore[union-attr]  # derived fields have a source
            if key in result.derived:
                data[derived.id] = result.derived[key]
    if not errors:
        for err in _schema_validator(form).iter_errors(data):
            fid = err.path[0] if err.path else (err.validator_value[0] if err.validator == "required" else "")
            field = form.by_id.get(str(fid))
            errors.setdefault(str(fid) or "form", f"{field.label if field else '表单'}不符合要求。")
    return data, errors
