"""One entry point: validate a raw value against a catalog rule (field or guiding question)."""

from __future__ import annotations

import datetime as dt

from api.catalog.loader import Catalog
from api.catalog.models import Rule
from api.validation import identity, values
from api.validation.normalize import normalize, spoken_digits
from api.validation.result import Invalid, ValidationResult

MAX_INPUT_CHARS = 2000
_DIGIT_KINDS = {"id_number", "uscc", "phone", "bank_account"}


def validate_rule(
    rule: Rule, raw: object, label: str, catalog: Catalog, today: dt.date | None = None
) -> ValidationResult:
    """Normalise `raw` by `rule`; the message names `label` so the citizen knows which fact is wrong."""
    if isinstance(raw, str):
        if len(raw) > MAX_INPUT_CHARS:
            return Invalid(f"{label}内容过长，请精简后重新输入。")
        raw = normalize(raw)  # 繁→简, full-width → half-width, stray spaces and punctuation
        if rule.kind in _DIGIT_KINDS:
            raw = spoken_digits(raw)  # "幺三九…" said one digit at a time
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Invalid(f"请填写{label}。")
    if rule.kind == "bool":
        return values.validate_bool(rule, raw, label, catalog.true_words, catalog.false_words)
    if rule.kind == "number" and isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        return Invalid(f"{label}的格式不正确，请重新输入。")
    if len(raw) > MAX_INPUT_CHARS:
        return Invalid(f"{label}内容过长，请精简后重新输入。")
    match rule.kind:
        case "id_number":
            return identity.validate_id_number(raw, today)
        case "uscc":
            return identity.validate_uscc(raw)
        case "phone":
            return identity.validate_phone(raw)
        case "bank_account":
            return identity.validate_bank_account(raw)
        case "date":
            return values.validate_date(rule, raw, label, today)
        case "number":
            return values.validate_number(rule, raw, label)
        case "choice":
            return values.validate_choice(rule, raw, label)
        case _:
            return values.validate_text(rule, raw, label)


def validate_field(field_id: str, raw: object, catalog: Catalog, today: dt.date | None = None) -> ValidationResult:
    """Validate one value of a catalog field (KeyError for an unknown field id)."""
    field = catalog.fields[field_id]
    return validate_rule(field.validator, raw, field.label, catalog, today)
