"""The only code that writes campaigns, assessments, answers and evidence.

Views, the API, the CLI and the sample city call these. Every action is atomic and audited;
``actor=None`` is the system itself (seed, CLI). Re-checks, findings, publication and exemplars
live in ``result_actions.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.permissions import WRITE, require, restrict
from qinglian.core.rows import update_grouped
from qinglian.core.uploads import validate_evidence
from qinglian.core.workdays import working_days_after
from qinglian.registry.choices import ACTIVE_MEMBERSHIP, BODY_KINDS, OrganisationKind
from qinglian.registry.models import Membership, Organisation

from . import computed
from .choices import (
    EDITABLE_ASSESSMENT,
    AssessmentStatus,
    CampaignStatus,
    FrameworkStatus,
    RecheckStatus,
    ReviewDecision,
    ScoringMethod,
)
from .framework_actions import do_freeze_framework
from .models import (
    Answer,
    Assessment,
    Campaign,
    Evidence,
    Framework,
    Indicator,
    RecheckRequest,
    evidence_path,
)
from .scoring import ScoringError, score_answer
from .workflow import ASSESSMENT_FLOW, CAMPAIGN_FLOW

Actor = User | None

#: The enterprise may answer while the campaign is in these states (late answers are allowed
#: until the federation's review starts; the progress board shows them as late).
ANSWERING = (CampaignStatus.SELF_ASSESSMENT, CampaignStatus.CHAMBER_REVIEW)
REVIEWING = (CampaignStatus.SELF_ASSESSMENT, CampaignStatus.CHAMBER_REVIEW)


def _require(actor: Actor, perm: str) -> None:
    if actor is not None:
        require(actor, perm)


def _require_scope(actor: Actor, obj: Any) -> None:
    """Writers re-check scope: a signed-in actor may only change what restrict() lets it."""
    if actor is not None and not restrict(type(obj)._default_manager.filter(pk=obj.pk),
                                          actor, WRITE).exists():
        raise ValidationError("该记录不在您的管理范围内")


def _today() -> dt.date:
    return timezone.localdate()


def parse_points(value: Any, indicator: Indicator) -> int:
    """Points typed by a reviewer → hundredths; 0 ≤ points ≤ max, at most two decimals."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"“{value}”不是有效的分数") from exc
    if not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise ValidationError("分数最多保留两位小数")
    if not Decimal(0) <= number <= indicator.max_points:
        raise ValidationError(f"分数须在 0 到 {indicator.max_points} 分之间")
    return int(number * 100)


# --- campaigns -------------------------------------------------------------------------------

CAMPAIGN_FIELDS = ("framework", "year", "name", "all_members", "self_assessment_days",
                   "chamber_review_days", "federation_review_days", "recheck_days",
                   "spot_check_share")


def _validate_campaign(campaign: Campaign, chambers: list[Organisation]) -> None:
    errors: dict[str, str] = {}
    if campaign.framework.federation_id != campaign.federation_id:
        errors["framework"] = "只能使用本工商联的指标体系"
    elif campaign.framework.status == FrameworkStatus.RETIRED:
        errors["framework"] = "该指标体系已停用"
    if not Decimal(0) < campaign.spot_check_share <= Decimal(1):
        errors["spot_check_share"] = "抽查比例须大于 0、不超过 100%"
    if not 2000 <= campaign.year <= 2100:
        errors["year"] = "请填写正确的评价年度"
    if not campaign.all_members and not chambers:
        errors["chambers"] = "请选择参评的商会/协会，或选择全部会员企业"
    outside = [c.name for c in chambers
               if c.federation_id != campaign.federation_id or c.kind not in BODY_KINDS]
    if outside:
        errors["chambers"] = f"不属于本工商联的商会/协会：{'、'.join(outside)}"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_campaign(federation: Organisation, *, framework: Framework, year: int, name: str,
                       actor: Actor, chambers: list[Organisation] | None = None,
                       **fields: Any) -> Campaign:
    """A draft campaign over all members of the federation's chambers, or over chosen ones."""
    _require(actor, "evaluation.manage_campaign")
    _require_scope(actor, federation)
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError("年度评价只能由工商联发起")
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    campaign = Campaign(federation=federation, framework=framework, year=year, name=name.strip(),
                        **fields)
    chosen = list(chambers or [])
    _validate_campaign(campaign, chosen)
    if Campaign.objects.filter(federation=federation, year=year, name=campaign.name).exists():
        raise ValidationError({"name": f"{year} 年度已有名为“{campaign.name}”的评价"})
    campaign.save()
    campaign.chambers.set(chosen)
    record_change(campaign, AuditAction.CREATE, actor=actor, after=snapshot(campaign))
    return campaign


@transaction.atomic
def do_update_campaign(campaign: Campaign, *, actor: Actor,
                       chambers: list[Organisation] | None = None, **fields: Any) -> Campaign:
    _require(actor, "evaluation.manage_campaign")
    _require_scope(actor, campaign)
    lock(campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("评价已启动，不能再修改设置")
    before = snapshot(campaign)
    for key, value in fields.items():
        if key not in CAMPAIGN_FIELDS:
            raise TypeError(f"unknown campaign field: {key}")
        setattr(campaign, key, value)
    chosen = list(chambers) if chambers is not None else list(campaign.chambers.all())
    _validate_campaign(campaign, chosen)
    campaign.save()
    campaign.chambers.set(chosen)
    record_change(campaign, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(campaign))
    return campaign


def participants(campaign: Campaign) -> dict[int, int]:
    """Enterprise id → reviewing chamber id for every member in the campaign's scope.

    An enterprise in several chambers is assessed once, by the chamber it joined first.
    """
    memberships = Membership.objects.filter(
        organisation__federation_id=campaign.federation_id,
        organisation__kind__in=BODY_KINDS, member__kind=OrganisationKind.ENTERPRISE,
        status__in=[s.value for s in ACTIVE_MEMBERSHIP],
    )
    if not campaign.all_members:
        memberships = memberships.filter(organisation__in=campaign.chambers.all())
    chosen: dict[int, int] = {}
    for member_id, chamber_id in memberships.order_by("joined_on", "id").values_list(
            "member_id", "organisation_id"):
        chosen.setdefault(member_id, chamber_id)
    return chosen


def fill_computed(assessments: list[Assessment]) -> int:
    """(Re)compute every computed indicator's answer of these assessments, source by source in
    batches (a fixed number of queries whatever the number of assessments); returns how many."""
    answers = list(Answer.objects.filter(
        assessment__in=assessments, indicator__method=ScoringMethod.COMPUTED,
    ).select_related("indicator", "assessment__enterprise"))
    by_source: dict[str, list[Answer]] = {}
    for answer in answers:
        by_source.setdefault(answer.indicator.computed_source, []).append(answer)
    for code, group in by_source.items():
        pairs = {(a.assessment.enterprise_id): (a.assessment.enterprise, a.assessment.chamber_id)
                 for a in group}
        results = computed.compute_many(code, list(pairs.values()))
        for answer in group:
            result = results[answer.assessment.enterprise_id]
            answer.number, answer.computed_note = result.share, result.note[:255]
            answer.self_hundredths = score_answer(answer.indicator, number=result.share)
            answer.score_hundredths = effective_hundredths(answer)
    update_grouped(answers, ["number", "computed_note", "self_hundredths", "score_hundredths"])
    return len(answers)


@transaction.atomic
def do_open_campaign(campaign: Campaign, *, actor: Actor, today: dt.date | None = None) -> int:
    """Open self-assessment: freeze the framework, create every participant's assessment and
    answers, fill the computed indicators, and set the deadline in working days."""
    _require(actor, "evaluation.manage_campaign")
    _require_scope(actor, campaign)
    lock(campaign)
    start = today or _today()
    chosen = participants(campaign)
    if not chosen:
        raise ValidationError("参评范围内没有会员企业，无法启动")
    do_freeze_framework(campaign.framework, actor=None)
    enterprises = Organisation.objects.in_bulk(list(chosen))
    created = Assessment.objects.bulk_create(
        Assessment(campaign=campaign, enterprise_id=eid, chamber_id=chamber_id,
                   industry=enterprises[eid].industry, region=enterprises[eid].region)
        for eid, chamber_id in sorted(chosen.items()))
    if not created or created[0].pk is None:  # backends that do not return ids
        created = list(Assessment.objects.filter(campaign=campaign))
    indicators = list(campaign.framework.indicators.all())
    Answer.objects.bulk_create(
        (Answer(assessment=a, indicator=i) for a in created for i in indicators), batch_size=5000)
    fill_computed(created)
    CAMPAIGN_FLOW.apply(campaign, to=CampaignStatus.SELF_ASSESSMENT, actor=actor, changes={
        "self_assessment_due": working_days_after(start, campaign.self_assessment_days)})
    record_many((AuditEntry(a, AuditAction.CREATE, after=snapshot(a)) for a in created), actor=actor)
    return len(created)


@transaction.atomic
def do_start_chamber_review(campaign: Campaign, *, actor: Actor,
                            today: dt.date | None = None) -> Campaign:
    _require(actor, "evaluation.manage_campaign")
    _require_scope(actor, campaign)
    lock(campaign)
    CAMPAIGN_FLOW.apply(campaign, to=CampaignStatus.CHAMBER_REVIEW, actor=actor, changes={
        "chamber_review_due": working_days_after(today or _today(), campaign.chamber_review_days)})
    return campaign


@transaction.atomic
def do_start_federation_review(campaign: Campaign, *, actor: Actor,
                               today: dt.date | None = None) -> Campaign:
    _require(actor, "evaluation.manage_campaign")
    _require_scope(actor, campaign)
    lock(campaign)
    CAMPAIGN_FLOW.apply(campaign, to=CampaignStatus.FEDERATION_REVIEW, actor=actor, changes={
        "federation_review_due": working_days_after(today or _today(),
                                                    campaign.federation_review_days)})
    return campaign


@transaction.atomic
def do_close_campaign(campaign: Campaign, *, actor: Actor, today: dt.date | None = None) -> Campaign:
    """Close a published campaign once its re-check window has passed and no re-check is open."""
    _require(actor, "evaluation.manage_campaign")
    _require_scope(actor, campaign)
    lock(campaign)
    if campaign.recheck_due is not None and (today or _today()) <= campaign.recheck_due:
        raise ValidationError(f"复核申请期限（{campaign.recheck_due}）未过，不能关闭")
    if RecheckRequest.objects.filter(assessment__campaign=campaign,
                                     status=RecheckStatus.FILED).exists():
        raise ValidationError("还有待处理的复核申请，不能关闭")
    CAMPAIGN_FLOW.apply(campaign, to=CampaignStatus.CLOSED, actor=actor)
    return campaign


# --- answers and evidence (the enterprise) ---------------------------------------------------

def effective_hundredths(answer: Answer) -> int:
    for value in (answer.federation_hundredths, answer.chamber_hundredths, answer.self_hundredths):
        if value is not None:
            return value
    return 0


def _editable_by_enterprise(assessment: Assessment) -> None:
    if assessment.campaign.status not in ANSWERING:
        raise ValidationError("本年度评价当前不在自评阶段，不能填报")
    if assessment.status not in EDITABLE_ASSESSMENT:
        raise ValidationError(f"自评已{assessment.get_status_display()}，不能修改")


def _start_draft(assessment: Assessment, actor: Actor) -> None:
    if assessment.status == AssessmentStatus.PENDING:
        ASSESSMENT_FLOW.apply(assessment, to=AssessmentStatus.DRAFT, actor=actor)


@dataclass(frozen=True)
class AnswerInput:
    """One indicator's answer as the enterprise gives it (which field is used depends on the
    indicator's scoring method)."""

    bool_value: bool | None = None
    level: int | None = None
    number: Decimal | None = None
    note: str = ""


def _apply_input(answer: Answer, given: AnswerInput) -> None:
    indicator = answer.indicator
    if indicator.method == ScoringMethod.COMPUTED:
        raise ValidationError(f"指标“{indicator.name}”由平台数据自动计算，无需填报")
    if given.number is not None and (
            not given.number.is_finite()
            or given.number != given.number.quantize(Decimal("0.0001"))
            or abs(given.number) >= Decimal("1e10")):
        raise ValidationError(f"{indicator.code} {indicator.name}：数值最多保留四位小数，且不超过 100 亿")
    changed = (answer.bool_value, answer.level, answer.number) != (
        given.bool_value, given.level, given.number)
    try:
        answer.self_hundredths = score_answer(indicator, bool_value=given.bool_value,
                                              level=given.level, number=given.number)
    except ScoringError as exc:
        raise ValidationError(f"{indicator.code} {indicator.name}：{exc}") from exc
    answer.bool_value, answer.level, answer.number = given.bool_value, given.level, given.number
    answer.note = given.note.strip()
    if answer.decision == ReviewDecision.RETURNED or (
            changed and answer.decision != ReviewDecision.PENDING):
        # Answered again (or changed after the chamber decided): back to the reviewer.
        answer.decision, answer.chamber_hundredths = ReviewDecision.PENDING, None
    answer.score_hundredths = effective_hundredths(answer)


@transaction.atomic
def do_save_answers(assessment: Assessment, given: dict[int, AnswerInput], *,
                    actor: Actor) -> list[Answer]:
    """The enterprise answers several indicators at once (answer id → input) — a draft it may
    change until it submits. Every answer is checked before any is saved."""
    _require(actor, "evaluation.self_assess")
    _require_scope(actor, assessment)
    lock(assessment)
    _editable_by_enterprise(assessment)
    answers = list(assessment.answers.select_related("indicator").filter(pk__in=list(given)))
    if len(answers) != len(given):
        raise ValidationError("提交的指标不属于该评价")
    befores = {a.pk: snapshot(a) for a in answers}
    errors = []
    now = timezone.now()  # one timestamp for the batch (a grouped update does not apply auto_now)
    for answer in answers:
        try:
            _apply_input(answer, given[answer.pk])
            answer.updated_at = now
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    update_grouped(answers, ["self_hundredths", "bool_value", "level", "number", "note",
                             "decision", "chamber_hundredths", "score_hundredths", "updated_at"])
    _start_draft(assessment, actor)
    record_many((AuditEntry(a, AuditAction.UPDATE, before=befores[a.pk], after=snapshot(a))
                 for a in answers), actor=actor)
    return answers


def do_save_answer(answer: Answer, *, actor: Actor, bool_value: bool | None = None,
                   level: int | None = None, number: Decimal | None = None,
                   note: str = "") -> Answer:
    """The enterprise answers one indicator (a draft: it may change it until it submits)."""
    do_save_answers(answer.assessment, {answer.pk: AnswerInput(bool_value, level, number, note)},
                    actor=actor)
    answer.refresh_from_db()
    return answer


def _store(evidence: Evidence, upload: UploadedFile, extension: str) -> None:
    name = evidence_path(evidence, f"evidence.{extension}")
    storage = evidence.file.storage
    if storage.exists(name):
        evidence.file.name = name  # same content already stored (content-addressed)
    else:
        evidence.file.name = storage.save(name, upload)


@transaction.atomic
def do_upload_evidence_many(assessment: Assessment, uploads: Sequence[tuple[Answer, UploadedFile]],
                            *, actor: Actor) -> list[Evidence]:
    """Attach evidence files to answers of one assessment (several indicators in one go).
    Every file is checked by content first; one bad file stores none."""
    _require(actor, "evaluation.self_assess")
    _require_scope(actor, assessment)
    lock(assessment)
    _editable_by_enterprise(assessment)
    checked: list[tuple[Answer, UploadedFile, str, str, str]] = []
    seen = set(Evidence.objects.filter(answer__assessment=assessment)
               .values_list("answer_id", "sha256"))
    for answer, upload in uploads:
        if answer.assessment_id != assessment.pk:
            raise ValidationError("佐证材料不属于该评价")
        original = (upload.name or "file").rsplit("/", 1)[-1][:255]
        try:
            extension, sha256 = validate_evidence(upload)
        except ValidationError as exc:
            raise ValidationError(f"“{original}”：{exc.messages[0]}") from exc
        if (answer.pk, sha256) in seen:
            raise ValidationError(f"该指标已上传过相同的文件“{original}”")
        seen.add((answer.pk, sha256))
        checked.append((answer, upload, original, extension, sha256))
    now, uploader = timezone.now(), actor if actor and actor.pk else None
    created = []
    for answer, upload, original, extension, sha256 in checked:
        evidence = Evidence(answer=answer, original_name=original, sha256=sha256,
                            size=upload.size or 0, uploaded_by=uploader, uploaded_at=now)
        _store(evidence, upload, extension)
        created.append(evidence)
    Evidence.objects.bulk_create(created)
    _start_draft(assessment, actor)
    record_many((AuditEntry(e, AuditAction.CREATE, after=snapshot(e)) for e in created),
                actor=actor)
    return created


def do_upload_evidence(answer: Answer, upload: UploadedFile, *, actor: Actor) -> Evidence:
    """Attach one evidence file to one answer (checked by its content)."""
    return do_upload_evidence_many(answer.assessment, [(answer, upload)], actor=actor)[0]


@transaction.atomic
def do_delete_evidence(evidence: Evidence, *, actor: Actor) -> None:
    _require(actor, "evaluation.self_assess")
    _require_scope(actor, evidence.answer.assessment)
    _editable_by_enterprise(lock(evidence.answer.assessment))
    record_change(evidence, AuditAction.DELETE, actor=actor, before=snapshot(evidence))
    answer = evidence.answer
    if answer.decision != ReviewDecision.PENDING:  # the evidence the chamber saw is gone
        before = snapshot(answer)
        answer.decision, answer.chamber_hundredths = ReviewDecision.PENDING, None
        answer.score_hundredths = effective_hundredths(answer)
        answer.save()
        record_change(answer, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(answer))
    stored = evidence.file.name or ""
    storage = evidence.file.storage
    evidence.delete()
    if not Evidence.objects.filter(file=stored).exists():  # content-addressed: may be shared
        transaction.on_commit(lambda: storage.delete(stored))


def missing_for_submission(assessment: Assessment) -> list[str]:
    """What stops the enterprise from submitting, in Chinese (empty when it may submit)."""
    problems = []
    answers = assessment.answers.select_related("indicator").prefetch_related("evidence")
    for answer in answers:
        indicator = answer.indicator
        if indicator.method == ScoringMethod.COMPUTED:
            continue
        if answer.self_hundredths is None:
            problems.append(f"{indicator.code} {indicator.name}：尚未填报")
        elif (indicator.evidence_required and answer.self_hundredths > 0
              and not answer.evidence.all()):
            problems.append(f"{indicator.code} {indicator.name}：须上传佐证材料")
    return problems


@transaction.atomic
def do_submit_assessment(assessment: Assessment, *, actor: Actor) -> Assessment:
    """Submit the self-assessment for the chamber's review (every indicator answered, evidence
    attached where the indicator requires it; computed indicators are refreshed first)."""
    _require(actor, "evaluation.self_assess")
    _require_scope(actor, assessment)
    lock(assessment)
    _editable_by_enterprise(assessment)
    fill_computed([assessment])
    problems = missing_for_submission(assessment)
    if problems:
        raise ValidationError(problems)
    ASSESSMENT_FLOW.apply(assessment, to=AssessmentStatus.SUBMITTED, actor=actor)
    return assessment
