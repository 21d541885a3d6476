"""Restricted reads of the credit system, and what the public may see.

Scopes (``restrict``):

* a federation officer (and, read-only, an auditor) sees everything its federation keeps;
* a chamber officer reads what concerns its members (and what it entered itself) and writes
  only what it entered;
* an enterprise user reads its own file: its records, its listings once it has been notified,
  its objections, repairs and pledges;
* the platform administrator sees everything; department handlers see nothing.

Public visibility (``public_records_q`` / ``public_listings_q``) is decided by dates on every
read, so that expired information leaves the public view without any job running.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from qinglian.core.choices import Role
from qinglian.core.permissions import READ, register_scope
from qinglian.registry.choices import OPEN_MEMBERSHIP
from qinglian.registry.models import Membership
from qinglian.registry.queries import jurisdiction_id

from .choices import LISTING_IN_FORCE, ListingStatus, RecordStatus
from .models import (
    ChamberDocument,
    CreditPledge,
    CreditRecord,
    CreditReport,
    Listing,
    Objection,
    Rating,
    RepairApplication,
    WindowRule,
)

NOTHING = Q(pk__in=[])


def _home_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None)


def _members(chamber_id: int) -> QuerySet[Any]:
    return Membership.objects.filter(
        organisation_id=chamber_id, status__in=[s.value for s in OPEN_MEMBERSHIP],
    ).values("member_id")


def subject_q(user: Any, action: str = READ, *, prefix: str = "",
              federation_field: str = "federation", entered_field: str | None = None) -> Q | None:
    """Q over a credit noun about an enterprise (``<prefix>organisation``) for the user's
    scope; None means everything."""
    role, home = user.role, _home_id(user)
    if role == Role.ADMIN:
        return None
    if home is None:
        return NOTHING
    if role in (Role.FEDERATION_OFFICER, Role.AUDITOR):
        if role == Role.AUDITOR and action != READ:
            return NOTHING
        return Q(**{f"{prefix}{federation_field}_id": jurisdiction_id(user)})
    if role == Role.CHAMBER_OFFICER:
        own = Q(**{f"{prefix}{entered_field}_id": home}) if entered_field else NOTHING
        if action != READ:
            return own
        return Q(**{f"{prefix}organisation_id__in": _members(home)}) | own
    if role == Role.ENTERPRISE_USER:
        return Q(**{f"{prefix}organisation_id": home}) if action == READ else NOTHING
    return NOTHING


def _scoped(qs: QuerySet[Any], q: Q | None) -> QuerySet[Any]:
    return qs if q is None else qs.filter(q)


@register_scope(CreditRecord)
def _scope_records(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _scoped(qs, subject_q(user, action, entered_field="entered_by_org"))


@register_scope(Listing)
def _scope_listings(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    qs = _scoped(qs, subject_q(user, action))
    if user.role == Role.ENTERPRISE_USER:
        # a proposal is internal until the subject is notified
        qs = qs.filter(notified_at__isnull=False)
    return qs


@register_scope(Objection)
def _scope_objections(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _scoped(qs, subject_q(user, action))


@register_scope(RepairApplication)
def _scope_repairs(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _scoped(qs, subject_q(user, action))


@register_scope(CreditPledge)
def _scope_pledges(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ENTERPRISE_USER:
        home = _home_id(user)
        return qs.filter(organisation_id=home) if home else qs.none()
    return _scoped(qs, subject_q(user, READ if action == READ else action))


@register_scope(Rating)
def _scope_ratings(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _scoped(qs, subject_q(user, action, federation_field="organisation__federation"))


@register_scope(CreditReport)
def _scope_reports(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _scoped(qs, subject_q(user, action, federation_field="organisation__federation"))


@register_scope(WindowRule)
def _scope_window_rules(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.FEDERATION_OFFICER or (user.role == Role.AUDITOR and action == READ):
        return qs.filter(federation_id=jurisdiction_id(user))
    return qs.none()


@register_scope(ChamberDocument)
def _scope_documents(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    role, home = user.role, _home_id(user)
    if role == Role.ADMIN:
        return qs
    if home is None:
        return qs.none()
    if role in (Role.FEDERATION_OFFICER, Role.AUDITOR):
        if role == Role.AUDITOR and action != READ:
            return qs.none()
        fed = jurisdiction_id(user)
        return qs.filter(Q(organisation_id=fed) | Q(organisation__federation_id=fed))
    if role == Role.CHAMBER_OFFICER:
        return qs.filter(organisation_id=home)
    return qs.none()


# --- what the public sees ---------------------------------------------------------------------


def public_records_q(today: dt.date, prefix: str = "") -> Q:
    """Records the portal shows today: published, to be published, inside their window, and
    neither repaired nor revoked."""
    return Q(**{
        f"{prefix}status": RecordStatus.PUBLISHED,
        f"{prefix}to_publish": True,
        f"{prefix}publish_from__lte": today,
        f"{prefix}publish_until__gte": today,
    })


def public_listings_q(today: dt.date, prefix: str = "") -> Q:
    """Listings in force today: published, effective, not yet expired."""
    return Q(**{
        f"{prefix}status__in": list(LISTING_IN_FORCE),
        f"{prefix}effective_on__lte": today,
        f"{prefix}expires_on__gte": today,
    })


def listings_in_force(today: dt.date) -> QuerySet[Listing]:
    return Listing.objects.filter(public_listings_q(today))


def expired_listings(today: dt.date) -> QuerySet[Listing]:
    """Published listings past their expiry: out of the public view already; the officers'
    list offers to record their removal."""
    return Listing.objects.filter(status=ListingStatus.PUBLISHED, expires_on__lt=today)
