"""Validators for free values: names, text, addresses, dates, numbers with units, yes/no, choices."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import cn2an

from api.catalog.models import BoolRule, ChoiceRule, DateRule, NumberRule, TextRule
from api.validation.normalize import answer_words, clean_text, half_width, simplify
from api.validation.result import Invalid, Valid, ValidationResult

_NAME = re.compile(r"^[\u4e00-\u9fff·•A-Za-z][\u4e00-\u9fff·•A-Za-z ]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")
_ARABIC = re.compile(r"-?\d+(?:\.\d+)?")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
_DATE_PARTS = re.compile(r"(\d{4})\s*(?:[-./年]\s*)(\d{1,2})\s*(?:[-./月]\s*)(\d{1,2})\s*[日号]?")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RELATIVE_DAYS = {"今天": 0, "昨天": -1, "前天": -2, "明天": 1, "后天": 2}


def validate_text(rule: TextRule, raw: str, label: str) -> ValidationResult:
    """Bounded free text; names and addresses have extra checks."""
    text = clean_text(str(raw))
    if _CONTROL.search(text):
        return Invalid(f"{label}中含有无法识别的字符，请重新输入。")
    if rule.kind == "name":
        text = text.replace(" ", "") if _HAS_HAN.search(text) else text
        if not _NAME.match(text):
            return Invalid(f"{label}只能包含汉字、字母或间隔号“·”，请重新输入。")
    if len(text) < rule.min_length:
        return Invalid(f"{label}太短了，至少需要{rule.min_length}个字，请补充完整。")
    if len(text) > rule.max_length:
        return Invalid(f"{label}太长了，最多{rule.max_length}个字，请精简后重新输入。")
    if rule.kind == "address" and not _HAS_HAN.search(text):
        return Invalid(f"{label}请用中文填写，写到街道和门牌号。")
    return Valid(text)


def parse_date(raw: str, today: dt.date) -> dt.date | None:
    """Parse '2025-3-5', '2025年3月5日', '2025.03.05', '20250305', '二〇二五年三月五日', '昨天'."""
    text = half_width(str(raw)).strip()
    if text in _RELATIVE_DAYS:
        return today + dt.timedelta(days=_RELATIVE_DAYS[text])
    if _CN_NUMBER.search(text):
        with contextlib.suppress(ValueError, KeyError):
            text = cn2an.transform(text.replace("〇", "零"), "cn2an")
        # cn2an leaves year digits read one by one ("二零二五年" → "2025年"); nothing more to do.
    match = _DATE_PARTS.search(text) or _DATE_COMPACT.match(text.replace(" ", ""))
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date.min  # a date-shaped answer that is impossible (2月30日)


def validate_date(rule: DateRule, raw: str, label: str, today: dt.date | None = None) -> ValidationResult:
    """Normalise a date to ISO format; impossible or out-of-range dates are refused."""
    today = today or dt.date.today()
    value = parse_date(str(raw), today)
    if value is None:
        return Invalid(f"没看懂{label}，请按“2025年3月5日”或“2025-03-05”的格式输入。")
    if value == dt.date.min:
        return Invalid(f"{label}“{str(raw).strip()}”不存在（请检查月份和日期），请重新输入。")
    if value.year < 1900 or value.year > today.year + 50:
        return Invalid(f"{label}的年份{value.year}不合理，请核对后重新输入。")
    if rule.past_only and value > today:
        return Invalid(f"{label}不能晚于今天（{today.isoformat()}），请核对后重新输入。")
    if rule.future_only and value < today:
        return Invalid(f"{label}不能早于今天（{today.isoformat()}），请核对后重新输入。")
    return Valid(value.isoformat())


def parse_number(raw: str) -> float | None:
    """First number in the text: Arabic ('120.5平米') or Chinese numerals ('一百二十平左右')."""
    text = half_width(str(raw)).replace(",", "")
    arabic = _ARABIC.search(text)
    if arabic:
        value = float(arabic.group())
        rest = text[arabic.end() : arabic.end() + 1]
        return value * 10000 if rest == "万" and "万元" not in text else value
    chinese = _CN_NUMBER.search(simplify(text))
    if chinese:
        try:
            return float(cn2an.cn2an(chinese.group(), "smart"))
        except (ValueError, KeyError):
            return None
    return None


# A whole answer that is a number: "120", "一百二十来平", "大概80多个座", "3吨左右吧", "10万".
# Anything else around the number ("我家9口人", "XY9", "<i>2</i>") makes the reading unsure.
_NUMBER_ANSWER = re.compile(
    r"^(?:大概|大约|约|约为|差不多|估计|应该|可能|有|是|就|一共|总共|共|面积|全部|差不多有|大概有|估计有|能有)*"
    r"(?:-?\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿点]+)"
    r"(?:来|多|余|几|出头)?"
    r"(?:平方米|平方|平米|平|㎡|m2|m²|方|个人|人|名|位|个|座位|座|张|桌|吨|t|米|m|枚|万元|万块|万|元|块钱|块|%|个点)?"
    r"(?:左右|上下|来|多|多点|出头|吧|呢|啊|呀|哈|的样子|那样|这样|差不多)*[。.!]?$",
    re.IGNORECASE,
)


def validate_number(rule: NumberRule, raw: str, label: str) -> ValidationResult:
    """A number with an optional unit; '一百二十平' → 120, '10万' in 万元 → 10. A number inside other
    text is never taken silently: the citizen is asked "您是说 9 平方米吗？" (the value is suggested)."""
    text = half_width(str(raw)).strip()
    compact = text.replace(" ", "").replace(",", "")
    if rule.unit == "万元":
        number = _ARABIC.search(compact)
        value: float | None
        if number and "万" not in compact and "元" in compact:
            value = float(number.group()) / 10000
        else:
            value = parse_number(compact.replace("万元", "").replace("万", ""))
    else:
        value = parse_number(compact)
    unit = f"（单位：{rule.unit}）" if rule.unit else ""
    example = 120 if rule.unit == "平方米" else 10
    if value is None:
        return Invalid(f"没看懂{label}，请输入一个数字{unit}，如“{example}”。")
    shown = _fmt(value)
    if not _NUMBER_ANSWER.match(compact):
        if not _HAS_HAN.search(compact) or re.search(r"[<>{}\[\]=\\|@#$^*_]", compact):
            return Invalid(f"没看懂{label}，请直接输入一个数字{unit}，如“{example}”。")
        return Invalid(
            f"您是说 {shown}{rule.unit} 吗？是的话请回答“是”，不是请直接告诉我正确的数字。",
            suggestion=int(value) if value == int(value) else value,
        )
    if rule.integer and value != int(value):
        return Invalid(f"{label}应为整数，请重新输入。")
    if rule.min is not None and value < rule.min:
        return Invalid(f"{label}不能小于{_fmt(rule.min)}{rule.unit}，请核对后重新输入。")
    if rule.max is not None and value > rule.max:
        return Invalid(f"{label}不能大于{_fmt(rule.max)}{rule.unit}，请核对后重新输入。")
    return Valid(int(value) if value == int(value) else value)


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


# "是不是/有没有/要不要": the citizen is asking back, not answering.
_ASKING_BACK = re.compile(r"([^还])[不没]\1|什么意思|啥意思|什么是|啥是|[?？]$")
_LEADING_NO = re.compile(r"^(?:不是|没有|没得|木有|没|不|无|否|未|别|非)")
_LEADING_YES = re.compile(r"^(?:是|对|有|要|嗯|好|已|需要|会|卖|挂|在|领|交|参加|当然|肯定|必须|打算|准备|想)")
_NEGATION = re.compile(r"[不没未无非别]")
# Negation words that do not negate: "没问题", "不错", "没错".
_NOT_NEGATING = re.compile(r"没问题|没错|不错|没毛病|不用说|毫无疑问")


def _phrase_answer(text: str, phrases: list[str], value: bool) -> bool | None:
    """`value` if one of the question's phrases is in the answer; the opposite right after a negation."""
    for phrase in sorted(phrases, key=len, reverse=True):
        pos = text.find(answer_words(phrase))
        if pos >= 0:
            before = re.split(r"[,.;:!?，。；：、！？]", text[max(0, pos - 3) : pos])[-1]
            negated = bool(_NEGATION.search(before))
            return (not value) if negated else value
    return None


def validate_bool(
    rule: BoolRule, raw: object, label: str, true_words: frozenset[str], false_words: frozenset[str]
) -> ValidationResult:
    """Yes/no from words and statements: '是/对/有/需要' → True, '不卖烟/执照还没办' → False, and the
    question's own phrases ('本地户口' → False to '户籍是否在天津市以外'). Anything else is asked again."""
    if isinstance(raw, bool):
        return Valid(raw)
    text = answer_words(str(raw))
    if text in true_words:
        return Valid(True)
    if text in false_words:
        return Valid(False)
    unsure = Invalid(f"没听懂您的回答，请回答“是”或“否”：{label}")
    if not text or _ASKING_BACK.search(text):
        return unsure
    for phrases, value in ((rule.means_no, False), (rule.means_yes, True)):
        found = _phrase_answer(text, phrases, value)
        if found is not None:
            return Valid(found)
    plain = _NOT_NEGATING.sub("", text)
    if _LEADING_NO.match(plain):
        return Valid(False)
    if _LEADING_YES.match(text):
        return Valid(True)
    if _NEGATION.search(plain):
        return Valid(False)
    if text.startswith("已"):  # 已办 / 已经领了 / 已有
        return Valid(True)
    if any(word in text for word in true_words if len(word) > 1):
        return Valid(True)
    return unsure


# id(rule) -> (rule, words); holding the rule keeps its id from being reused.
_CHOICE_WORDS: dict[int, tuple[ChoiceRule, list[tuple[str, set[str]]]]] = {}


def _choice_words(rule: ChoiceRule) -> list[tuple[str, set[str]]]:
    """Each choice's value with its normalised label and synonyms (catalog rules live for the process)."""
    cached = _CHOICE_WORDS.get(id(rule))
    if cached is None:
        words = [
            (c.value, {c.value, answer_words(c.label), *(answer_words(s) for s in c.synonyms)}) for c in rule.choices
        ]
        cached = _CHOICE_WORDS[id(rule)] = (rule, words)
    return cached[1]


def validate_choice(rule: ChoiceRule, raw: str, label: str) -> ValidationResult:
    """Match a choice by value, label or synonym; a unique partial match is accepted too."""
    text = answer_words(str(raw))
    choices = _choice_words(rule)
    for value, words in choices:
        if text in words:
            return Valid(value)
    hits = {value for value, words in choices for word in words if len(word) > 1 and word in text}
    if len(hits) == 1:
        return Valid(hits.pop())
    options = "、".join(c.label for c in rule.choices)
    return Invalid(f"{label}请从以下选项中选择一个：{options}。")
