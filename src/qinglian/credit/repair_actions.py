"""The only code that writes credit repair applications (信用修复).

Once the minimum publication window of a negative record has passed (``repair_from``), its
subject may apply with proof of correction and a new public pledge (kind "repair"). On approval
the record is repaired — it leaves the public view and is kept internally with its history —,
blacklist listings resting only on repaired records end with reason "repaired", and the ratings
recompute (``hooks.records_changed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.formatting import chinese_date
from qinglian.core.locking import lock
from qinglian.core.numbers import next_number
from qinglian.core.validation import clean_text

from .actions import Actor, require_in_scope, require_perm
from .choices import PledgeKind, RecordStatus, RepairStatus, Severity
from .hooks import records_changed
from .listing_actions import end_listings_on_repaired
from .models import CreditRecord, RepairApplication
from .objection_actions import checked_files, require_own_subject, store_files
from .pledge_actions import do_make_pledge
from .workflow import RECORD_FLOW, REPAIR_FLOW


def repair_refusal(record: CreditRecord, today: dt.date) -> str:
    """Why the record cannot be repaired today ("" when it can)."""
    if not record.is_negative or record.status != RecordStatus.PUBLISHED:
        return "只能对公示中的失信记录申请信用修复"
    if record.repair_from is None or today < record.repair_from:
        when = chinese_date(record.repair_from)
        if record.severity == Severity.SERIOUS:
            return (f"严重失信信息须公示满最短公示期（{record.min_months} 个月）后方可申请"
                    f"信用修复，可申请日期：{when}")
        return f"该记录自 {when} 起方可申请信用修复"
    if RepairApplication.objects.filter(record=record, status=RepairStatus.SUBMITTED).exists():
        return "该记录已有待审核的信用修复申请"
    return ""


@transaction.atomic
def do_apply_repair(record: CreditRecord, *, actor: Actor, correction: str, pledge: str,
                    files: Iterable[UploadedFile] = (),
                    today: dt.date | None = None) -> RepairApplication:
    """The subject applies for repair of its published negative record with proof of
    correction and a new public credit pledge."""
    require_perm(actor, "credit.apply_repair")
    require_own_subject(actor, record.organisation_id)
    correction = clean_text(correction, "correction", limit=4000)
    pledge_text = clean_text(pledge, "pledge", limit=4000)
    checked = checked_files(files)
    if not checked:
        raise ValidationError({"files": "请上传整改完成的证明材料"})
    day = today or timezone.localdate()
    record = lock(record)
    refusal = repair_refusal(record, day)
    if refusal:
        raise ValidationError(refusal)
    if record.organisation is None or record.organisation_id is None:
        raise ValidationError("只能对企业的信用记录申请信用修复")
    made = do_make_pledge(record.organisation, actor=actor, kind=PledgeKind.REPAIR,
                          title=f"信用修复承诺（{record.number}）", content=pledge_text, today=day)
    application = RepairApplication(
        federation_id=record.federation_id, record=record,
        organisation_id=record.organisation_id, correction=correction, pledge=made,
        applied_by=actor if actor is not None and actor.pk else None,
        number=next_number(RepairApplication, "XF", day.year))
    application.save()
    store_files(checked, actor=actor, repair=application)
    record_change(application, AuditAction.CREATE, actor=actor, after=snapshot(application))
    record_event(application, "credit_repair.submitted", actor=actor,
                 details={"record": record.number, "files": len(checked)})
    return application


@transaction.atomic
def do_decide_repair(application: RepairApplication, *, actor: Actor, approve: bool,
                     note: str = "") -> RepairApplication:
    """Approve (the record is repaired and leaves the public view; blacklist listings resting
    only on repaired records are removed) or reject with a reason."""
    require_perm(actor, "credit.decide_repair")
    require_in_scope(actor, application)
    application = lock(application)
    if application.status != RepairStatus.SUBMITTED:  # both ways (a second officer, a resend)
        raise ValidationError("该申请已办结")
    decider = actor if actor is not None and actor.pk else None
    if not approve:
        note = clean_text(note, "note", limit=1000)
        REPAIR_FLOW.apply(application, to=RepairStatus.REJECTED, actor=actor, note=note,
                          changes={"decision_note": note, "decided_by": decider})
        return application
    note = clean_text(note, "note", limit=1000, required=False)
    record = lock(application.record)
    if record.status != RecordStatus.PUBLISHED:
        raise ValidationError("该记录已不在公示中，无需修复")
    REPAIR_FLOW.apply(application, to=RepairStatus.APPROVED, actor=actor, note=note,
                      changes={"decision_note": note, "decided_by": decider})
    RECORD_FLOW.apply(record, to=RecordStatus.REPAIRED, actor=actor,
                      note=f"信用修复申请 {application.number} 准予修复")
    end_listings_on_repaired(record, actor=actor)
    records_changed([record.organisation_id] if record.organisation_id else [])
    return application
