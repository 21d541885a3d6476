"""Restricted reads of declarations and conflict rounds. Every view, export and action goes
through these.

Who reads what (decided for issue #6, and documented in the user guide):

* the declarations and conflict rounds of an organisation are its own business: its users read
  them in full (an enterprise user its enterprise's, a chamber officer its chamber's, a
  federation officer the federation's own staff's); the platform administrator reads all;
* a federation officer and the auditor see **counts** across the jurisdiction, and a chamber
  officer across its admitted members (``OVERVIEW``: declarations by kind and status, amounts,
  round progress) — never the names, gifts or interests of another organisation's staff. Their
  personal details would leave the organisation only for a discipline case, which goes through
  the discipline side's own channel, not through these pages;
* auditors read like the federation's officers and change nothing; department handlers have no
  declarations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear

from qinglian.core.choices import Role
from qinglian.core.permissions import READ, has_perm, register_scope, restrict
from qinglian.registry.choices import ACTIVE_MEMBERSHIP, OrganisationKind
from qinglian.registry.models import Membership, Organisation
from qinglian.registry.queries import jurisdiction_id

from .choices import (
    COUNTED,
    DEFAULT_THRESHOLDS,
    DeclarationKind,
    DeclarationStatus,
    Direction,
    Disposal,
)
from .models import ConflictRound, Declaration, Interest, RosterEntry, Threshold

#: The scope action of the jurisdiction-wide (federation) or members-wide (chamber) counts.
OVERVIEW = "overview"
FEDERATION_ROLES = {Role.FEDERATION_OFFICER, Role.AUDITOR}
#: Organisations whose staff declare (departments are government bodies with their own rules).
DECLARING_KINDS = (OrganisationKind.FEDERATION, OrganisationKind.CHAMBER,
                   OrganisationKind.ASSOCIATION, OrganisationKind.ENTERPRISE)
ZERO = Decimal(0)


def _none() -> Q:
    return Q(pk__in=[])


def owner_q(user: Any, action: str = READ, field: str = "organisation") -> Q:
    """Q over a model whose ``field`` is the declaring organisation (``field=""``: over
    Organisation itself)."""
    role, home = user.role, getattr(user, "organisation_id", None)
    key = f"{field}_id" if field else "pk"
    if role == Role.ADMIN:
        return Q()
    if home is None or not has_perm(user, "declarations.view"):
        return _none()
    if action == OVERVIEW and has_perm(user, "declarations.view_overview"):
        if role in FEDERATION_ROLES:
            parent = f"{field}__federation_id" if field else "federation_id"
            return Q(**{key: home}) | Q(**{parent: jurisdiction_id(user)})
        if role == Role.CHAMBER_OFFICER:
            members = Membership.objects.filter(
                organisation_id=home, status__in=[s.value for s in ACTIVE_MEMBERSHIP],
            ).values("member_id")
            return Q(**{key: home}) | Q(**{f"{key}__in": members})
    if action not in (READ, OVERVIEW) and not has_perm(user, "declarations.declare"):
        return _none()
    return Q(**{key: home})


@register_scope(Declaration)
def _scope_declarations(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action))


@register_scope(Threshold)
def _scope_thresholds(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action))


@register_scope(ConflictRound)
def _scope_rounds(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action))


@register_scope(RosterEntry)
def _scope_entries(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action, "round__organisation"))


@register_scope(Interest)
def _scope_interests(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action, "entry__round__organisation"))


def declaring_organisations(user: Any, action: str = READ) -> QuerySet[Organisation]:
    """Organisations whose declarations the user may read (WRITE: enter; OVERVIEW: count)."""
    return Organisation.objects.filter(owner_q(user, action, ""), kind__in=DECLARING_KINDS)


# --- thresholds -------------------------------------------------------------------------------


def threshold_for(organisation: Organisation, kind: str, direction: str) -> Decimal:
    """The amount at or above which a declaration of this kind and direction needs approval:
    the organisation's own, else the default."""
    own = Threshold.objects.filter(organisation=organisation, kind=kind,
                                   direction=direction).values_list("amount", flat=True).first()
    return own if own is not None else DEFAULT_THRESHOLDS[(kind, direction)]


@dataclass(frozen=True)
class ThresholdRow:
    kind: str
    kind_label: str
    direction: str
    direction_label: str
    amount: Decimal
    default: Decimal
    is_default: bool

    @property
    def field(self) -> str:
        return f"{self.direction}_{self.kind}"


def threshold_table(organisation: Organisation) -> list[ThresholdRow]:
    """Every kind × direction with the amount in force and whether it is the default."""
    own = {(t.kind, t.direction): t.amount
           for t in Threshold.objects.filter(organisation=organisation)}
    rows = []
    for kind, kind_label in DeclarationKind.choices:
        for direction, direction_label in Direction.choices:
            default = DEFAULT_THRESHOLDS[(kind, direction)]
            amount = own.get((kind, direction))
            rows.append(ThresholdRow(kind, str(kind_label), direction, str(direction_label),
                                     default if amount is None else amount, default,
                                     amount is None))
    return rows


# --- declarations -----------------------------------------------------------------------------


@dataclass
class DeclarationFilter:
    organisation: int | None = None
    year: int | None = None
    kind: str = ""
    direction: str = ""
    status: str = ""
    above: str = ""  # "", "yes", "no"
    disposal: str = ""  # "", "pending" (a received gift at or above the threshold, not disposed)
    q: str = ""
    declarant_key: str = ""
    counterparty_key: str = ""


def pending_disposal_q() -> Q:
    return Q(kind=DeclarationKind.GIFT, direction=Direction.RECEIVED, above_threshold=True,
             disposal="", status__in=COUNTED)


def filter_declarations(qs: QuerySet[Declaration], f: DeclarationFilter) -> QuerySet[Declaration]:
    """The filter applied to declarations the user may already read. Withdrawn declarations
    show only when asked for by status."""
    if f.organisation:
        qs = qs.filter(organisation_id=f.organisation)
    if f.year:
        qs = qs.filter(occurred_on__year=f.year)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.direction:
        qs = qs.filter(direction=f.direction)
    qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=COUNTED)
    if f.above:
        qs = qs.filter(above_threshold=f.above == "yes")
    if f.disposal == "pending":
        qs = qs.filter(pending_disposal_q())
    if f.declarant_key:
        qs = qs.filter(declarant_key=f.declarant_key)
    if f.counterparty_key:
        qs = qs.filter(counterparty_key=f.counterparty_key)
    if f.q:
        qs = qs.filter(Q(declarant_name__icontains=f.q) | Q(counterparty__icontains=f.q)
                       | Q(description__icontains=f.q) | Q(number__icontains=f.q)
                       | Q(declarant_department__icontains=f.q))
    return qs


def list_declarations(user: Any, f: DeclarationFilter) -> QuerySet[Declaration]:
    qs = filter_declarations(restrict(Declaration.objects.all(), user), f)
    return qs.select_related("organisation").order_by("-occurred_on", "-id")


def _sum(field: str, **where: Any) -> Coalesce:
    return Coalesce(Sum(field, filter=Q(**where) if where else None), ZERO)


def amount_totals() -> dict[str, Any]:
    """Annotations: how many, and amounts given and received."""
    return {
        "count": Count("id"),
        "total": _sum("amount"),
        "received": _sum("amount", direction=Direction.RECEIVED),
        "given": _sum("amount", direction=Direction.GIVEN),
        "pending": Count("id", filter=Q(status=DeclarationStatus.SUBMITTED)),
        "above": Count("id", filter=Q(above_threshold=True)),
    }


def people_register(declarations: QuerySet[Declaration]) -> QuerySet[Any]:
    """One row per declarant (organisation and normalised name and department): the name and
    department as last written, counts and amounts."""
    return (declarations.order_by().values("organisation_id", "organisation__name", "declarant_key")
            .annotate(name=Max("declarant_name"), department=Max("declarant_department"),
                      last=Max("occurred_on"), **amount_totals())
            .order_by(F("total").desc(), "name", "declarant_key"))


def counterparty_register(declarations: QuerySet[Declaration]) -> QuerySet[Any]:
    """One row per counterparty (organisation and normalised name): a name as written, counts
    and amounts, and how many conflict-of-interest entries of the organisation name it."""
    interests = (Interest.objects.filter(counterparty_key=OuterRef("counterparty_key"),
                                         entry__round__organisation=OuterRef("organisation_id"))
                 .order_by().values("counterparty_key").annotate(n=Count("id")).values("n"))
    return (declarations.order_by().values("organisation_id", "organisation__name",
                                           "counterparty_key")
            .annotate(name=Min("counterparty"), last=Max("occurred_on"), **amount_totals(),
                      interests=Coalesce(Subquery(interests, output_field=IntegerField()), 0))
            .order_by(F("total").desc(), "name", "counterparty_key"))


def year_totals(declarations: QuerySet[Declaration]) -> list[dict[str, Any]]:
    """Per year, newest first: count and amount per kind and direction, and the year's total."""
    per_kind = {
        f"{d}_{k}": _sum("amount", kind=k, direction=d)
        for k in DeclarationKind.values for d in Direction.values
    }
    rows: Any = (declarations.order_by().annotate(year=ExtractYear("occurred_on"))
                 .values("year").annotate(**amount_totals(), **per_kind).order_by("-year"))
    return list(rows)


def declared_years(declarations: QuerySet[Declaration]) -> list[int]:
    years = declarations.order_by().annotate(y=ExtractYear("occurred_on")).values_list(
        "y", flat=True).distinct()
    return sorted({int(y) for y in years if y}, reverse=True)


def disposal_counts(declarations: QuerySet[Declaration]) -> dict[str, int]:
    counted = declarations.filter(kind=DeclarationKind.GIFT, direction=Direction.RECEIVED,
                                  above_threshold=True, status__in=COUNTED)
    counts = dict(counted.order_by().values_list("disposal").annotate(n=Count("id")))
    return {code: counts.get(code, 0) for code in ["", *Disposal.values]}


# --- conflict rounds --------------------------------------------------------------------------


def round_progress() -> dict[str, Any]:
    """Annotations of a round: people on the roster, declared, declaring any interest."""
    return {
        "total": Count("entries", distinct=True),
        "declared": Count("entries", filter=Q(entries__declared_at__isnull=False), distinct=True),
        "conflicted": Count("entries", filter=Q(entries__no_conflict=False), distinct=True),
    }


def list_rounds(user: Any) -> QuerySet[ConflictRound]:
    return (restrict(ConflictRound.objects.all(), user).select_related("organisation")
            .annotate(**round_progress()).order_by("-year", "organisation__name_pinyin", "id"))


def is_overdue(conflict_round: ConflictRound, today: dt.date) -> bool:
    return today > conflict_round.due_on


@dataclass
class RosterFilter:
    state: str = ""  # "", "declared", "pending", "conflict"
    q: str = ""


def roster(conflict_round: ConflictRound, user: Any, f: RosterFilter) -> QuerySet[RosterEntry]:
    """The round's roster as the user may read it, pending first."""
    qs = restrict(RosterEntry.objects.filter(round=conflict_round), user)
    if f.state == "declared":
        qs = qs.filter(declared_at__isnull=False)
    elif f.state == "pending":
        qs = qs.filter(declared_at__isnull=True)
    elif f.state == "conflict":
        qs = qs.filter(no_conflict=False)
    if f.q:
        qs = qs.filter(Q(name__icontains=f.q) | Q(department__icontains=f.q)
                       | Q(post__icontains=f.q))
    return qs.annotate(interest_count=Count("interests")).select_related("declared_by").order_by(
        F("declared_at").asc(nulls_first=True), "department", "name", "id")
