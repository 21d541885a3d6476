"""Risk levels from likelihood × impact, and review dates from a cycle in months.

Pure functions: the actions store what these return (score and level beside the two numbers)
so that filters, the heat map and the overview count in SQL.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError

from .choices import LEVEL_BANDS, LEVEL_COLOURS, SCALE, RiskLevel

MAX_STEP = SCALE[-1]


def check_scale(value: object, what: str) -> int:
    """A likelihood or impact as an int 1–5, or a Chinese error naming the field."""
    try:
        number = int(str(value))
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what}必须是 1 到 5 的整数") from exc
    if number not in SCALE:
        raise ValidationError(f"{what}必须是 1 到 5 的整数（当前为 {number}）")
    return number


def score_of(likelihood: int, impact: int) -> int:
    return check_scale(likelihood, "可能性") * check_scale(impact, "影响程度")


def level_of_score(score: int) -> RiskLevel:
    for band in LEVEL_BANDS:
        if score >= band.min_score:
            return band.level
    raise ValidationError(f"风险分值 {score} 不在 1–25 之间")


def level_of(likelihood: int, impact: int) -> RiskLevel:
    """The band of likelihood × impact: 1–4 低, 5–9 中, 10–16 高, 20–25 重大."""
    return level_of_score(score_of(likelihood, impact))


def level_colour(level: str) -> str:
    return LEVEL_COLOURS.get(level, "#adb5bd")


def level_label(level: str) -> str:
    try:
        return str(RiskLevel(level).label)
    except ValueError:
        return "—"


def raised(likelihood: int) -> int:
    """One step more likely, at most 5 (a confirmed alert shows the risk does occur)."""
    return min(MAX_STEP, likelihood + 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the 31st becomes the month's last day when it has none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
