"""Validators for free values: names, text, addresses, dates, numbers with units, yes/no, choices."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re

import cn2an

from api.catalog.models import BoolRule, ChoiceRule, DateRule, NumberRule, TextRule
from api.validation.normalize import answer_words, clean_text, half_width, simplify
from api.validation.result import Invalid, Valid, ValidationResult

# "孩子妈", "我老婆", "还没想好叫啥": a relation or a hesitation, not a name. (Latin names need a
# space between given name and surname, as on a passport: "John Smith".)
_NOT_A_NAME = re.compile(
    r"^(?:孩子|我|他|她|俺|咱|我家|他家){0,2}的?(?:妈|爸|妈妈|爸爸|老婆|老公|媳妇|丈夫|妻子|爱人|老伴|儿子|女儿|闺女"
    r"|爷爷|奶奶|姥姥|姥爷|外公|外婆)$|没想好|不知道|不清楚|叫啥|什么|还没起|没起名"
)
_NAME = re.compile(r"^[\u4e00-\u9fff·•A-Za-z][\u4e00-\u9fff·•A-Za-z ]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")
_ARABIC = re.compile(r"-?\d+(?:\.\d+)?")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
_DATE_PARTS = re.compile(r"(\d{4})\s*(?:[-./年]\s*)(\d{1,2})\s*(?:[-./月]\s*)(\d{1,2})\s*[日号]?")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_RELATIVE_DAYS = {"今天": 0, "昨天": -1, "前天": -2, "明天": 1, "后天": 2}


# "我叫王芳", "店名叫芳味小馆", "地址是…", "户口在…": the words before the value, when the citizen
# answers with a sentence. Only a pronoun or one of these nouns followed by 叫/是/为/在/写 is cut.
_LEAD_IN = re.compile(
    r"^(?:(?:我|他|她|俺|咱|我们|我家|本人|老人|孩子|小孩|宝宝|户主|父亲|母亲|爸爸|妈妈|逝者|卖方|买方|对方)的?){0,2}"
    r"(?:名字|姓名|全名|店名|店的名字|名称|字号|招牌|地址|住址|户口|户籍|房子|房屋|编号|证号|号码|账号|经营范围|范围"
    r"|单位|工作单位|公司|开户行|银行|抵押权人|法人|法定代表人|经营者|老板|财务|会计|财务负责人|负责人|质量负责人"
    r"|药师|执业药师|消防负责人|管理人|股东|卖家|房东|店|店铺|门店|铺子|门面|厂|住|家住|现住|家"
    r"|公积金账号|公积金帐号|账户|卡号|户号|证书号|注册证号|注册证编号|证书编号)?"
    r"(?<=.)(?:叫做|名叫|就叫|叫|就写|写的是|写|填的是|填|应该是|就是|是|为|在)[:：]?\s*(?=\S)"
)


# ...and after it: "孙丽负责", "在天津港集团上班", quotes around a name.
_TRAIL = re.compile(r"(?:来负责|负责|上班|工作|干活|那儿|这儿|呢|吧|啊)$")
_QUOTES = "“”‘’\"'「」《》"


def strip_lead_in(text: str) -> str:
    """The value without the sentence around it ("我叫王芳" → "王芳"); unchanged when there is none."""
    match = _LEAD_IN.match(text)
    value = text[match.end() :] if match and match.end() < len(text) else text
    if value.startswith("在") and _TRAIL.search(value):  # "在天津港集团上班"
        value = value[1:]
    trimmed = _TRAIL.sub("", value)
    value = trimmed if len(trimmed) >= 2 else value
    return value.strip(_QUOTES) or value


def validate_text(rule: TextRule, raw: str, label: str) -> ValidationResult:
    """Bounded free text; names and addresses have extra checks."""
    text = strip_lead_in(clean_text(str(raw)))
    if _CONTROL.search(text):
        return Invalid(f"{label}中含有无法识别的字符，请重新输入。")
    if rule.kind == "name":
        text = text.replace(" ", "") if _HAS_HAN.search(text) else text
        if not _NAME.match(text):
            return Invalid(f"{label}只能包含汉字、字母或间隔号“·”，请重新输入。")
        if _NOT_A_NAME.search(text) or (not _HAS_HAN.search(text) and " " not in text):
            return Invalid(f"请告诉我{label}，与身份证上的姓名一致，如“王芳”。")
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


# Words written with numerals that are not numbers ("一共六个人", "一直", "统一").
_NUMERAL_WORDS = re.compile(
    r"一共|一起|一直|一样|一般|一些|一下|一点儿|一块儿|统一|万一|一定|一楼|一层|一天|每天|一年|一个月|一辈子"
)
# "半吨" → 0.5 吨, "百分之五" → 5 %.
_HALF = re.compile(r"(?<![零〇一二两三四五六七八九十百千万\d])半")
_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十点\d.]+)")


def _spoken_forms(text: str) -> str:
    return _HALF.sub("0.5", _PERCENT.sub(r"\1%", text))


# Larger than any count, area or amount a form asks for; beyond it floats lose integers (and 400
# digits overflow to infinity), so such "numbers" are not understood rather than mangled.
_LARGEST = 1e12


def parse_number(raw: str) -> float | None:
    """First number in the text: Arabic ('120.5平米') or Chinese numerals ('一百二十平左右')."""
    value = _parse_number(raw)
    return value if value is not None and math.isfinite(value) and abs(value) < _LARGEST else None


def _parse_number(raw: str) -> float | None:
    text = _spoken_forms(_NUMERAL_WORDS.sub("", half_width(str(raw)).replace(",", "")))
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


# The unit words that say a number is meant in the field's own unit ("连我一共五个人" for a head
# count, "大概有个九十平方" for an area): such a number is the answer whatever words surround it.
_UNIT_WORDS = {
    "平方米": ("平方米", "平方", "平米", "平", "㎡", "m2", "m²", "个平方", "个平"),
    "人": ("个人", "人", "名", "位", "个员工", "个伙计", "个工人"),
    "个": ("个座位", "个座", "座位", "座", "个位子", "位子", "个"),
    "吨": ("吨", "t", "方", "立方"),
    "米": ("米", "m"),
    "枚": ("枚", "个", "颗"),
    "万元": ("万元", "万块", "万", "w", "元", "块"),
    "%": ("%", "个点"),
}
_ANY_NUMBER = re.compile(r"\d+(?:\.\d+)?[万亿]?|[零〇一二两三四五六七八九十百千万亿点]+")
_APPROX = "来多余几"


def _in_field_unit(compact: str, unit: str) -> bool:
    """One number in the text, followed (after 来/多/余) by one of the field's unit words."""
    text = _spoken_forms(_NUMERAL_WORDS.sub("", simplify(compact)))
    numbers = _ANY_NUMBER.findall(text)
    if len(numbers) != 1 or re.search(r"[A-Za-z<>{}\[\]=\\|@#$^*_]", text.replace("m2", "").replace("w", "")):
        return False
    match = _ANY_NUMBER.search(text)
    if unit == "万元" and match.group().endswith("万"):  # "认缴一百万", "总价235万元"
        return True
    rest = text[match.end() :].lstrip(_APPROX)
    return any(rest.startswith(word) for word in _UNIT_WORDS.get(unit, ()))


def validate_number(rule: NumberRule, raw: str, label: str) -> ValidationResult:
    """A number with an optional unit; '一百二十平' → 120, '10万' in 万元 → 10. A number inside other
    text is never taken silently: the citizen is asked "您是说 9 平方米吗？" (the value is suggested)."""
    text = half_width(str(raw)).strip()
    compact = text.replace(" ", "").replace(",", "")
    if rule.unit == "万元":
        number = _ARABIC.search(compact)
        value: float | None
        if number and "万" not in compact and "元" in compact:
            value = parse_number(number.group())
            value = value / 10000 if value is not None else None
        else:
            value = parse_number(compact.replace("万元", "").replace("万", ""))
    else:
        value = parse_number(compact)
    unit = f"（单位：{rule.unit}）" if rule.unit else ""
    example = 120 if rule.unit == "平方米" else 10
    if value is None:
        return Invalid(f"没看懂{label}，请输入一个数字{unit}，如“{example}”。")
    shown = _fmt(value)
    if not _NUMBER_ANSWER.match(compact) and not _in_field_unit(compact, rule.unit):
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


# "是不是/有没有/要不要", "……吗", "啥是…": the citizen is asking back, not answering.
_ASKING_BACK = re.compile(r"([^还])[不没]\1|什么|啥|怎么|咋|哪|多少|能不能|可不可以|可以吗|吗$|吗[,.!]|[?？]")
# Hedging, postponing or hesitating: neither yes nor no, so the question is asked again.
_HEDGE = re.compile(
    r"说不准|说不好|不好说|不确定|不一定|记不清|不记得|不知道|不清楚|搞不清|看情况|再看看|还没定|没定|待定"
    r"|没想好|没商量|问问|问一下|^(?:嗯|呃|额|啊)*[.…,]*(?:这个|那个)?[.…]*$"
)
# "以后再说", "等孩子大点再说", "先不办": not now, which answers a "do you want to…" question with no.
_LATER = re.compile(r"再说|以后再|回头再|过段时间|先不|暂时不|暂不")
_LEADING_NO = re.compile(r"^(?:不是|没有|没得|木有|没|不|无|否|未|别|非)")
_LEADING_YES = re.compile(r"^(?:是|对|有|要|嗯|好|已|需要|会|卖|挂|在|领|交|参加|当然|肯定|必须|打算|准备|想)")
_NEGATION = re.compile(r"[不没未无非别]")
# Negation words that do not negate: "没问题", "不错", "没错".
_NOT_NEGATING = re.compile(r"没问题|没错|不错|没毛病|不用说|毫无疑问")


def _find_phrase(text: str, phrase: str) -> int:
    """Where the phrase is in the answer; a phrase of four or more characters may have a word or two
    inserted ("户口就在天津" for "户口在天津"). -1 when absent."""
    pos = text.find(phrase)
    if pos >= 0 or len(phrase) < 4:
        return pos
    gapped = re.search("[^不没未无非别]{0,2}".join(re.escape(ch) for ch in phrase), text)
    return gapped.start() if gapped else -1


def _clause(text: str, pos: int) -> tuple[int, int]:
    """The span of the clause (between punctuation marks) around position `pos`."""
    marks = ",.;:!?，。；：、！？"
    start = max((text.rfind(m, 0, pos) for m in marks), default=-1) + 1
    ends = [i for i in (text.find(m, pos) for m in marks) if i >= 0]
    return start, min(ends) if ends else len(text)


def _phrase_answer(text: str, phrases: list[str], value: bool) -> bool | None:
    """`value` if one of the question's phrases is in the answer, the opposite when its clause
    negates it: a "no" phrase negated before it (不是租的), a "yes" phrase negated anywhere in its
    clause (从来没给上过公积金, 一分退休金都没有)."""
    for phrase in sorted(phrases, key=len, reverse=True):
        word = answer_words(phrase)
        pos = _find_phrase(text, word)
        if pos >= 0:
            start, end = _clause(text, pos)
            around = text[start:pos] if not value else text[start:pos] + text[pos + len(word) : end]
            negated = bool(_NEGATION.search(_NOT_NEGATING.sub("", around)))
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
    if not text or _ASKING_BACK.search(text) or _HEDGE.search(text):
        return unsure
    if _LATER.search(text):
        return Valid(False)
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
    # Partial matches; one inside a longer one does not count ("非处方药" is not "处方药").
    found = [
        (value, m.start(), m.end())
        for value, words in choices
        for word in words
        if len(word) > 1
        for m in re.finditer(re.escape(word), text)
    ]
    found = [(v, a, b) for v, a, b in found if not (a > 0 and text[a - 1] in "非不没无")]  # "非处方药"
    hits = {v for v, a, b in found if not any(a2 <= a and b <= b2 and (b2 - a2) > (b - a) for _, a2, b2 in found)}
    if len(hits) == 1:
        return Valid(hits.pop())
    options = "、".join(c.label for c in rule.choices)
    return Invalid(f"{label}请从以下选项中选择一个：{options}。")
