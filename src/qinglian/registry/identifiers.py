"""Identifiers and names: USCC and resident ID validation (python-stdnum), pinyin keys (pypinyin)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin
from stdnum.cn import ric, uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)


class IdentifierError(ValueError):
    """A code that fails validation; the message is in Chinese for the user."""


def clean_uscc(value: str) -> str:
    """Return the compact, upper-case code or raise IdentifierError with the reason."""
    code = uscc.compact(value or "")
    if not code:
        raise IdentifierError("统一社会信用代码不能为空")
    try:
        return str(uscc.validate(code))
    except InvalidLength as exc:
        raise IdentifierError(f"统一社会信用代码应为 18 位，实际 {len(code)} 位") from exc
    except InvalidChecksum as exc:
        expected = uscc.calc_check_digit(code[:-1]) if len(code) == 18 else "?"
        raise IdentifierError(
            f"统一社会信用代码校验位错误：末位应为“{expected}”，实际为“{code[-1]}”"
        ) from exc
    except (InvalidFormat, InvalidComponent, ValidationError) as exc:
        raise IdentifierError("统一社会信用代码格式错误（含有不允许的字符或登记管理部门代码无效）") from exc


def clean_id_number(value: str) -> str:
    """Validate an 18-digit resident identity number (birthplace, birth date, check digit)."""
    number = ric.compact(value or "")
    if not number:
        raise IdentifierError("身份证号不能为空")
    try:
        return str(ric.validate(number))
    except InvalidLength as exc:
        raise IdentifierError(f"身份证号应为 18 位，实际 {len(number)} 位") from exc
    except InvalidChecksum as exc:
        raise IdentifierError("身份证号校验位错误") from exc
    except InvalidComponent as exc:
        raise IdentifierError("身份证号中的出生日期或地区代码无效") from exc
    except (InvalidFormat, ValidationError) as exc:
        raise IdentifierError("身份证号格式错误") from exc


def clean_phone(value: str) -> str:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1") and digits[1] in "3456789":
        return digits
    if 7 <= len(digits) <= 12 and digits.startswith("0"):
        return digits  # landline with area code
    raise IdentifierError("手机号应为 11 位数字（以 13–19 开头），座机请带区号")


def name_initials(name: str) -> str:
    """华为技术有限公司 → hwjsyxgs (letters and digits kept as they are, lower case)."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()[:128]


def name_pinyin(name: str) -> str:
    """Full pinyin without tones, for sorting Chinese names the way users expect."""
    return "".join(lazy_pinyin(name, errors="default")).lower()[:512]


_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _org_code_check(body: str) -> str:
    """GB 11714-1997 check character of an eight-character organisation code body."""
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def synthesise_uscc(region: str, serial: int, *, authority: str = "9", kind: str = "1") -> str:
    """A well-formed USCC for sample and test data: GB 11714 organisation code with its own
    check character inside, GB 32100 check character at the end. Not a real enterprise's."""
    n = serial
    body = ""
    for _ in range(6):
        n, r = divmod(n, len(_ORG_CODE_BODY))
        body = _ORG_CODE_BODY[r] + body
    body = "MA" + body  # the prefix registration authorities use for newly issued codes
    head = f"{authority}{kind}{region}{body}{_org_code_check(body)}"
    return head + uscc.calc_check_digit(head)
