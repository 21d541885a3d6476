"""The only code that writes credit pledges (信用承诺).

A pledge is made by an enterprise user for the own enterprise, or entered by an officer for an
enterprise or practitioner in scope. A breach creates a negative record (category
``pledge_breach``) through ``actions.do_create_record``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction, Role
from qinglian.core.locking import lock
from qinglian.core.numbers import next_number
from qinglian.core.permissions import READ
from qinglian.core.validation import clean_text
from qinglian.registry.models import Organisation, Person

from .actions import Actor, do_create_record, federation_of, require_in_scope, require_perm
from .choices import (
    PledgeKind,
    PledgeStatus,
    RecordCategory,
    Severity,
    Source,
    SubjectKind,
)
from .models import CreditPledge, CreditRecord
from .workflow import PLEDGE_FLOW


@transaction.atomic
def do_make_pledge(subject: Organisation | Person, *, actor: Actor, title: str, content: str,
                   kind: str = PledgeKind.GENERAL, valid_until: dt.date | None = None,
                   is_public: bool = True, today: dt.date | None = None) -> CreditPledge:
    """Make (or enter) a public credit pledge."""
    require_perm(actor, "credit.make_pledge")
    if (actor is not None and actor.role == Role.ENTERPRISE_USER
            and (not isinstance(subject, Organisation) or subject.pk != actor.organisation_id)):
        raise PermissionDenied("企业用户只能以本企业名义作出信用承诺")
    if actor is not None and actor.role == Role.ENTERPRISE_USER:
        if subject.federation_id is None:
            raise ValidationError("本企业未归属任何工商联，无法作出信用承诺")
        federation = Organisation.objects.get(pk=subject.federation_id)
    else:
        federation = federation_of(actor, subject)
    day = today or timezone.localdate()
    if kind not in PledgeKind.values:
        raise ValidationError({"kind": "请选择承诺类型"})
    if valid_until is not None and valid_until < day:
        raise ValidationError({"valid_until": "有效期不能早于承诺日期"})
    lock(federation)
    pledge = CreditPledge(
        federation=federation, kind=kind, title=clean_text(title, "title", limit=128),
        content=clean_text(content, "content", limit=4000), pledged_on=day,
        valid_until=valid_until, is_public=is_public,
        entered_by=actor if actor is not None and actor.pk else None,
    )
    if isinstance(subject, Organisation):
        pledge.subject_kind, pledge.organisation = SubjectKind.ENTERPRISE, subject
        pledge.subject_name, pledge.subject_code = subject.name, subject.uscc or ""
    else:
        pledge.subject_kind, pledge.person = SubjectKind.PRACTITIONER, subject
        pledge.subject_name = subject.name
    pledge.number = next_number(CreditPledge, "CN", day.year)
    pledge.save()
    record_change(pledge, AuditAction.CREATE, actor=actor, after=snapshot(pledge))
    record_event(pledge, "credit_pledge.active", actor=actor, details={"kind": kind})
    return pledge


def _require_pledge_scope(actor: Actor, pledge: CreditPledge) -> None:
    """Officers act on pledges in their scope: a federation its jurisdiction's, a chamber its
    members' (the pledges it may read)."""
    if actor is not None and actor.role == Role.CHAMBER_OFFICER:
        require_in_scope(actor, pledge, READ)
    else:
        require_in_scope(actor, pledge)


@transaction.atomic
def do_record_breach(pledge: CreditPledge, *, actor: Actor, note: str,
                     severity: str = Severity.ORDINARY, issuing_body: str = "",
                     legal_basis: str = "", window_months: int | None = None,
                     publish: bool = False, today: dt.date | None = None) -> CreditRecord:
    """An officer finds that a pledge was broken: the pledge is marked breached and a negative
    record (违背信用承诺) is entered against its subject, pointing at the pledge."""
    require_perm(actor, "credit.record_breach")
    _require_pledge_scope(actor, pledge)
    pledge = lock(pledge)
    note = clean_text(note, "note", limit=2000)
    if severity not in Severity.values:
        raise ValidationError({"severity": "请选择失信程度（轻微 / 一般 / 严重）"})
    day = today or timezone.localdate()
    PLEDGE_FLOW.apply(pledge, to=PledgeStatus.BREACHED, actor=actor, note=note,
                      changes={"breach_note": note})
    subject: Organisation | Person | None = pledge.organisation or pledge.person
    assert subject is not None
    issuer = issuing_body or (actor.organisation.name if actor is not None
                              and actor.organisation is not None else pledge.federation.name)
    record = do_create_record(
        subject, actor=actor, today=day, window_months=window_months, publish=publish,
        category=RecordCategory.PLEDGE_BREACH, severity=severity,
        source=Source.INDUSTRY if actor is not None and actor.role == Role.CHAMBER_OFFICER
        else Source.PLATFORM,
        issuing_body=issuer, decision_number=pledge.number, decision_date=day,
        legal_basis=legal_basis or f"信用承诺《{pledge.title}》（{pledge.number}）",
        content=note, pledge=pledge)
    return record


@transaction.atomic
def do_fulfil_pledge(pledge: CreditPledge, *, actor: Actor, note: str = "") -> CreditPledge:
    """An officer confirms that a pledge was kept to its end."""
    require_perm(actor, "credit.record_breach")
    _require_pledge_scope(actor, pledge)
    pledge = lock(pledge)
    PLEDGE_FLOW.apply(pledge, to=PledgeStatus.FULFILLED, actor=actor,
                      note=clean_text(note, "note", limit=500, required=False)
                      if note else "")
    return pledge


@transaction.atomic
def do_withdraw_pledge(pledge: CreditPledge, *, actor: Actor, reason: str) -> CreditPledge:
    """The enterprise withdraws its own pledge while it is in force (an officer may withdraw
    one entered in error)."""
    require_perm(actor, "credit.make_pledge")
    if actor is not None and actor.role == Role.ENTERPRISE_USER:
        if pledge.organisation_id is None or pledge.organisation_id != actor.organisation_id:
            raise PermissionDenied("只能撤回本企业的信用承诺")
    else:
        _require_pledge_scope(actor, pledge)
    reason = clean_text(reason, "reason", limit=500)
    pledge = lock(pledge)
    if pledge.status != PledgeStatus.ACTIVE:
        raise ValidationError("只有履行中的信用承诺可以撤回")
    PLEDGE_FLOW.apply(pledge, to=PledgeStatus.WITHDRAWN, actor=actor, note=reason)
    return pledge
