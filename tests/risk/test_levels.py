"""The 5 × 5 arithmetic: levels from likelihood × impact, review dates, raised likelihood."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from qinglian.risk.choices import LEVEL_BANDS, RiskLevel
from qinglian.risk.levels import add_months, check_scale, level_of, level_of_score, raised, score_of


@pytest.mark.parametrize(("likelihood", "impact", "level"), [
    (1, 1, RiskLevel.LOW), (1, 4, RiskLevel.LOW), (2, 2, RiskLevel.LOW),
    (1, 5, RiskLevel.MEDIUM), (3, 3, RiskLevel.MEDIUM), (2, 4, RiskLevel.MEDIUM),
    (2, 5, RiskLevel.HIGH), (4, 4, RiskLevel.HIGH), (3, 5, RiskLevel.HIGH),
    (4, 5, RiskLevel.MAJOR), (5, 5, RiskLevel.MAJOR), (5, 4, RiskLevel.MAJOR),
])
def test_level_bands(likelihood: int, impact: int, level: RiskLevel) -> None:
    assert level_of(likelihood, impact) == level


def test_every_cell_has_a_level_and_the_bands_cover_one_to_twenty_five() -> None:
    counts = {band.level: 0 for band in LEVEL_BANDS}
    for likelihood in range(1, 6):
        for impact in range(1, 6):
            counts[level_of(likelihood, impact)] += 1
    assert counts == {RiskLevel.LOW: 8, RiskLevel.MEDIUM: 7, RiskLevel.HIGH: 7, RiskLevel.MAJOR: 3}
    assert [level_of_score(s) for s in (4, 5, 9, 10, 16, 20, 25)] == [
        "low", "medium", "medium", "high", "high", "major", "major"]


@pytest.mark.parametrize("bad", [0, 6, -1, "x", None, "3.5"])
def test_scale_is_one_to_five(bad: object) -> None:
    with pytest.raises(ValidationError) as exc:
        check_scale(bad, "可能性")
    assert "可能性必须是 1 到 5 的整数" in exc.value.messages[0]


def test_score_is_the_product() -> None:
    assert score_of(4, 5) == 20
    assert check_scale("3", "影响程度") == 3


def test_raised_goes_up_one_step_at_most_five() -> None:
    assert [raised(n) for n in (1, 2, 3, 4, 5)] == [2, 3, 4, 5, 5]


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2026, 11, 24), 3, dt.date(2027, 2, 24)),
    (dt.date(2026, 11, 24), 12, dt.date(2027, 11, 24)),
    (dt.date(2026, 11, 24), -13, dt.date(2025, 10, 24)),
    (dt.date(2026, 12, 31), 24, dt.date(2028, 12, 31)),
])
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected
