"""Working-day clocks on the statutory calendar (holidays and make-up working weekends).

chinese-calendar knows each year once the State Council publishes it. For a year it does not
know yet we fall back to Monday–Friday and say so (``calendar_warning``); the federation can
enter that year's holidays and make-up days as overrides (``WorkdayOverride``).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache, lru_cache

import chinese_calendar

logger = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _overrides(year: int) -> dict[dt.date, bool]:
    from .models_calendar import WorkdayOverride

    return {
        o.day: o.is_workday for o in WorkdayOverride.objects.filter(day__year=year)
    }


def clear_override_cache() -> None:
    _overrides.cache_clear()


def calendar_known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_warning(year: int) -> str:
    if calendar_known(year):
        return ""
    return (
        f"{year} 年的法定节假日安排尚未收录，暂按周一至周五计算工作日；"
        "请在“工作日设置”中录入当年节假日和调休上班日。"
    )


def is_workday(day: dt.date) -> bool:
    override = _overrides(day.year).get(day)
    if override is not None:
        return override
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


@cache
def _warn_unknown_year(year: int) -> None:
    """Log once per year (and process) that its calendar is unknown, not once per day asked."""
    logger.warning("calendar for %s unknown; Monday–Friday assumed", year)


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The date that is `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("工作日数不能为负数")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
