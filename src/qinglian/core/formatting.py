"""Numbers, amounts and dates the way users write them: 1.2亿元, 3.5万, 2026年11月24日."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone


def _trim(value: Decimal | float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def chinese_number(value: int | float | Decimal | None, unit: str = "") -> str:
    if value is None:
        return "—"
    number = Decimal(str(value))
    if abs(number) >= Decimal(100_000_000):
        return f"{_trim(number / Decimal(100_000_000))}亿{unit}"
    if abs(number) >= Decimal(10_000):
        return f"{_trim(number / Decimal(10_000))}万{unit}"
    return f"{_trim(number)}{unit}"


def chinese_amount(value: int | float | Decimal | None) -> str:
    return chinese_number(value, "元")


def chinese_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def percent(part: int | float, whole: int | float) -> str:
    if not whole:
        return "—"
    return f"{part / whole * 100:.1f}%"
