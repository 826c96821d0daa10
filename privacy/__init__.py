"""Masking of personal data (身份证号, 手机号, 银行卡号, 姓名, 地址): the one module, shared by the API
(logs, stored misses, lists) and the action server (summaries, misses it reports).

`mask_text` finds personal data in free text: ID numbers, bank cards and mobile numbers however
they are spaced or prefixed ("136 1234 5678", "+86-136…"), a name after the words that introduce
one ("我叫…", "姓名…"), an address from its road/number/room part, and any value the caller already
knows to be personal (the name and address a citizen entered in the form).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

# Validator kinds (data/fields.yml) whose values identify a person.
PERSONAL_KINDS = frozenset({"name", "address", "id_number", "phone", "bank_account"})

_SEP = r"[ \-\u00a0]?"
_ID = re.compile(rf"(?<![\dA-Za-z])(\d{{6}}){_SEP}(\d{{4}}){_SEP}(\d{{4}}){_SEP}(\d{{3}}[\dXx])(?![\dA-Za-z])")
_PHONE = re.compile(rf"(?<![\d])(?:(?:\+|00)?86{_SEP})?(1\d{{2}}){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
_CARD = re.compile(r"(?<!\d)(\d{4})((?:[ \-]?\d){8,11})[ \-]?(\d{4})(?!\d)")
_NAME_CUE = re.compile(
    r"(我叫|我的名字(?:是|叫)?|名字(?:是|叫)|姓名(?:是|为)?[:：]?|申请人(?:是|为)?[:：]?|法人(?:代表)?(?:是|叫)[:：]?"
    r"|本人|叫做?)\s*(?!什么|啥|谁|哪)([\u4e00-\u9fa5·]{2,4})"
)
_ADDRESS = re.compile(
    r"([\u4e00-\u9fa5]{2,12}(?:路|街|道|巷|胡同|弄|大道|小区|花园|村|里))"
    r"([\u4e00-\u9fa5\d\-]*?\d+[\u4e00-\u9fa5\d\-]*?(?:号|栋|楼|单元|室|门|层)(?:[\d\-]+(?:号|室|层)?)*)"
)


def mask_id_number(value: str) -> str:
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)


def mask_card(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) >= 12 else "*" * len(value)


def mask_name(value: str) -> str:
    return value[0] + "*" * (len(value) - 1) if value else value


def mask_address(value: str) -> str:
    """Keep the district part, hide the road, number and room: "天津市滨海新区解放路668号" → "天津市滨海新区****"."""
    cut = re.search(r"(?:省|市|区|县|镇|乡|街道)(?!.*(?:省|市|区|县|镇|乡|街道))", value)
    keep = value[: cut.end()] if cut and cut.end() < len(value) else value[: min(3, len(value) // 3)]
    return keep + "****"


def mask_value(kind: str, value: Any) -> str:
    """A form value masked by its validator kind (id_number, phone, bank_account, name, address)."""
    text = str(value)
    maskers = {
        "id_number": mask_id_number,
        "phone": mask_phone,
        "bank_account": mask_card,
        "name": mask_name,
        "address": mask_address,
    }
    masker = maskers.get(kind)
    return masker(text) if masker and text else text


def mask_text(text: str, known: Iterable[str] = ()) -> str:
    """Every ID number, bank card, mobile number, introduced name and address in free text masked,
    and every `known` personal value (two characters or more) wherever it appears."""
    for value in sorted({str(v) for v in known if v and len(str(v)) >= 2}, key=len, reverse=True):
        text = text.replace(value, "*" * len(value))
    text = _ID.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(4)[-4:], text)
    text = _PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = _CARD.sub(lambda m: m.group(1) + "*" * len(re.sub(r"\D", "", m.group(2))) + m.group(3), text)
    text = _NAME_CUE.sub(lambda m: m.group(1) + mask_name(m.group(2)), text)
    return _ADDRESS.sub(lambda m: m.group(1)[: max(1, len(m.group(1)) - 2)] + "****", text)


def _masked(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)  # e.g. httpx logs its URL object, query string (phone) included
    masked = mask_text(text)
    return value if masked == text else masked


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """A log record with personal data masked in its message, its arguments (kept in their shape:
    uvicorn's access formatter reads them as a tuple) and its traceback."""
    if isinstance(record.msg, str):
        record.msg = mask_text(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_masked(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _masked(v) for k, v in record.args.items()}
    if record.exc_info and not record.exc_text:
        record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
    return record


def install_log_masking() -> None:
    """Mask personal data in every log record this process creates, whatever logger or handler
    writes it (Rasa's structlog output, uvicorn's access lines, SQLAlchemy, tracebacks)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "masks_personal_data", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(factory(*args, **kwargs))

    masking_factory.masks_personal_data = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)
