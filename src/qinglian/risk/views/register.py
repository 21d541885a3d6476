"""The register pages: the list with its filters and exports, the heat map, the overdue lists
and the overview across the jurisdiction (or a chamber's members)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinglian.core.exports import xlsx_response
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import has_perm, require, restrict

from ..choices import LEVEL_BANDS, LEVEL_ORDER, BusinessArea, PointStatus, RiskLevel, RoundStatus
from ..exports import (
    docx_response,
    overdue_control_columns,
    register_columns,
    register_docx,
    with_controls,
)
from ..forms import register_filter
from ..models import AssessmentRound, Control, RiskPoint
from ..queries import (
    OVERVIEW,
    RegisterFilter,
    filtered_points,
    heat_cells,
    list_points,
    overdue_control_q,
    overdue_controls,
    overdue_reviews,
)
from .common import chosen_register, writable_registers


def _level_counts(points: QuerySet[RiskPoint], field: str) -> list[dict[str, Any]]:
    """Points per level, highest first, with the level's label and colour."""
    counts = dict(points.order_by().values_list(field).annotate(n=Count("id")))
    return [{"level": b.level.value, "label": b.level.label, "colour": b.colour,
             "count": counts.get(b.level.value, 0)} for b in LEVEL_BANDS]


def _export(request: HttpRequest, points: QuerySet[RiskPoint], title: str) -> HttpResponseBase:
    require(request.user, "risk.export")
    if request.GET.get("export") == "docx":
        return docx_response(f"{title}_廉洁风险点台账", register_docx(title, with_controls(points)))
    return xlsx_response(f"{title}_廉洁风险点台账", "廉洁风险点台账", register_columns(),
                         with_controls(points))


@login_required
@require_GET
def register_list(request: HttpRequest) -> HttpResponseBase:
    """The organisation's register, filtered by area, level, owner, overdue, heat-map cell."""
    require(request.user, "risk.view")
    today = timezone.localdate()
    readable, organisation = chosen_register(request)
    f = register_filter(request.GET)
    f.organisation = organisation.pk if organisation else None
    points = list_points(request.user, f, today)
    title = organisation.name if organisation else "全部单位"
    if request.GET.get("export") in ("xlsx", "docx"):
        return _export(request, points, title)
    everything = filtered_points(request.user, RegisterFilter(organisation=f.organisation),
                                 today)
    owners = everything.order_by("owner_name").values_list("owner_name", flat=True).distinct()
    return render(request, "risk/register_list.html", {
        "page_obj": paginate(request, points), "query": query_without_page(request),
        "filters": request.GET, "filter": f, "organisation": organisation,
        "organisations": readable.order_by("kind", "name_pinyin") if readable.count() > 1 else [],
        "areas": BusinessArea.choices, "levels": RiskLevel.choices, "owners": list(owners),
        "counts": [{**c, "label": _("剩余%(level)s风险") % {"level": c["label"]}}
                   for c in _level_counts(everything, "residual_level")],
        "total": everything.count(),
        "late_controls": overdue_controls(request.user, today).filter(
            point__in=everything.values("pk")).count(),
        "late_reviews": everything.filter(next_review_on__lt=today).count(),
        "can_add": writable_registers(request.user).exists(),
        "can_export": has_perm(request.user, "risk.export"), "today": today,
    })


def _heat_series(points: QuerySet[RiskPoint], base: str) -> dict[str, Any]:
    cells = heat_cells(points)
    return {"bands": [{"level": b.level.value, "label": str(b.level.label), "min": b.min_score,
                       "colour": b.colour} for b in LEVEL_BANDS],
            "inherent": cells["inherent"], "residual": cells["residual"], "link": base}


@login_required
@require_GET
def heatmap(request: HttpRequest) -> HttpResponse:
    """Two 5 × 5 heat maps, inherent and residual: points per likelihood × impact cell."""
    require(request.user, "risk.view")
    readable, organisation = chosen_register(request)
    points = restrict(RiskPoint.objects.filter(status=PointStatus.ACTIVE), request.user)
    if organisation is not None:
        points = points.filter(organisation=organisation)
    link = reverse("risk_register") + (f"?org={organisation.pk}&" if organisation else "?")
    return render(request, "risk/heatmap.html", {
        "organisation": organisation,
        "organisations": readable.order_by("kind", "name_pinyin") if readable.count() > 1 else [],
        "chart": _heat_series(points, link), "total": points.count(),
        "inherent": _level_counts(points, "inherent_level"),
        "residual": _level_counts(points, "residual_level"),
        "bands": LEVEL_BANDS,
    })


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponseBase:
    """Controls past their due date and not done; points whose review date has passed."""
    require(request.user, "risk.view")
    today = timezone.localdate()
    readable, organisation = chosen_register(request)
    controls = overdue_controls(request.user, today)
    reviews = overdue_reviews(request.user, today)
    if organisation is not None:
        controls = controls.filter(point__organisation=organisation)
        reviews = reviews.filter(organisation=organisation)
    if request.GET.get("export") == "xlsx":
        require(request.user, "risk.export")
        return xlsx_response("逾期防控措施", "逾期防控措施", overdue_control_columns(), controls)
    return render(request, "risk/overdue.html", {
        "organisation": organisation, "today": today,
        "organisations": readable.order_by("kind", "name_pinyin") if readable.count() > 1 else [],
        "controls": paginate(request, controls), "reviews": reviews[:200],
        "review_count": reviews.count(), "query": query_without_page(request),
        "can_export": has_perm(request.user, "risk.export"),
    })


def _overview_rows(points: QuerySet[RiskPoint], today: Any) -> QuerySet[Any]:
    """Per organisation: points by residual level, overdue controls and reviews, last approval."""
    late = Control.objects.filter(overdue_control_q(today), point=OuterRef("pk"))
    level = {f"n_{lv}": Count("id", filter=Q(residual_level=lv)) for lv in LEVEL_ORDER}
    return (points.annotate(late=Exists(late)).values("organisation_id", "organisation__name",
                                                      "organisation__kind")
            .annotate(total=Count("id"), **level,
                      late_points=Count("id", filter=Q(late=True)),
                      late_reviews=Count("id", filter=Q(next_review_on__lt=today)))
            .order_by(F("n_major").desc(), F("n_high").desc(), "organisation__name"))


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Counts by level and area across the jurisdiction (federation) or the members (chamber);
    read-only, and never the points themselves of another organisation."""
    require(request.user, "risk.view_overview")
    today = timezone.localdate()
    points = restrict(RiskPoint.objects.filter(status=PointStatus.ACTIVE), request.user, OVERVIEW)
    by_area = {row["area"]: row for row in points.order_by().values("area").annotate(
        total=Count("id"),
        **{f"n_{lv}": Count("id", filter=Q(residual_level=lv)) for lv in LEVEL_ORDER})}
    page_obj = paginate(request, _overview_rows(points, today))
    page_obj.object_list = rows = list(page_obj.object_list)
    approved = dict(restrict(AssessmentRound.objects.filter(
        status=RoundStatus.APPROVED, organisation_id__in=[r["organisation_id"] for r in rows]),
        request.user, OVERVIEW).order_by().values_list("organisation_id").annotate(n=Count("id")))
    for row in rows:
        row["approved_rounds"] = approved.get(row["organisation_id"], 0)
    return render(request, "risk/overview.html", {
        "page_obj": page_obj, "query": query_without_page(request),
        "counts": _level_counts(points, "residual_level"), "total": points.count(),
        "areas": [(code, label, by_area.get(code)) for code, label in BusinessArea.choices],
        "organisations": points.order_by().values("organisation_id").distinct().count(),
        "today": today,
    })


urlpatterns = [
    path("", register_list, name="risk_register"),
    path("heatmap/", heatmap, name="risk_heatmap"),
    path("overdue/", overdue, name="risk_overdue"),
    path("overview/", overview, name="risk_overview"),
]
