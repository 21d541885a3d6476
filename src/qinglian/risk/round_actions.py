"""The only code that writes risk assessment rounds (风险评估).

A round walks the organisation's register: starting it takes every point in the register as an
item, prefilled with the point's levels (raised by any alert linked since the last review);
assessors record new likelihood and impact, inherent and residual, item by item; the round is
submitted to the responsible leader named when it was created, who approves it — then the
register's levels become the round's and each point's next review moves one cycle on — or
returns it for rework. State changes go through ``ROUND_FLOW`` (a transition table).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.permissions import has_perm
from qinglian.registry.models import Organisation

from .actions import (
    Actor,
    apply_levels,
    clean_scales,
    clean_text,
    require_in_scope,
    require_perm,
    require_register,
)
from .choices import ASSESSABLE_ROUND, OPEN_ROUND, PointStatus, RoundKind, RoundStatus
from .levels import add_months
from .models import AssessmentRound, RiskPoint, RoundItem
from .queries import area_order
from .workflow import ROUND_FLOW


def eligible_leaders(organisation: Organisation) -> list[User]:
    """Users of the organisation who may approve a round (active, with the permission)."""
    users = User.objects.filter(organisation=organisation, is_active=True).order_by("username")
    return [u for u in users if has_perm(u, "risk.approve_round")]


@transaction.atomic
def do_create_round(organisation: Organisation, *, kind: str, year: int, name: str,
                    leader: User, actor: Actor) -> AssessmentRound:
    """Prepare a round (draft) and name the responsible leader who will approve it.
    One open round per organisation at a time."""
    require_perm(actor, "risk.run_round")
    require_register(actor, organisation)
    lock(organisation)
    if kind not in RoundKind.values:
        raise ValidationError({"kind": f"未知评估类型：{kind}"})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "年度应为四位年份"})
    if leader.pk not in {u.pk for u in eligible_leaders(organisation)}:
        raise ValidationError({"leader": "负责领导须为本单位有审批权限的在用账号"})
    if AssessmentRound.objects.filter(organisation=organisation, status__in=OPEN_ROUND).exists():
        raise ValidationError("本单位已有尚未完成的风险评估，请先完成或处理后再发起新一轮")
    assessment_round = AssessmentRound.objects.create(
        organisation=organisation, kind=kind, year=int(year), leader=leader,
        name=clean_text(name, "name", limit=128), created_by=actor if actor and actor.pk else None)
    record_change(assessment_round, AuditAction.CREATE, actor=actor,
                  after=snapshot(assessment_round))
    return assessment_round


def _item_for(assessment_round: AssessmentRound, point: RiskPoint) -> RoundItem:
    return RoundItem(
        round=assessment_round, point=point,
        prior_likelihood=point.likelihood, prior_impact=point.impact,
        prior_residual_likelihood=point.residual_likelihood,
        prior_residual_impact=point.residual_impact,
        likelihood=point.next_likelihood or point.likelihood, impact=point.impact,
        residual_likelihood=point.next_residual_likelihood or point.residual_likelihood,
        residual_impact=point.residual_impact,
    )


@transaction.atomic
def do_start_round(assessment_round: AssessmentRound, *, actor: Actor) -> AssessmentRound:
    """Start (or, after a return, resume) the round. Starting takes every point in the register
    as an item; resuming keeps the items and their assessments."""
    require_perm(actor, "risk.run_round")
    require_in_scope(actor, assessment_round)
    lock(assessment_round)
    if assessment_round.status == RoundStatus.DRAFT:
        points = RiskPoint.objects.filter(organisation_id=assessment_round.organisation_id,
                                          status=PointStatus.ACTIVE).order_by(area_order(), "code")
        items = [_item_for(assessment_round, p) for p in points]
        if not items:
            raise ValidationError("本单位台账中还没有风险点，请先登记风险点再开始评估")
        RoundItem.objects.bulk_create(items)
    ROUND_FLOW.apply(assessment_round, to=RoundStatus.IN_PROGRESS, actor=actor)
    return assessment_round


@transaction.atomic
def do_assess_item(item: RoundItem, *, actor: Actor, note: str = "",
                   **scales: Any) -> RoundItem:
    """Record the assessor's new likelihood and impact, inherent and residual, for one point.
    Assessing a returned round resumes it."""
    require_perm(actor, "risk.run_round")
    require_in_scope(actor, item)
    assessment_round = lock(item.round)
    lock(item)
    if assessment_round.status == RoundStatus.RETURNED:
        ROUND_FLOW.apply(assessment_round, to=RoundStatus.IN_PROGRESS, actor=actor,
                         note="退回后重新评估")
    if assessment_round.status not in ASSESSABLE_ROUND:
        raise ValidationError(
            f"该风险评估当前为“{assessment_round.get_status_display()}”，不能评估")
    clean = clean_scales(scales)
    before = snapshot(item)
    for name, value in clean.items():
        setattr(item, name, value)
    item.note = clean_text(note, "note", required=False)
    item.assessed_by = actor if actor is not None and actor.pk else None
    item.assessed_at = timezone.now()
    item.save()
    record_change(item, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(item))
    return item


def unassessed(assessment_round: AssessmentRound) -> list[RoundItem]:
    return list(assessment_round.items.filter(assessed_at__isnull=True).select_related("point")
                .order_by(area_order("point__area"), "point__code"))


@transaction.atomic
def do_submit_round(assessment_round: AssessmentRound, *, actor: Actor) -> AssessmentRound:
    """Submit the round to the responsible leader once every item is assessed."""
    require_perm(actor, "risk.run_round")
    require_in_scope(actor, assessment_round)
    lock(assessment_round)
    missing = unassessed(assessment_round)
    if missing and assessment_round.status == RoundStatus.IN_PROGRESS:
        names = "、".join(i.point.code for i in missing[:5])
        more = f"等 {len(missing)} 项" if len(missing) > 5 else ""
        raise ValidationError(f"还有风险点未评估：{names}{more}")
    ROUND_FLOW.apply(assessment_round, to=RoundStatus.SUBMITTED, actor=actor)
    return assessment_round


def _require_leader(assessment_round: AssessmentRound, actor: Actor) -> None:
    """Only the leader named for the round decides it (the system may, for imports)."""
    if actor is not None and actor.pk != assessment_round.leader_id:
        raise PermissionDenied("只有本轮指定的负责领导可以审批该风险评估")


def _apply_items(assessment_round: AssessmentRound, day: dt.date, actor: Actor) -> int:
    """The approved levels become the register's; each point's next review moves one cycle on."""
    entries: list[AuditEntry] = []
    items = assessment_round.items.select_related("point").order_by("pk")
    for item in items:
        point = item.point
        if point.status != PointStatus.ACTIVE:
            continue
        before = snapshot(point)
        apply_levels(point, {"likelihood": item.likelihood, "impact": item.impact,
                             "residual_likelihood": item.residual_likelihood,
                             "residual_impact": item.residual_impact})
        point.last_reviewed_on = day
        point.next_review_on = add_months(day, point.review_months)
        point.next_likelihood = point.next_residual_likelihood = None
        point.save()
        entries.append(AuditEntry(point, AuditAction.UPDATE, before=before, after=snapshot(point)))
    record_many(entries, actor=actor)
    return len(entries)


@transaction.atomic
def do_approve_round(assessment_round: AssessmentRound, *, actor: Actor, note: str = "",
                     today: dt.date | None = None) -> AssessmentRound:
    """The responsible leader approves: the register takes the round's levels."""
    require_perm(actor, "risk.approve_round")
    require_in_scope(actor, assessment_round)
    lock(assessment_round)
    _require_leader(assessment_round, actor)
    ROUND_FLOW.apply(assessment_round, to=RoundStatus.APPROVED, actor=actor, note=note,
                     changes={"decision_note": clean_text(note, "note", required=False)})
    _apply_items(assessment_round, today or timezone.localdate(), actor)
    return assessment_round


@transaction.atomic
def do_return_round(assessment_round: AssessmentRound, *, note: str,
                    actor: Actor) -> AssessmentRound:
    """The responsible leader sends the round back with the reason; the register is unchanged."""
    require_perm(actor, "risk.approve_round")
    require_in_scope(actor, assessment_round)
    lock(assessment_round)
    _require_leader(assessment_round, actor)
    reason = clean_text(note, "note")
    ROUND_FLOW.apply(assessment_round, to=RoundStatus.RETURNED, actor=actor, note=reason,
                     changes={"decision_note": reason})
    return assessment_round
