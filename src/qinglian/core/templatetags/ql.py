"""Template filters and tags shared by every page: Chinese dates and numbers, sortable headers.

``{% load ql %}`` then ``{{ value|cn_date }}``, ``{{ n|cn_number }}``, ``{{ part|percent_of:whole }}``,
``{{ code|district }}`` and ``{% sort_header "name" "名称" %}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.core.paginator import Page
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html

from qinglian.core import formatting

register = template.Library()


@register.filter
def cn_date(value: dt.date | dt.datetime | None) -> str:
    """2026年11月24日 (dates) or 2026年11月24日 09:30 (times, in Asia/Shanghai)."""
    return formatting.chinese_date(value)


@register.filter
def cn_day(value: dt.date | dt.datetime | None) -> str:
    """The date part only, 2026年11月24日, even for a datetime."""
    if isinstance(value, dt.datetime):
        return formatting.chinese_date(timezone.localtime(value).date())
    return formatting.chinese_date(value)


@register.filter
def cn_number(value: int | float | Decimal | None) -> str:
    """1.2亿, 3.5万, 860."""
    return formatting.chinese_number(value)


@register.filter
def percent_of(part: int | float, whole: int | float) -> str:
    return formatting.percent(part, whole)


def _toggled(current: str, field: str) -> str:
    return f"-{field}" if current == field else field


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], field: str, label: str, default: str = "name") -> str:
    """A column header that sorts by ``field`` and toggles direction on a second click."""
    request = context["request"]
    current = request.GET.get("order") or default
    params: QueryDict = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    params["order"] = _toggled(current, field)
    icon = ""
    if current == field:
        icon = "bi-sort-up"
    elif current == f"-{field}":
        icon = "bi-sort-down"
    return format_html(
        '<a class="text-reset text-decoration-none" href="?{}" data-sort="{}">{}{}</a>',
        params.urlencode(), field, label,
        format_html(' <i class="bi {}"></i>', icon) if icon else "",
    )


@register.simple_tag
def page_numbers(page_obj: Page) -> list[int | str]:
    """Page numbers around the current one with “…” gaps: 1 … 4 5 [6] 7 8 … 40."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2,
                                                         on_ends=1))
