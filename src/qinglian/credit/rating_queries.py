"""Restricted reads of credit ratings: the current ratings a user may see (filtered), their
distribution, one enterprise's rating with its factors and history, and the models of a
federation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from qinglian.core.choices import Role
from qinglian.core.permissions import restrict
from qinglian.registry.choices import OPEN_MEMBERSHIP, OrganisationKind
from qinglian.registry.models import Membership, Organisation
from qinglian.registry.queries import jurisdiction_id

from .choices import RatingLetter
from .models import Rating, RatingModel


@dataclass(frozen=True)
class RatingFilter:
    rating: str = ""
    chamber: int | None = None
    industry: str = ""
    q: str = ""


def current_ratings(user: Any, filters: RatingFilter | None = None) -> QuerySet[Rating]:
    """Current ratings in the user's scope, narrowed by the filter (letter, chamber,
    industry, and name / USCC / pinyin initials)."""
    qs = restrict(Rating.objects.filter(is_current=True), user)
    f = filters or RatingFilter()
    if f.rating in RatingLetter.values:
        qs = qs.filter(rating=f.rating)
    if f.chamber is not None:
        qs = qs.filter(organisation_id__in=Membership.objects.filter(
            organisation_id=f.chamber, status__in=[s.value for s in OPEN_MEMBERSHIP],
        ).values("member_id"))
    if f.industry:
        qs = qs.filter(organisation__industry=f.industry)
    text = f.q.strip()
    if text:
        qs = qs.filter(Q(organisation__name__icontains=text)
                       | Q(organisation__uscc=text.upper())
                       | Q(organisation__name_initials__startswith=text.lower()))
    return qs.select_related("organisation", "model").order_by(
        "organisation__name_pinyin", "organisation_id")


def distribution(qs: QuerySet[Rating]) -> dict[str, int]:
    """How many of the ratings carry each letter (every letter present, zero when none)."""
    counts = dict(qs.order_by().values_list("rating").annotate(n=Count("pk"))
                  .values_list("rating", "n"))
    return {letter: counts.get(letter, 0) for letter in RatingLetter.values}


def access_rated_enterprise(user: Any, pk: int) -> Organisation:
    """An enterprise whose rating the user may read (404 for missing and out of scope)."""
    organisation = restrict(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE),
                            user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    if user.role == Role.ENTERPRISE_USER and organisation.pk != user.organisation_id:
        raise Http404
    if user.role == Role.CHAMBER_OFFICER and not Membership.objects.filter(
            organisation_id=user.organisation_id, member=organisation,
            status__in=[s.value for s in OPEN_MEMBERSHIP]).exists():
        raise Http404
    if user.role in (Role.FEDERATION_OFFICER, Role.AUDITOR) and (
            organisation.federation_id != jurisdiction_id(user)):
        raise Http404
    return organisation


def rating_history(user: Any, organisation: Organisation) -> list[Rating]:
    """Every rating of the enterprise, newest first, each with its factors."""
    return list(restrict(Rating.objects.filter(organisation=organisation), user)
                .select_related("model").prefetch_related("lines")
                .order_by("-computed_at", "-pk"))


def federations_for(user: Any) -> QuerySet[Organisation]:
    """The federations whose models the user may read: the own jurisdiction (every
    federation for the platform administrator)."""
    federations = Organisation.objects.filter(kind=OrganisationKind.FEDERATION)
    if user.role == Role.ADMIN:
        return federations.order_by("pk")
    return federations.filter(pk=jurisdiction_id(user) or 0)


def federation_models(federation: Organisation) -> QuerySet[RatingModel]:
    return (RatingModel.objects.filter(federation=federation)
            .annotate(ratings_count=Count("ratings", filter=Q(ratings__is_current=True)))
            .order_by("-version"))
