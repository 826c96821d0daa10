"""The catalogs load, keep the architecture's contracts, and broken files fail loudly."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
import yaml

from api.catalog.graph import cycles
from api.catalog.loader import Catalog, CatalogError, load_catalog

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_IDS = {
    "open_restaurant",
    "open_convenience_store",
    "open_pharmacy",
    "start_company",
    "newborn",
    "retirement",
    "house_transfer",
    "bereavement",
}


def test_catalog_has_the_contract_scenarios_and_fields(catalog: Catalog) -> None:
    assert set(catalog.scenarios) >= CONTRACT_IDS
    assert len(catalog.fields) >= 40
    for fid in ("applicant_name", "id_number", "phone", "company_name", "uscc"):
        assert fid in catalog.fields
    for f in catalog.fields.values():
        assert f.label and f.help and f.example


def test_scenarios_are_complete(catalog: Catalog) -> None:
    for sc in catalog.scenarios.values():
        assert len(sc.aliases) >= 8, sc.id
        assert 3 <= len(sc.questions) <= 6, sc.id
        assert 4 <= len(sc.items) <= 8, sc.id
        person_fields = {"applicant_name", "id_number", "phone"}
        assert person_fields <= {f for it in sc.items for f in it.fields}, sc.id
        if sc.subject == "enterprise":
            assert "company_name" in {f for it in sc.items for f in it.fields}, sc.id


def test_at_least_two_scenarios_contain_a_mutual_prerequisite(catalog: Catalog) -> None:
    with_cycles = [sc.id for sc in catalog.scenarios.values() if cycles({it.id: it.prerequisites for it in sc.items})]
    assert len(with_cycles) >= 2, with_cycles


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _item(doc: dict, item_id: str) -> dict:
    return next(it for it in doc["items"] if it["id"] == item_id)


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (lambda d: _item(d, "fire_safety_check").update(condition="floor_size > 300"), "condition", "floor_size"),
        (lambda d: _item(d, "fire_safety_check").update(condition="__import__('os')"), "condition", "Call"),
        (lambda d: _item(d, "fire_safety_check").update(condition="floor_area >"), "condition", "语法错误"),
        (lambda d: _item(d, "fire_safety_check")["fields"].append("shoe_size"), "fields", "shoe_size"),
        (lambda d: _item(d, "fire_safety_check")["prerequisites"].append("nothing"), "prerequisites", "nothing"),
        (lambda d: _item(d, "business_license").update(joint_resolution=""), "joint_resolution", "互为前置"),
        (lambda d: d.pop("aliases"), "aliases", "Field required"),
        (lambda d: d.update(colour="red"), "colour", "Extra inputs"),
        (lambda d: _item(d, "food_business_permit")["materials"][0].update(name="别的名字"), "materials", "同名"),
        (lambda d: _item(d, "food_business_permit")["materials"][1].update(kind="copy"), "materials.1.kind", "'bring'"),
        (lambda d: _item(d, "food_business_permit")["time_limit"].pop("statutory_days"), "statutory_days", "required"),
        (lambda d: _item(d, "drainage_permit")["time_limit"].update(statutory_days=-1), "days", "greater than"),
        (lambda d: _item(d, "drainage_permit")["time_limit"].update(statutory_days="十五"), "days", "integer"),
    ],
)
def test_broken_scenario_file_fails_with_file_path_and_reason(data_copy: Path, change, where, reason) -> None:
    path = data_copy / "scenarios" / "open_restaurant.yml"
    _edit(path, change)
    with pytest.raises(CatalogError) as info:
        load_catalog(data_copy)
    assert info.value.file.endswith("open_restaurant.yml")
    assert where in info.value.path
    assert reason in info.value.reason


def test_yaml_syntax_error_names_the_file(data_copy: Path) -> None:
    (data_copy / "scenarios" / "newborn.yml").write_text("id: newborn\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"newborn\.yml.*YAML"):
        load_catalog(data_copy)


def test_broken_field_catalog_fails(data_copy: Path) -> None:
    _edit(data_copy / "fields.yml", lambda d: d["fields"][0].update(group="nowhere"))
    with pytest.raises(CatalogError, match=r"fields.yml: fields.0.group: 未知分组 nowhere"):
        load_catalog(data_copy)


def test_loader_command_reports_ok_and_errors(data_copy: Path, capsys, monkeypatch) -> None:
    from api.catalog import loader

    monkeypatch.setattr("sys.argv", ["loader", str(data_copy)])
    assert loader.main() == 0
    assert "8 scenarios" in capsys.readouterr().out
    _edit(data_copy / "scenarios" / "retirement.yml", lambda d: d["items"][0].update(fields=["nope"]))
    assert loader.main() == 1
    assert "retirement.yml: items.0.fields.0: 未知字段 nope" in capsys.readouterr().err


def test_question_defaults_are_valid_answers(catalog: Catalog) -> None:
    from api.validation.validate import validate_rule

    for sc in catalog.scenarios.values():
        for q in sc.questions:
            assert validate_rule(q.validator, q.default, q.label, catalog).valid, (sc.id, q.id)


FORM_NAMES = ("申请书", "申请表", "备案表", "登记表", "采集表")


def test_material_kinds_follow_their_names_and_notes(catalog: Catalog) -> None:
    """Each department's own application form is replaced by the merged form; a document marked
    “信息共享，无需另交” is not asked of the citizen."""
    kinds = {"form": 0, "shared": 0, "bring": 0}
    for sc in catalog.scenarios.values():
        for it in sc.items:
            for m in it.materials:
                kinds[m.kind] += 1
                where = (sc.id, it.id, m.id)
                assert (m.kind == "form") == m.name.endswith(FORM_NAMES), where
                if m.note == "信息共享，无需另交" or "申请人无需自行携带" in m.note:
                    assert m.kind == "shared", where
    assert all(kinds.values()), kinds


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def test_statutory_days_are_the_numbers_of_the_statutory_text(catalog: Catalog) -> None:
    """A day count is 0 for 当场/即时, a number of the text, a sum of two of them (检查10日＋决定3日),
    or twice one said of two offices (各15个工作日); null where the text states no time to decide."""
    for sc in catalog.scenarios.values():
        for it in sc.items:
            text, days = it.time_limit.statutory, it.time_limit.statutory_days
            if days is None:
                continue
            numbers = _numbers(text)
            allowed = {*numbers, *(a + b for a, b in itertools.combinations(numbers, 2))}
            allowed |= {2 * n for n in numbers} if "各" in text else set()
            allowed |= {0} if ("当场" in text or "即" in text) and days == 0 else set()
            assert days in allowed, (sc.id, it.id, text, days)
    stated = [it.time_limit.statutory_days for sc in catalog.scenarios.values() for it in sc.items]
    assert any(d for d in stated) and None in stated
