"""One end-to-end test per kind of misunderstanding citizens ran into (issue: "Understand citizens
as they really write and speak"), over the REST channel with the real API, actions and Rasa. The
messages here are this test's own; the held-out citizen set is evaluated in test_citizen_heldout."""

from __future__ import annotations

import uuid

from tests.bot.citizen_eval import StateBuilder
from tests.bot.conftest import BotStack, texts


def sender() -> str:
    return f"u-{uuid.uuid4().hex[:10]}"


def test_a_story_that_names_a_scenario_starts_it_whatever_the_intent(bot: BotStack) -> None:
    s = sender()
    reply = texts(bot.say(s, "我闺女前天生了个大胖小子，俺想问问户口咋上"))
    assert bot.slots(s)["scenario"] == "newborn", reply
    assert "您想办什么事" not in reply  # not taken as a bare "yes"
    assert bot.slots(s)["requested_slot"]  # the first guiding question is asked


def test_traditional_and_full_width_messages_are_understood(bot: BotStack) -> None:
    s = sender()
    reply = texts(bot.say(s, "請問開藥店要辦哪些證照？"))
    slots = bot.slots(s)
    assert "open_pharmacy" in (slots["scenario"], slots["offered_scenario"]), reply
    assert reply.strip()


def test_an_answer_containing_an_interruption_word_is_an_answer(bot: BotStack) -> None:
    builder = StateBuilder(bot)
    events = builder.state("start_company", "business_scope")
    assert events is not None
    s = builder.copy(events)
    reply = texts(bot.say(s, "人工智能软件开发；客服外包服务"))
    assert "12345" not in reply and "转接" not in reply, reply
    assert bot.slots(s)["business_scope"] == "人工智能软件开发;客服外包服务"
    # a real request for a person still gets the hand-off answer, and the form goes on
    s2 = builder.copy(events)
    reply = texts(bot.say(s2, "我要转人工"))
    assert "12345" in reply
    assert bot.slots(s2)["requested_slot"] == "business_scope" and bot.slots(s2)["business_scope"] is None


def test_yes_no_questions_understand_statements(bot: BotStack) -> None:
    builder = StateBuilder(bot)
    s = builder.copy(builder.state("retirement", "hukou_outside_tianjin"))
    bot.say(s, "俺是天津本地人，户口一直在这")
    slots = bot.slots(s)
    assert slots["hukou_outside_tianjin"] is False and slots["scenario"] == "retirement"
    s = builder.copy(builder.state("bereavement", "was_receiving_pension"))
    reply = texts(bot.say(s, "老爷子每个月都领着养老金"))
    slots = bot.slots(s)
    assert slots["was_receiving_pension"] is True and slots["scenario"] == "bereavement", reply
    # neither yes nor no: asked again with the buttons, never guessed
    s = builder.copy(builder.state("retirement", "has_housing_fund"))
    replies = bot.say(s, "这个我回头问问单位")
    assert bot.slots(s)["has_housing_fund"] is None and bot.slots(s)["requested_slot"] == "has_housing_fund"
    assert any(b.get("title") == "是" for r in replies for b in r.get("buttons") or [])


def test_nothing_is_guessed(bot: BotStack) -> None:
    builder = StateBuilder(bot)
    events = builder.state("open_restaurant", "floor_area")
    for junk in ["", "   ", "<b>5</b>", "ＡＢ７"]:
        s = builder.copy(events)
        reply = texts(bot.say(s, junk))
        assert reply.strip(), junk
        slots = bot.slots(s)
        assert slots["floor_area"] is None and slots["requested_slot"] == "floor_area", (junk, reply)
    # a number inside other words is offered back, and taken only on a yes
    s = builder.copy(events)
    reply = texts(bot.say(s, "门面大概90吧，具体我记不太清"))
    assert "您是说 90平方米" in reply and bot.slots(s)["floor_area"] is None
    bot.say(s, "对")
    assert bot.slots(s)["floor_area"] == 90
    # "不清楚" is the one way to the default
    s = builder.copy(events)
    bot.say(s, "不清楚")
    assert bot.slots(s)["floor_area"] == 100


def test_spoken_digits_are_accepted(bot: BotStack) -> None:
    builder = StateBuilder(bot)
    s = builder.copy(builder.state("newborn", "phone"))
    reply = texts(bot.say(s, "幺三六 幺二三四 五六七八"))
    assert bot.slots(s)["phone"] == "13612345678", reply


def test_a_long_message_gets_its_questions_answered_then_the_offer(bot: BotStack) -> None:
    s = sender()
    message = "我和我爱人打算在塘沽开一家卖煎饼馃子和豆腐脑的小早点铺，想问一下得去哪里办手续，大概要花多少钱？"
    replies = bot.say(s, message)
    reply = texts(replies)
    assert "办理地点" in reply and "收费情况" in reply, reply
    assert bot.slots(s)["offered_scenario"] == "open_restaurant" and bot.slots(s)["scenario"] is None
    assert any("open_restaurant" in b.get("payload", "") for r in replies for b in r.get("buttons") or [])
    reply = texts(bot.say(s, "好的，那就办吧"))
    assert bot.slots(s)["scenario"] == "open_restaurant" and bot.slots(s)["requested_slot"], reply


def test_out_of_scope_gets_an_honest_answer(bot: BotStack) -> None:
    for message, department in [
        ("护照快过期了，在哪换新的", None),
        ("想把公积金取出来付房租，怎么弄", "住房公积金管理中心"),
        ("楼上天天半夜装修，我要投诉", None),
    ]:
        s = sender()
        reply = texts(bot.say(s, message))
        slots = bot.slots(s)
        assert slots["scenario"] is None, (message, reply)
        assert "12345" in reply and "转接人工" not in reply and "您想办什么事" not in reply, (message, reply)
        if department:
            assert department in reply, (message, reply)
