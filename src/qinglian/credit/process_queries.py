"""Restricted reads of the due-process side of the credit system: listings, objections,
repair applications, the officers' dashboard and an enterprise's own credit page.

Overdue objections and due clocks are found by query (``due_on < today``), never by a job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from qinglian.core.permissions import WRITE, has_perm, restrict

from .choices import (
    LISTING_OPEN,
    ListingStatus,
    ObjectionStatus,
    RatingLetter,
    RecordStatus,
    RepairStatus,
)
from .models import (
    CreditPledge,
    CreditPolicy,
    CreditRecord,
    Listing,
    Objection,
    Rating,
    RepairApplication,
)
from .queries import expired_listings, public_listings_q, public_records_q


def policy_of(federation_id: int) -> CreditPolicy:
    """The federation's due-process clocks, or the defaults while it has set none."""
    policy = CreditPolicy.objects.filter(federation_id=federation_id).first()
    return policy if policy is not None else CreditPolicy(federation_id=federation_id)


def listing_blocks_q(today: dt.date) -> Q:
    """Listings that stop another of the same kind being proposed: open, or in force."""
    return (Q(status__in=list(LISTING_OPEN))
            | Q(status=ListingStatus.PUBLISHED, expires_on__gte=today))


# --- listings ---------------------------------------------------------------------------------


@dataclass
class ListingFilter:
    q: str = ""
    list_kind: str = ""
    status: str = ""
    expired: bool = False


def listing_filter(params: Any) -> ListingFilter:
    return ListingFilter(q=(params.get("q") or "").strip()[:64],
                         list_kind=params.get("kind") or "", status=params.get("status") or "",
                         expired=params.get("expired") == "1")


def list_listings(user: Any, f: ListingFilter, today: dt.date) -> QuerySet[Listing]:
    qs = restrict(Listing.objects.all(), user)
    if f.q:
        qs = qs.filter(Q(subject_name__icontains=f.q) | Q(subject_code__iexact=f.q)
                       | Q(number__iexact=f.q))
    if f.list_kind:
        qs = qs.filter(list_kind=f.list_kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.expired:
        qs = qs.filter(pk__in=expired_listings(today).values("pk"))
    return qs.order_by("-created_at", "-pk")


def removable_expired(user: Any, today: dt.date) -> QuerySet[Listing]:
    """Expired published listings the user may record as removed."""
    return restrict(expired_listings(today), user, WRITE)


# --- objections and repairs -------------------------------------------------------------------


def overdue_q(today: dt.date) -> Q:
    return Q(status=ObjectionStatus.OPEN, due_on__lt=today)


def list_objections(user: Any, params: Any, today: dt.date) -> QuerySet[Objection]:
    """Objections in scope; overdue open ones first (escalated), then open by due date."""
    qs = restrict(Objection.objects.all(), user).select_related("record", "listing",
                                                                "organisation")
    status = params.get("status") or ""
    if status == "overdue":
        qs = qs.filter(overdue_q(today))
    elif status:
        qs = qs.filter(status=status)
    text = (params.get("q") or "").strip()[:64]
    if text:
        qs = qs.filter(Q(organisation__name__icontains=text) | Q(number__iexact=text))
    return qs.annotate(
        overdue_first=Count("pk", filter=overdue_q(today)),
        open_first=Count("pk", filter=Q(status=ObjectionStatus.OPEN)),
    ).order_by("-overdue_first", "-open_first", "due_on", "-pk")


def list_repairs(user: Any, params: Any) -> QuerySet[RepairApplication]:
    qs = restrict(RepairApplication.objects.all(), user).select_related("record", "organisation")
    status = params.get("status") or ""
    if status:
        qs = qs.filter(status=status)
    text = (params.get("q") or "").strip()[:64]
    if text:
        qs = qs.filter(Q(organisation__name__icontains=text) | Q(number__iexact=text))
    return qs.order_by("status", "-created_at", "-pk")


# --- the dashboard ----------------------------------------------------------------------------


def _dual_publicity(user: Any, today: dt.date) -> dict[str, int]:
    from .record_queries import dual_publicity_counts  # the records side defines the counts

    return dict(dual_publicity_counts(user, today))


def dashboard_summary(user: Any, today: dt.date) -> dict[str, Any]:
    """Everything the officers' credit dashboard counts, in a fixed number of queries."""
    records = restrict(CreditRecord.objects.all(), user)
    by_category = list(records.values("category", "polarity").annotate(n=Count("pk"))
                       .order_by("polarity", "category"))
    record_totals = records.aggregate(
        total=Count("pk"), public=Count("pk", filter=public_records_q(today)),
        repaired=Count("pk", filter=Q(status=RecordStatus.REPAIRED)))
    listings = restrict(Listing.objects.all(), user)
    listing_counts = listings.aggregate(
        proposed=Count("pk", filter=Q(status=ListingStatus.PROPOSED)),
        notified=Count("pk", filter=Q(status=ListingStatus.NOTIFIED)),
        decidable=Count("pk", filter=Q(status=ListingStatus.NOTIFIED, objection_due__lt=today,
                                       open_objections=0)),
        listed=Count("pk", filter=Q(status=ListingStatus.LISTED)),
        red=Count("pk", filter=public_listings_q(today) & Q(list_kind="red")),
        black=Count("pk", filter=public_listings_q(today) & Q(list_kind="black")),
        expired=Count("pk", filter=Q(status=ListingStatus.PUBLISHED, expires_on__lt=today)),
    )
    objections = restrict(Objection.objects.all(), user)
    objection_counts = objections.aggregate(
        open=Count("pk", filter=Q(status=ObjectionStatus.OPEN)),
        overdue=Count("pk", filter=overdue_q(today)))
    open_objections = list(
        objections.filter(status=ObjectionStatus.OPEN).select_related("organisation")
        .annotate(overdue_first=Count("pk", filter=overdue_q(today)))
        .order_by("-overdue_first", "due_on", "pk")[:10])
    repairs = restrict(RepairApplication.objects.all(), user)
    pending_repairs = list(repairs.filter(status=RepairStatus.SUBMITTED)
                           .select_related("organisation", "record").order_by("created_at")[:10])
    ratings = dict(restrict(Rating.objects.filter(is_current=True), user)
                   .values_list("rating").annotate(n=Count("pk")).order_by())
    return {
        "by_category": by_category, "records": record_totals,
        "dual": _dual_publicity(user, today),
        "listings": listing_counts, "objections": objection_counts,
        "open_objections": open_objections,
        "repairs_pending": repairs.filter(status=RepairStatus.SUBMITTED).count(),
        "pending_repairs": pending_repairs,
        "ratings": [(letter, label, ratings.get(letter, 0))
                    for letter, label in RatingLetter.choices],
    }


# --- an enterprise's own credit page ----------------------------------------------------------


def my_credit(user: Any, today: dt.date) -> dict[str, Any]:
    """The enterprise user's notices, records, objections, repairs and current rating."""
    home: int = getattr(user, "organisation_id", None) or 0
    notices = list(restrict(Listing.objects.filter(
        organisation_id=home, status__in=[ListingStatus.NOTIFIED, ListingStatus.LISTED,
                                          ListingStatus.PUBLISHED]), user)
        .prefetch_related("records").order_by("-notified_at", "-pk"))
    records = list(restrict(CreditRecord.objects.filter(organisation_id=home), user)
                   .exclude(status=RecordStatus.REVOKED).order_by("-decision_date", "-pk")[:200])
    pending = set(RepairApplication.objects.filter(
        record__in=[r.pk for r in records], status=RepairStatus.SUBMITTED)
        .values_list("record_id", flat=True))
    may_repair = has_perm(user, "credit.apply_repair")
    for record in records:
        record.repair_pending = record.pk in pending  # type: ignore[attr-defined]
        record.repair_eligible = (  # type: ignore[attr-defined]
            may_repair and record.is_negative and record.status == RecordStatus.PUBLISHED
            and record.repair_from is not None and record.repair_from <= today
            and record.pk not in pending)
        record.is_public = (  # type: ignore[attr-defined]
            record.status == RecordStatus.PUBLISHED and record.to_publish
            and record.publish_from is not None and record.publish_until is not None
            and record.publish_from <= today <= record.publish_until)
    return {
        "notices": notices, "records": records,
        "objections": list(restrict(Objection.objects.filter(organisation_id=home), user)
                           .select_related("record", "listing")[:100]),
        "repairs": list(restrict(RepairApplication.objects.filter(organisation_id=home), user)
                        .select_related("record")[:100]),
        "pledges": list(restrict(CreditPledge.objects.filter(organisation_id=home), user)
                        .order_by("-pledged_on", "-pk")[:100]),
        "rating": restrict(Rating.objects.filter(organisation_id=home, is_current=True), user)
        .first(),
        "can_object": has_perm(user, "credit.file_objection"),
    }
