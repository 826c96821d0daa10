"""Field validators with real valid and invalid vectors."""

from __future__ import annotations

import datetime as dt

import pytest

from api.catalog.loader import Catalog
from api.validation.validate import validate_field

TODAY = dt.date(2026, 11, 29)


def check(catalog: Catalog, field_id: str, raw: object):
    return validate_field(field_id, raw, catalog, today=TODAY)


@pytest.mark.parametrize(
    ("raw", "normalized", "birth", "gender"),
    [
        ("120109199003151228", "120109199003151228", "1990-03-15", "female"),
        ("11010519491231002x", "11010519491231002X", "1949-12-31", "female"),
        ("１２０１０９ １９９００３１５ １２２８", "120109199003151228", "1990-03-15", "female"),
        ("120114200103150018", "120114200103150018", "2001-03-15", "male"),
    ],
)
def test_id_number_accepts_and_derives_birth_date_and_gender(catalog, raw, normalized, birth, gender) -> None:
    result = check(catalog, "id_number", raw)
    assert result.valid, result.message
    assert result.value == normalized
    assert result.derived["birth_date"] == birth
    assert result.derived["gender"] == gender
    assert result.derived["region_code"] == normalized[:6]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("120109199003151227", "校验码"),  # wrong check digit
        ("12010919900315122", "18位，您输入的是17位"),  # wrong length
        ("12010919900230122X", "出生日期“19900230”不是有效日期"),  # 30 February
        ("120109203003151221", "不可能"),  # born in the future
        ("12010919900315A228", "前17位应为数字"),
    ],
)
def test_id_number_errors_say_what_is_wrong(catalog, raw, words) -> None:
    result = check(catalog, "id_number", raw)
    assert not result.valid
    assert words in result.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13612345678", "13612345678"),
        ("136 1234 5678", "13612345678"),
        ("136-1234-5678", "13612345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("+8613912345678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
    ],
)
def test_phone_normalizes_common_ways_of_writing_it(catalog, raw, expected) -> None:
    result = check(catalog, "phone", raw)
    assert result.valid, result.message
    assert result.value == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("+1 650 253 0000", "中国大陆"),
        ("+852 9123 4567", "中国大陆"),
        ("1361234567", "11位"),
        ("12012345678", "不是有效的手机号码"),
        ("手机号", "格式不正确"),
    ],
)
def test_phone_refuses_foreign_short_and_invalid_numbers(catalog, raw, words) -> None:
    result = check(catalog, "phone", raw)
    assert not result.valid
    assert words in result.message


def test_uscc_valid_forbidden_letter_and_checksum(catalog) -> None:
    assert check(catalog, "uscc", "91110000600037341L").value == "91110000600037341L"
    assert check(catalog, "uscc", "9111 0000 6000 3734 1l").valid
    forbidden = check(catalog, "uscc", "9111000060003734IL")
    assert not forbidden.valid and "I、O、S、V、Z" in forbidden.message
    checksum = check(catalog, "uscc", "91110000600037341A")
    assert not checksum.valid and "校验码" in checksum.message
    assert "18位" in check(catalog, "uscc", "9111000060003").message


@pytest.mark.parametrize(
    "raw",
    ["2025-3-5", "2025年3月5日", "2025.03.05", "2025/03/05", "20250305", "二〇二五年三月五日", "2025 年 3 月 5 日"],
)
def test_dates_in_many_spellings_become_iso(catalog, raw) -> None:
    result = check(catalog, "newborn_birth_date", raw)
    assert result.valid, result.message
    assert result.value == "2025-03-05"


@pytest.mark.parametrize(
    ("raw", "words"),
    [("2025-2-30", "不存在"), ("2025年13月1日", "不存在"), ("2027-01-01", "不能晚于今天"), ("上个月", "格式")],
)
def test_impossible_or_future_dates_are_refused(catalog, raw, words) -> None:
    result = check(catalog, "newborn_birth_date", raw)
    assert not result.valid
    assert words in result.message


def test_relative_day_words(catalog) -> None:
    assert check(catalog, "death_date", "昨天").value == "2026-11-28"


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("floor_area", "一百二十平", 120),
        ("floor_area", "120平米", 120),
        ("floor_area", "120.5平方米", 120.5),
        ("floor_area", "大概１２０㎡左右", 120),
        ("floor_area", "两百平", 200),
        ("registered_capital", "10万", 10),
        ("registered_capital", "50000元", 5),
        ("registered_capital", "十万元", 10),
        ("employee_count", "5个人", 5),
    ],
)
def test_numbers_with_units(catalog, field, raw, expected) -> None:
    result = check(catalog, field, raw)
    assert result.valid, result.message
    assert result.value == expected


def test_numbers_out_of_range_or_not_integer(catalog) -> None:
    assert "不能小于" in check(catalog, "floor_area", "0平").message
    assert "整数" in check(catalog, "employee_count", "2.5").message
    assert "数字" in check(catalog, "floor_area", "挺大的").message


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("premises_ownership", "租的", "leased"),
        ("premises_ownership", "自有房产", "owned"),
        ("premises_ownership", "owned", "owned"),
        ("enterprise_type", "个体户", "individual"),
        ("relationship_to_deceased", "我是他儿子", "child"),
        ("relationship_to_deceased", "老伴", "spouse"),
        ("food_business_items", "主要做奶茶", "drinks"),
    ],
)
def test_choices_accept_labels_and_synonyms(catalog, field, raw, expected) -> None:
    result = check(catalog, field, raw)
    assert result.valid, result.message
    assert result.value == expected


def test_ambiguous_choice_lists_the_options(catalog) -> None:
    result = check(catalog, "premises_ownership", "不知道")
    assert not result.valid
    assert "自有房产、租赁、无偿使用" in result.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("对", True),
        ("有", True),
        ("需要", True),
        ("已经办好了", True),
        ("是的。", True),
        ("否", False),
        ("不卖烟", False),
        ("执照还没办", False),
        ("没有", False),
        ("不需要", False),
        ("對的", True),  # traditional characters
        ("是嗎", None),  # "really?": asked back, so asked again
        ("Yes", True),
        (True, True),
        (False, False),
    ],
)
def test_yes_no_words(catalog, raw, expected) -> None:
    from api.catalog.models import BoolRule
    from api.validation.validate import validate_rule

    result = validate_rule(BoolRule(kind="bool"), raw, "是否", catalog)
    if expected is None:
        assert not result.valid
        return
    assert result.valid, result.message
    assert result.value is expected


def test_names_addresses_and_text_bounds(catalog) -> None:
    assert check(catalog, "applicant_name", "王 芳").value == "王芳"
    assert check(catalog, "applicant_name", "阿依古丽·买买提").valid
    assert not check(catalog, "applicant_name", "王芳123").valid
    assert "太短" in check(catalog, "applicant_name", "王").message
    assert "太长" in check(catalog, "signboard_text", "字" * 51).message
    assert "中文" in check(catalog, "premises_address", "Room 101, Some Road").message
    assert check(catalog, "premises_address", "天津市滨海新区解放路668号").valid
    assert "请填写" in check(catalog, "applicant_name", "  ").message


def test_bank_card_luhn(catalog) -> None:
    assert check(catalog, "bank_account", "6222 0210 0111 5555 556").valid
    assert "校验" in check(catalog, "bank_account", "6222021001115555555").message
    assert "16至19位" in check(catalog, "bank_account", "62220210").message


def test_every_catalog_example_is_valid(catalog) -> None:
    for field in catalog.fields.values():
        result = check(catalog, field.id, field.example)
        assert result.valid, f"{field.id}: example {field.example!r}: {result.message}"


def _question(catalog: Catalog, question_id: str):
    return next(q for sc in catalog.scenarios.values() for q in sc.questions if q.id == question_id)


@pytest.mark.parametrize(
    ("question_id", "raw", "expected"),
    [
        ("hukou_outside_tianjin", "本地户口，一直在天津", False),  # the question's own "no" phrase
        ("hukou_outside_tianjin", "不是天津户口，老家河北的", True),  # a negated "no" phrase means yes
        ("was_receiving_pension", "他一直领着退休金呢", True),
        ("was_receiving_pension", "没领过退休金", False),
        ("died_in_hospital", "不是，在家走的", False),
        ("has_mortgage", "贷款还没还完", True),
        ("has_mortgage", "早就还清了", False),
        ("sells_tobacco", "烟酒都卖", True),
        ("has_business_license", "執照正在辦", False),  # traditional characters
        ("has_housing_fund", "单位一直给交着呢", True),
    ],
)
def test_yes_no_statements_use_the_question_phrases(catalog, question_id, raw, expected) -> None:
    from api.validation.validate import validate_rule

    result = validate_rule(_question(catalog, question_id).validator, raw, "问题", catalog)
    assert result.valid, result.message
    assert result.value is expected


@pytest.mark.parametrize("raw", ["这个我得问问我老伴", "啥意思", "有没有都行吧？", "", "   "])
def test_neither_yes_nor_no_is_asked_again(catalog, raw) -> None:
    from api.validation.validate import validate_rule

    assert not validate_rule(_question(catalog, "has_housing_fund").validator, raw, "问题", catalog).valid


@pytest.mark.parametrize(
    ("raw", "expected", "suggestion"),
    [
        ("一百二十来平", 120, None),
        ("大概80平左右吧", 80, None),
        ("１２０㎡", 120, None),
        ("ＸＹ９", None, None),  # letters around a digit: not a number answer
        ("<i>2</i>", None, None),  # markup
        ("我家9口人", None, 9),  # a digit inside other words: offered back, never taken
    ],
)
def test_a_number_answer_must_be_the_answer(catalog, raw, expected, suggestion) -> None:
    result = check(catalog, "floor_area", raw)
    assert result.valid is (expected is not None), result.message
    assert (result.value if result.valid else result.suggestion) == (expected if expected is not None else suggestion)


@pytest.mark.parametrize(
    ("field_id", "raw", "expected"),
    [
        ("phone", "幺三九零二二三三四四五", "13902233445"),
        ("phone", "一三六 一二三四 五六七八", "13612345678"),
        ("id_number", "幺二零幺零九幺九九零零三幺五幺二二八", "120109199003151228"),
        ("bank_account", "六二二二 零二幺零 零幺幺幺 五五五五 五五六", "6222021001115555556"),
    ],
)
def test_spoken_digits_are_read(catalog, field_id, raw, expected) -> None:
    result = check(catalog, field_id, raw)
    assert result.valid, result.message
    assert result.value == expected


def test_only_unsure_words_take_the_default(catalog) -> None:
    from api.engine.answers import resolve_answers

    scenario = catalog.scenarios["open_restaurant"]
    unsure = resolve_answers(scenario, {"floor_area": "不清楚"}, catalog)
    assert unsure.values["floor_area"] == 100 and "floor_area" in unsure.assumed
    blank = resolve_answers(scenario, {"floor_area": "  "}, catalog)
    assert "floor_area" in blank.errors  # a blank answer is asked again, never defaulted
    junk = resolve_answers(scenario, {"floor_area": "我家9口人"}, catalog)
    assert junk.suggestions == {"floor_area": 9}


@pytest.mark.parametrize(
    ("question_id", "raw", "expected"),
    [
        ("has_housing_fund", "我们单位压根就没给交过公积金", False),  # negation earlier in the clause
        ("was_receiving_pension", "他是农民，一分钱退休金都没领过", False),  # negation after the phrase
        ("apply_social_security_card", "社保卡以后再说吧", False),  # "later" is a no for now
        ("outdoor_signboard", "在商场里头，门头就不弄了", False),
        ("has_housing_fund", "交没交过我也记不清了", None),  # hedging: asked again
        ("has_housing_fund", "公积金能取出来吗", None),  # a question back: asked again
        ("has_housing_fund", "呃……那个", None),  # hesitation
    ],
)
def test_yes_no_clauses_hedges_and_questions(catalog, question_id, raw, expected) -> None:
    from api.validation.validate import validate_rule

    result = validate_rule(_question(catalog, question_id).validator, raw, "问题", catalog)
    if expected is None:
        assert not result.valid, result
    else:
        assert result.valid and result.value is expected, result


@pytest.mark.parametrize(
    ("field_id", "raw", "expected"),
    [
        ("employee_count", "算上我一共六个人", 6),  # the field's own unit: the number is the answer
        ("seat_count", "摆了三十来个座位", 30),
        ("floor_area", "店面大概有个八十平方", 80),
        ("premises_ownership", "门面是从房东那租来的", "leased"),
        ("newborn_gender", "是个千金", "female"),
        ("applicant_name", "我叫欧阳晓", "欧阳晓"),  # the sentence around a name is cut
    ],
)
def test_values_said_in_a_sentence(catalog, field_id, raw, expected) -> None:
    result = check(catalog, field_id, raw)
    assert result.valid, result.message
    assert result.value == expected


def test_the_longer_choice_word_wins(catalog) -> None:
    from api.validation.validate import validate_rule

    rule = _question(catalog, "drug_scope").validator
    assert validate_rule(rule, "只卖乙类的非处方药", "经营范围", catalog).value == "otc_b_only"


@pytest.mark.parametrize("raw", ["qwer", "孩子他妈", "还没想好叫啥"])
def test_not_a_name(catalog, raw) -> None:
    assert not check(catalog, "mother_name", raw).valid
