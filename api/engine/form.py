"""Merge the fields of the applicable items into ONE form, emitted as JSON Schema (draft 2020-12)."""

from __future__ import annotations

from typing import Any

from api.catalog.loader import Catalog
from api.catalog.models import FieldDef, Item, Rule

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_FIRST_GROUPS = ("identity", "contact")
_PATTERNS = {
    "id_number": r"^\d{17}[\dX]$",
    "uscc": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    "phone": r"^1\d{10}$",
    "bank_account": r"^\d{16,19}$",
}


def rule_schema(rule: Rule) -> dict[str, Any]:
    """The JSON Schema of a normalised value of this rule."""
    match rule.kind:
        case "bool":
            return {"type": "boolean"}
        case "number":
            out: dict[str, Any] = {"type": "integer" if rule.integer else "number"}
            if rule.min is not None:
                out["minimum"] = rule.min
            if rule.max is not None:
                out["maximum"] = rule.max
            if rule.unit:
                out["x-unit"] = rule.unit
            return out
        case "choice":
            return {
                "type": "string",
                "enum": [c.value for c in rule.choices],
                "x-enum-labels": {c.value: c.label for c in rule.choices},
            }
        case "date":
            return {"type": "string", "format": "date"}
        case "id_number" | "uscc" | "phone" | "bank_account":
            return {"type": "string", "pattern": _PATTERNS[rule.kind]}
        case _:
            return {"type": "string", "minLength": rule.min_length, "maxLength": rule.max_length}


def _property(field: FieldDef, group_label: str, provenance: list[dict[str, str]]) -> dict[str, Any]:
    prop = {
        "title": field.label,
        "description": field.help,
        "examples": [field.example],
        **rule_schema(field.validator),
        "x-validator": field.validator.kind,
        "x-group": field.group,
        "x-group-label": group_label,
        "x-provenance": provenance,
    }
    if field.sensitive:
        prop["x-sensitive"] = True
    if field.derived_from:
        prop["readOnly"] = True
        prop["x-derived-from"] = {"field": field.derived_from.field, "key": field.derived_from.key}
    return prop


def merge_form(
    title: str,
    items: list[Item],
    fields_by_item: dict[str, list[str]],
    catalog: Catalog,
    prefilled: dict[str, Any],
) -> dict[str, Any]:
    """Each canonical field once, with provenance; identity first, then shared, then item-specific."""
    provenance: dict[str, list[dict[str, str]]] = {}
    for it in items:
        for fid in fields_by_item[it.id]:
            provenance.setdefault(fid, []).append({"item": it.id, "item_name": it.name, "department": it.department})
    index = {fid: i for i, fid in enumerate(catalog.fields)}

    def sort_key(fid: str) -> tuple[int, int, int]:
        field = catalog.fields[fid]
        tier = 0 if field.group in _FIRST_GROUPS else (1 if len(provenance[fid]) > 1 else 2)
        return (tier, catalog.groups[field.group].order, index[fid])

    order = sorted(provenance, key=sort_key)
    derived = [f.id for f in catalog.fields.values() if f.derived_from and f.derived_from.field in provenance]
    properties: dict[str, Any] = {}
    for fid in order:
        field = catalog.fields[fid]
        properties[fid] = _property(field, catalog.groups[field.group].label, provenance[fid])
        if fid in prefilled:
            properties[fid]["default"] = prefilled[fid]
            properties[fid]["x-prefilled-from-answer"] = True
        for did in derived:
            if catalog.fields[did].derived_from.field == fid:  # type: ignore[union-attr]
                source = catalog.fields[did]
                properties[did] = _property(source, catalog.groups[source.group].label, provenance[fid])
    groups_used = sorted({catalog.fields[f].group for f in properties}, key=lambda g: catalog.groups[g].order)
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "title": title,
        "properties": properties,
        "required": [f for f in order if catalog.fields[f].required],
        "additionalProperties": False,
        "x-order": list(properties),
        "x-ask-order": order,
        "x-groups": [{"id": g, "label": catalog.groups[g].label} for g in groups_used],
    }


def merge_materials(items: list[Item]) -> list[dict[str, Any]]:
    """The materials checklist: each material once, naming the items that need it."""
    merged: dict[str, dict[str, Any]] = {}
    notes: dict[str, set[str]] = {}
    for it in items:
        for m in it.materials:
            entry = merged.setdefault(m.id, {"id": m.id, "name": m.name, "note": "", "items": [], "departments": []})
            entry["items"].append(it.id)
            if it.department not in entry["departments"]:
                entry["departments"].append(it.department)
            notes.setdefault(m.id, set()).add(m.note)
    for mid, entry in merged.items():
        # An item's note (e.g. "每名从业人员本人到场体检") is shown only when every item agrees on it.
        entry["note"] = next(iter(notes[mid])) if len(notes[mid]) == 1 else ""
    return list(merged.values())
