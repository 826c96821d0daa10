"""Values as the citizen reads them (choice labels, yes/no, units, masked numbers), the materials
checklist, and which field a correction names."""

from __future__ import annotations

import re
from typing import Any

from actions.slots import ENTITY_KINDS
from actions.texts import text
from privacy import mask_value


def display(field: dict[str, Any], value: Any) -> str:
    """A stored value as the citizen reads it: choice labels, yes/no, units, masking."""
    rule = field["validator"]
    if rule["kind"] == "choice":
        return next((c["label"] for c in rule["choices"] if c["value"] == value), str(value))
    if rule["kind"] == "bool":
        return text("yes" if value else "no")
    if rule["kind"] == "number" and rule.get("unit"):
        return f"{value}{rule['unit']}"
    # the citizen checks their own name and address; numbers that identify them are masked
    return mask_value(rule["kind"], value) if rule["kind"] in ("id_number", "phone", "bank_account") else str(value)


def checklist(materials: list[dict[str, Any]]) -> list[str]:
    """The materials as the citizen reads them: one line per material to bring (with its note), then
    one line naming the application forms the merged form replaces and one the shared documents."""
    lines = [
        text("plan_material", name=m["name"], note=f"（{m['note']}）" if m.get("note") else "")
        for m in materials
        if m["kind"] == "bring"
    ]
    for kind, key in (("form", "materials_replaced_by_form"), ("shared", "materials_shared")):
        names = [m["name"] for m in materials if m["kind"] == kind]
        if names:
            lines.append(text(key, names="、".join(names)))
    return lines


_CORRECTION_VALUE = re.compile(r"(?:改成|改为|换成|应该是|是|为)[：:，, ]*(.+)$")


def correction_target(
    entities: list[dict[str, Any]], message: str, form_fields: list[str], fields: dict[str, dict[str, Any]]
) -> tuple[str | None, str | None]:
    """Which field a correction names ('电话说错了') and the new value if given ('是139…').

    The field comes from a `field` entity, else from the words that name it (label, alias), else
    from the kind of a value entity (a phone number corrects the phone); the value from a matching
    value entity, else from the words after 是/改成."""
    named = [e["value"] for e in entities if e.get("entity") == "field" and e.get("value") in form_fields]
    values = [e for e in entities if e.get("entity") in ENTITY_KINDS]
    if not named:  # "法人改成李强": the field the words name, before the first field of the value's kind
        named = _fields_named_in(message, form_fields, fields)[:1]
    if not named and values:
        kind = ENTITY_KINDS[values[0]["entity"]]
        named = [f for f in form_fields if fields[f]["validator"]["kind"] == kind][:1]
    if not named:
        return None, None
    field_id = named[0]
    kind = fields[field_id]["validator"]["kind"]
    value = next((e["value"] for e in values if ENTITY_KINDS[e["entity"]] == kind), None)
    if value is None:
        match = _CORRECTION_VALUE.search(message)
        value = match.group(1).strip() if match else None
    return field_id, value or None


def _fields_named_in(message: str, form_fields: list[str], fields: dict[str, dict[str, Any]]) -> list[str]:
    """Form fields the message names by label, alias, or the label's last word ("地址" for 联系地址),
    the longest mention first (the NLU's `field` entity can miss a word said inside a sentence)."""
    before_value = _CORRECTION_VALUE.split(message)[0] if _CORRECTION_VALUE.search(message) else message
    found: list[tuple[int, int, str]] = []
    for order, fid in enumerate(form_fields):
        field = fields.get(fid) or {}
        label = re.sub(r"（.*?）", "", field.get("label", ""))
        words = [label, *(field.get("aliases") or []), label[-2:]]
        best = max((len(w) for w in words if len(w) >= 2 and w in before_value), default=0)
        if best:
            found.append((-best, order, fid))
    return [fid for _, _, fid in sorted(found)]
