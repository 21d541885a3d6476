"""The only code that writes the federation's part of a campaign: spot checks, final
adjustments, negative-list findings, publication, re-checks and exemplars."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_event, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.rows import update_grouped
from qinglian.core.workdays import working_days_after
from qinglian.registry.models import Organisation

from .actions import Actor, _require, _require_scope, _today, effective_hundredths, parse_points
from .choices import (
    FAIL_GRADE,
    AssessmentStatus,
    CampaignStatus,
    ExemplarStatus,
    FindingStatus,
    RecheckStatus,
    ReviewDecision,
    ScoringMethod,
)
from .hooks import exemplar_blockers
from .models import (
    Answer,
    Assessment,
    Campaign,
    DimensionScore,
    Exemplar,
    NegativeFinding,
    NegativeItem,
    RecheckRequest,
    ResultRevision,
)
from .results import recompute_results
from .workflow import CAMPAIGN_FLOW, EXEMPLAR_FLOW, RECHECK_FLOW

# --- spot check and final adjustment ---------------------------------------------------------

def spot_check_sample(population: list[int], share: Any, seed: int) -> list[int]:
    """The reproducible sample: the same ids, share and seed always give the same sample."""
    if not population:
        return []
    size = max(1, math.ceil(Decimal(len(population)) * Decimal(str(share))))  # exact, no float
    # A seeded PRNG on purpose: the sample must be reproducible from the recorded seed.
    return sorted(random.Random(seed).sample(  # noqa: S311
        sorted(population), min(size, len(population))))


@transaction.atomic
def do_draw_spot_check(campaign: Campaign, *, actor: Actor, seed: int | None = None) -> list[int]:
    """Draw the federation's random spot-check sample among reviewed assessments, once; the seed
    is recorded so that anyone can redraw and verify the same sample."""
    _require(actor, "evaluation.final_review")
    _require_scope(actor, campaign)
    lock(campaign)
    if campaign.status != CampaignStatus.FEDERATION_REVIEW:
        raise ValidationError("只能在工商联复核阶段抽取抽查样本")
    if campaign.spot_check_seed is not None:
        raise ValidationError(f"抽查样本已于 {timezone.localtime(campaign.spot_checked_at):%Y-%m-%d %H:%M}"
                              f" 抽取（随机种子 {campaign.spot_check_seed}），不能重抽")
    population = list(campaign.assessments.filter(status=AssessmentStatus.REVIEWED)
                      .values_list("pk", flat=True))
    if not population:
        raise ValidationError("还没有商会已审的企业，无法抽查")
    seed = secrets.randbits(48) if seed is None else seed
    sample = spot_check_sample(population, campaign.spot_check_share, seed)
    before = snapshot(campaign)
    campaign.spot_check_seed, campaign.spot_checked_at = seed, timezone.now()
    campaign.save(update_fields=["spot_check_seed", "spot_checked_at", "updated_at"])
    Assessment.objects.filter(pk__in=sample).update(spot_checked=True)
    record_change(campaign, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(campaign))
    record_event(campaign, "campaign.spot_check_drawn", actor=actor, details={
        "seed": seed, "share": str(campaign.spot_check_share), "population": len(population),
        "population_ids": sorted(population), "sample": sample})
    return sample


def _open_recheck(assessment: Assessment) -> RecheckRequest | None:
    return assessment.rechecks.filter(status=RecheckStatus.FILED).first()


@transaction.atomic
def do_adjust_answer(answer: Answer, *, points: Any, comment: str, actor: Actor) -> Answer:
    """The federation's final adjustment of one indicator: during its review, or while a
    re-check of a published result is open."""
    _require(actor, "evaluation.final_review")
    _require_scope(actor, answer.assessment)
    assessment = lock(answer.assessment)
    answer.refresh_from_db()
    status = assessment.campaign.status
    if not (status == CampaignStatus.FEDERATION_REVIEW
            or (status == CampaignStatus.PUBLISHED and _open_recheck(assessment))):
        raise ValidationError("只能在工商联复核阶段或处理复核申请时调整得分")
    if not comment.strip():
        raise ValidationError("调整得分须填写调整说明")
    before = snapshot(answer)
    answer.federation_hundredths = parse_points(points, answer.indicator)
    answer.federation_comment = comment.strip()
    answer.score_hundredths = effective_hundredths(answer)
    answer.save()
    record_change(answer, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(answer))
    record_event(answer, "answer.adjusted_by_federation", actor=actor,
                 details={"points": str(points), "comment": comment.strip()})
    return answer


# --- negative-list findings ------------------------------------------------------------------

@transaction.atomic
def do_confirm_finding(assessment: Assessment, *, item: NegativeItem, found_on: dt.date,
                       source: str, actor: Actor, description: str = "") -> NegativeFinding:
    """Record a confirmed negative-list item: it vetoes the grade to 不达标 (一票否决). After
    publication the result is republished at once."""
    _require(actor, "evaluation.manage_finding")
    _require_scope(actor, assessment)
    lock(assessment)
    campaign = assessment.campaign
    if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.CLOSED):
        raise ValidationError("评价未启动或已关闭，不能认定负面清单事项")
    if item.framework_id != campaign.framework_id:
        raise ValidationError("该事项不属于本次评价的指标体系")
    if not source.strip():
        raise ValidationError({"source": "请填写认定依据（文书编号或来源）"})
    if found_on > _today():
        raise ValidationError({"found_on": "认定日期不能晚于今天"})
    if assessment.findings.filter(item=item, status=FindingStatus.CONFIRMED).exists():
        raise ValidationError(f"已认定过“{item.name}”")
    finding = NegativeFinding.objects.create(
        assessment=assessment, item=item, found_on=found_on, source=source.strip(),
        description=description.strip(), recorded_by=actor if actor and actor.pk else None)
    record_change(finding, AuditAction.CREATE, actor=actor, after=snapshot(finding))
    record_event(assessment, "finding.confirmed", actor=actor, details={"item": item.name})
    if assessment.status == AssessmentStatus.PUBLISHED:
        _republish(assessment, reason=f"认定负面清单事项：{item.name}", actor=actor)
    return finding


@transaction.atomic
def do_withdraw_finding(finding: NegativeFinding, *, reason: str, actor: Actor) -> NegativeFinding:
    _require(actor, "evaluation.manage_finding")
    _require_scope(actor, finding.assessment)
    lock(finding)
    if finding.assessment.campaign.status in (CampaignStatus.DRAFT, CampaignStatus.CLOSED):
        raise ValidationError("评价已关闭，不能撤销认定")
    if finding.status != FindingStatus.CONFIRMED:
        raise ValidationError("该认定已撤销")
    if not reason.strip():
        raise ValidationError({"reason": "请填写撤销理由"})
    before = snapshot(finding)
    finding.status, finding.withdrawn_at = FindingStatus.WITHDRAWN, timezone.now()
    finding.withdrawn_reason = reason.strip()
    finding.save()
    record_change(finding, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(finding))
    record_event(finding.assessment, "finding.withdrawn", actor=actor,
                 details={"item": finding.item.name, "reason": reason.strip()})
    if finding.assessment.status == AssessmentStatus.PUBLISHED:
        _republish(finding.assessment, reason=f"撤销负面清单认定：{finding.item.name}", actor=actor)
    return finding


# --- publication -----------------------------------------------------------------------------

def _dimension_map(assessment_ids: list[int]) -> dict[int, dict[str, int]]:
    scores: dict[int, dict[str, int]] = {}
    for aid, code, value in DimensionScore.objects.filter(assessment_id__in=assessment_ids) \
            .values_list("assessment_id", "dimension__code", "score_hundredths"):
        scores.setdefault(aid, {})[code] = value
    return scores


def _revisions(assessments: list[Assessment], reason: str, now: dt.datetime) -> None:
    dims = _dimension_map([a.pk for a in assessments])
    ResultRevision.objects.bulk_create(
        (ResultRevision(assessment=a, revision=a.revision, total_hundredths=a.total_hundredths or 0,
                        grade=a.grade, vetoed=a.vetoed, dimension_hundredths=dims.get(a.pk, {}),
                        published_at=now, reason=reason) for a in assessments), batch_size=2000)


@transaction.atomic
def do_publish_campaign(campaign: Campaign, *, actor: Actor, today: dt.date | None = None) -> int:
    """Compute and publish every result, then lock them; enterprises may request a re-check
    within ``recheck_days`` working days. Unsubmitted assessments are published as they stand."""
    _require(actor, "evaluation.publish")
    _require_scope(actor, campaign)
    lock(campaign)
    if campaign.status != CampaignStatus.FEDERATION_REVIEW:
        raise ValidationError("只能在工商联复核阶段发布结果")
    _settle_unfinished(campaign, actor)
    count = recompute_results(campaign)
    now = timezone.now()
    campaign.assessments.update(status=AssessmentStatus.PUBLISHED, published_at=now, revision=1)
    published = list(campaign.assessments.all())
    _revisions(published, "首次发布", now)
    CAMPAIGN_FLOW.apply(campaign, to=CampaignStatus.PUBLISHED, actor=actor, changes={
        "results_at": now, "recheck_due": working_days_after(today or _today(),
                                                              campaign.recheck_days)})
    record_many((AuditEntry(a, AuditAction.EVENT, event="assessment.published",
                            after={"total": str(a.total), "grade": a.grade, "vetoed": a.vetoed})
                 for a in published), actor=actor)
    return count


def _settle_unfinished(campaign: Campaign, actor: Actor) -> int:
    """Before publication, what was never properly submitted earns nothing: an answer the chamber
    returned and the enterprise did not answer again scores 0, and so does an answer of an
    unsubmitted self-assessment that claims points without the evidence its indicator requires
    (it could not have been submitted as it stands). Federation adjustments stand."""
    returned = Answer.objects.filter(assessment__campaign=campaign, decision=ReviewDecision.RETURNED,
                                     federation_hundredths__isnull=True)
    unsubmitted = Answer.objects.filter(
        assessment__campaign=campaign, federation_hundredths__isnull=True,
        assessment__status__in=[AssessmentStatus.PENDING, AssessmentStatus.DRAFT],
        indicator__evidence_required=True, self_hundredths__gt=0, evidence__isnull=True,
    ).exclude(indicator__method=ScoringMethod.COMPUTED)
    settled = list((returned | unsubmitted).exclude(score_hundredths=0).distinct())
    befores = {a.pk: snapshot(a) for a in settled}
    for answer in settled:
        answer.score_hundredths = 0
    update_grouped(settled, ["score_hundredths"])
    record_many((AuditEntry(a, AuditAction.UPDATE, before=befores[a.pk], after=snapshot(a))
                 for a in settled), actor=actor)
    return len(settled)


def _republish(assessment: Assessment, *, reason: str, actor: Actor) -> bool:
    """Recompute this assessment (ranks for all) and, when its total, grade or veto moved,
    publish a new revision. True if changed."""
    lock(assessment.campaign)  # one republication at a time per campaign
    before = (assessment.total_hundredths, assessment.grade, assessment.vetoed)
    recompute_results(assessment.campaign, only=[assessment.pk])
    assessment.refresh_from_db()
    if (assessment.total_hundredths, assessment.grade, assessment.vetoed) == before:
        return False
    assessment.revision += 1
    assessment.published_at = timezone.now()
    assessment.save(update_fields=["revision", "published_at", "updated_at"])
    _revisions([assessment], reason, assessment.published_at)
    record_event(assessment, "assessment.republished", actor=actor, details={
        "reason": reason, "revision": assessment.revision, "total": str(assessment.total),
        "grade": assessment.grade})
    return True


# --- re-check requests -----------------------------------------------------------------------

@transaction.atomic
def do_file_recheck(assessment: Assessment, *, reason: str, actor: Actor,
                    today: dt.date | None = None) -> RecheckRequest:
    """The enterprise asks for a re-check of its published result, within the window."""
    _require(actor, "evaluation.request_recheck")
    _require_scope(actor, assessment)
    lock(assessment)
    campaign, day = assessment.campaign, today or _today()
    if campaign.status != CampaignStatus.PUBLISHED or assessment.status != AssessmentStatus.PUBLISHED:
        raise ValidationError("结果发布后方可申请复核")
    if campaign.recheck_due is None or day > campaign.recheck_due:
        raise ValidationError(f"复核申请期限已过（截止 {campaign.recheck_due}）")
    if _open_recheck(assessment):
        raise ValidationError("已有待处理的复核申请")
    if not reason.strip():
        raise ValidationError({"reason": "请填写申请理由"})
    recheck = RecheckRequest.objects.create(
        assessment=assessment, reason=reason.strip(), filed_at=timezone.now(),
        filed_by=actor if actor and actor.pk else None,
        due_on=working_days_after(day, campaign.federation_review_days),
        before_hundredths=assessment.total_hundredths)
    record_change(recheck, AuditAction.CREATE, actor=actor, after=snapshot(recheck))
    record_event(recheck, "recheck.filed", actor=actor)
    return recheck


@transaction.atomic
def do_decide_recheck(recheck: RecheckRequest, *, note: str, actor: Actor) -> RecheckRequest:
    """Decide a re-check after any adjustments (``do_adjust_answer``): the result is
    republished with a new revision when the score or grade changed, otherwise upheld."""
    _require(actor, "evaluation.decide_recheck")
    _require_scope(actor, recheck.assessment)
    lock(recheck)
    if not note.strip():
        raise ValidationError({"note": "请填写处理意见"})
    assessment = recheck.assessment
    changed = _republish(assessment, reason=f"复核申请：{note.strip()[:200]}", actor=actor)
    RECHECK_FLOW.apply(recheck, to=RecheckStatus.CHANGED if changed else RecheckStatus.UPHELD,
                       actor=actor, note=note.strip(), changes={
                           "decided_by": actor if actor and actor.pk else None,
                           "decision_note": note.strip(),
                           "after_hundredths": assessment.total_hundredths})
    return recheck


# --- exemplars -------------------------------------------------------------------------------

def exemplar_obstacles(assessment: Assessment) -> list[str]:
    """Why an enterprise may not be nominated an exemplar (empty when it may): it needs the
    framework's top grade, no negative-list finding and no open re-check."""
    top = assessment.campaign.framework.bands.order_by("-min_points").first()
    problems = []
    if assessment.status != AssessmentStatus.PUBLISHED:
        problems.append("结果尚未发布")
    if top is None or assessment.grade != top.name or assessment.grade == FAIL_GRADE:
        problems.append(f"等级不是最高等级“{top.name if top else ''}”")
    if assessment.findings.filter(status=FindingStatus.CONFIRMED).exists():
        problems.append("有负面清单认定")
    if _open_recheck(assessment):
        problems.append("有待处理的复核申请")
    problems.extend(exemplar_blockers(assessment.enterprise))
    return problems


@transaction.atomic
def do_nominate_exemplar(campaign: Campaign, enterprise: Organisation, *, citation: str,
                         actor: Actor) -> Exemplar:
    _require(actor, "evaluation.manage_exemplar")
    lock(campaign)
    assessment = campaign.assessments.filter(enterprise=enterprise).first()
    if assessment is None:
        raise ValidationError("该企业未参加本次评价")
    _require_scope(actor, assessment)
    problems = exemplar_obstacles(assessment)
    if problems:
        raise ValidationError([f"不能推荐为示范企业：{p}" for p in problems])
    if not citation.strip():
        raise ValidationError({"citation": "请填写推荐事迹"})
    if Exemplar.objects.filter(campaign=campaign, enterprise=enterprise).exists():
        raise ValidationError("该企业已被推荐")
    exemplar = Exemplar.objects.create(
        campaign=campaign, enterprise=enterprise, citation=citation.strip(),
        nominated_by=actor if actor and actor.pk else None, nominated_at=timezone.now())
    record_change(exemplar, AuditAction.CREATE, actor=actor, after=snapshot(exemplar))
    record_event(exemplar, "exemplar.nominated", actor=actor)
    return exemplar


@transaction.atomic
def do_set_exemplar_status(exemplar: Exemplar, *, to: str, actor: Actor) -> Exemplar:
    """Publish a nomination, or withdraw it (before or after publication)."""
    _require(actor, "evaluation.manage_exemplar")
    lock(exemplar)
    assessment = exemplar.campaign.assessments.get(enterprise_id=exemplar.enterprise_id)
    _require_scope(actor, assessment)
    if to == ExemplarStatus.PUBLISHED:
        # Things change between nomination and publication (a finding, a re-check): ask again.
        problems = exemplar_obstacles(assessment)
        if problems:
            raise ValidationError([f"不能公布为示范企业：{p}" for p in problems])
    EXEMPLAR_FLOW.apply(exemplar, to=to, actor=actor)
    return exemplar
