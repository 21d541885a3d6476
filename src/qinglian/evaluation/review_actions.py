"""The only code that writes the chamber's review (初审) of submitted self-assessments."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_event, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.rows import update_grouped

from .actions import (
    REVIEWING,
    Actor,
    _require,
    _require_scope,
    effective_hundredths,
    parse_points,
)
from .choices import AssessmentStatus, ReviewDecision, ScoringMethod
from .models import Answer, Assessment
from .workflow import ASSESSMENT_FLOW


@transaction.atomic
def do_review_answer(answer: Answer, *, decision: str, actor: Actor, points: Any = None,
                     comment: str = "") -> Answer:
    """The chamber accepts an answer, adjusts its score (a comment is required) or returns it
    for more evidence (a comment says what is missing)."""
    _require(actor, "evaluation.review")
    _require_scope(actor, answer.assessment)
    assessment = lock(answer.assessment)
    if assessment.campaign.status not in REVIEWING or assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("只能初审已提交、且处于初审阶段的自评")
    answer.refresh_from_db()
    if answer.indicator.method == ScoringMethod.COMPUTED:
        raise ValidationError("自动计算类指标取自平台数据，不能在初审中调整")
    comment = comment.strip()
    before = snapshot(answer)
    if decision == ReviewDecision.ACCEPTED:
        answer.chamber_hundredths = answer.self_hundredths or 0
    elif decision == ReviewDecision.ADJUSTED:
        if not comment:
            raise ValidationError("调整分数须填写调整说明")
        answer.chamber_hundredths = parse_points(points, answer.indicator)
    elif decision == ReviewDecision.RETURNED:
        if not comment:
            raise ValidationError("退回补充须说明需要补充的佐证")
        answer.chamber_hundredths = None
    else:
        raise ValidationError("请选择初审意见")
    answer.decision, answer.chamber_comment = decision, comment
    answer.score_hundredths = effective_hundredths(answer)
    answer.save()
    record_change(answer, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(answer))
    record_event(answer, "answer.reviewed", actor=actor,
                 details={"decision": decision, "comment": comment})
    return answer


@transaction.atomic
def do_accept_remaining(assessment: Assessment, *, actor: Actor) -> int:
    """The chamber accepts every indicator it has not decided yet (全部认可); returns how many."""
    _require(actor, "evaluation.review")
    _require_scope(actor, assessment)
    lock(assessment)
    if assessment.campaign.status not in REVIEWING or assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("只能初审已提交、且处于初审阶段的自评")
    pending = list(assessment.answers.filter(decision=ReviewDecision.PENDING)
                   .exclude(indicator__method=ScoringMethod.COMPUTED))
    befores = {a.pk: snapshot(a) for a in pending}
    now = timezone.now()
    for answer in pending:
        answer.decision, answer.chamber_hundredths = ReviewDecision.ACCEPTED, answer.self_hundredths or 0
        answer.score_hundredths = effective_hundredths(answer)
        answer.updated_at = now
    update_grouped(pending, ["decision", "chamber_hundredths", "score_hundredths", "updated_at"])
    record_many((AuditEntry(a, AuditAction.UPDATE, before=befores[a.pk], after=snapshot(a))
                 for a in pending), actor=actor)
    return len(pending)


@transaction.atomic
def do_complete_review(assessment: Assessment, *, actor: Actor, note: str = "") -> Assessment:
    """Finish the chamber's review: returned to the enterprise if any indicator was returned,
    otherwise reviewed. Every indicator needs a decision first."""
    _require(actor, "evaluation.review")
    _require_scope(actor, assessment)
    lock(assessment)
    if assessment.campaign.status not in REVIEWING:
        raise ValidationError("初审阶段已结束")
    decisions = list(assessment.answers.exclude(indicator__method=ScoringMethod.COMPUTED)
                     .values_list("decision", flat=True))
    pending = decisions.count(ReviewDecision.PENDING)
    if pending:
        raise ValidationError(f"还有 {pending} 项指标未给出初审意见")
    # Computed indicators come from platform data: the chamber need not (and cannot) change them.
    computed_answers = list(assessment.answers.filter(indicator__method=ScoringMethod.COMPUTED)
                            .exclude(decision=ReviewDecision.ACCEPTED))
    befores = {a.pk: snapshot(a) for a in computed_answers}
    now = timezone.now()
    for answer in computed_answers:
        answer.decision, answer.updated_at = ReviewDecision.ACCEPTED, now
    update_grouped(computed_answers, ["decision", "updated_at"])
    record_many((AuditEntry(a, AuditAction.UPDATE, before=befores[a.pk], after=snapshot(a))
                 for a in computed_answers), actor=actor)
    target = (AssessmentStatus.RETURNED if ReviewDecision.RETURNED in decisions
              else AssessmentStatus.REVIEWED)
    ASSESSMENT_FLOW.apply(assessment, to=target, actor=actor, note=note)
    return assessment
