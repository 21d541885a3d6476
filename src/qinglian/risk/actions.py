"""The only code that writes the risk register: library, points, controls and alert links.

Rounds are in ``round_actions.py``, power and negative lists in ``power_actions.py``. Every
action is atomic, checks the permission (403) and the scope, locks the rows it changes and
records the change (before/after) and, where something happened, a semantic event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_event, record_many, snapshot
from qinglian.core.choices import AuditAction, Role
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.permissions import WRITE, has_perm, require_in_scope, require_perm
from qinglian.core.uploads import validate_evidence
from qinglian.core.validation import clean_text
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation

from .choices import OPEN_ROUND, BusinessArea, ControlStatus, PointStatus
from .levels import add_months, check_scale, level_of, raised, score_of
from .library_data import DEFAULT_LIBRARY, LibrarySpec
from .models import AlertLink, Control, LibraryPoint, RiskPoint, RoundItem
from .queries import OVERVIEW, register_organisations

Actor = User | None



def require_register(actor: Actor, organisation: Organisation) -> None:
    if actor is not None and not register_organisations(actor, WRITE).filter(
            pk=organisation.pk).exists():
        raise PermissionDenied("您只能维护本单位的廉洁风险点台账")


def _area(value: str) -> str:
    if value not in BusinessArea.values:
        raise ValidationError({"area": f"未知业务领域：{value}"})
    return value


def clean_scales(values: dict[str, Any]) -> dict[str, int]:
    """Likelihood and impact, inherent and residual, each 1–5; residual never above inherent
    (controls can only lower a risk)."""
    names = {"likelihood": "可能性", "impact": "影响程度",
             "residual_likelihood": "剩余可能性", "residual_impact": "剩余影响程度"}
    errors: dict[str, str] = {}
    clean: dict[str, int] = {}
    for name, label in names.items():
        try:
            clean[name] = check_scale(values.get(name), label)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if not errors:
        if clean["residual_likelihood"] > clean["likelihood"]:
            errors["residual_likelihood"] = "剩余可能性不能高于固有可能性"
        if clean["residual_impact"] > clean["impact"]:
            errors["residual_impact"] = "剩余影响程度不能高于固有影响程度"
    if errors:
        raise ValidationError(errors)
    return clean


def apply_levels(point: RiskPoint, scales: dict[str, int]) -> None:
    """Set the four numbers and the scores and levels that follow from them."""
    point.likelihood, point.impact = scales["likelihood"], scales["impact"]
    point.residual_likelihood = scales["residual_likelihood"]
    point.residual_impact = scales["residual_impact"]
    point.inherent_score = score_of(point.likelihood, point.impact)
    point.inherent_level = level_of(point.likelihood, point.impact)
    point.residual_score = score_of(point.residual_likelihood, point.residual_impact)
    point.residual_level = level_of(point.residual_likelihood, point.residual_impact)


# --- library ----------------------------------------------------------------------------------


def _require_library(actor: Actor, federation: Organisation) -> None:
    require_perm(actor, "risk.manage_library")
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError("风险点库属于工商联")
    if actor is not None and actor.role != Role.ADMIN and actor.organisation_id != federation.pk:
        raise PermissionDenied("只能维护本工商联的风险点库")


@transaction.atomic
def do_install_library(federation: Organisation, *, actor: Actor,
                       specs: list[LibrarySpec] | None = None) -> int:
    """Copy the shipped library into the federation's own; codes it already has are kept as
    the federation edited them. Returns how many points were added."""
    _require_library(actor, federation)
    lock(federation)
    have = set(LibraryPoint.objects.filter(federation=federation).values_list("code", flat=True))
    new = [LibraryPoint(federation=federation, **spec)
           for spec in (specs if specs is not None else DEFAULT_LIBRARY) if spec["code"] not in have]
    LibraryPoint.objects.bulk_create(new)
    added = list(LibraryPoint.objects.filter(federation=federation,
                                             code__in=[p.code for p in new]))
    record_many([AuditEntry(p, AuditAction.CREATE, after=snapshot(p)) for p in added], actor=actor)
    record_event(federation, "risk_library.installed", actor=actor, details={"added": len(added)})
    return len(added)


@transaction.atomic
def do_save_library_point(federation: Organisation, *, actor: Actor,
                          point: LibraryPoint | None = None, **fields: Any) -> LibraryPoint:
    """Add a typical risk point to the federation's library, or edit one."""
    _require_library(actor, federation)
    if point is not None:
        lock(point)
        if point.federation_id != federation.pk:
            raise PermissionDenied("只能维护本工商联的风险点库")
    before = snapshot(point) if point is not None else None
    target = point or LibraryPoint(federation=federation)
    target.code = clean_text(fields.get("code"), "code", limit=16)
    target.area = _area(fields.get("area", ""))
    target.title = clean_text(fields.get("title"), "title", limit=128)
    target.schemes = clean_text(fields.get("schemes"), "schemes", required=False)
    target.controls = clean_text(fields.get("controls"), "controls", required=False)
    target.likelihood = check_scale(fields.get("likelihood", 3), "参考可能性")
    target.impact = check_scale(fields.get("impact", 3), "参考影响程度")
    target.is_active = bool(fields.get("is_active", True))
    clash = LibraryPoint.objects.filter(federation=federation, code=target.code)
    if clash.exclude(pk=target.pk).exists():
        raise ValidationError({"code": f"编号 {target.code} 已存在"})
    target.save()
    if before is None:
        record_change(target, AuditAction.CREATE, actor=actor, after=snapshot(target))
    else:
        record_change(target, AuditAction.UPDATE, actor=actor, before=before,
                      after=snapshot(target))
    return target


# --- points -----------------------------------------------------------------------------------


def _next_code(organisation: Organisation) -> str:
    codes = RiskPoint.objects.filter(organisation=organisation, code__startswith="FX-") \
        .values_list("code", flat=True)
    numbers = [int(c[3:]) for c in codes if c[3:].isdigit()]
    return f"FX-{max(numbers, default=0) + 1:03d}"


def _point_fields(point: RiskPoint, fields: dict[str, Any]) -> None:
    point.area = _area(fields.get("area", ""))
    point.title = clean_text(fields.get("title"), "title", limit=128)
    point.schemes = clean_text(fields.get("schemes"), "schemes", required=False)
    point.department = clean_text(fields.get("department"), "department", limit=64)
    point.post = clean_text(fields.get("post"), "post", required=False, limit=64)
    point.owner_name = clean_text(fields.get("owner_name"), "owner_name", limit=64)
    months = fields.get("review_months", 12)
    if not isinstance(months, int) or not 1 <= months <= 60:
        raise ValidationError({"review_months": "评估周期应为 1 到 60 个月"})
    point.review_months = months


@transaction.atomic
def do_add_risk_point(organisation: Organisation, *, actor: Actor,
                      library_point: LibraryPoint | None = None, code: str = "",
                      today: dt.date | None = None, **fields: Any) -> RiskPoint:
    """Identify a risk point in the organisation's register (from the library or from scratch)
    with its inherent and residual levels; its first review falls one cycle from today."""
    require_perm(actor, "risk.manage_register")
    require_register(actor, organisation)
    lock(organisation)
    day = today or timezone.localdate()
    point = RiskPoint(organisation=organisation, library_point=library_point,
                      code=clean_text(code, "code", required=False, limit=16) or _next_code(organisation))
    _point_fields(point, fields)
    apply_levels(point, clean_scales(fields))
    point.next_review_on = add_months(day, point.review_months)
    if RiskPoint.objects.filter(organisation=organisation, code=point.code).exists():
        raise ValidationError({"code": f"编号 {point.code} 已在本单位台账中使用"})
    point.save()
    record_change(point, AuditAction.CREATE, actor=actor, after=snapshot(point))
    return point


@transaction.atomic
def do_update_risk_point(point: RiskPoint, *, actor: Actor, **fields: Any) -> RiskPoint:
    """Edit what the point is and who owns it. Its levels change only through an approved
    assessment round; a shorter or longer cycle moves the next review from the last one."""
    require_perm(actor, "risk.manage_register")
    require_in_scope(actor, point)
    lock(point)
    if point.status != PointStatus.ACTIVE:
        raise ValidationError("该风险点已撤销，不能修改")
    before = snapshot(point)
    _point_fields(point, fields)
    if point.review_months != before["review_months"]:
        start = point.last_reviewed_on or timezone.localtime(point.created_at).date()
        point.next_review_on = add_months(start, point.review_months)
    point.save()
    record_change(point, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(point))
    return point


@transaction.atomic
def do_retire_risk_point(point: RiskPoint, *, reason: str, actor: Actor) -> RiskPoint:
    """Take a point off the register (the business is gone, or merged into another point)."""
    require_perm(actor, "risk.manage_register")
    require_in_scope(actor, point)
    lock(point)
    if point.status != PointStatus.ACTIVE:
        raise ValidationError("该风险点已撤销")
    before = snapshot(point)
    point.status, point.retired_at = PointStatus.RETIRED, timezone.now()
    point.retired_reason = clean_text(reason, "reason", limit=255)
    point.save()
    record_change(point, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(point))
    record_event(point, "risk_point.retired", actor=actor, details={"reason": point.retired_reason})
    return point


# --- controls ---------------------------------------------------------------------------------


def _control_fields(control: Control, fields: dict[str, Any], today: dt.date) -> None:
    control.description = clean_text(fields.get("description"), "description")
    control.owner_name = clean_text(fields.get("owner_name"), "owner_name", limit=64)
    due = fields.get("due_on")
    if not isinstance(due, dt.date):
        raise ValidationError({"due_on": "请填写完成时限"})
    control.due_on = due
    status = fields.get("status", ControlStatus.PLANNED)
    if status not in ControlStatus.values:
        raise ValidationError({"status": f"未知状态：{status}"})
    control.status = status
    if status == ControlStatus.DONE:
        done_on = fields.get("done_on") or control.done_on or today
        if done_on > today:
            raise ValidationError({"done_on": "完成日期不能晚于今天"})
        control.done_on = done_on
    else:
        control.done_on = None


@transaction.atomic
def do_add_control(point: RiskPoint, *, actor: Actor, today: dt.date | None = None,
                   **fields: Any) -> Control:
    """A control (防控措施) for the point: description, owner, due date, status."""
    require_perm(actor, "risk.manage_register")
    require_in_scope(actor, point)
    lock(point)
    if point.status != PointStatus.ACTIVE:
        raise ValidationError("该风险点已撤销，不能添加防控措施")
    control = Control(point=point)
    _control_fields(control, fields, today or timezone.localdate())
    control.save()
    record_change(control, AuditAction.CREATE, actor=actor, after=snapshot(control))
    return control


@transaction.atomic
def do_update_control(control: Control, *, actor: Actor, today: dt.date | None = None,
                      **fields: Any) -> Control:
    """Change a control; marking it done stamps its completion date (today unless given)."""
    require_perm(actor, "risk.manage_register")
    require_in_scope(actor, control)
    lock(control)
    before = snapshot(control)
    _control_fields(control, fields, today or timezone.localdate())
    control.save()
    record_change(control, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(control))
    if before["status"] != control.status and control.status == ControlStatus.DONE:
        record_event(control, "risk_control.done", actor=actor,
                     details={"done_on": control.done_on})
    return control


@transaction.atomic
def do_attach_control_evidence(control: Control, upload: UploadedFile, *,
                               actor: Actor) -> Control:
    """Attach the evidence that the control was carried out (PDF, image, Word or Excel, checked
    by its content); a new file replaces the previous one, which stays in the audit trail."""
    require_perm(actor, "risk.manage_register")
    require_in_scope(actor, control)
    lock(control)
    extension, sha256 = validate_evidence(upload)
    before = snapshot(control)
    control.evidence_sha256 = sha256
    control.evidence_name = (upload.name or "file").rsplit("/", 1)[-1][:255]
    name = f"risk/{sha256[:2]}/{sha256}.{extension}"
    storage = control.evidence.storage
    control.evidence.name = name if storage.exists(name) else storage.save(name, upload)
    control.save()
    record_change(control, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(control))
    record_event(control, "risk_control.evidence", actor=actor,
                 details={"name": control.evidence_name, "sha256": sha256})
    return control


# --- alerts -----------------------------------------------------------------------------------


@transaction.atomic
def do_link_alert(point: RiskPoint, *, source: str, reference: str, summary: str,
                  actor: Actor) -> AlertLink:
    """Link a confirmed alert (预警) to the point: it shows on the point, and the point's next
    review starts one step more likely (inherent and residual, at most 5) — the alert shows
    that the risk does occur. Linking the same alert twice changes nothing.

    Who may link: a holder of risk.link_alert within the jurisdiction (the monitoring side),
    or whoever may edit the point's own register (risk.manage_register, write scope) — an
    enterprise linking its own confirmed alert. The actor is recorded as who linked."""
    if actor is not None and has_perm(actor, "risk.link_alert"):
        require_in_scope(actor, point, OVERVIEW)  # the monitoring side works across the jurisdiction
    else:
        require_perm(actor, "risk.manage_register")
        require_in_scope(actor, point, WRITE)
    lock(point)
    source = clean_text(source, "source", limit=32)
    reference = clean_text(reference, "reference", limit=64)
    existing = AlertLink.objects.filter(point=point, source=source, reference=reference).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            link = AlertLink.objects.create(
                point=point, source=source, reference=reference,
                summary=clean_text(summary, "summary", limit=255), linked_at=timezone.now(),
                linked_by=actor if actor is not None and actor.pk else None)
    except IntegrityError as exc:  # pragma: no cover - the lock above serialises linkers
        raise ValidationError("该预警已关联") from exc
    before = snapshot(point)
    point.next_likelihood = raised(point.next_likelihood or point.likelihood)
    point.next_residual_likelihood = raised(
        point.next_residual_likelihood or point.residual_likelihood)
    point.save(update_fields=["next_likelihood", "next_residual_likelihood", "updated_at"])
    record_change(link, AuditAction.CREATE, actor=actor, after=snapshot(link))
    record_change(point, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(point))
    _raise_open_round_item(point, actor)
    record_event(point, "risk_point.alert_linked", actor=actor,
                 details={"source": source, "reference": reference})
    return link


def _raise_open_round_item(point: RiskPoint, actor: Actor) -> None:
    """A round already under way took the point's likelihood when it started; the new alert
    raises that item too, or approving the round would forget it."""
    item = RoundItem.objects.filter(point=point, round__status__in=OPEN_ROUND).first()
    if item is None:
        return
    before = snapshot(item)
    item.likelihood = raised(item.likelihood)
    item.residual_likelihood = min(item.likelihood, raised(item.residual_likelihood))
    item.save(update_fields=["likelihood", "residual_likelihood"])
    record_change(item, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(item))
