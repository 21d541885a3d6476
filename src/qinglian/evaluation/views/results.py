"""Result pages of the integrity index (评价结果): one enterprise's result, a campaign's analytics
with the ranked list and its export, and the index of campaigns with results.

Reads go through ``restrict``/``access``; every figure is computed in the database by
``statistics`` over the results the user may see, so a chamber officer's analytics cover its own
chamber only. An enterprise sees its own results; a result not yet published is the federation's
business (404 for everyone else, like a missing one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate
from qinglian.core.permissions import access, has_perm, require, restrict
from qinglian.registry.regions import short_region_name

from .. import statistics as stats
from ..choices import AssessmentStatus, FindingStatus
from ..forms_results import ResultFilterForm
from ..models import (
    Answer,
    Assessment,
    Campaign,
    DimensionScore,
    Exemplar,
    NegativeFinding,
    ResultRevision,
    points,
)
from . import exemplars

RESULTS_TARGET = "result-list"

#: Roles that see across chambers: the heat table, and results not yet published.
FEDERATION_ROLES = {Role.ADMIN, Role.FEDERATION_OFFICER, Role.AUDITOR}

#: The groups an enterprise is ranked in, with their headings.
RANK_GROUPS = (("chamber", "商会内"), ("industry", "行业内"), ("region", "地区内"))


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _require_analytics(request: HttpRequest) -> None:
    require(request.user, "evaluation.view")
    if not has_perm(request.user, "evaluation.view_analytics"):
        raise PermissionDenied(_("评价结果分析仅供工商联和商会查看；企业请在“评价结果”中查看本企业的结果"))


# --- index ---------------------------------------------------------------------------------------

@login_required
@require_GET
def result_index(request: HttpRequest) -> HttpResponse:
    """Campaigns with results (analytics for officers) and, for an enterprise, its own results."""
    require(request.user, "evaluation.view")
    campaigns = restrict(Campaign.objects.filter(status__in=stats.RESULT_STATES), request.user)
    own = []
    if _role(request) == Role.ENTERPRISE_USER:
        own = list(restrict(Assessment.objects.filter(status=AssessmentStatus.PUBLISHED),
                            request.user).select_related("campaign")
                   .order_by("-campaign__year", "-campaign_id"))
    return render(request, "evaluation/results/index.html", {
        "campaigns": list(campaigns.order_by("-year", "-id")), "own_results": own,
        "can_analyse": has_perm(request.user, "evaluation.view_analytics"),
    })


# --- one enterprise's result ---------------------------------------------------------------------

@dataclass(frozen=True)
class Rank:
    label: str
    group: str  # the chamber's, industry's or region's name
    rank: int | None
    peers: int | None
    percentile: int | None


@dataclass(frozen=True)
class Change:
    """The enterprise's result against its published result of the previous campaign year."""

    campaign: Campaign
    total: Decimal | None
    grade: str
    delta: Decimal | None
    direction: str  # "up", "down" or "same" for the grade; "" when the grades do not compare


def _ranks(assessment: Assessment) -> list[Rank]:
    names = {"chamber": assessment.chamber.name,
             "industry": stats.industry_name(assessment.industry) or _("未填写行业"),
             "region": short_region_name(assessment.region) if assessment.region else _("未填写地区")}
    return [Rank(_(label), names[group], getattr(assessment, f"rank_{group}"),
                 getattr(assessment, f"peers_{group}"), assessment.percentile(group))
            for group, label in RANK_GROUPS]


def _previous(user: Any, assessment: Assessment) -> Assessment | None:
    campaign = assessment.campaign
    return (restrict(Assessment.objects.filter(
        enterprise_id=assessment.enterprise_id, status=AssessmentStatus.PUBLISHED,
        campaign__federation_id=campaign.federation_id, campaign__year__lt=campaign.year,
        campaign__status__in=stats.RESULT_STATES), user)
        .select_related("campaign").order_by("-campaign__year", "-campaign_id").first())


def _change(previous: Assessment | None, assessment: Assessment, grades: list[str]) -> Change | None:
    if previous is None:
        return None
    delta = None
    if previous.total is not None and assessment.total is not None:
        delta = assessment.total - previous.total
    direction = ""
    if previous.grade in grades and assessment.grade in grades:
        before, now = grades.index(previous.grade), grades.index(assessment.grade)
        direction = "up" if now < before else "down" if now > before else "same"
    return Change(previous.campaign, previous.total, previous.grade, delta, direction)


def _previous_scores(previous: Assessment | None,
                     dimensions: list[stats.DimensionFigure]) -> dict[int, Decimal | None]:
    """The previous result's dimension scores matched by dimension code (the framework may be
    a new version with new ids)."""
    if previous is None:
        return {}
    by_code = dict(DimensionScore.objects.filter(assessment=previous)
                   .values_list("dimension__code", "score_hundredths"))
    return {d.pk: points(by_code[d.code]) for d in dimensions if d.code in by_code}


def _dimension_rows(dimensions: list[stats.DimensionFigure], scores: dict[int, Decimal | None],
                    before: dict[int, Decimal | None]) -> list[dict[str, Any]]:
    rows = []
    for d in dimensions:
        score, old = scores.get(d.pk), before.get(d.pk)
        rows.append({"name": d.name, "code": d.code, "max": d.max_points, "score": score,
                     "percent": stats.share(score, d.max_points) if score is not None else None,
                     "delta": score - old if score is not None and old is not None else None})
    return rows


def _detail_context(user: Any, assessment: Assessment) -> dict[str, Any]:
    framework = assessment.campaign.framework
    grades = stats.grade_names(framework)
    dimensions = stats.dimensions_with_maxima(framework)
    scores = {pk: points(value) for pk, value in DimensionScore.objects.filter(
        assessment=assessment).values_list("dimension_id", "score_hundredths")}
    previous = _previous(user, assessment)
    before = _previous_scores(previous, dimensions)
    change = _change(previous, assessment, grades)
    return {
        "assessment": assessment, "campaign": assessment.campaign,
        "published": assessment.status == AssessmentStatus.PUBLISHED,
        "top_grade": grades[0] if grades else "",
        "max_total": sum((d.max_points for d in dimensions), Decimal(0)),
        "dimensions": _dimension_rows(dimensions, scores, before),
        "findings": list(restrict(NegativeFinding.objects.filter(
            assessment=assessment, status=FindingStatus.CONFIRMED), user)
            .select_related("item").order_by("found_on", "pk")),
        "ranks": _ranks(assessment), "change": change,
        "answers": list(restrict(Answer.objects.filter(assessment=assessment), user)
                        .select_related("indicator__dimension")
                        .order_by("indicator__dimension__sort", "indicator__sort", "indicator__code")),
        "revisions": list(restrict(ResultRevision.objects.filter(assessment=assessment), user)
                          .order_by("-revision")),
        "is_exemplar": restrict(Exemplar.objects.filter(
            campaign_id=assessment.campaign_id, enterprise_id=assessment.enterprise_id,
            status="published"), user).exists(),
        "charts": stats.radar_chart(dimensions, scores, before,
                                    _("%(year)s 年度") % {"year": change.campaign.year}
                                    if change else ""),
    }


@login_required
@require_GET
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise's result: total, grade, vetoes, dimensions, ranks, change, breakdown."""
    require(request.user, "evaluation.view")
    assessment = access(Assessment.objects.select_related(
        "enterprise", "chamber", "campaign__framework"), request.user, pk)
    if assessment.status != AssessmentStatus.PUBLISHED and _role(request) not in FEDERATION_ROLES:
        raise Http404(_("未找到该记录"))
    return render(request, "evaluation/results/detail.html",
                  _detail_context(request.user, assessment))


# --- a campaign's analytics and ranked list ------------------------------------------------------

def _scores_by_dimension(assessment: Assessment) -> dict[int, Decimal | None]:
    return {s.dimension_id: s.score for s in assessment.dimension_scores.all()}


def _veto_reasons(assessment: Assessment) -> list[str]:
    return [f"{f.item.name}（{f.found_on:%Y-%m-%d}，{f.source}）"
            for f in getattr(assessment, "veto_findings", [])]


def _dimension_cell(dimension_id: int) -> Callable[[Assessment], Decimal | None]:
    return lambda a: _scores_by_dimension(a).get(dimension_id)


def _field_cell(name: str) -> Callable[[Assessment], Any]:
    return lambda a: getattr(a, name)


def _percentile_cell(group: str) -> Callable[[Assessment], int | None]:
    return lambda a: a.percentile(group)


def export_columns(dimensions: list[stats.DimensionFigure]) -> list[Column]:
    """The ranked list's columns in the .xlsx export (each dimension gets its own column)."""
    columns = [
        Column(_("企业名称"), lambda a: a.enterprise.name, 32),
        Column(_("统一社会信用代码"), lambda a: a.enterprise.uscc, 22),
        Column(_("初审商会"), lambda a: a.chamber.name, 26),
        Column(_("行业"), lambda a: stats.industry_name(a.industry), 24),
        Column(_("地区"), lambda a: short_region_name(a.region) if a.region else "", 12),
    ]
    columns += [Column(d.name, _dimension_cell(d.pk), 10) for d in dimensions]
    columns += [
        Column(_("总分"), lambda a: a.total, 10),
        Column(_("等级"), lambda a: a.grade, 8),
        Column(_("一票否决"), lambda a: _("是") if a.vetoed else _("否"), 8),
        Column(_("否决事由"), _veto_reasons, 40),
    ]
    headers = {"chamber": (_("商会内名次"), _("商会内参评数"), _("商会内百分位")),
               "industry": (_("行业内名次"), _("行业内参评数"), _("行业内百分位")),
               "region": (_("地区内名次"), _("地区内参评数"), _("地区内百分位"))}
    for group, (rank, peers, percentile) in headers.items():
        columns += [Column(rank, _field_cell(f"rank_{group}"), 10),
                    Column(peers, _field_cell(f"peers_{group}"), 10),
                    Column(percentile, _percentile_cell(group), 10)]
    return columns


def _analytics(user: Any, campaign: Campaign, assessments: Any, grades: list[str],
               dimensions: list[stats.DimensionFigure]) -> dict[str, Any]:
    distribution = stats.grade_distribution(assessments, grades)
    averages = stats.dimension_averages(assessments, dimensions)
    heat = (stats.heat_table(assessments, dimensions)
            if str(user.role) in FEDERATION_ROLES else None)
    years = stats.trend(user, campaign, grades)
    return {
        "distribution": distribution, "averages": averages,
        "weakest": stats.weakest_indicators(assessments), "heat": heat, "years": years,
        "charts": stats.campaign_charts(distribution, averages, heat, years),
    }


def _wants_list_only(request: HttpRequest) -> bool:
    """An htmx search or page change swaps only the ranked list, not the whole page."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-Target") == RESULTS_TARGET
            and not request.headers.get("HX-History-Restore-Request"))


@login_required
@require_GET
def result_campaign(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A campaign's analytics, the ranked result list and its .xlsx export."""
    _require_analytics(request)
    user: Any = request.user
    campaign = access(Campaign.objects.select_related("framework"), user, pk)
    assessments = stats.published_assessments(user, campaign)
    grades = stats.grade_names(campaign.framework)
    form = ResultFilterForm(request.GET or None, grades=grades, assessments=assessments)
    results = stats.ranked_results(assessments, form.to_filter())
    dimensions = stats.dimensions_with_maxima(campaign.framework)
    if request.GET.get("export") == "xlsx":
        require(user, "evaluation.export")
        return xlsx_response(f"{campaign.name}_{_('评价结果')}", _("评价结果"),
                             export_columns(dimensions), results.iterator(chunk_size=2000))
    context: dict[str, Any] = {
        "campaign": campaign, "form": form, "page_obj": paginate(request, results),
        "has_results": stats.has_results(campaign), "results_target": RESULTS_TARGET,
        "can_export": has_perm(user, "evaluation.export"),
        "dimensions": dimensions, "grades": grades,
    }
    _with_row_scores(context)
    if _wants_list_only(request):
        return render(request, "evaluation/results/partials/result_list.html", context)
    if context["has_results"]:
        context.update(_analytics(user, campaign, assessments, grades, dimensions))
    return render(request, "evaluation/results/campaign.html", context)


def _with_row_scores(context: dict[str, Any]) -> None:
    """Each listed row's dimension scores in the dimensions' order (from the prefetch), veto
    reasons, industry and region names, and ranks with percentiles."""
    for assessment in context["page_obj"].object_list:
        scores = _scores_by_dimension(assessment)
        assessment.row_scores = [scores.get(d.pk) for d in context["dimensions"]]
        assessment.veto_reasons = _veto_reasons(assessment)
        assessment.industry_label = stats.industry_name(assessment.industry)
        assessment.region_label = short_region_name(assessment.region) if assessment.region else ""
        assessment.rank_cells = [
            (getattr(assessment, f"rank_{g}"), getattr(assessment, f"peers_{g}"),
             assessment.percentile(g)) for g, _label in RANK_GROUPS]


urlpatterns: list[URLPattern] = [
    path("results/", result_index, name="result_index"),
    path("results/<int:pk>/", result_detail, name="result_detail"),
    path("results/campaigns/<int:pk>/", result_campaign, name="result_campaign"),
    *exemplars.urlpatterns,
]
