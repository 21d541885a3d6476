"""Exact scoring of one answer, and the grade of a total.

Pure functions over ``Decimal``: no database, no floats. A score is returned in whole
hundredths of a point, rounded half-up once, at the end — so a total (a sum of integers) is
always exactly the sum of its dimension scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .choices import FAIL_GRADE, ScoringMethod

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
SIXTY = Decimal(60)
FORTY = Decimal(40)


class ScoringError(ValueError):
    """An indicator definition or an answer that cannot be scored; the message is Chinese."""


@dataclass(frozen=True)
class Rule:
    """What scoring needs of an indicator (a model instance works too: same attribute names)."""

    method: str
    max_points: Decimal
    levels: Sequence[dict[str, Any]] = ()
    thresholds: Sequence[dict[str, Any]] = ()
    floor: Decimal | None = None
    target: Decimal | None = None


def decimal_of(value: Any, what: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ScoringError(f"{what}“{value}”不是有效的数字") from exc
    if not number.is_finite():
        raise ScoringError(f"{what}“{value}”不是有效的数字")
    return number


def to_hundredths(points: Decimal) -> int:
    return int((points * HUNDRED).quantize(ONE, rounding=ROUND_HALF_UP))


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def efficacy_coefficient(actual: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    """功效系数法: 60 + 40 × (actual − floor) / (target − floor), clamped to [0, 100].

    The floor (不允许值) scores 60 and the target (满意值) 100; a target below the floor means
    "lower is better" and the same formula holds.
    """
    if target == floor:
        raise ScoringError("满意值与不允许值不能相同")
    return clamp(SIXTY + FORTY * (actual - floor) / (target - floor), ZERO, HUNDRED)


def level_share(rule: Any, level: int) -> Decimal:
    levels = list(rule.levels or ())
    if not 0 <= level < len(levels):
        raise ScoringError(f"档次 {level + 1} 不存在（共 {len(levels)} 档）")
    return clamp(decimal_of(levels[level]["share"], "档次分值比例"), ZERO, ONE)


def threshold_share(rule: Any, actual: Decimal) -> Decimal:
    best = ZERO
    for step in rule.thresholds or ():
        if actual >= decimal_of(step["min"], "阈值"):
            best = max(best, clamp(decimal_of(step["share"], "阈值分值比例"), ZERO, ONE))
    return best


def score_share(rule: Any, *, bool_value: bool | None = None, level: int | None = None,
                number: Decimal | None = None) -> Decimal | None:
    """The share of the maximum (0–1) an answer earns, or None when it is not answered."""
    method = rule.method
    if method == ScoringMethod.BOOLEAN:
        return None if bool_value is None else (ONE if bool_value else ZERO)
    if method == ScoringMethod.LEVELS:
        return None if level is None else level_share(rule, level)
    if number is None:
        return None
    if method == ScoringMethod.THRESHOLDS:
        return threshold_share(rule, number)
    if method == ScoringMethod.EFFICACY:
        if rule.floor is None or rule.target is None:
            raise ScoringError("功效系数法指标须设置不允许值和满意值")
        return efficacy_coefficient(number, Decimal(rule.floor), Decimal(rule.target)) / HUNDRED
    if method == ScoringMethod.COMPUTED:
        return clamp(number, ZERO, ONE)
    raise ScoringError(f"未知的评分方法“{method}”")


def score_answer(rule: Any, *, bool_value: bool | None = None, level: int | None = None,
                 number: Decimal | None = None) -> int | None:
    """Points earned, in hundredths, or None when the indicator is not answered."""
    share = score_share(rule, bool_value=bool_value, level=level, number=number)
    if share is None:
        return None
    return to_hundredths(Decimal(rule.max_points) * share)


def grade_for(total_hundredths: int, bands: Iterable[tuple[str, int]], *, vetoed: bool) -> str:
    """The grade of a total given (name, min_points) bands; a veto always yields 不达标."""
    if vetoed:
        return FAIL_GRADE
    for name, min_points in sorted(bands, key=lambda band: -band[1]):
        if total_hundredths >= min_points * 100:
            return name
    return FAIL_GRADE


def validate_indicator(rule: Any) -> list[str]:
    """Everything wrong with an indicator definition, in Chinese (empty when it is sound)."""
    errors: list[str] = []
    try:
        maximum = decimal_of(rule.max_points, "分值")
        if maximum <= 0:
            errors.append("分值必须大于 0")
    except ScoringError as exc:
        errors.append(str(exc))
    method = rule.method
    if method == ScoringMethod.LEVELS:
        if len(rule.levels or ()) < 2:
            errors.append("分档评分至少需要两个档次")
        for index, step in enumerate(rule.levels or ()):
            if not str(step.get("label", "")).strip():
                errors.append(f"第 {index + 1} 档缺少名称")
            try:
                if not ZERO <= decimal_of(step.get("share"), "档次分值比例") <= ONE:
                    errors.append(f"第 {index + 1} 档的分值比例须在 0 到 1 之间")
            except ScoringError as exc:
                errors.append(str(exc))
    elif method == ScoringMethod.THRESHOLDS:
        if not rule.thresholds:
            errors.append("阈值分档至少需要一个阈值")
        for index, step in enumerate(rule.thresholds or ()):
            try:
                decimal_of(step.get("min"), "阈值")
                if not ZERO <= decimal_of(step.get("share"), "阈值分值比例") <= ONE:
                    errors.append(f"第 {index + 1} 个阈值的分值比例须在 0 到 1 之间")
            except ScoringError as exc:
                errors.append(str(exc))
    elif method == ScoringMethod.EFFICACY:
        if rule.floor is None or rule.target is None:
            errors.append("功效系数法指标须设置不允许值和满意值")
        elif Decimal(rule.floor) == Decimal(rule.target):
            errors.append("满意值与不允许值不能相同")
    elif method == ScoringMethod.COMPUTED:
        from .computed import SOURCES

        if rule.computed_source not in SOURCES:
            errors.append(f"未知的自动计算数据来源“{rule.computed_source}”")
    elif method != ScoringMethod.BOOLEAN:
        errors.append(f"未知的评分方法“{method}”")
    return errors
