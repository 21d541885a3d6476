"""The portal's only write: issuing a credit report (the public asks; the system issues)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.models import User
from qinglian.credit.models import CreditReport

from . import queries
from .report import digest_of, new_code, report_content, summary_of


@transaction.atomic
def do_issue_credit_report(uscc: str, *, actor: User | None = None,
                           today: dt.date | None = None,
                           ) -> tuple[CreditReport, dict[str, Any]] | None:
    """Issue a credit report on an enterprise's public profile as of today: a new
    verification code, the digest of exactly what the report says, audited. None when there is
    no such enterprise."""
    day = today or timezone.localdate()
    profile = queries.enterprise_profile(uscc, day)
    if profile is None:
        return None
    issued_at = timezone.now().replace(microsecond=0)
    code = new_code()
    while CreditReport.objects.filter(code=code).exists():  # 80 random bits: never, in practice
        code = new_code()
    report = CreditReport.objects.create(
        organisation_id=profile["enterprise"]["pk"], code=code, issued_at=issued_at,
        digest=digest_of(report_content(profile, code=code, issued_at=issued_at)),
        summary=summary_of(profile),
    )
    record_change(report, AuditAction.CREATE, actor=actor, after=snapshot(report))
    record_event(report, "credit_report.issued", actor=actor,
                 details={"uscc": profile["enterprise"]["uscc"]})
    return report, profile
