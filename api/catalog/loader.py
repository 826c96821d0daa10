"""Load and cross-check the catalogs: data/fields.yml and data/scenarios/*.yml.

Every problem is reported as `CatalogError` naming the file, the path inside it and the reason,
so a trainer who breaks a file sees exactly where. Run `python -m api.catalog.loader` to check.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from api.catalog.expressions import ConditionError, parse_condition
from api.catalog.graph import cycles
from api.catalog.models import FieldCatalog, FieldDef, FieldGroup, Scenario
from privacy import PERSONAL_KINDS

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class CatalogError(Exception):
    """A catalog file that is malformed or refers to something that does not exist."""

    def __init__(self, file: Path | str, path: str, reason: str) -> None:
        self.file, self.path, self.reason = str(file), path, reason
        super().__init__(f"{file}: {path or '<root>'}: {reason}")


@dataclass(frozen=True, eq=False)
class Catalog:
    """All scenarios and fields, cross-checked. Compared and hashed by identity (plans cache on it)."""

    fields: dict[str, FieldDef]
    groups: dict[str, FieldGroup]
    true_words: frozenset[str]
    false_words: frozenset[str]
    unsure_words: frozenset[str] = frozenset()
    scenarios: dict[str, Scenario] = field(default_factory=dict)

    def personal_values(self, values: Mapping[str, Any]) -> list[str]:
        """The values of personal fields (name, ID, phone, card, address) among field id → value,
        to mask wherever they appear in free text."""
        fields = self.fields
        return [str(v) for f, v in values.items() if v and f in fields and fields[f].validator.kind in PERSONAL_KINDS]


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise CatalogError(path, "", f"YAML 语法错误：{exc}") from None
    except OSError as exc:
        raise CatalogError(path, "", f"无法读取：{exc}") from None


def _first_error(path: Path, exc: ValidationError) -> CatalogError:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return CatalogError(path, where, err["msg"])


def load_fields(path: Path) -> tuple[dict[str, FieldDef], dict[str, FieldGroup], FieldCatalog]:
    """Parse data/fields.yml and check its internal references."""
    try:
        cat = FieldCatalog.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise _first_error(path, exc) from None
    groups = {g.id: g for g in cat.groups}
    fields: dict[str, FieldDef] = {}
    for i, f in enumerate(cat.fields):
        where = f"fields.{i}"
        if f.id in fields:
            raise CatalogError(path, f"{where}.id", f"字段 {f.id} 重复定义")
        if f.group not in groups:
            raise CatalogError(path, f"{where}.group", f"未知分组 {f.group}")
        fields[f.id] = f
    for i, f in enumerate(cat.fields):
        if f.derived_from and f.derived_from.field not in fields:
            raise CatalogError(path, f"fields.{i}.derived_from.field", f"未知字段 {f.derived_from.field}")
    return fields, groups, cat


def _check_scenario(path: Path, sc: Scenario, fields: dict[str, FieldDef]) -> None:
    if sc.id != path.stem:
        raise CatalogError(path, "id", f"场景 id {sc.id} 与文件名 {path.stem} 不一致")
    question_ids: set[str] = set()
    for qi, q in enumerate(sc.questions):
        where = f"questions.{qi}"
        if q.id in question_ids:
            raise CatalogError(path, f"{where}.id", f"引导问题 {q.id} 重复")
        question_ids.add(q.id)
        if q.id in fields and fields[q.id].validator != q.validator:
            raise CatalogError(path, f"{where}.validator", f"与同名字段 {q.id} 的校验规则不一致")
    item_ids = [it.id for it in sc.items]
    if len(item_ids) != len(set(item_ids)):
        raise CatalogError(path, "items", "事项 id 重复")
    for ii, it in enumerate(sc.items):
        where = f"items.{ii}"
        if it.condition:
            try:
                parse_condition(it.condition, question_ids)
            except ConditionError as exc:
                raise CatalogError(path, f"{where}.condition", str(exc)) from None
        for pi, pre in enumerate(it.prerequisites):
            if pre not in item_ids or pre == it.id:
                raise CatalogError(path, f"{where}.prerequisites.{pi}", f"未知或自指的前置事项 {pre}")
        field_lists = [(f"{where}.fields", it.fields)]
        for ci, extra in enumerate(it.conditional_fields):
            try:
                parse_condition(extra.when, question_ids)
            except ConditionError as exc:
                raise CatalogError(path, f"{where}.conditional_fields.{ci}.when", str(exc)) from None
            field_lists.append((f"{where}.conditional_fields.{ci}.fields", extra.fields))
        for list_path, field_ids in field_lists:
            for fi, fid in enumerate(field_ids):
                if fid not in fields:
                    raise CatalogError(path, f"{list_path}.{fi}", f"未知字段 {fid}（请先在 data/fields.yml 中定义）")
                if fields[fid].derived_from:
                    raise CatalogError(path, f"{list_path}.{fi}", f"字段 {fid} 由其他字段推导，事项应引用其来源字段")
        all_fields = [fid for _, ids in field_lists for fid in ids]
        if len(set(all_fields)) != len(all_fields):
            raise CatalogError(path, f"{where}.fields", "事项内字段重复")
    graph = {it.id: list(it.prerequisites) for it in sc.items}
    by_id = {it.id: (i, it) for i, it in enumerate(sc.items)}
    for component in cycles(graph):
        for item_id in component:
            i, it = by_id[item_id]
            if not it.joint_resolution.strip():
                raise CatalogError(
                    path,
                    f"items.{i}.joint_resolution",
                    f"事项 {item_id} 处于互为前置的环 {sorted(component)} 中，须说明如何破解（并联审批/告知承诺等）",
                )


def load_catalog(data_dir: Path = DEFAULT_DATA_DIR) -> Catalog:
    """Load every catalog file under `data_dir`, raising CatalogError on the first problem."""
    fields, groups, cat = load_fields(data_dir / "fields.yml")
    scenarios: dict[str, Scenario] = {}
    material_names: dict[str, tuple[str, Path]] = {}
    files = sorted((data_dir / "scenarios").glob("*.yml"))
    if not files:
        raise CatalogError(data_dir / "scenarios", "", "没有任何场景文件")
    for path in files:
        try:
            sc = Scenario.model_validate(_read_yaml(path))
        except ValidationError as exc:
            raise _first_error(path, exc) from None
        _check_scenario(path, sc, fields)
        for ii, it in enumerate(sc.items):
            for mi, m in enumerate(it.materials):
                seen = material_names.setdefault(m.id, (m.name, path))
                if seen[0] != m.name:
                    raise CatalogError(
                        path,
                        f"items.{ii}.materials.{mi}.name",
                        f"材料 {m.id} 在 {seen[1].name} 中名为“{seen[0]}”，此处为“{m.name}”，同一材料须同名",
                    )
        scenarios[sc.id] = sc
    for sc in scenarios.values():
        for qi, q in enumerate(sc.questions):
            if q.id in fields:
                continue
            for other in scenarios.values():
                twin = next((o for o in other.questions if o.id == q.id), None)
                if twin is not None and twin.validator.kind != q.validator.kind:
                    raise CatalogError(
                        data_dir / "scenarios" / f"{sc.id}.yml",
                        f"questions.{qi}.validator",
                        f"问题 {q.id} 在场景 {other.id} 中类型不同（同名问题共用一个对话槽位）",
                    )
    return Catalog(
        fields=fields,
        groups=groups,
        true_words=frozenset(w.lower() for w in cat.bool_words.affirmative),
        false_words=frozenset(w.lower() for w in cat.bool_words.negative),
        unsure_words=frozenset(w.lower() for w in cat.bool_words.unsure),
        scenarios=scenarios,
    )


def main() -> int:
    """Check the catalogs and print a one-line summary, or the error."""
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA_DIR
    try:
        catalog = load_catalog(data_dir)
    except CatalogError as exc:
        sys.stderr.write(f"目录校验失败 / catalog invalid: {exc}\n")
        return 1
    sys.stdout.write(
        f"catalog OK: {len(catalog.fields)} fields, {len(catalog.scenarios)} scenarios "
        f"({', '.join(sorted(catalog.scenarios))})\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
