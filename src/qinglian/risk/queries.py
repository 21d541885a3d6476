"""Restricted reads of the risk register. Every view, export and action goes through these.

* each organisation keeps its own register: an enterprise user its enterprise's, a chamber
  officer its chamber's, a federation officer the federation's own; auditors read the
  federation's register like its officers, and change nothing;
* the overview (``OVERVIEW``) counts across more: a federation officer or auditor the whole
  jurisdiction, a chamber officer its admitted members; it is only ever used for counts;
* the library is the federation's: everyone in the jurisdiction browses it, the federation
  edits it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from qinglian.core.choices import Role
from qinglian.core.permissions import READ, has_perm, register_scope, restrict
from qinglian.registry.choices import ACTIVE_MEMBERSHIP, OrganisationKind
from qinglian.registry.models import Membership, Organisation
from qinglian.registry.queries import jurisdiction_id

from .choices import BusinessArea, ControlStatus, ListStatus, PointStatus
from .models import (
    AlertLink,
    AssessmentRound,
    Control,
    LibraryPoint,
    PowerList,
    PowerListItem,
    RiskPoint,
    RoundItem,
)

#: The scope action of the jurisdiction-wide (federation) or members-wide (chamber) counts.
OVERVIEW = "overview"
FEDERATION_ROLES = {Role.FEDERATION_OFFICER, Role.AUDITOR}
#: Organisations that keep a register (departments do not).
REGISTER_KINDS = (OrganisationKind.FEDERATION, OrganisationKind.CHAMBER,
                  OrganisationKind.ASSOCIATION, OrganisationKind.ENTERPRISE)


def _none() -> Q:
    return Q(pk__in=[])


def _home_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None)


def owner_q(user: Any, action: str = READ, field: str = "organisation") -> Q:
    """Q over a model whose ``field`` is the organisation owning the register (``field=""``:
    over Organisation itself)."""
    role, home = user.role, _home_id(user)
    key = f"{field}_id" if field else "pk"
    if role == Role.ADMIN:
        return Q()
    if home is None or not has_perm(user, "risk.view"):
        return _none()
    if action == OVERVIEW:
        if role in FEDERATION_ROLES:
            parent = f"{field}__federation_id" if field else "federation_id"
            return Q(**{key: home}) | Q(**{parent: jurisdiction_id(user)})
        if role == Role.CHAMBER_OFFICER:
            members = Membership.objects.filter(
                organisation_id=home, status__in=[s.value for s in ACTIVE_MEMBERSHIP],
            ).values("member_id")
            return Q(**{key: home}) | Q(**{f"{key}__in": members})
        return Q(**{key: home})
    if action != READ and not has_perm(user, "risk.manage_register"):
        return _none()
    return Q(**{key: home})


@register_scope(RiskPoint)
def _scope_points(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action))


@register_scope(AssessmentRound)
def _scope_rounds(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action))


def _via_point(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action, "point__organisation"))


for _model in (Control, AlertLink):
    register_scope(_model)(_via_point)


@register_scope(RoundItem)
def _scope_items(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(owner_q(user, action, "round__organisation"))


@register_scope(PowerList)
def _scope_power_lists(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    qs = qs.filter(owner_q(user, action))
    if not has_perm(user, "risk.manage_power_list"):
        qs = qs.exclude(status=ListStatus.DRAFT)  # drafts are the organisation's own business
    return qs


@register_scope(PowerListItem)
def _scope_power_items(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(power_list__in=restrict(PowerList.objects.all(), user, action).values("pk"))


@register_scope(LibraryPoint)
def _scope_library(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ADMIN:
        return qs
    if action != READ and not has_perm(user, "risk.manage_library"):
        return qs.none()
    if not has_perm(user, "risk.view"):
        return qs.none()
    qs = qs.filter(federation_id=jurisdiction_id(user))
    if not has_perm(user, "risk.manage_library"):
        qs = qs.filter(is_active=True)
    return qs


# --- reads used by pages, exports and actions ------------------------------------------------


def register_organisations(user: Any, action: str = READ) -> QuerySet[Organisation]:
    """Organisations whose register the user may read (WRITE: keep; OVERVIEW: count)."""
    return Organisation.objects.filter(owner_q(user, action, ""), kind__in=REGISTER_KINDS)


def library_federation(user: Any) -> Organisation | None:
    fed_id = jurisdiction_id(user)
    return Organisation.objects.filter(pk=fed_id).first() if fed_id else None


@dataclass
class RegisterFilter:
    organisation: int | None = None
    area: str = ""
    level: str = ""
    basis: str = "residual"  # which level the level/cell filters look at
    likelihood: int | None = None
    impact: int | None = None
    owner: str = ""
    overdue: str = ""  # "", "controls", "review"
    q: str = ""


def overdue_control_q(today: dt.date, prefix: str = "") -> Q:
    """A control is overdue when its due date has passed and it is not done."""
    return Q(**{f"{prefix}due_on__lt": today}) & ~Q(**{f"{prefix}status": ControlStatus.DONE})


def filtered_points(user: Any, f: RegisterFilter, today: dt.date) -> QuerySet[RiskPoint]:
    """The active points the user may read, narrowed by the filter."""
    qs = restrict(RiskPoint.objects.filter(status=PointStatus.ACTIVE), user)
    if f.organisation:
        qs = qs.filter(organisation_id=f.organisation)
    if f.area:
        qs = qs.filter(area=f.area)
    inherent = f.basis == "inherent"
    if f.level:
        qs = qs.filter(**{"inherent_level" if inherent else "residual_level": f.level})
    if f.likelihood:
        qs = qs.filter(**{"likelihood" if inherent else "residual_likelihood": f.likelihood})
    if f.impact:
        qs = qs.filter(**{"impact" if inherent else "residual_impact": f.impact})
    if f.owner:
        qs = qs.filter(owner_name=f.owner)
    if f.overdue == "controls":
        qs = qs.filter(Exists(Control.objects.filter(overdue_control_q(today),
                                                     point=OuterRef("pk"))))
    elif f.overdue == "review":
        qs = qs.filter(next_review_on__lt=today)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(code__icontains=f.q)
                       | Q(department__icontains=f.q) | Q(post__icontains=f.q))
    return qs


def list_points(user: Any, f: RegisterFilter, today: dt.date) -> QuerySet[RiskPoint]:
    """The filtered points for a list or an export, with the number of overdue controls and
    of linked alerts of each, in the library's order of business areas."""
    return filtered_points(user, f, today).select_related("organisation").annotate(
        overdue_controls=Count("controls", filter=overdue_control_q(today, "controls__"),
                               distinct=True),
        alert_count=Count("alert_links", distinct=True),
        area_order=area_order("area"),
    ).order_by("organisation__name_pinyin", "area_order", "code", "id")


def area_order(field: str = "area") -> Case:
    """The business areas in the order the library lists them (采购 first), not by code."""
    return Case(*(When(**{field: code}, then=Value(n))
                  for n, code in enumerate(BusinessArea.values)),
                default=Value(len(BusinessArea.values)), output_field=IntegerField())


def overdue_controls(user: Any, today: dt.date) -> QuerySet[Control]:
    return restrict(Control.objects.filter(point__status=PointStatus.ACTIVE), user).filter(
        overdue_control_q(today)).select_related("point__organisation").order_by("due_on", "id")


def overdue_reviews(user: Any, today: dt.date) -> QuerySet[RiskPoint]:
    return restrict(RiskPoint.objects.filter(status=PointStatus.ACTIVE), user).filter(
        next_review_on__lt=today).select_related("organisation").order_by("next_review_on", "id")


def heat_cells(points: QuerySet[RiskPoint]) -> dict[str, list[list[int]]]:
    """Counts per (likelihood, impact) cell, inherent and residual: ``[[l, i, n], …]``."""
    cells: dict[str, list[list[int]]] = {}
    for basis, (lf, imf) in {"inherent": ("likelihood", "impact"),
                             "residual": ("residual_likelihood", "residual_impact")}.items():
        rows = points.order_by().values(lf, imf).annotate(n=Count("id"))
        cells[basis] = [[r[lf], r[imf], r["n"]] for r in rows]
    return cells
