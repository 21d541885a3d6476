"""Risk assessment rounds: the whole flow, the leader's approval, and every role against every
transition through the actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qinglian.core.audit import object_label
from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.risk import round_actions
from qinglian.risk.choices import RoundStatus
from qinglian.risk.models import AssessmentRound, RoundItem
from qinglian.risk.workflow import ROUND_FLOW

from .world import TODAY, RiskWorld, add_point

pytestmark = pytest.mark.django_db

ROLES = [Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER,
         Role.DEPARTMENT_HANDLER, Role.AUDITOR]


def _events(obj: Any) -> list[str]:
    return list(AuditRecord.objects.filter(object_type=object_label(obj), object_id=str(obj.pk))
                .exclude(event="").order_by("id").values_list("event", flat=True))


def _assess_all(assessment_round: AssessmentRound, actor: Any, **change: int) -> None:
    for item in assessment_round.items.order_by("pk"):
        values = {"likelihood": item.likelihood, "impact": item.impact,
                  "residual_likelihood": item.residual_likelihood,
                  "residual_impact": item.residual_impact, **change}
        round_actions.do_assess_item(item, actor=actor, note="已复核", **values)


def test_the_whole_round(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    huawei = city.enterprises[0]
    points = [add_point(huawei, ent), add_point(huawei, ent, likelihood=2, impact=2,
                                                residual_likelihood=1, residual_impact=1)]
    assessment_round = round_actions.do_create_round(
        huawei, kind="yearly", year=2026, name="2026 年度评估", leader=ent, actor=ent)
    assert assessment_round.status == RoundStatus.DRAFT
    round_actions.do_start_round(assessment_round, actor=ent)
    assert assessment_round.status == RoundStatus.IN_PROGRESS and assessment_round.in_progress_at
    items = list(assessment_round.items.order_by("pk"))
    assert [(i.point_id, i.prior_likelihood, i.likelihood) for i in items] == [
        (points[0].pk, 4, 4), (points[1].pk, 2, 2)]
    with pytest.raises(ValidationError) as exc:
        round_actions.do_submit_round(assessment_round, actor=ent)
    assert exc.value.messages == ["还有风险点未评估：FX-001、FX-002"]
    _assess_all(assessment_round, ent, likelihood=5, residual_likelihood=1)
    item = RoundItem.objects.get(round=assessment_round, point=points[0])
    assert (item.assessed_by, item.likelihood, item.note) == (ent, 5, "已复核")
    round_actions.do_submit_round(assessment_round, actor=ent)
    round_actions.do_approve_round(assessment_round, actor=ent, note="同意", today=TODAY)
    assert assessment_round.status == RoundStatus.APPROVED and assessment_round.decision_note == "同意"
    points[0].refresh_from_db()
    assert (points[0].likelihood, points[0].inherent_score, points[0].inherent_level) == (5, 20, "major")
    assert (points[0].residual_likelihood, points[0].residual_level) == (1, "low")
    assert points[0].last_reviewed_on == TODAY
    assert points[0].next_review_on == dt.date(2027, 11, 24)
    assert _events(assessment_round) == [
        "risk_round.in_progress", "risk_round.submitted", "risk_round.approved"]


def test_a_returned_round_is_reworked_and_resubmitted(city: Any, risk: RiskWorld) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    assessment_round = risk.round
    before = {p.pk: (p.likelihood, p.next_review_on) for p in risk.points}
    with pytest.raises(ValidationError):
        round_actions.do_return_round(assessment_round, note=" ", actor=ent)  # a reason is needed
    round_actions.do_return_round(assessment_round, note="采购风险评估偏低", actor=ent)
    assert assessment_round.status == RoundStatus.RETURNED
    for point in risk.points:
        point.refresh_from_db()
        assert (point.likelihood, point.next_review_on) == before[point.pk]  # register unchanged
    item = assessment_round.items.get(point=risk.points[0])
    round_actions.do_assess_item(item, actor=ent, likelihood=5, impact=5,
                                 residual_likelihood=3, residual_impact=4)
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.IN_PROGRESS  # assessing resumes it
    round_actions.do_submit_round(assessment_round, actor=ent)
    round_actions.do_approve_round(assessment_round, actor=ent)
    risk.points[0].refresh_from_db()
    assert risk.points[0].inherent_level == "major"
    assert (risk.points[0].next_likelihood, risk.points[0].next_residual_likelihood) == (None, None)
    assert _events(assessment_round)[-5:] == [
        "risk_round.submitted", "risk_round.returned", "risk_round.in_progress",
        "risk_round.submitted", "risk_round.approved"]


def test_the_alert_raised_likelihood_prefills_the_next_round(city: Any, risk: RiskWorld) -> None:
    item = risk.round.items.get(point=risk.points[0])
    assert (item.prior_likelihood, item.likelihood) == (4, 5)
    assert (item.prior_residual_likelihood, item.residual_likelihood) == (2, 3)


def test_only_the_designated_leader_decides(city: Any, risk: RiskWorld) -> None:
    for role in (Role.ADMIN, Role.CHAMBER_OFFICER):
        with pytest.raises(PermissionDenied):
            round_actions.do_approve_round(risk.round, actor=city.users[role])
    with pytest.raises(PermissionDenied):
        round_actions.do_approve_round(risk.round, actor=city.users[Role.AUDITOR])
    risk.round.refresh_from_db()
    assert risk.round.status == RoundStatus.SUBMITTED


def test_the_leader_belongs_to_the_organisation_and_one_round_is_open(city: Any,
                                                                        risk: RiskWorld) -> None:
    ent, chamber = city.users[Role.ENTERPRISE_USER], city.users[Role.CHAMBER_OFFICER]
    with pytest.raises(ValidationError) as exc:
        round_actions.do_create_round(city.chamber, kind="yearly", year=2026, name="x",
                                      leader=ent, actor=chamber)
    assert "负责领导须为本单位" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        round_actions.do_create_round(city.enterprises[0], kind="ad_hoc", year=2026, name="专项",
                                      leader=ent, actor=ent)
    assert "已有尚未完成的风险评估" in exc.value.messages[0]


def test_an_empty_register_cannot_start(city: Any) -> None:
    chamber = city.users[Role.CHAMBER_OFFICER]
    assessment_round = round_actions.do_create_round(
        city.chamber, kind="yearly", year=2026, name="x", leader=chamber, actor=chamber)
    with pytest.raises(ValidationError) as exc:
        round_actions.do_start_round(assessment_round, actor=chamber)
    assert "还没有风险点" in exc.value.messages[0]


def test_items_of_a_submitted_round_are_closed(city: Any, risk: RiskWorld) -> None:
    item = risk.round.items.first()
    assert item is not None
    with pytest.raises(ValidationError) as exc:
        round_actions.do_assess_item(item, actor=city.users[Role.ENTERPRISE_USER], likelihood=1,
                                     impact=1, residual_likelihood=1, residual_impact=1)
    assert "不能评估" in exc.value.messages[0]


def test_the_table_lists_every_transition() -> None:
    assert set(ROUND_FLOW.transitions) == {
        ("draft", "in_progress"), ("in_progress", "submitted"), ("submitted", "approved"),
        ("submitted", "returned"), ("returned", "in_progress")}
    with pytest.raises(TransitionNotAllowed):
        ROUND_FLOW.apply(AssessmentRound(status="approved"), to="in_progress", actor=None)


# --- every role against every transition -------------------------------------------------------

def _draft(city: Any, risk: RiskWorld) -> AssessmentRound:
    chamber = city.users[Role.CHAMBER_OFFICER]
    return round_actions.do_create_round(city.chamber, kind="yearly", year=2026, name="商会评估",
                                         leader=chamber, actor=chamber)


def _in_progress_own(city: Any, risk: RiskWorld) -> AssessmentRound:
    ent = city.users[Role.ENTERPRISE_USER]
    round_actions.do_return_round(risk.round, note="补充", actor=ent)
    round_actions.do_start_round(risk.round, actor=ent)
    return risk.round


Step = Callable[[AssessmentRound, Any], Any]
CASES: dict[str, tuple[Callable[[Any, RiskWorld], AssessmentRound], Step, set[str]]] = {
    # transition: (how to reach the state, the action, roles that succeed)
    "start": (_draft, lambda r, a: round_actions.do_start_round(r, actor=a),
              {Role.ADMIN, Role.CHAMBER_OFFICER}),
    "submit": (_in_progress_own, lambda r, a: round_actions.do_submit_round(r, actor=a),
               {Role.ADMIN, Role.ENTERPRISE_USER}),
    "approve": (lambda c, w: w.round, lambda r, a: round_actions.do_approve_round(r, actor=a),
                {Role.ENTERPRISE_USER}),
    "return": (lambda c, w: w.round,
               lambda r, a: round_actions.do_return_round(r, note="请补充", actor=a),
               {Role.ENTERPRISE_USER}),
}


@pytest.mark.parametrize("transition", list(CASES))
@pytest.mark.parametrize("role", ROLES)
def test_role_against_transition(city: Any, risk: RiskWorld, role: str, transition: str) -> None:
    reach, run, allowed = CASES[transition]
    assessment_round = reach(city, risk)
    status = assessment_round.status
    if transition == "start":
        add_point(city.chamber, city.users[Role.CHAMBER_OFFICER])
    if role in allowed:
        run(assessment_round, city.users[role])
        assessment_round.refresh_from_db()
        assert assessment_round.status != status
    else:
        with pytest.raises((PermissionDenied, TransitionNotAllowed)):
            run(assessment_round, city.users[role])
        assessment_round.refresh_from_db()
        assert assessment_round.status == status
