"""The figures behind the results pages (评价结果分析), over what the user may see.

Every figure starts from ``published_assessments`` — ``restrict(Assessment)`` — so a chamber
officer's distribution, averages, weakest indicators and trend cover its own chamber only.
Each figure is one aggregate query (``values().annotate()``) computed in the database: a page
costs the same number of queries for ten enterprises as for a hundred thousand. Points are
summed as integer hundredths; shares are worked out at the edge with ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from qinglian.core.permissions import restrict
from qinglian.registry import industries
from qinglian.registry.queries import region_q
from qinglian.registry.regions import short_region_name

from .choices import FAIL_GRADE, AssessmentStatus, CampaignStatus, FindingStatus
from .models import (
    HUNDRED,
    Answer,
    Assessment,
    Campaign,
    Dimension,
    DimensionScore,
    Framework,
    NegativeFinding,
)

#: Campaign states in which results exist and may be shown.
RESULT_STATES = (CampaignStatus.PUBLISHED, CampaignStatus.CLOSED)
WEAKEST_LIMIT = 10
ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")


def has_results(campaign: Campaign) -> bool:
    return campaign.status in RESULT_STATES


def published_assessments(user: Any, campaign: Campaign) -> QuerySet[Assessment]:
    """The campaign's published results the user may read (the base of every figure)."""
    return restrict(Assessment.objects.filter(
        campaign=campaign, status=AssessmentStatus.PUBLISHED), user)


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal place (None when whole is 0)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_PLACE)


def grade_names(framework: Framework) -> list[str]:
    """The framework's grades, best first (标杆, 优秀, 达标, 不达标)."""
    return list(framework.bands.order_by("-min_points").values_list("name", flat=True))


# --- grade distribution ------------------------------------------------------------------------

@dataclass(frozen=True)
class GradeCount:
    grade: str
    count: int
    percent: Decimal | None


@dataclass(frozen=True)
class Distribution:
    total: int
    vetoed: int
    average: Decimal | None
    grades: list[GradeCount]


def grade_distribution(assessments: QuerySet[Assessment], grades: list[str]) -> Distribution:
    """How many results fall in each grade (every band listed, empty ones as 0), how many were
    vetoed, and the average total (one grouped query)."""
    rows = list(assessments.order_by().values("grade").annotate(
        n=Count("pk"), vetoed_n=Count("pk", filter=Q(vetoed=True)),
        sum_total=Sum("total_hundredths")))
    counts = {row["grade"]: row["n"] for row in rows}
    total = sum(counts.values())
    names = grades + sorted(set(counts) - set(grades))
    return Distribution(
        total, sum(row["vetoed_n"] for row in rows),
        _average(sum(row["sum_total"] or 0 for row in rows), total),
        [GradeCount(name, counts.get(name, 0), share(counts.get(name, 0), total))
         for name in names])


# --- dimensions --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DimensionFigure:
    """One dimension's average score over the results, as points and as % of its maximum."""

    pk: int
    code: str
    name: str
    max_points: Decimal
    average: Decimal | None = None
    percent: Decimal | None = None


def dimensions_with_maxima(framework: Framework) -> list[DimensionFigure]:
    """The framework's dimensions in order, each with its maximum (the sum of its indicators)."""
    rows = (Dimension.objects.filter(framework=framework)
            .annotate(max_points=Sum("indicators__max_points")).order_by("sort", "code"))
    return [DimensionFigure(d.pk, d.code, d.name, Decimal(d.max_points or 0)) for d in rows]


def _average(total_hundredths: int | None, count: int) -> Decimal | None:
    if not count or total_hundredths is None:
        return None
    return (Decimal(total_hundredths) / HUNDRED / count).quantize(TWO_PLACES)


def _percent_of_max(average: Decimal | None, maximum: Decimal) -> Decimal | None:
    if average is None or not maximum:
        return None
    return (average * HUNDRED / maximum).quantize(ONE_PLACE)


def dimension_averages(assessments: QuerySet[Assessment],
                       dimensions: list[DimensionFigure]) -> list[DimensionFigure]:
    """Average score per dimension over the results (one grouped query)."""
    sums = {row["dimension_id"]: row for row in
            DimensionScore.objects.filter(assessment__in=assessments.values("pk")).order_by()
            .values("dimension_id").annotate(total=Sum("score_hundredths"), n=Count("pk"))}
    figures = []
    for d in dimensions:
        row = sums.get(d.pk)
        average = _average(row["total"], row["n"]) if row else None
        figures.append(DimensionFigure(d.pk, d.code, d.name, d.max_points, average,
                                       _percent_of_max(average, d.max_points)))
    return figures


# --- weakest indicators ------------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorFigure:
    code: str
    name: str
    dimension: str
    max_points: Decimal
    average: Decimal | None
    percent: Decimal | None
    count: int
    zero: int  # results that scored nothing on it


def weakest_indicators(assessments: QuerySet[Assessment],
                       limit: int = WEAKEST_LIMIT) -> list[IndicatorFigure]:
    """The indicators with the lowest average share of their maximum.

    The database groups the answers by indicator (one row per indicator, a few dozen at most);
    only those rows are ranked here.
    """
    rows = (Answer.objects.filter(assessment__in=assessments.values("pk")).order_by()
            .values("indicator__code", "indicator__name", "indicator__max_points",
                    "indicator__dimension__name")
            .annotate(total=Sum("score_hundredths"), n=Count("pk"),
                      zero=Count("pk", filter=Q(score_hundredths=0))))
    ranked = []
    for row in rows:
        maximum = Decimal(row["indicator__max_points"])
        average = _average(row["total"], row["n"])
        # Ranked by the exact share, not the rounded one shown.
        exact = Decimal(row["total"] or 0) / (maximum * HUNDRED * row["n"]) if maximum else HUNDRED
        ranked.append((exact, row["indicator__code"], IndicatorFigure(
            row["indicator__code"], row["indicator__name"], row["indicator__dimension__name"],
            maximum, average, _percent_of_max(average, maximum), row["n"], row["zero"])))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return [figure for _exact, _code, figure in ranked[:limit]]


# --- heat table chamber × dimension -------------------------------------------------------------

@dataclass(frozen=True)
class HeatCell:
    percent: Decimal | None

    @property
    def colour(self) -> str:
        """A background from red (0 %) through amber to green (100 %)."""
        if self.percent is None:
            return "transparent"
        hue = int(max(Decimal(0), min(HUNDRED, self.percent)) * Decimal("1.2"))
        return f"hsl({hue}, 65%, 85%)"


@dataclass
class HeatRow:
    chamber_id: int
    chamber: str
    count: int = 0
    cells: list[HeatCell] = field(default_factory=list)


def heat_table(assessments: QuerySet[Assessment],
               dimensions: list[DimensionFigure]) -> list[HeatRow]:
    """Average % of each dimension's maximum for every chamber (one grouped query)."""
    rows = (DimensionScore.objects.filter(assessment__in=assessments.values("pk")).order_by()
            .values("assessment__chamber_id", "assessment__chamber__name", "dimension_id")
            .annotate(total=Sum("score_hundredths"), n=Count("pk")))
    table: dict[int, HeatRow] = {}
    cells: dict[tuple[int, int], Decimal | None] = {}
    for row in rows:
        chamber_id = row["assessment__chamber_id"]
        heat = table.setdefault(chamber_id, HeatRow(chamber_id, row["assessment__chamber__name"]))
        heat.count = max(heat.count, row["n"])
        maximum = next((d.max_points for d in dimensions if d.pk == row["dimension_id"]), None)
        cells[chamber_id, row["dimension_id"]] = _percent_of_max(
            _average(row["total"], row["n"]), maximum or Decimal(0))
    for heat in table.values():
        heat.cells = [HeatCell(cells.get((heat.chamber_id, d.pk))) for d in dimensions]
    return sorted(table.values(), key=lambda h: h.chamber)


# --- trend across years -------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendYear:
    year: int
    count: int
    average: Decimal | None
    shares: dict[str, Decimal | None]


def trend(user: Any, campaign: Campaign, grades: list[str]) -> list[TrendYear]:
    """Average total and grade shares per campaign year of the same federation (two queries)."""
    base = restrict(Assessment.objects.filter(
        campaign__federation_id=campaign.federation_id, campaign__status__in=RESULT_STATES,
        status=AssessmentStatus.PUBLISHED), user).order_by()
    years = list(base.values("campaign__year").annotate(sum_total=Sum("total_hundredths"),
                                                         n=Count("pk")).order_by("campaign__year"))
    by_grade: dict[int, dict[str, int]] = {}
    for row in base.values("campaign__year", "grade").annotate(n=Count("pk")):
        by_grade.setdefault(row["campaign__year"], {})[row["grade"]] = row["n"]
    return [TrendYear(row["campaign__year"], row["n"], _average(row["sum_total"], row["n"]),
                      {g: share(by_grade.get(row["campaign__year"], {}).get(g, 0), row["n"])
                       for g in grades})
            for row in years]


# --- charts -------------------------------------------------------------------------------------

def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


#: Grade colours, best first: green, blue, amber, grey; 不达标 is always red.
GRADE_COLOURS = ("#3f7f6e", "#5b8db8", "#c0843d", "#7a8595")
FAIL_COLOUR = "#9e1b1b"
PRIMARY = "#2b3a4d"


def grade_colours(grades: list[str]) -> list[str]:
    passing = iter(GRADE_COLOURS)
    return [FAIL_COLOUR if g == FAIL_GRADE else next(passing, GRADE_COLOURS[-1]) for g in grades]


def campaign_charts(distribution: Distribution, dimensions: list[DimensionFigure],
                    heat: list[HeatRow] | None, years: list[TrendYear]) -> dict[str, Any]:
    """The chart series for ``json_script`` and static/js/result_charts.js."""
    names = [g.grade for g in distribution.grades]
    colours = grade_colours(names)
    charts: dict[str, Any] = {
        "grades": {"kind": "bar", "title": _("等级分布"), "labels": names, "colors": colours,
                   "values": [g.count for g in distribution.grades]},
        "grade_pie": {"kind": "pie", "title": _("等级占比"), "labels": names, "colors": colours,
                      "values": [g.count for g in distribution.grades]},
        "dimensions": {"kind": "percent_bar", "title": _("各维度平均得分率"),
                       "labels": [d.name for d in dimensions],
                       "values": [_number(d.percent) for d in dimensions]},
        "trend": {"kind": "line", "title": _("平均总分"), "labels": [str(y.year) for y in years],
                  "average": [_number(y.average) for y in years],
                  "colors": [PRIMARY, *colours],
                  "series": [{"name": g.grade, "values": [_number(y.shares.get(g.grade))
                                                           for y in years]}
                             for g in distribution.grades]},
    }
    if heat is not None:
        charts["heat"] = {
            "kind": "heatmap", "title": _("商会 × 维度 平均得分率"),
            "x": [d.name for d in dimensions], "y": [h.chamber for h in heat],
            "cells": [[x, y, _number(cell.percent)] for y, h in enumerate(heat)
                      for x, cell in enumerate(h.cells)],
        }
    return charts


def radar_chart(dimensions: list[DimensionFigure], scores: dict[int, Decimal | None],
                previous: dict[int, Decimal | None] | None = None,
                previous_label: str = "") -> dict[str, Any]:
    """One enterprise's four dimensions on a radar, the dimension maxima as the axes' maxima."""
    series = [{"name": _("本次得分"), "values": [_number(scores.get(d.pk)) or 0 for d in dimensions]}]
    if previous:
        series.append({"name": previous_label,
                       "values": [_number(previous.get(d.pk)) or 0 for d in dimensions]})
    return {"radar": {"kind": "radar", "title": _("四维得分"),
                      "indicators": [{"name": d.name, "max": float(d.max_points)}
                                     for d in dimensions],
                      "series": series}}


# --- the ranked list ----------------------------------------------------------------------------

#: Sort keys of the ranked list; each ends with a unique key so that pages never overlap.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "rank": ("vetoed", "-total_hundredths", "enterprise__name_pinyin", "pk"),
    "-total": ("-total_hundredths", "enterprise__name_pinyin", "pk"),
    "total": ("total_hundredths", "enterprise__name_pinyin", "pk"),
    "name": ("enterprise__name_pinyin", "pk"),
    "rank_chamber": ("chamber__name", "rank_chamber", "pk"),
    "rank_industry": ("industry", "rank_industry", "pk"),
    "rank_region": ("region", "rank_region", "pk"),
}


@dataclass(frozen=True)
class ResultFilter:
    q: str = ""
    grade: str = ""
    chamber: int | None = None
    industry: str = ""
    region: str = ""
    order: str = "rank"


def _search_q(text: str) -> Q:
    """Enterprise name, USCC or pinyin (initials or full): 'hwjs' finds 华为技术有限公司."""
    text = text.strip()
    if not text:
        return Q()
    q = Q(enterprise__name__icontains=text) | Q(enterprise__short_name__icontains=text)
    if text.isascii():
        compact = text.replace(" ", "").lower()
        q |= (Q(enterprise__uscc__istartswith=compact.upper())
              | Q(enterprise__name_initials__icontains=compact)
              | Q(enterprise__name_pinyin__icontains=compact))
    return q


def confirmed_findings() -> Prefetch:
    """The confirmed negative-list findings (the veto reasons), with their items."""
    return Prefetch("findings", to_attr="veto_findings", queryset=NegativeFinding.objects.filter(
        status=FindingStatus.CONFIRMED).select_related("item").order_by("found_on", "pk"))


def ranked_results(assessments: QuerySet[Assessment], f: ResultFilter) -> QuerySet[Assessment]:
    """The filtered, sorted result list, with the enterprise, chamber, dimension scores and veto
    reasons loaded in a fixed number of queries."""
    qs = assessments.filter(_search_q(f.q)).select_related("enterprise", "chamber")
    if f.grade:
        qs = qs.filter(grade=f.grade)
    if f.chamber:
        qs = qs.filter(chamber_id=f.chamber)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.region:
        qs = qs.filter(region_q(f.region))
    return qs.prefetch_related("dimension_scores", confirmed_findings()).order_by(
        *ORDERINGS.get(f.order, ORDERINGS["rank"]))


def filter_choices(assessments: QuerySet[Assessment]) -> dict[str, list[tuple[str, str]]]:
    """Chamber, industry and region choices among the results (three DISTINCT queries over the
    campaign's own rows, never the whole registry)."""
    base = assessments.order_by()
    chambers = base.values_list("chamber_id", "chamber__name").distinct().order_by("chamber__name")
    codes = base.exclude(industry="").values_list("industry", flat=True).distinct()
    regions = base.exclude(region="").values_list("region", flat=True).distinct()
    return {
        "chamber": [(str(pk), name) for pk, name in chambers],
        "industry": [(c, f"{c} {industries.DIVISIONS.get(c, '')}") for c in sorted(codes)],
        "region": [(c, short_region_name(c)) for c in sorted(regions)],
    }


def industry_name(code: str) -> str:
    """The GB/T 4754 division name of a two-digit code ('' when unknown)."""
    return industries.DIVISIONS.get(code, "") if code else ""
