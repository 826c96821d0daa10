"""Validators for identifiers: 身份证号 (GB 11643), 统一社会信用代码 (GB 32100), mobile, bank card."""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from api.validation.normalize import half_width
from api.validation.result import Invalid, Valid, ValidationResult

_SEPARATORS = re.compile(r"[\s\-_－—]+")


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", half_width(text)).upper()


def validate_id_number(raw: str, today: dt.date | None = None) -> ValidationResult:
    """Check a 居民身份证号: length, format, birth date, check digit. The region is information only."""
    number = _compact(raw)
    if len(number) != 18:
        return Invalid(f"身份证号应为18位，您输入的是{len(number)}位，请核对后重新输入。")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return Invalid("身份证号前17位应为数字，最后一位为数字或字母X，请核对后重新输入。")
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        return Invalid(f"身份证号第7至14位的出生日期“{number[6:14]}”不是有效日期，请核对后重新输入。")
    if birth > (today or dt.date.today()) or birth.year < 1900:
        return Invalid(f"身份证号中的出生日期“{birth.isoformat()}”不可能，请核对后重新输入。")
    if ric.calc_check_digit(number) != number[17]:
        return Invalid("身份证号最后一位校验码不符，可能有数字输错或顺序颠倒，请逐位核对后重新输入。")
    derived: dict[str, str] = {
        "birth_date": birth.isoformat(),
        "gender": "male" if int(number[16]) % 2 else "female",
        "region_code": number[:6],
    }
    try:
        place = ric.get_birth_place(number)
        derived["region"] = "".join(v for v in (place.get("province"), place.get("county")) if v)
    except StdnumError:
        pass  # region codes change over time; an unknown region is not a reason to refuse
    return Valid(number, derived)


def validate_uscc(raw: str) -> ValidationResult:
    """Check a 统一社会信用代码 with python-stdnum's cn.uscc."""
    code = _compact(raw)
    if len(code) != 18:
        return Invalid(f"统一社会信用代码应为18位，您输入的是{len(code)}位，请对照营业执照核对。")
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        return Invalid("统一社会信用代码最后一位校验码不符，请对照营业执照逐位核对。")
    except StdnumError:
        return Invalid("统一社会信用代码格式不正确：只含数字和大写字母，且不含字母I、O、S、V、Z，请对照营业执照核对。")
    return Valid(code)


def validate_phone(raw: str) -> ValidationResult:
    """Check a mainland China mobile number; accepts spaces, dashes, +86 and full-width digits."""
    text = _compact(raw)
    if not text:
        return Invalid("请输入11位手机号码。")
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return Invalid("手机号码格式不正确，请输入11位数字的手机号码，如13612345678。")
    if parsed.country_code != 86:
        return Invalid("请填写中国大陆的11位手机号码（暂不支持境外号码）。")
    national = str(parsed.national_number)
    if len(national) != 11:
        return Invalid(f"手机号码应为11位，您输入的是{len(national)}位，请核对后重新输入。")
    kind = phonenumbers.number_type(parsed)
    mobile = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(parsed) or kind not in mobile:
        return Invalid("这个号码不是有效的手机号码，请核对号段（如136、139、188开头）后重新输入。")
    return Valid(national)


def validate_bank_account(raw: str) -> ValidationResult:
    """Check a bank card number: 16–19 digits with a valid Luhn check digit."""
    number = _compact(raw)
    if not number.isdigit():
        return Invalid("银行卡号只能包含数字，请核对后重新输入。")
    if not 16 <= len(number) <= 19:
        return Invalid(f"银行卡号一般为16至19位，您输入的是{len(number)}位，请核对后重新输入。")
    if not luhn.is_valid(number):
        return Invalid("银行卡号校验未通过，可能有数字输错，请对照银行卡逐位核对。")
    return Valid(number)
