"""The progress board of a campaign (进度看板): who has not started, who is late, what awaits
review — counted and listed inside the officer's scope.

Every number comes from ``restrict(Assessment)``: a chamber officer counts and lists only the
assessments its chamber reviews; the federation sees all, with a breakdown per chamber. The
counts are one aggregate query, the breakdown one grouped query, the list one page query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.permissions import restrict
from qinglian.registry.models import Organisation
from qinglian.registry.queries import search_q

from ..choices import AssessmentStatus
from ..models import Answer, Assessment, Campaign

#: The board's filters, in the order officers work through them.
BOARD_FILTERS: tuple[tuple[str, Any], ...] = (
    (AssessmentStatus.PENDING, gettext_lazy("未开始")),
    (AssessmentStatus.DRAFT, gettext_lazy("填报中")),
    (AssessmentStatus.SUBMITTED, gettext_lazy("已提交待初审")),
    (AssessmentStatus.RETURNED, gettext_lazy("退回补充")),
    (AssessmentStatus.REVIEWED, gettext_lazy("已初审")),
    (AssessmentStatus.PUBLISHED, gettext_lazy("已发布")),
    ("late", gettext_lazy("逾期未提交")),
    ("sampled", gettext_lazy("抽查样本")),
)
STATUS_KEYS = tuple(s.value for s in AssessmentStatus)
#: Not yet handed in: what counts as late once the self-assessment deadline has passed.
NOT_SUBMITTED = (AssessmentStatus.PENDING, AssessmentStatus.DRAFT)


@dataclass(frozen=True)
class BoardQuery:
    """What the officer asked the board for: a filter key and a name/USCC/pinyin search."""

    show: str = ""
    text: str = ""

    @classmethod
    def from_params(cls, params: Any) -> BoardQuery:
        show = params.get("show", "")
        return cls(show=show if show in dict(BOARD_FILTERS) else "",
                   text=params.get("q", "").strip()[:64])


def is_late(campaign: Campaign, today: dt.date) -> bool:
    """Whether the self-assessment deadline has passed (late answers stay possible)."""
    return campaign.self_assessment_due is not None and today > campaign.self_assessment_due


def in_scope(user: Any, campaign: Campaign) -> QuerySet[Assessment]:
    return restrict(Assessment.objects.filter(campaign=campaign), user)


def _counters() -> dict[str, Any]:
    counters: dict[str, Any] = {key: Count("id", filter=Q(status=key)) for key in STATUS_KEYS}
    counters["total"] = Count("id")
    counters["sampled"] = Count("id", filter=Q(spot_checked=True))
    return counters


def _with_late(counts: dict[str, Any], late: bool) -> dict[str, Any]:
    """Add the late count, and how many have handed in (submitted at least once)."""
    not_in = sum(counts[s] for s in NOT_SUBMITTED)
    counts["late"] = not_in if late else 0
    counts["handed_in"] = counts["total"] - not_in
    return counts


def tiles(counts: dict[str, int]) -> list[tuple[str, Any, int]]:
    """The board's clickable counters: filter key, label, count."""
    return [(key, label, counts.get(key, 0)) for key, label in BOARD_FILTERS]


def status_counts(assessments: QuerySet[Assessment], campaign: Campaign,
                  today: dt.date) -> dict[str, int]:
    """Count per status, late and sampled — one aggregate query."""
    return _with_late(assessments.aggregate(**_counters()), is_late(campaign, today))


def chamber_breakdown(assessments: QuerySet[Assessment], campaign: Campaign,
                      today: dt.date) -> list[dict[str, Any]]:
    """One row per reviewing chamber with its counts — one grouped query."""
    late = is_late(campaign, today)
    rows = (assessments.order_by().values("chamber_id", "chamber__name", "chamber__name_pinyin")
            .annotate(**_counters()).order_by("chamber__name_pinyin"))
    return [_with_late(dict(row), late) for row in rows]


def board_rows(assessments: QuerySet[Assessment], query: BoardQuery, campaign: Campaign,
               today: dt.date) -> QuerySet[Assessment]:
    """The filtered list, each row with how many indicators are answered."""
    qs = assessments
    if query.show in STATUS_KEYS:
        qs = qs.filter(status=query.show)
    elif query.show == "late":
        qs = qs.filter(status__in=NOT_SUBMITTED) if is_late(campaign, today) else qs.none()
    elif query.show == "sampled":
        qs = qs.filter(spot_checked=True)
    if query.text:
        qs = qs.filter(enterprise__in=Organisation.objects.filter(search_q(query.text)))
    answered = (Answer.objects.filter(assessment=OuterRef("pk"), self_hundredths__isnull=False)
                .order_by().values("assessment").annotate(n=Count("id")).values("n"))
    return (qs.select_related("enterprise", "chamber")
            .annotate(answered=Coalesce(Subquery(answered, output_field=IntegerField()), 0))
            .order_by("enterprise__name_pinyin", "id"))


def export_board(rows: QuerySet[Assessment], campaign: Campaign, indicators: int) -> HttpResponseBase:
    yes, no = _("是"), _("否")
    columns = [
        Column(_("企业"), lambda a: a.enterprise.name, 36),
        Column(_("统一社会信用代码"), lambda a: a.enterprise.uscc, 22),
        Column(_("初审商会"), lambda a: a.chamber.name, 28),
        Column(_("状态"), lambda a: a.get_status_display(), 12),
        Column(_("已填报指标"), lambda a: f"{a.answered}/{indicators}", 12),
        Column(_("开始填报"), lambda a: a.draft_at, 18),
        Column(_("提交时间"), lambda a: a.submitted_at, 18),
        Column(_("初审时间"), lambda a: a.reviewed_at, 18),
        Column(_("抽查样本"), lambda a: yes if a.spot_checked else no, 10),
        Column(_("总分"), lambda a: a.total, 10),
        Column(_("等级"), lambda a: a.grade, 10),
    ]
    return xlsx_response(f"{campaign.name}_{_('进度')}", _("进度"), columns, rows.iterator())
