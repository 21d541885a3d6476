"""Restricted reads of credit records (信用记录) and pledges: the filtered lists, the life of one
record, the dual-publicity (双公示) queue and its counts, and what an officer may pick as a
record's subject."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import QueryDict

from qinglian.core.choices import AuditAction, Role
from qinglian.core.imports import cell_date
from qinglian.core.models import AuditRecord
from qinglian.core.permissions import READ, WRITE, has_perm, restrict
from qinglian.registry.choices import OPEN_MEMBERSHIP, OrganisationKind
from qinglian.registry.models import Membership, Organisation, Person
from qinglian.registry.queries import jurisdiction_id

from .choices import (
    PledgeKind,
    PledgeStatus,
    Polarity,
    RecordCategory,
    RecordStatus,
    Severity,
    Source,
    SubjectKind,
)
from .models import CreditPledge, CreditRecord
from .queries import public_records_q
from .windows import due_soon_until

# --- record lists -----------------------------------------------------------------------------


@dataclass
class RecordFilter:
    q: str = ""
    category: str = ""
    polarity: str = ""
    severity: str = ""
    status: str = ""
    public: str = ""  # "yes": public today; "no": not public today
    source: str = ""
    subject_kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organisation: int | None = None


def _choice(data: QueryDict, name: str, allowed: list[str]) -> str:
    value = data.get(name, "")
    return value if value in allowed else ""


def _date(data: QueryDict, name: str) -> dt.date | None:
    try:
        return cell_date(data.get(name) or None)
    except ValueError:
        return None


def record_filter(data: QueryDict) -> RecordFilter:
    """The list's filter from the query string; unknown values narrow nothing."""
    organisation = data.get("org", "")
    return RecordFilter(
        q=(data.get("q") or "").strip()[:100],
        category=_choice(data, "category", RecordCategory.values),
        polarity=_choice(data, "polarity", Polarity.values),
        severity=_choice(data, "severity", Severity.values),
        status=_choice(data, "status", RecordStatus.values),
        public=_choice(data, "public", ["yes", "no"]),
        source=_choice(data, "source", Source.values),
        subject_kind=_choice(data, "subject_kind", SubjectKind.values),
        date_from=_date(data, "date_from"), date_to=_date(data, "date_to"),
        organisation=int(organisation) if organisation.isascii() and organisation.isdigit()
        and len(organisation) <= 18 else None,
    )


def list_records(user: Any, f: RecordFilter, today: dt.date) -> QuerySet[CreditRecord]:
    """The records the user may read, narrowed by the filter, newest decision first."""
    qs = restrict(CreditRecord.objects.all(), user, READ)
    if f.q:
        qs = qs.filter(Q(subject_name__icontains=f.q) | Q(subject_code__icontains=f.q.upper())
                       | Q(decision_number__icontains=f.q) | Q(number__icontains=f.q))
    for name in ("category", "polarity", "severity", "status", "source", "subject_kind"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.public == "yes":
        qs = qs.filter(public_records_q(today))
    elif f.public == "no":
        qs = qs.exclude(public_records_q(today))
    if f.date_from:
        qs = qs.filter(decision_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(decision_date__lte=f.date_to)
    if f.organisation:
        qs = qs.filter(organisation_id=f.organisation)
    return qs.select_related("organisation", "person").order_by("-decision_date", "-pk")


def record_summary(records: QuerySet[CreditRecord], today: dt.date) -> dict[str, int]:
    return records.aggregate(
        total=Count("id"),
        public=Count("id", filter=public_records_q(today)),
        pending=Count("id", filter=Q(status=RecordStatus.RECORDED)),
        negative=Count("id", filter=Q(polarity=Polarity.NEGATIVE)),
        objected=Count("id", filter=Q(open_objections__gt=0)),
    )


# --- one record -------------------------------------------------------------------------------


def is_public(record: CreditRecord, today: dt.date) -> bool:
    return (record.status == RecordStatus.PUBLISHED and record.to_publish
            and record.publish_from is not None and record.publish_until is not None
            and record.publish_from <= today <= record.publish_until)


def is_expired(record: CreditRecord, today: dt.date) -> bool:
    return (record.status == RecordStatus.PUBLISHED and record.publish_until is not None
            and record.publish_until < today)


def record_badges(record: CreditRecord, today: dt.date) -> list[tuple[str, str]]:
    """(label, Bootstrap colour) pairs: 公示中 / 已期满 / 未公示 / 异议处理中 …"""
    badges: list[tuple[str, str]] = []
    if record.status == RecordStatus.REVOKED:
        badges.append(("已撤销", "secondary"))
    elif record.status == RecordStatus.REPAIRED:
        badges.append(("已信用修复", "success"))
    elif is_public(record, today):
        badges.append(("公示中", "primary"))
    elif is_expired(record, today):
        badges.append(("已期满", "secondary"))
    elif record.status == RecordStatus.PUBLISHED:
        badges.append(("未到公示日", "light"))
    else:
        badges.append(("未公示", "warning"))
    if not record.to_publish:
        badges.append(("按规则不对外公示", "light"))
    if record.open_objections:
        badges.append(("异议处理中", "danger"))
    if (record.dual_publicity and record.status == RecordStatus.RECORDED and record.to_publish
            and record.publish_due is not None and record.publish_due < today):
        badges.append(("双公示逾期", "danger"))
    return badges


@dataclass(frozen=True)
class LifeEvent:
    """One step in a record's life, for its timeline."""

    kind: str  # created, published, objected, corrected, repaired, expired, revoked, changed
    label: str
    at: dt.datetime | dt.date
    actor: str = ""
    note: str = ""


_EVENT_KINDS = {
    "credit_record.recorded": ("created", "录入"),
    "credit_record.imported": ("created", "导入（双公示）"),
    "credit_record.published": ("published", "公示"),
    "credit_record.corrected": ("corrected", "更正"),
    "credit_record.repaired": ("repaired", "信用修复，停止公示"),
    "credit_record.revoked": ("revoked", "撤销"),
}


#: Fields whose change before publication shows in the life as "修改".
_CONTENT = {"category", "severity", "source", "issuing_body", "decision_number", "decision_date",
            "legal_basis", "content", "amount", "window_months"}


def _note(details: Any) -> str:
    if not isinstance(details, dict):
        return ""
    return str(details.get("reason") or details.get("note") or "")


def record_life(record: CreditRecord, today: dt.date) -> list[LifeEvent]:
    """The record's life from its audit events (created, published, corrected, repaired,
    revoked, changed before publication), its objections, and the derived expiry (the day
    after ``publish_until``), oldest first. The caller has already read the record."""
    events: list[LifeEvent] = []
    rows = list(AuditRecord.objects.filter(
        object_type="credit.creditrecord", object_id=str(record.pk)).order_by("id"))
    for index, row in enumerate(rows):
        if row.action == AuditAction.EVENT and row.event in _EVENT_KINDS:
            kind, label = _EVENT_KINDS[row.event]
            events.append(LifeEvent(kind, label, row.occurred_at, row.actor_name,
                                    _note(row.after)))
            continue
        following = rows[index + 1] if index + 1 < len(rows) else None
        part_of_event = (following is not None and following.action == AuditAction.EVENT
                         and following.event in _EVENT_KINDS)
        changed = set(row.after) if isinstance(row.after, dict) else set()
        if row.action == AuditAction.UPDATE and not part_of_event and changed & _CONTENT:
            events.append(LifeEvent("changed", "修改（公示前）", row.occurred_at,
                                    row.actor_name))
    for objection in record.objections.order_by("created_at", "pk"):
        events.append(LifeEvent("objected", f"提出异议 {objection.number}"
                                f"（{objection.get_status_display()}）",
                                objection.created_at, objection.organisation.name))
    if record.publish_until is not None and record.publish_until < today and (
            record.status == RecordStatus.PUBLISHED):
        events.append(LifeEvent("expired", "公示期满，不再对外公示",
                                record.publish_until + dt.timedelta(days=1)))
    return sorted(events, key=lambda e: _sort_key(e.at))


def _sort_key(at: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(at, dt.datetime):
        return at
    return dt.datetime.combine(at, dt.time.min, tzinfo=dt.UTC)


# --- dual publicity ---------------------------------------------------------------------------


def _dual_base(user: Any) -> QuerySet[CreditRecord]:
    return restrict(CreditRecord.objects.filter(dual_publicity=True), user, READ)


def awaiting_publication_q() -> Q:
    """Dual-publicity items still to be published (revoked ones and those the rules keep
    unpublished are not due)."""
    return Q(status=RecordStatus.RECORDED, to_publish=True, publish_due__isnull=False)


def overdue_items(user: Any, today: dt.date) -> QuerySet[CreditRecord]:
    return _dual_base(user).filter(awaiting_publication_q(), publish_due__lt=today)


def due_soon_items(user: Any, today: dt.date) -> QuerySet[CreditRecord]:
    return _dual_base(user).filter(awaiting_publication_q(), publish_due__gte=today,
                                   publish_due__lte=due_soon_until(today))


def dual_publicity_queue(user: Any, today: dt.date, which: str = "") -> QuerySet[CreditRecord]:
    """The items awaiting publication: ``overdue``, ``due_soon`` or all of them, most urgent
    first."""
    if which == "overdue":
        qs = overdue_items(user, today)
    elif which == "due_soon":
        qs = due_soon_items(user, today)
    else:
        qs = _dual_base(user).filter(awaiting_publication_q())
    return qs.select_related("organisation").order_by("publish_due", "pk")


def dual_publicity_counts(user: Any, today: dt.date) -> dict[str, int]:
    """For the dashboard: items overdue (due before today, not published), due soon (within
    3 working days), and those published on time or late (publication date against due)."""
    soon = due_soon_until(today)
    waiting = awaiting_publication_q()
    return _dual_base(user).aggregate(
        overdue=Count("id", filter=waiting & Q(publish_due__lt=today)),
        due_soon=Count("id", filter=waiting & Q(publish_due__gte=today, publish_due__lte=soon)),
        published_on_time=Count("id", filter=Q(publish_from__isnull=False,
                                               publish_from__lte=F("publish_due"))),
        published_late=Count("id", filter=Q(publish_from__isnull=False,
                                            publish_from__gt=F("publish_due"))),
    )


# --- subjects an officer may enter records about --------------------------------------------


def record_enterprises(user: Any) -> QuerySet[Organisation]:
    """Enterprises the user may enter records about: the jurisdiction's (federation officer),
    the chamber's members (chamber officer), all (administrator)."""
    if not has_perm(user, "credit.manage_record"):
        return Organisation.objects.none()
    qs = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    if user.role == Role.ADMIN:
        return qs.order_by("name_pinyin")
    if user.role == Role.CHAMBER_OFFICER:
        members = Membership.objects.filter(
            organisation_id=user.organisation_id or 0,
            status__in=[s.value for s in OPEN_MEMBERSHIP]).values("member_id")
        return qs.filter(pk__in=members).order_by("name_pinyin")
    fed = jurisdiction_id(user)
    return qs.filter(federation_id=fed).order_by("name_pinyin") if fed else qs.none()


def record_people(user: Any) -> QuerySet[Person]:
    """Practitioners (registry people) in the user's scope."""
    if not has_perm(user, "credit.manage_record"):
        return Person.objects.none()
    return restrict(Person.objects.all(), user, WRITE).order_by("name")


# --- pledges ----------------------------------------------------------------------------------


@dataclass
class PledgeFilter:
    q: str = ""
    status: str = ""
    kind: str = ""


def pledge_filter(data: QueryDict) -> PledgeFilter:
    return PledgeFilter(q=(data.get("q") or "").strip()[:100],
                        status=_choice(data, "status", PledgeStatus.values),
                        kind=_choice(data, "kind", PledgeKind.values))


def list_pledges(user: Any, f: PledgeFilter) -> QuerySet[CreditPledge]:
    qs = restrict(CreditPledge.objects.all(), user, READ)
    if f.q:
        qs = qs.filter(Q(subject_name__icontains=f.q) | Q(subject_code__icontains=f.q.upper())
                       | Q(title__icontains=f.q) | Q(number__icontains=f.q))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    return qs.select_related("organisation", "person").order_by("-pledged_on", "-pk")
