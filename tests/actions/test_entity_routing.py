"""Which field a message's entities and words go to, as a table, without a running API: the field
definitions are read from data/fields.yml (the same shape the API serves)."""

from __future__ import annotations

import pytest
import yaml

from actions.display import correction_target
from actions.slots import latest_entities
from tests.actions.conftest import make_tracker
from tests.conftest import ROOT

FIELDS = {f["id"]: f for f in yaml.safe_load((ROOT / "data" / "fields.yml").read_text(encoding="utf-8"))["fields"]}
FORM = ["applicant_name", "id_number", "phone", "contact_address", "legal_rep_name", "company_name"]


def ent(entity: str, value: str) -> dict:
    return {"entity": entity, "value": value, "extractor": "DIETClassifier"}


CASES = [
    # message, entities, expected (field, value)
    ("电话说错了，是13912345678", [ent("phone", "13912345678")], ("phone", "13912345678")),
    ("手机号改成13912345678", [ent("field", "phone"), ent("phone", "13912345678")], ("phone", "13912345678")),
    ("我要改地址", [], ("contact_address", None)),
    ("地址应该是天津市滨海新区大港街道世纪大道100号", [], ("contact_address", "天津市滨海新区大港街道世纪大道100号")),
    ("身份证号码错了", [ent("field", "id_number")], ("id_number", None)),
    ("120109199003151228", [ent("id_number", "120109199003151228")], ("id_number", "120109199003151228")),
    ("名字写错了，是王小芳", [], ("applicant_name", "王小芳")),
    ("法人改成李强", [ent("person_name", "李强")], ("legal_rep_name", "李强")),  # the field named, not the first name
    ("改成李强", [ent("person_name", "李强")], ("applicant_name", "李强")),  # no field named: the first of its kind
    ("好像有点不对", [], (None, None)),
]


@pytest.mark.parametrize(("message", "entities", "expected"), CASES)
def test_correction_goes_to_the_field_it_names(message: str, entities: list, expected: tuple) -> None:
    assert correction_target(entities, message, FORM, FIELDS) == expected


def test_adjacent_pieces_of_one_value_are_merged_and_duplicates_dropped() -> None:
    text = "我叫欧阳娜娜"
    entities = [
        {"entity": "person_name", "value": "欧阳", "start": 2, "end": 4, "extractor": "DIETClassifier"},
        {"entity": "person_name", "value": "娜娜", "start": 4, "end": 6, "extractor": "DIETClassifier"},
        {"entity": "phone", "value": "13612345678", "start": 0, "end": 0, "extractor": "RegexEntityExtractor"},
        {"entity": "phone", "value": "13612345678", "start": 0, "end": 0, "extractor": "DIETClassifier"},
    ]
    merged = latest_entities(make_tracker(text=text, entities=entities))
    assert sorted((e["entity"], e["value"]) for e in merged) == [("person_name", "欧阳娜娜"), ("phone", "13612345678")]
