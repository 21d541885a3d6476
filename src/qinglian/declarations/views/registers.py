"""The registers: per person (每人台账: all declarations of one declarant, totals per year,
and their conflict-of-interest declarations) and per counterparty (grouped by normalised
name, with the interests declared in it), and the overview of counts across the jurisdiction
or a chamber's members."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinglian.core.exports import xlsx_response
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import has_perm, require, restrict

from ..choices import COUNTED, DeclarationKind, DeclarationStatus, Direction
from ..exports import register_columns
from ..forms import declaration_filter
from ..models import ConflictRound, Declaration, Interest, RosterEntry
from ..queries import (
    OVERVIEW,
    amount_totals,
    counterparty_register,
    declared_years,
    filter_declarations,
    people_register,
    round_progress,
    year_totals,
)
from .common import chosen_organisation, picker

REGISTERS = {
    "people": ("申报人", "按人员台账", people_register, "declaration_person"),
    "counterparties": ("对方单位或个人", "按对方台账", counterparty_register,
                       "declaration_counterparty"),
}


def _register(request: HttpRequest, which: str) -> HttpResponseBase:
    require(request.user, "declarations.view")
    first, title, grouped, detail = REGISTERS[which]
    readable, organisation = chosen_organisation(request)
    f = declaration_filter(request.GET)
    f.organisation = organisation.pk if organisation else None
    base = restrict(Declaration.objects.all(), request.user)
    rows = grouped(filter_declarations(base, f))
    if request.GET.get("export") == "xlsx":
        require(request.user, "declarations.export")
        name = organisation.name if organisation else "全部单位"
        return xlsx_response(f"{name}_{title}", title, register_columns(
            first, with_organisation=organisation is None), rows)
    every = base.filter(organisation=organisation) if organisation else base
    return render(request, f"declarations/register_{which}.html", {
        "page_obj": paginate(request, rows), "query": query_without_page(request),
        "filter": f, "organisation": organisation, "organisations": picker(readable),
        "years": declared_years(every), "kinds": DeclarationKind.choices,
        "directions": Direction.choices, "statuses": DeclarationStatus.choices, "detail": detail,
        "can_export": has_perm(request.user, "declarations.export"),
    })


@login_required
@require_GET
def declaration_people(request: HttpRequest) -> HttpResponseBase:
    return _register(request, "people")


@login_required
@require_GET
def declaration_counterparties(request: HttpRequest) -> HttpResponseBase:
    return _register(request, "counterparties")


def _keyed(request: HttpRequest, field: str) -> tuple[QuerySet[Declaration], str, Any]:
    """The declarations (all states but withdrawn) of one register row: ``?key=`` within the
    page's organisation; 404 when the user can read none of them."""
    require(request.user, "declarations.view")
    _readable, organisation = chosen_organisation(request)
    if organisation is None and request.GET.get("org"):
        raise Http404("未找到该单位")  # another organisation's register, or none at all
    key = request.GET.get("key", "")[:160]
    declarations = restrict(Declaration.objects.filter(status__in=COUNTED, **{field: key}),
                            request.user)
    if organisation is not None:
        declarations = declarations.filter(organisation=organisation)
    return declarations.select_related("organisation").order_by("-occurred_on", "-id"), key, \
        organisation


def _chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = list(reversed(rows))
    return {"years": {"title": "申报金额（元）", "kind": "bar",
                      "labels": [f"{r['year']}年" for r in ordered],
                      "values": [float(r["total"]) for r in ordered]}}


@login_required
@require_GET
def declaration_person(request: HttpRequest) -> HttpResponse:
    """One declarant: totals per year, every declaration, and their conflict declarations."""
    declarations, key, organisation = _keyed(request, "declarant_key")
    entries = restrict(RosterEntry.objects.filter(person_key=key), request.user)
    if organisation is not None:
        entries = entries.filter(round__organisation=organisation)
    entries = entries.select_related("round").prefetch_related("interests").order_by(
        "-round__year")
    first = declarations.first()
    if first is None and not entries.exists():
        raise Http404("未找到该申报人")
    totals = year_totals(declarations)
    return render(request, "declarations/person.html", {
        "first": first, "entry": entries.first(), "organisation": organisation, "key": key,
        "totals": totals, "chart": _chart(totals), "entries": entries,
        "page_obj": paginate(request, declarations), "query": query_without_page(request),
        "kinds": DeclarationKind.choices, "directions": Direction.choices,
    })


@login_required
@require_GET
def declaration_counterparty(request: HttpRequest) -> HttpResponse:
    """One counterparty: every spelling used, totals per year, declarations, and the interests
    the organisation's staff declared in it."""
    declarations, key, organisation = _keyed(request, "counterparty_key")
    interests = restrict(Interest.objects.filter(counterparty_key=key), request.user)
    if organisation is not None:
        interests = interests.filter(entry__round__organisation=organisation)
    interests = interests.select_related("entry__round").order_by("-entry__round__year", "id")
    if not declarations.exists() and not interests.exists():
        raise Http404("未找到该对方单位")
    names = sorted({*declarations.values_list("counterparty", flat=True).distinct()[:20],
                    *interests.values_list("counterparty", flat=True).distinct()[:20]})
    totals = year_totals(declarations)
    return render(request, "declarations/counterparty.html", {
        "names": names, "organisation": organisation, "key": key, "totals": totals,
        "chart": _chart(totals), "interests": interests,
        "page_obj": paginate(request, declarations), "query": query_without_page(request),
    })


def _overview_rows(declarations: QuerySet[Declaration], rounds: QuerySet[ConflictRound]) -> list[
        dict[str, Any]]:
    grouped: Any = declarations.order_by().values("organisation_id", "organisation__name") \
        .annotate(**amount_totals())
    by_org: dict[int, dict[str, Any]] = {r["organisation_id"]: r for r in grouped}
    for r in rounds.order_by().values("organisation_id", "organisation__name", "due_on").annotate(
            **round_progress()):
        row = by_org.setdefault(r["organisation_id"], {
            "organisation_id": r["organisation_id"], "organisation__name": r["organisation__name"],
            "count": 0, "total": 0, "received": 0, "given": 0, "pending": 0, "above": 0})
        row["round"] = r
    return sorted(by_org.values(), key=lambda r: (-r["pending"], -r["count"],
                                                  r["organisation__name"]))


@login_required
@require_GET
def declaration_overview(request: HttpRequest) -> HttpResponse:
    """Counts across the jurisdiction (federation, auditor) or the members (chamber): per
    organisation, declarations of the year by kind and state and the conflict round's progress
    — never a declarant's name or a gift's details."""
    require(request.user, "declarations.view_overview")
    today = timezone.localdate()
    f = declaration_filter(request.GET)
    year = f.year or today.year
    declarations = restrict(Declaration.objects.filter(status__in=COUNTED,
                                                       occurred_on__year=year),
                            request.user, OVERVIEW)
    rounds = restrict(ConflictRound.objects.filter(year=year), request.user, OVERVIEW)
    per_kind: Any = declarations.order_by().values("kind", "direction").annotate(**amount_totals())
    by_kind = {(r["kind"], r["direction"]): r for r in per_kind}
    progress = rounds.aggregate(**round_progress())
    labels: list[str] = []
    values: list[int] = []
    kinds = []
    for kind, kind_label in DeclarationKind.choices:
        for direction, direction_label in Direction.choices:
            row = by_kind.get((kind, direction))
            label = f"{direction_label}{kind_label}"
            kinds.append((label, row))
            labels.append(label)
            values.append(row["count"] if row else 0)
    chart = {"kinds": {"title": "申报件数", "kind": "bar", "labels": labels, "values": values}}
    return render(request, "declarations/overview.html", {
        "year": year, "years": list(range(today.year, today.year - 6, -1)),
        "summary": declarations.aggregate(**amount_totals()), "kinds": kinds, "chart": chart,
        "rows": paginate(request, _overview_rows(declarations, rounds)),  # type: ignore[arg-type]
        "query": query_without_page(request), "progress": progress,
        "rounds": rounds.count(), "today": today,
        "late_rounds": rounds.filter(due_on__lt=today).annotate(
            open=Count("entries", filter=Q(entries__declared_at__isnull=True))).filter(
            open__gt=0).count(),
        "submitted": DeclarationStatus.SUBMITTED,
    })


urlpatterns = [
    path("people/", declaration_people, name="declaration_people"),
    path("people/view/", declaration_person, name="declaration_person"),
    path("counterparties/", declaration_counterparties, name="declaration_counterparties"),
    path("counterparties/view/", declaration_counterparty, name="declaration_counterparty"),
    path("overview/", declaration_overview, name="declaration_overview"),
]
