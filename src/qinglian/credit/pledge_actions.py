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
from qinglian.core.validation import clean_text
from qinglian.registry.models import Organisation, Person

from .actions import Actor, federation_of, require_perm
from .choices import PledgeKind, SubjectKind
from .models import CreditPledge
from .numbers import next_number


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
