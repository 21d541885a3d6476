"""Amounts on the declaration pages: the way users write them (1.2万元), or exact to the fen."""

from __future__ import annotations

from decimal import Decimal

from django import template

from qinglian.core.formatting import chinese_amount

register = template.Library()


@register.filter
def cn_amount(value: Decimal | float | int | str | None) -> str:
    """1280 → 1280元, 12000 → 1.2万元 (lists and totals); nothing (a missing row) → 0元."""
    return chinese_amount(value if isinstance(value, Decimal | float | int) else 0)


@register.filter
def yuan(value: Decimal | float | int | None) -> str:
    """Exact, with thousands separators: 12,345.67 元 (a declaration's own value)."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    text = f"{number:,.2f}".removesuffix(".00")
    return f"{text} 元"
