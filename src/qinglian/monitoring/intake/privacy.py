"""Personal data in a version's column profile is masked before it is stored.

The profile (shown on the version page, kept as JSON in the database) lists each column's
minimum, maximum and most frequent values. For the columns that hold personal data — phones,
bank accounts, ID numbers, addresses — and for any text value that looks like one, only a masked form is
kept: ``138****5678``, ``6222 **** **** 1234``, ``110***********0021``. The phone and ID number
masks are ``qinglian.core.crypto``'s (the same as everywhere else on the platform).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from qinglian.core.crypto import mask_address, mask_bank_account, mask_id_number, mask_phone

Mask = Callable[[str], str]

_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")
_MOBILE = re.compile(r"(?:\+?86[- ]?)?1[3-9]\d{9}")
_BANK_ACCOUNT = re.compile(r"\d{12,19}")


def mask_if_personal(value: str) -> str:
    """A free-text value that is, as a whole, an ID number, a mobile phone or a card number:
    masked; anything else unchanged."""
    text = value.strip()
    if _ID_NUMBER.fullmatch(text):
        return mask_id_number(text)
    if _MOBILE.fullmatch(text):
        return mask_phone(text)
    if _BANK_ACCOUNT.fullmatch(text):
        return mask_bank_account(text)
    return value


#: Columns that hold personal data, by canonical name.
PERSONAL: dict[str, Mask] = {
    "phone": mask_phone,
    "bank_account": mask_bank_account,
    "id_number": mask_id_number,
    # An employee's 住址 is personal; a vendor's 地址 is masked alike (the profile only shows
    # examples, and one rule for the column name is simpler than one per kind).
    "address": mask_address,
}


def masker_for(name: str, type_: str) -> Mask | None:
    """How a column's profile values are masked (``None``: shown as they are)."""
    if name in PERSONAL:
        return PERSONAL[name]
    return mask_if_personal if type_ == "text" else None


def _masked(mask: Mask, value: Any) -> Any:
    if not isinstance(value, str) or not value or "*" in value:  # already masked
        return value
    return mask(value)


def mask_column_profile(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """One column's profile with its example values masked (idempotent, so profiles stored
    before masking existed are masked on display too)."""
    mask = masker_for(name, str(entry.get("type", "")))
    if mask is None:
        return entry
    return entry | {"min": _masked(mask, entry.get("min")), "max": _masked(mask, entry.get("max")),
                    "top": [_masked(mask, v) for v in entry.get("top") or []]}
