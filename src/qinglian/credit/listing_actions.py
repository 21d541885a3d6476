"""The only code that writes red-list and blacklist listings (红黑名单), following due process:
proposed → subject notified → objection window → decided (listed / rejected) → published →
removed (expiry, repair or decision revoked).

The subject must be told the reasons and basis and be given the federation's objection window
(``CreditPolicy.objection_window_days`` working days) before any decision to list; an open
objection holds the decision until it is handled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction, Role
from qinglian.core.formatting import chinese_date
from qinglian.core.locking import lock
from qinglian.core.numbers import next_number
from qinglian.core.validation import clean_text
from qinglian.core.workdays import working_days_after
from qinglian.registry.choices import OPEN_MEMBERSHIP, OrganisationKind
from qinglian.registry.models import Membership, Organisation

from .actions import Actor, federation_of, require_in_scope, require_perm
from .choices import (
    LISTING_OPEN,
    MEASURES_BY_LIST,
    ListingOrigin,
    ListingStatus,
    ListKind,
    Polarity,
    RecordStatus,
    RemovalReason,
    SubjectKind,
)
from .models import CreditRecord, Listing
from .process_queries import listing_blocks_q, policy_of
from .workflow import LISTING_FLOW

#: A red listing lasts three years unless the officer sets its expiry.
RED_LIST_YEARS = 3


def _chamber_may_propose(actor: Actor, subject: Organisation) -> None:
    if actor is None or actor.role != Role.CHAMBER_OFFICER:
        return
    if not Membership.objects.filter(organisation_id=actor.organisation_id or 0, member=subject,
                                     status__in=[s.value for s in OPEN_MEMBERSHIP]).exists():
        raise PermissionDenied("商会只能为本会会员提议列入名单")


def _basis_records(subject: Organisation, list_kind: str,
                   records: Iterable[CreditRecord | int]) -> list[CreditRecord]:
    ids = [r.pk if isinstance(r, CreditRecord) else int(r) for r in records]
    found = list(CreditRecord.objects.filter(pk__in=ids, organisation=subject))
    if len(found) != len(set(ids)):
        raise ValidationError({"records": "依据的信用记录须为该主体本人的记录"})
    wanted = Polarity.NEGATIVE if list_kind == ListKind.BLACK else Polarity.POSITIVE
    for record in found:
        if record.status in (RecordStatus.REVOKED, RecordStatus.REPAIRED):
            raise ValidationError({"records": f"记录 {record.number} 已撤销或已修复，不能作为依据"})
        if record.polarity != wanted:
            what = "失信（负面）" if wanted == Polarity.NEGATIVE else "守信（正面）"
            raise ValidationError({"records": f"记录 {record.number} 不是{what}记录"})
    if list_kind == ListKind.BLACK and not found:
        raise ValidationError({"records": "列入黑名单须至少有一条失信记录作为依据"})
    return found


def _dates(list_kind: str, records: Sequence[CreditRecord], effective_on: dt.date | None,
           expires_on: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    effective = effective_on or today
    if effective < today:
        raise ValidationError({"effective_on": "生效日期不能早于今天"})
    if expires_on is None:
        if list_kind == ListKind.RED:
            expires_on = effective + relativedelta(years=RED_LIST_YEARS) - dt.timedelta(days=1)
        else:
            ends = [r.publish_until for r in records if r.publish_until is not None]
            if not ends:
                raise ValidationError({"expires_on": "依据的记录没有公示期，请填写到期日期"})
            expires_on = max(ends)
    if expires_on <= effective:
        raise ValidationError({"expires_on": "到期日期应晚于生效日期"})
    if expires_on > effective + relativedelta(years=5):
        raise ValidationError({"expires_on": "名单有效期最长 5 年"})
    return effective, expires_on


@transaction.atomic
def do_propose_listing(subject: Organisation, *, actor: Actor, list_kind: str, reasons: str,
                       basis: str, records: Iterable[CreditRecord | int] = (),
                       measures: Iterable[str] = (), effective_on: dt.date | None = None,
                       expires_on: dt.date | None = None, origin: str = ListingOrigin.OFFICER,
                       rule_code: str = "", today: dt.date | None = None) -> Listing:
    """Propose listing an enterprise on the red list or the blacklist, with reasons, basis,
    the basis records and the joint measures. A blacklist listing expires, by default, with
    the longest window of its basis records; a red listing after three years."""
    require_perm(actor, "credit.propose_listing")
    day = today or timezone.localdate()
    if not isinstance(subject, Organisation) or subject.kind != OrganisationKind.ENTERPRISE:
        raise ValidationError({"organisation": "名单的主体应为企业"})
    federation = federation_of(actor, subject)
    _chamber_may_propose(actor, subject)
    if list_kind not in ListKind.values:
        raise ValidationError({"list_kind": "请选择红名单或黑名单"})
    chosen = list(dict.fromkeys(measures))
    allowed = MEASURES_BY_LIST[list_kind]
    if not chosen:
        raise ValidationError({"measures": "请至少选择一项联合奖惩措施"})
    if any(m not in allowed for m in chosen):
        raise ValidationError({"measures": "所选措施不适用于该名单"})
    found = _basis_records(subject, list_kind, records)
    effective, expires = _dates(list_kind, found, effective_on, expires_on, day)
    lock(federation)
    if Listing.objects.filter(listing_blocks_q(day), organisation=subject,
                              list_kind=list_kind).exists():
        raise ValidationError(f"该企业已有办理中或有效的{ListKind(list_kind).label}，不能重复提议")
    listing = Listing(
        federation=federation, list_kind=list_kind, subject_kind=SubjectKind.ENTERPRISE,
        organisation=subject, subject_name=subject.name, subject_code=subject.uscc or "",
        origin=origin, rule_code=rule_code, reasons=clean_text(reasons, "reasons", limit=2000),
        basis=clean_text(basis, "basis", limit=2000), measures=chosen, effective_on=effective,
        expires_on=expires, proposed_by=actor if actor is not None and actor.pk else None,
        number=next_number(Listing, "MD", day.year))
    listing.save()
    listing.records.set(found)
    record_change(listing, AuditAction.CREATE, actor=actor, after=snapshot(listing))
    record_event(listing, "listing.proposed", actor=actor,
                 details={"list_kind": list_kind, "records": [r.number for r in found],
                          "rule": rule_code})
    return listing


def _locked(listing: Listing, actor: Actor, perm: str) -> Listing:
    require_perm(actor, perm)
    require_in_scope(actor, listing)
    return lock(listing)


@transaction.atomic
def do_notify_listing(listing: Listing, *, actor: Actor,
                      today: dt.date | None = None) -> Listing:
    """Notify the subject (告知): the notice with reasons and basis appears on its credit page
    and the objection window of ``objection_window_days`` working days starts."""
    listing = _locked(listing, actor, "credit.decide_listing")
    day = today or timezone.localdate()
    days = policy_of(listing.federation_id).objection_window_days
    LISTING_FLOW.apply(listing, to=ListingStatus.NOTIFIED, actor=actor,
                       changes={"objection_due": working_days_after(day, days)})
    return listing


def _refuse_while_basis_disputed(listing: Listing, step: str) -> None:
    """An objection to a record the listing rests on holds the listing too: the basis may be
    corrected."""
    disputed = list(listing.records.filter(open_objections__gt=0)
                    .order_by("number").values_list("number", flat=True))
    if disputed:
        raise ValidationError(f"依据的信用记录 {'、'.join(disputed)} 有异议正在处理，"
                              f"处理完毕后方可{step}")


@transaction.atomic
def do_decide_listing(listing: Listing, *, actor: Actor, listed: bool, note: str = "",
                      today: dt.date | None = None) -> Listing:
    """Decide: list (only once the objection window has passed and no objection is open) or
    reject (at any point before publication, with a reason)."""
    listing = _locked(listing, actor, "credit.decide_listing")
    day = today or timezone.localdate()
    if not listed:
        note = clean_text(note, "note", limit=1000)
        LISTING_FLOW.apply(listing, to=ListingStatus.REJECTED, actor=actor, note=note,
                           changes={"decision_note": note})
        return listing
    note = clean_text(note, "note", limit=1000, required=False)
    if listing.status == ListingStatus.NOTIFIED:
        if listing.objection_due is not None and day <= listing.objection_due:
            raise ValidationError(
                f"异议期至 {chinese_date(listing.objection_due)} 届满，届满后方可决定列入")
        if listing.open_objections:
            raise ValidationError("当事人的异议尚在处理中，处理完毕后方可决定列入")
    _refuse_while_basis_disputed(listing, "决定列入")
    LISTING_FLOW.apply(listing, to=ListingStatus.LISTED, actor=actor, note=note,
                       changes={"decision_note": note})
    return listing


@transaction.atomic
def do_publish_listing(listing: Listing, *, actor: Actor,
                       today: dt.date | None = None) -> Listing:
    """Publish a decided listing: it is public from its effective date to its expiry."""
    listing = _locked(listing, actor, "credit.publish_listing")
    day = today or timezone.localdate()
    if listing.expires_on is not None and listing.expires_on < day:
        raise ValidationError("该名单已过到期日期，不能公布")
    if listing.open_objections:
        raise ValidationError("当事人的异议尚在处理中，处理完毕后方可公布")
    _refuse_while_basis_disputed(listing, "公布")
    LISTING_FLOW.apply(listing, to=ListingStatus.PUBLISHED, actor=actor)
    return listing


@transaction.atomic
def do_remove_listing(listing: Listing, *, actor: Actor, reason: str, note: str = "",
                      today: dt.date | None = None) -> Listing:
    """Remove a published listing: on expiry, after credit repair, or when the decision is
    revoked (a reason in words is required then)."""
    listing = _locked(listing, actor, "credit.publish_listing")
    day = today or timezone.localdate()
    if reason not in RemovalReason.values:
        raise ValidationError({"reason": "请选择移出原因"})
    if reason == RemovalReason.EXPIRED and (listing.expires_on is None
                                            or listing.expires_on >= day):
        raise ValidationError({"reason": "名单尚未到期，不能以期满为由移出"})
    if reason == RemovalReason.REVOKED:
        note = clean_text(note, "note", limit=1000)
    LISTING_FLOW.apply(listing, to=ListingStatus.REMOVED, actor=actor, note=note,
                       changes={"removal_reason": reason})
    return listing


@transaction.atomic
def do_record_expired_removals(listings: Iterable[Listing], *, actor: Actor,
                               today: dt.date | None = None) -> int:
    """Record the removal of expired listings (they left the public view on their expiry)."""
    day = today or timezone.localdate()
    count = 0
    for listing in listings:
        do_remove_listing(listing, actor=actor, reason=RemovalReason.EXPIRED, today=day)
        count += 1
    return count


def end_listing(listing: Listing, *, actor: Actor, reason: str, note: str) -> None:
    """Take a listing out of due process after its basis fell away: rejected while still
    open, removed once published (used by objections and repair, inside their transaction)."""
    listing = lock(listing)
    if listing.status in LISTING_OPEN:
        LISTING_FLOW.apply(listing, to=ListingStatus.REJECTED, actor=actor, note=note,
                           changes={"decision_note": note})
    elif listing.status == ListingStatus.PUBLISHED:
        LISTING_FLOW.apply(listing, to=ListingStatus.REMOVED, actor=actor, note=note,
                           changes={"removal_reason": reason})


#: Records that no longer support a listing.
GONE_RECORDS = (RecordStatus.REPAIRED, RecordStatus.REVOKED)


def end_listings_without_basis(record: CreditRecord, *, actor: Actor, reason: str,
                               note: str) -> list[Listing]:
    """Blacklist listings resting on this record, whose every basis record is now repaired or
    revoked, leave due process (rejected while open, removed once published)."""
    ended = []
    candidates = Listing.objects.filter(
        records=record, list_kind=ListKind.BLACK,
        status__in=[*LISTING_OPEN, ListingStatus.PUBLISHED]).distinct()
    for listing in candidates:
        if listing.records.exclude(status__in=GONE_RECORDS).exists():
            continue
        end_listing(listing, actor=actor, reason=reason, note=note)
        ended.append(listing)
    return ended


def end_listings_on_repaired(record: CreditRecord, *, actor: Actor) -> list[Listing]:
    """Blacklist listings resting only on repaired (or revoked) records end with reason
    "repaired"."""
    return end_listings_without_basis(record, actor=actor, reason=RemovalReason.REPAIRED,
                                      note=f"依据的信用记录 {record.number} 已信用修复")


def end_listings_on_revoked(record: CreditRecord, *, actor: Actor) -> list[Listing]:
    """Blacklist listings resting only on revoked (or repaired) records end with reason
    "decision revoked": a listing never outlives the decisions it rests on."""
    return end_listings_without_basis(record, actor=actor, reason=RemovalReason.REVOKED,
                                      note=f"依据的信用记录 {record.number} 已撤销")

