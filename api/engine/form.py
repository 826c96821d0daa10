"""Merge the fields of the applicable items into ONE form (MergedForm), and render it as JSON
Schema (draft 2020-12): `form_schema` is the only place that schema is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from api.catalog.loader import Catalog
from api.catalog.models import Derivation, FieldDef, FieldGroup, Item, Rule

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_FIRST_GROUPS = ("identity", "contact")
_PATTERNS = {
    "id_number": r"^\d{17}[\dX]$",
    "uscc": r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    "phone": r"^1\d{10}$",
    "bank_account": r"^\d{16,19}$",
}


@dataclass(frozen=True)
class Provenance:
    """One item (and its department) whose own form asks for a field."""

    item: str
    item_name: str
    department: str


@dataclass(frozen=True)
class FormField:
    """A canonical field in the merged form: which items ask for it, and any value it starts with."""

    definition: FieldDef
    group_label: str
    provenance: tuple[Provenance, ...]
    # The guiding answer of the same id (floor area), or None: an answer is never None.
    prefilled: Any = None

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def required(self) -> bool:
        return self.definition.required

    @property
    def derived_from(self) -> Derivation | None:
        return self.definition.derived_from


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: compiled checks are cached on it
class MergedForm:
    """ONE form for the plan: each field once, asked fields in asking order, each followed by the
    fields derived from its value (never asked)."""

    title: str
    fields: tuple[FormField, ...]
    groups: tuple[FieldGroup, ...]  # the groups its fields belong to, in catalog order

    @cached_property
    def by_id(self) -> Mapping[str, FormField]:
        return {f.id: f for f in self.fields}

    @cached_property
    def asked(self) -> tuple[FormField, ...]:
        """The fields the citizen fills, in asking order (identity first, then shared, then the rest)."""
        return tuple(f for f in self.fields if f.derived_from is None)

    @cached_property
    def derived_by_source(self) -> Mapping[str, tuple[FormField, ...]]:
        """Field id → the fields derived from its validated value."""
        out: dict[str, list[FormField]] = {}
        for f in self.fields:
            if f.derived_from is not None:
                out.setdefault(f.derived_from.field, []).append(f)
        return {fid: tuple(fs) for fid, fs in out.items()}


def merge_form(
    title: str,
    items: list[Item],
    fields_by_item: Mapping[str, list[str]],
    catalog: Catalog,
    prefilled: Mapping[str, Any],
) -> MergedForm:
    """Each canonical field once, with provenance; identity first, then shared, then item-specific."""
    provenance: dict[str, list[Provenance]] = {}
    for it in items:
        source = Provenance(it.id, it.name, it.department)
        for fid in fields_by_item[it.id]:
            provenance.setdefault(fid, []).append(source)
    index, derived_from = _field_index(catalog)

    def sort_key(fid: str) -> tuple[int, int, int]:
        field = catalog.fields[fid]
        tier = 0 if field.group in _FIRST_GROUPS else (1 if len(provenance[fid]) > 1 else 2)
        return (tier, catalog.groups[field.group].order, index[fid])

    def form_field(field: FieldDef, sources: tuple[Provenance, ...], value: Any = None) -> FormField:
        return FormField(field, catalog.groups[field.group].label, sources, value)

    fields: list[FormField] = []
    for fid in sorted(provenance, key=sort_key):
        sources = tuple(provenance[fid])
        fields.append(form_field(catalog.fields[fid], sources, prefilled.get(fid)))
        fields += [form_field(d, sources) for d in derived_from.get(fid, ())]
    used = {f.definition.group for f in fields}
    groups = tuple(sorted((g for g in catalog.groups.values() if g.id in used), key=lambda g: g.order))
    return MergedForm(title, tuple(fields), groups)


@lru_cache(maxsize=4)
def _field_index(catalog: Catalog) -> tuple[dict[str, int], dict[str, tuple[FieldDef, ...]]]:
    """Per catalog, once: each field's position, and the fields derived from each source field."""
    derived: dict[str, list[FieldDef]] = {}
    for f in catalog.fields.values():
        if f.derived_from:
            derived.setdefault(f.derived_from.field, []).append(f)
    return {fid: i for i, fid in enumerate(catalog.fields)}, {k: tuple(v) for k, v in derived.items()}


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


def _property(field: FormField) -> dict[str, Any]:
    d = field.definition
    prop = {
        "title": d.label,
        "description": d.help,
        "examples": [d.example],
        **rule_schema(d.validator),
        "x-validator": d.validator.kind,
        "x-group": d.group,
        "x-group-label": field.group_label,
        "x-provenance": [
            {"item": p.item, "item_name": p.item_name, "department": p.department} for p in field.provenance
        ],
    }
    if d.sensitive:
        prop["x-sensitive"] = True
    if d.derived_from:
        prop["readOnly"] = True
        prop["x-derived-from"] = {"field": d.derived_from.field, "key": d.derived_from.key}
    if field.prefilled is not None:
        prop["default"] = field.prefilled
        prop["x-prefilled-from-answer"] = True
    return prop


def form_schema(form: MergedForm) -> dict[str, Any]:
    """The merged form as JSON Schema: each property with `title` and `x-provenance`; `x-order`
    lists every property, `x-ask-order` those the citizen fills, `x-groups` the groups used."""
    return {
        "$schema": SCHEMA_DIALECT,
        "type": "object",
        "title": form.title,
        "properties": {f.id: _property(f) for f in form.fields},
        "required": [f.id for f in form.asked if f.required],
        "additionalProperties": False,
        "x-order": [f.id for f in form.fields],
        "x-ask-order": [f.id for f in form.asked],
        "x-groups": [{"id": g.id, "label": g.label} for g in form.groups],
    }
