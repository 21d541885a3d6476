"""The only code that writes objections (异议).

The subject of a published record, or of a listing it has been notified of, disputes it with
reasons and files. While the objection is open the target shows "异议处理中" publicly (its
``open_objections`` counter); a handler decides within the federation's
``objection_handling_days`` working days — corrected (the record is corrected, the listing
taken out of due process) or upheld — and the subject may withdraw it while it is open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.numbers import next_number
from qinglian.core.uploads import validate_evidence
from qinglian.core.validation import clean_text
from qinglian.core.workdays import working_days_after

from .actions import Actor, do_correct_record, require_in_scope, require_perm
from .choices import ListingStatus, ObjectionStatus, RecordStatus, RemovalReason
from .listing_actions import end_listing
from .models import CreditFile, CreditRecord, Listing, Objection, RepairApplication
from .process_queries import policy_of
from .workflow import OBJECTION_FLOW

MAX_FILES = 10
OBJECTABLE_LISTING = (ListingStatus.NOTIFIED, ListingStatus.LISTED, ListingStatus.PUBLISHED)


def checked_files(uploads: Iterable[UploadedFile]) -> list[tuple[UploadedFile, str, str]]:
    """(upload, real extension, SHA-256) of each file, every one checked by its content
    before anything is stored."""
    files = [u for u in uploads if u]
    if len(files) > MAX_FILES:
        raise ValidationError({"files": f"最多上传 {MAX_FILES} 个文件"})
    checked = []
    for upload in files:
        try:
            extension, digest = validate_evidence(upload)
        except ValidationError as exc:
            raise ValidationError({"files": f"{upload.name}：{'；'.join(exc.messages)}"}) from exc
        checked.append((upload, extension, digest))
    return checked


def store_files(checked: list[tuple[UploadedFile, str, str]], *, actor: Actor,
                objection: Objection | None = None,
                repair: RepairApplication | None = None) -> list[CreditFile]:
    """Store checked files under their content address (credit/ab/abcd….pdf)."""
    stored = []
    for upload, extension, digest in checked:
        row = CreditFile(objection=objection, repair=repair,
                         original_name=(upload.name or f"file.{extension}")[:255],
                         sha256=digest, size=upload.size or 0,
                         uploaded_by=actor if actor is not None and actor.pk else None,
                         uploaded_at=timezone.now())
        row.file.save(f"{digest}.{extension}", upload, save=True)
        stored.append(row)
    return stored


def require_own_subject(actor: Actor, organisation_id: int | None) -> None:
    """Only the subject's own enterprise user (or the system) acts as the subject."""
    if actor is None:
        return
    if actor.role != "admin" and (organisation_id is None
                                  or actor.organisation_id != organisation_id):
        raise PermissionDenied("只能对本企业的信用信息提出异议或申请")


def _bump(target: CreditRecord | Listing, by: int) -> None:
    qs = type(target).objects.filter(pk=target.pk)
    if by < 0:
        qs = qs.filter(open_objections__gt=0)
    qs.update(open_objections=F("open_objections") + by)
    target.refresh_from_db(fields=["open_objections"])


@transaction.atomic
def do_file_objection(target: CreditRecord | Listing, *, actor: Actor, reasons: str,
                      files: Iterable[UploadedFile] = (),
                      today: dt.date | None = None) -> Objection:
    """The subject disputes its published record or a listing it was notified of; a handler
    must decide within ``objection_handling_days`` working days."""
    require_perm(actor, "credit.file_objection")
    require_own_subject(actor, target.organisation_id)
    reasons = clean_text(reasons, "reasons", limit=4000)
    checked = checked_files(files)
    day = today or timezone.localdate()
    target = lock(target)
    if isinstance(target, CreditRecord):
        if target.status != RecordStatus.PUBLISHED:
            raise ValidationError("只能对公示中的信用记录提出异议")
        open_ones = Objection.objects.filter(record=target, status=ObjectionStatus.OPEN)
    else:
        if target.status not in OBJECTABLE_LISTING:
            raise ValidationError("只能对已告知、已决定列入或已公布的名单提出异议")
        open_ones = Objection.objects.filter(listing=target, status=ObjectionStatus.OPEN)
    if open_ones.exists():
        raise ValidationError("该事项已有处理中的异议，请等待处理结果")
    days = policy_of(target.federation_id).objection_handling_days
    if target.organisation_id is None:
        raise ValidationError("只能对企业的信用信息提出异议")
    objection = Objection(
        federation_id=target.federation_id, organisation_id=target.organisation_id,
        reasons=reasons, due_on=working_days_after(day, days),
        filed_by=actor if actor is not None and actor.pk else None,
        number=next_number(Objection, "YY", day.year))
    if isinstance(target, CreditRecord):
        objection.record = target
    else:
        objection.listing = target
    objection.save()
    store_files(checked, actor=actor, objection=objection)
    _bump(target, 1)
    record_change(objection, AuditAction.CREATE, actor=actor, after=snapshot(objection))
    record_event(objection, "objection.open", actor=actor,
                 details={"target": target.number, "files": len(checked)})
    return objection


def _target(objection: Objection) -> CreditRecord | Listing:
    target = objection.record if objection.record_id else objection.listing
    assert target is not None
    return target


@transaction.atomic
def do_withdraw_objection(objection: Objection, *, actor: Actor, note: str = "") -> Objection:
    """The subject withdraws its open objection."""
    require_perm(actor, "credit.file_objection")
    require_own_subject(actor, objection.organisation_id)
    objection = lock(objection)
    note = clean_text(note, "note", limit=500, required=False)
    OBJECTION_FLOW.apply(objection, to=ObjectionStatus.WITHDRAWN, actor=actor, note=note)
    _bump(_target(objection), -1)
    return objection


@transaction.atomic
def do_handle_objection(objection: Objection, *, actor: Actor, corrected: bool, outcome: str,
                        corrections: dict[str, Any] | None = None,
                        today: dt.date | None = None) -> Objection:
    """Decide an objection. Corrected: a record is corrected with the given fields
    (``actions.do_correct_record``); a listing leaves due process (rejected while open,
    removed as revoked once published). Upheld: nothing changes. The outcome is required."""
    require_perm(actor, "credit.handle_objection")
    require_in_scope(actor, objection)
    outcome = clean_text(outcome, "outcome", limit=2000)
    objection = lock(objection)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError("该异议已办结")
    day = today or timezone.localdate()
    target = _target(objection)
    if corrected:
        if isinstance(target, CreditRecord):
            fields = {k: v for k, v in (corrections or {}).items() if v not in (None, "")}
            if not fields:
                raise ValidationError({"corrections": "异议成立时请填写更正后的记录内容"})
            do_correct_record(target, actor=actor, reason=outcome, today=day, **fields)
        else:
            end_listing(target, actor=actor, reason=RemovalReason.REVOKED,
                        note=f"异议 {objection.number} 成立：{outcome}")
    to = ObjectionStatus.CORRECTED if corrected else ObjectionStatus.UPHELD
    OBJECTION_FLOW.apply(objection, to=to, actor=actor, note=outcome,
                         changes={"outcome": outcome,
                                  "handler": actor if actor is not None and actor.pk else None})
    _bump(target, -1)
    return objection
