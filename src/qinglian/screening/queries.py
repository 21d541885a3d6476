"""Restricted reads of partner screening. Every view, export and action goes through these.

* an enterprise, a chamber or a federation screens for itself: its officers see and review
  their own organisation's screenings, and manage its own restricted lists;
* the external lists a federation uploads apply to every organisation in its jurisdiction, so
  those organisations may read them (never change them);
* federation officers and auditors read every screening and list in the jurisdiction (the
  auditor changes nothing); the platform administrator reads everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from qinglian.core.choices import Role
from qinglian.core.permissions import READ, register_scope, restrict
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id

from .choices import ListKind
from .models import Hit, ScreenedParty, Screening, Suppression, WatchEntry, WatchList

JURISDICTION_ROLES = {Role.FEDERATION_OFFICER, Role.AUDITOR}


def home_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None)


def _in_jurisdiction(user: Any, field: str) -> Q:
    federation = jurisdiction_id(user)
    return Q(**{f"{field}_id": federation}) | Q(**{f"{field}__federation_id": federation})


def organisation_q(user: Any, action: str, field: str) -> Q:
    """Q over a model with an organisation ``field``: whose screening work the user may see
    (READ) or do (change)."""
    if user.role == Role.ADMIN:
        return Q() if action == READ else Q(pk__in=[])
    if home_id(user) is None or user.role == Role.DEPARTMENT_HANDLER:
        return Q(pk__in=[])
    if action != READ:
        return Q(pk__in=[]) if user.role == Role.AUDITOR else Q(**{f"{field}_id": home_id(user)})
    if user.role in JURISDICTION_ROLES:
        return _in_jurisdiction(user, field)
    return Q(**{f"{field}_id": home_id(user)})


@register_scope(WatchList)
def _scope_lists(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    q = organisation_q(user, action, "owner")
    if action == READ and user.role in (Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER):
        q |= Q(kind=ListKind.EXTERNAL, owner_id=jurisdiction_id(user))
    return qs.filter(q)


@register_scope(WatchEntry)
def _scope_entries(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(watch_list__in=restrict(WatchList.objects.all(), user, action).values("pk"))


@register_scope(Screening)
def _scope_screenings(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(organisation_q(user, action, "organisation"))


@register_scope(ScreenedParty)
def _scope_parties(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(organisation_q(user, action, "screening__organisation"))


@register_scope(Hit)
def _scope_hits(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(organisation_q(user, action, "party__screening__organisation"))


@register_scope(Suppression)
def _scope_suppressions(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(organisation_q(user, action, "organisation"))


def visible_screenings(user: Any) -> QuerySet[Screening]:
    return restrict(Screening.objects.select_related("organisation", "screened_by"), user)


def visible_lists(user: Any) -> QuerySet[WatchList]:
    return restrict(WatchList.objects.select_related("owner"), user)


def home_organisation(user: Any) -> Organisation | None:
    """The organisation the user screens for (None for the administrator)."""
    return getattr(user, "organisation", None) if user.role != Role.ADMIN else None


def applicable_lists(organisation: Organisation) -> QuerySet[WatchList]:
    """The lists a screening by this organisation uses: its own restricted lists and the
    external lists of its federation (or its own, for a federation)."""
    federation = organisation.pk if organisation.federation_id is None else organisation.federation_id
    return WatchList.objects.filter(
        Q(kind=ListKind.OWN, owner=organisation) | Q(kind=ListKind.EXTERNAL, owner_id=federation)
    ).select_related("owner").order_by("-kind", "name", "id")  # own lists first
