"""Restricted reads of the registry. Every view, API handler and export goes through these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from qinglian.core.choices import Role
from qinglian.core.crypto import lookup_hash
from qinglian.core.permissions import READ, access, has_perm, register_scope, restrict

from .choices import (
    ACTIVE_MEMBERSHIP,
    BODY_KINDS,
    OPEN_MEMBERSHIP,
    CommitmentStatus,
    MembershipStatus,
    OrganisationKind,
)
from .models import Commitment, Membership, Organisation, Person, Position, Signature

GLOBAL_ROLES = {Role.ADMIN}
JURISDICTION_ROLES = {Role.FEDERATION_OFFICER, Role.AUDITOR}


def _home(user: Any) -> Organisation | None:
    return getattr(user, "organisation", None)


def jurisdiction_id(user: Any) -> int | None:
    """The federation whose jurisdiction the user works in."""
    home = _home(user)
    if home is None:
        return None
    return home.pk if home.kind == OrganisationKind.FEDERATION else home.federation_id


def visible_organisation_q(user: Any, action: str = READ) -> Q | None:
    """Q over Organisation for the user's scope; None means everything."""
    role = user.role
    home = _home(user)
    if role in GLOBAL_ROLES:
        return None
    if home is None:
        return Q(pk__in=[])
    if role in JURISDICTION_ROLES:
        if role == Role.AUDITOR and action != READ:
            return Q(pk__in=[])
        return Q(pk=home.pk) | Q(federation_id=home.pk)
    if role == Role.CHAMBER_OFFICER:
        # A chamber sees its applicants and members; it edits itself and its admitted (or
        # suspended) members only — never an enterprise that merely applied, or one that
        # has withdrawn or been revoked, and never other chambers or the federation.
        if action != READ:
            members = Membership.objects.filter(
                organisation_id=home.pk, status__in=[s.value for s in ACTIVE_MEMBERSHIP],
            ).values("member_id")
            return Q(pk=home.pk) | Q(pk__in=members, kind=OrganisationKind.ENTERPRISE)
        members = Membership.objects.filter(
            organisation_id=home.pk, status__in=[s.value for s in OPEN_MEMBERSHIP],
        ).values("member_id")
        return Q(pk=home.pk) | Q(pk__in=members)
    if role == Role.ENTERPRISE_USER:
        if action != READ:
            return Q(pk=home.pk)
        hosts = Membership.objects.filter(
            member_id=home.pk, status__in=[s.value for s in OPEN_MEMBERSHIP]
        ).values("organisation_id")
        return Q(pk=home.pk) | Q(pk__in=hosts)
    if role == Role.DEPARTMENT_HANDLER:
        return Q(pk=home.pk) if action == READ else Q(pk__in=[])
    return Q(pk__in=[])


def _scoped(qs: QuerySet[Any], q: Q | None, prefix: str = "") -> QuerySet[Any]:
    if q is None:
        return qs
    if not prefix:
        return qs.filter(q)
    return qs.filter(**{f"{prefix}__in": Organisation.objects.filter(q).values("pk")})


@register_scope(Organisation)
def _scope_organisations(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _scoped(qs, visible_organisation_q(user, action))


@register_scope(Membership)
def _scope_memberships(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    role, home = user.role, _home(user)
    if role in GLOBAL_ROLES:
        return qs
    if home is None:
        return qs.none()
    if role == Role.CHAMBER_OFFICER:
        return qs.filter(organisation_id=home.pk)
    if role == Role.ENTERPRISE_USER:
        return qs.filter(member_id=home.pk)
    return _scoped(qs, visible_organisation_q(user, action), "organisation")


@register_scope(Commitment)
def _scope_commitments(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if action != READ and user.role == Role.ENTERPRISE_USER:
        return qs.none()
    if not has_perm(user, "registry.manage_commitment"):
        qs = qs.exclude(status=CommitmentStatus.DRAFT)  # drafts are the chamber's own business
    return _scoped(qs, visible_organisation_q(user, action), "organisation")


@register_scope(Signature)
def _scope_signatures(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ENTERPRISE_USER:
        return qs.filter(member_id=getattr(_home(user), "pk", None))
    return _scoped(qs, visible_organisation_q(user, action), "commitment__organisation")


@register_scope(Person)
def _scope_people(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    role, home = user.role, _home(user)
    if role in GLOBAL_ROLES:
        return qs
    if home is None:
        return qs.none()
    if role in JURISDICTION_ROLES:
        if role == Role.AUDITOR and action != READ:
            return qs.none()
        return qs.filter(federation_id=jurisdiction_id(user))
    orgs = Organisation.objects.filter(visible_organisation_q(user, action) or Q())
    if role == Role.ENTERPRISE_USER:
        orgs = Organisation.objects.filter(pk=home.pk)
    return qs.filter(
        Exists(Position.objects.filter(person=OuterRef("pk"), organisation__in=orgs))
    )


@register_scope(Position)
def _scope_positions(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    # A post is visible when both its holder and its organisation are: a person's posts in
    # other jurisdictions stay hidden even when the person is visible.
    people = restrict(Person.objects.all(), user, action)
    organisations = restrict(Organisation.objects.all(), user, READ)
    return qs.filter(person__in=people, organisation__in=organisations.values("pk"))


# --- reads used by pages, API and exports -------------------------------------------------


@dataclass
class OrganisationFilter:
    q: str = ""
    kind: str = ""
    chamber: int | None = None
    industry: str = ""
    section: str = ""
    region: str = ""
    ownership: str = ""
    tag: str = ""
    party_org_form: str = ""
    order: str = "name"


ORDERINGS = {
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "uscc": ("uscc", "id"),
}


def search_q(text: str) -> Q:
    """Name, USCC or pinyin initials: 'hwjs' finds 华为技术有限公司."""
    text = text.strip()
    if not text:
        return Q()
    q = Q(name__icontains=text) | Q(short_name__icontains=text)
    if text.isascii():
        compact = text.replace(" ", "")
        q |= Q(uscc__istartswith=compact.upper()) | Q(name_initials__icontains=compact.lower())
    return q


def region_q(code: str) -> Q:
    """A province (330000) or prefecture (330100) covers its districts; a district is exact."""
    if code.endswith("0000"):
        return Q(region__startswith=code[:2])
    if code.endswith("00"):
        return Q(region__startswith=code[:4])
    return Q(region=code)


def list_organisations(user: Any, f: OrganisationFilter) -> QuerySet[Organisation]:
    qs = restrict(Organisation.objects.all(), user).select_related("federation")
    if f.q:
        qs = qs.filter(search_q(f.q))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.chamber:
        # Drive from the chamber's memberships (index organisation, status): the cost follows
        # the chamber's size, not the size of the whole registry.
        qs = qs.filter(pk__in=Membership.objects.filter(
            organisation_id=f.chamber, status__in=[s.value for s in OPEN_MEMBERSHIP],
        ).values("member_id"))
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.section:
        qs = qs.filter(industry_section=f.section)
    if f.region:
        qs = qs.filter(region_q(f.region))
    if f.ownership:
        qs = qs.filter(ownership=f.ownership)
    if f.tag:
        qs = qs.filter(tags__code=f.tag)
    if f.party_org_form:
        qs = qs.filter(party_org_form=f.party_org_form)
    return qs.order_by(*ORDERINGS.get(f.order, ORDERINGS["name"]))


def access_organisation(user: Any, pk: Any, action: str = READ) -> Organisation:
    return access(Organisation.objects.select_related("federation", "party_liaison"), user, pk,
                  action)


def access_person(user: Any, pk: Any, action: str = READ) -> Person:
    return access(Person.objects.all(), user, pk, action)


def access_membership(user: Any, pk: Any, action: str = READ) -> Membership:
    return access(Membership.objects.select_related("member", "organisation"), user, pk, action)


def access_commitment(user: Any, pk: Any, action: str = READ) -> Commitment:
    return access(Commitment.objects.select_related("organisation"), user, pk, action)


def list_people(user: Any, text: str = "") -> QuerySet[Person]:
    qs = restrict(Person.objects.all(), user)
    text = text.strip()
    if text:
        q = Q(name__icontains=text)
        if text.isascii() and text.isalpha():
            q |= Q(name_initials__icontains=text.lower())
        if len(text) >= 15:  # an ID number: exact match through the keyed hash
            q |= Q(id_number_hash=lookup_hash(text))
        if text.isdigit() and len(text) == 11:
            q |= Q(phone_hash=lookup_hash(text))
        qs = qs.filter(q)
    return qs.order_by("name_initials", "id")


def list_memberships(
    user: Any, *, organisation: int | None = None, member: int | None = None,
    status: str = "", q: str = "",
) -> QuerySet[Membership]:
    qs = restrict(Membership.objects.all(), user).select_related("member", "organisation")
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if member:
        qs = qs.filter(member_id=member)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(member__in=Organisation.objects.filter(search_q(q)))
    return qs.order_by("-id")


def current_commitment(organisation: Organisation | int) -> Commitment | None:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return Commitment.objects.filter(
        organisation_id=org_id, status=CommitmentStatus.PUBLISHED
    ).first()


def has_signed_current(member_id: int, organisation_id: int) -> bool:
    commitment = current_commitment(organisation_id)
    return commitment is not None and Signature.objects.filter(
        commitment=commitment, member_id=member_id
    ).exists()


def unsigned_memberships(user: Any, organisation_id: int | None = None) -> QuerySet[Membership]:
    """Active members who have not signed their chamber's current commitment (re-sign items)."""
    current = Commitment.objects.filter(
        organisation_id=OuterRef("organisation_id"), status=CommitmentStatus.PUBLISHED
    )
    signed = Signature.objects.filter(
        member_id=OuterRef("member_id"),
        commitment__organisation_id=OuterRef("organisation_id"),
        commitment__status=CommitmentStatus.PUBLISHED,
    )
    return list_memberships(user, organisation=organisation_id).filter(
        status__in=[MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED],
    ).filter(Exists(current)).exclude(Exists(signed))


def membership_applicants(user: Any) -> QuerySet[Organisation]:
    """Enterprises on whose behalf this user may file a membership application.

    告知承诺制 starts with an application, and a chamber recruits among the enterprises
    registered in its federation's jurisdiction — not only among its existing members — so a
    chamber officer picks from the whole jurisdiction. An enterprise user applies only for its
    own enterprise. Roles that cannot apply get nothing.
    """
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    role = user.role
    if role in GLOBAL_ROLES:
        return enterprises
    if role == Role.FEDERATION_OFFICER:
        return restrict(enterprises, user, "change")
    if role == Role.CHAMBER_OFFICER:
        return enterprises.filter(federation_id=jurisdiction_id(user))
    home = _home(user)
    if role == Role.ENTERPRISE_USER and home is not None:
        return enterprises.filter(pk=home.pk)
    return enterprises.none()


def membership_hosts(user: Any) -> QuerySet[Organisation]:
    """Chambers and associations an application may be made to by this user.

    Officers apply to the bodies they manage; an enterprise user may apply to any chamber or
    association of its federation's jurisdiction.
    """
    bodies = Organisation.objects.filter(kind__in=[k.value for k in BODY_KINDS])
    role = user.role
    if role in GLOBAL_ROLES:
        return bodies
    if role in (Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER):
        return restrict(bodies, user, "change")
    if role == Role.ENTERPRISE_USER:
        return bodies.filter(federation_id=jurisdiction_id(user))
    return bodies.none()
