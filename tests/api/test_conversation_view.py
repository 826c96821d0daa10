"""The page's view of a conversation, from a tracker as Rasa returns it: history masked, the form
by group with each field filled (masked when personal), still to come, or derived."""

from __future__ import annotations

from api.conversation_view import conversation_view

NO_BUTTON = {"title": "还没有", "payload": "/deny"}


def _tracker(slots: dict, events: list[dict]) -> dict:
    return {"sender_id": "c1", "slots": slots, "events": events}


def test_history_masks_personal_data_and_shows_tapped_buttons_by_title(catalog) -> None:
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "我想开个饭馆"},
        {"event": "bot", "text": "请问营业执照办好了吗？", "data": {"buttons": [NO_BUTTON]}},
        {"event": "user", "text": "/deny"},
        {"event": "user", "text": "我叫王芳，电话13912345678"},
        {"event": "bot", "text": "好的，王芳，您的电话是13912345678。", "data": {}},
    ]
    slots = {"scenario": "open_restaurant", "applicant_name": "王芳", "phone": "13912345678"}
    view = conversation_view(_tracker(slots, events), catalog)
    texts = [(m["from"], m["text"]) for m in view["messages"]]
    assert [sender for sender, _ in texts] == ["user", "bot", "user", "user", "bot"]
    assert texts[2] == ("user", "还没有")  # a tapped button shows as its title, not "/deny"
    assert texts[3][1] == "我叫**，电话***********"  # the values the citizen entered, wholly hidden
    assert "13912345678" not in str(texts) and "王芳" not in str(texts)
    assert view["messages"][1]["buttons"] == [NO_BUTTON]


def test_form_view_groups_fields_masks_personal_values_and_marks_derived(catalog) -> None:
    slots = {
        "scenario": "open_restaurant",
        "has_business_license": False,
        "floor_area": 120,
        "applicant_name": "王芳",
        "id_number": "120109199003151228",
        "phone": "13912345678",
        "enterprise_type": None,
    }
    case = conversation_view(_tracker(slots, []), catalog)["case"]
    assert case["scenario_id"] == "open_restaurant" and not case["decided"]
    answered = {q["id"]: q["answer"] for q in case["questions"] if q["answered"]}
    assert answered == {"has_business_license": "否", "floor_area": "120"}
    fields = {f["id"]: f for g in case["form"] for f in g["fields"]}
    assert fields["phone"]["state"] == "filled" and fields["phone"]["value"] == "139****5678"
    assert fields["id_number"]["value"] == "120***********1228"
    assert fields["applicant_name"]["value"] == "王*"
    assert fields["birth_date"]["state"] == "derived" and fields["birth_date"]["value"] is None
    assert fields["enterprise_type"]["state"] == "pending"
    plan_fields = [fid for g in case["form"] for fid in (f["id"] for f in g["fields"])]
    assert len(plan_fields) == len(set(plan_fields))
    assert {it.id for it in case["plan"].items} >= {"business_license", "food_business_permit"}


def test_no_scenario_no_case_and_unknown_scenario_ignored(catalog) -> None:
    assert conversation_view(_tracker({}, []), catalog) == {"messages": [], "case": None}
    assert conversation_view(_tracker({"scenario": "no_such"}, []), catalog)["case"] is None
