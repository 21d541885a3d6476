"""Exact scoring: the formulas, and properties that must hold for any answers (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qinglian.evaluation.choices import FAIL_GRADE
from qinglian.evaluation.scoring import (
    Rule,
    ScoringError,
    efficacy_coefficient,
    grade_for,
    score_answer,
)

BANDS = [("标杆", 800), ("优秀", 600), ("达标", 400), (FAIL_GRADE, 0)]
LEVELS = [{"label": "好", "share": "1"}, {"label": "中", "share": "0.6"},
          {"label": "差", "share": "0"}]

RULES = [
    Rule("boolean", Decimal("200")),
    Rule("levels", Decimal("150"), levels=LEVELS),
    Rule("thresholds", Decimal("150"), thresholds=[{"min": "90", "share": "1"},
                                                   {"min": "60", "share": "0.6"}]),
    Rule("efficacy", Decimal("333.33"), floor=Decimal("60"), target=Decimal("100")),
    Rule("efficacy", Decimal("166.67"), floor=Decimal("5"), target=Decimal("1")),  # lower is better
]


def test_efficacy_coefficient_formula() -> None:
    assert efficacy_coefficient(Decimal(60), Decimal(60), Decimal(100)) == 60
    assert efficacy_coefficient(Decimal(100), Decimal(60), Decimal(100)) == 100
    assert efficacy_coefficient(Decimal(80), Decimal(60), Decimal(100)) == 80
    assert efficacy_coefficient(Decimal(120), Decimal(60), Decimal(100)) == 100  # clamped
    assert efficacy_coefficient(Decimal(-1000), Decimal(60), Decimal(100)) == 0  # clamped
    assert efficacy_coefficient(Decimal(3), Decimal(5), Decimal(1)) == 80  # lower is better
    with pytest.raises(ScoringError, match="不能相同"):
        efficacy_coefficient(Decimal(1), Decimal(5), Decimal(5))


def test_scores_in_hundredths_rounded_half_up() -> None:
    rule = Rule("efficacy", Decimal("10"), floor=Decimal(0), target=Decimal(3))
    # 60 + 40 × 1/3 = 73.333…% of 10 points = 7.3333 → 7.33
    assert score_answer(rule, number=Decimal(1)) == 733
    assert score_answer(RULES[1], level=1) == 9000
    assert score_answer(RULES[2], number=Decimal("89.99")) == 9000
    assert score_answer(RULES[2], number=Decimal("59")) == 0
    assert score_answer(RULES[0], bool_value=None) is None
    with pytest.raises(ScoringError, match="档次 4 不存在"):
        score_answer(RULES[1], level=3)


def test_grade_bands_and_veto() -> None:
    assert grade_for(80000, BANDS, vetoed=False) == "标杆"
    assert grade_for(79999, BANDS, vetoed=False) == "优秀"
    assert grade_for(40000, BANDS, vetoed=False) == "达标"
    assert grade_for(39999, BANDS, vetoed=False) == FAIL_GRADE
    assert grade_for(100000, BANDS, vetoed=True) == FAIL_GRADE


answers = st.tuples(
    st.booleans(), st.integers(0, 2),
    st.decimals(min_value=-50, max_value=200, places=2),
    st.decimals(min_value=-50, max_value=200, places=2),
    st.decimals(min_value=-10, max_value=20, places=2),
)


def _scores(a: tuple[bool, int, Decimal, Decimal, Decimal]) -> list[int]:
    flag, level, t, e1, e2 = a
    values = [score_answer(RULES[0], bool_value=flag), score_answer(RULES[1], level=level),
              score_answer(RULES[2], number=t), score_answer(RULES[3], number=e1),
              score_answer(RULES[4], number=e2)]
    return [v or 0 for v in values]


@settings(max_examples=300, deadline=None)
@given(answers)
def test_total_is_exact_sum_and_within_maximum(a: tuple[bool, int, Decimal, Decimal, Decimal]) -> None:
    scores = _scores(a)
    dims = [scores[0] + scores[1], scores[2], scores[3] + scores[4]]
    assert sum(dims) == sum(scores)
    assert all(s >= 0 for s in scores)
    assert sum(scores) <= 100000  # the five rules total exactly 1000 points


@settings(max_examples=300, deadline=None)
@given(answers, st.integers(0, 4), st.decimals(min_value=0, max_value=50, places=2))
def test_monotonic_in_each_indicator(a: tuple[bool, int, Decimal, Decimal, Decimal], which: int,
                                     step: Decimal) -> None:
    """A better answer on one indicator never lowers the total."""
    _flag, level, t, e1, e2 = a
    better = list(a)
    if which == 0:
        better[0] = True
    elif which == 1:
        better[1] = max(0, level - 1)  # level 0 is the best
    elif which == 2:
        better[2] = t + step
    elif which == 3:
        better[3] = e1 + step
    else:
        better[4] = e2 - step  # lower is better for this one
    assert sum(_scores(tuple(better))) >= sum(_scores(a))  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 100000), st.booleans())
def test_veto_always_fails(total: int, vetoed: bool) -> None:
    grade = grade_for(total, BANDS, vetoed=vetoed)
    if vetoed:
        assert grade == FAIL_GRADE
    else:
        assert grade == FAIL_GRADE or total >= 40000
