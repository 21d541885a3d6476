"""Reads: overdue controls and reviews found by query on a given day, the register filter and
the heat-map cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from qinglian.core.choices import Role
from qinglian.risk import actions, round_actions
from qinglian.risk.choices import ControlStatus
from qinglian.risk.forms import register_filter
from qinglian.risk.models import RiskPoint
from qinglian.risk.queries import (
    RegisterFilter,
    heat_cells,
    list_points,
    overdue_controls,
    overdue_reviews,
)

from .world import TODAY, RiskWorld, add_point

pytestmark = pytest.mark.django_db


def test_a_control_is_overdue_after_its_due_date_until_done(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    point = add_point(city.enterprises[0], ent)
    due = dt.date(2026, 6, 30)
    control = actions.do_add_control(point, actor=ent, today=TODAY, description="轮岗",
                                     owner_name="张伟", due_on=due, status=ControlStatus.IN_PROGRESS)
    assert list(overdue_controls(ent, due)) == []  # due today: not yet overdue
    assert list(overdue_controls(ent, due + dt.timedelta(days=1))) == [control]
    actions.do_update_control(control, actor=ent, today=TODAY, description="轮岗",
                              owner_name="张伟", due_on=due, status=ControlStatus.DONE)
    assert list(overdue_controls(ent, due + dt.timedelta(days=1))) == []


def test_a_review_is_overdue_after_its_date_and_an_approval_clears_it(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    point = actions.do_add_risk_point(
        city.enterprises[0], actor=ent, today=dt.date(2026, 1, 10), area="finance", title="小金库",
        department="财务部", owner_name="李丽", review_months=3, likelihood=3, impact=5,
        residual_likelihood=2, residual_impact=4)
    assert point.next_review_on == dt.date(2026, 4, 10)
    assert list(overdue_reviews(ent, dt.date(2026, 4, 10))) == []
    assert list(overdue_reviews(ent, dt.date(2026, 4, 11))) == [point]
    assessment_round = round_actions.do_create_round(
        city.enterprises[0], kind="ad_hoc", year=2026, name="专项评估", leader=ent, actor=ent)
    round_actions.do_start_round(assessment_round, actor=ent)
    for item in assessment_round.items.all():
        round_actions.do_assess_item(item, actor=ent, likelihood=3, impact=5,
                                     residual_likelihood=2, residual_impact=4)
    round_actions.do_submit_round(assessment_round, actor=ent)
    round_actions.do_approve_round(assessment_round, actor=ent, today=dt.date(2026, 5, 1))
    assert list(overdue_reviews(ent, dt.date(2026, 5, 2))) == []
    assert list(overdue_reviews(ent, dt.date(2026, 8, 2))) == [point]


def test_overdue_lists_follow_the_scope(city: Any, risk: RiskWorld) -> None:
    assert list(overdue_controls(city.users[Role.ENTERPRISE_USER], TODAY)) == [risk.control]
    for role in (Role.CHAMBER_OFFICER, Role.FEDERATION_OFFICER, Role.DEPARTMENT_HANDLER):
        assert list(overdue_controls(city.users[role], TODAY)) == []
    assert list(overdue_controls(city.users[Role.ADMIN], TODAY)) == [risk.control]


def test_register_filter(city: Any, risk: RiskWorld) -> None:
    ent = city.users[Role.ENTERPRISE_USER]

    def codes(**params: str) -> list[str]:
        return [p.code for p in list_points(ent, register_filter(params), TODAY)]

    assert codes() == ["FX-001", "FX-002", "FX-003"]  # by area: procurement, finance, sales
    assert codes(area="finance") == ["FX-002"]
    assert codes(level="medium") == ["FX-001", "FX-002"]  # residual 2×4 and 2×3
    assert codes(level="high", basis="inherent") == ["FX-001", "FX-002"]
    assert codes(basis="inherent", likelihood="4", impact="4") == ["FX-001"]
    assert codes(likelihood="4", impact="4") == []  # residual of FX-001 is 2 × 4
    assert codes(owner="李丽") == ["FX-003"]
    assert codes(overdue="controls") == ["FX-001"]
    assert codes(q="行贿") == ["FX-003"]
    assert codes(level="nonsense", likelihood="9", overdue="x") == codes()
    first = list_points(ent, RegisterFilter(), TODAY).get(code="FX-001")
    assert (first.overdue_controls, first.alert_count) == (1, 1)


def test_heat_cells_count_points_per_cell(city: Any, risk: RiskWorld) -> None:
    points = RiskPoint.objects.filter(organisation=city.enterprises[0])
    cells = heat_cells(points)
    assert sorted(cells["inherent"]) == [[2, 2, 1], [3, 5, 1], [4, 4, 1]]
    assert sorted(cells["residual"]) == [[1, 2, 1], [2, 3, 1], [2, 4, 1]]
