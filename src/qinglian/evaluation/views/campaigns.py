"""Campaign pages (年度评价): list, create and edit a draft, the detail with its step bar, due
dates, state changes, the progress board and the federation's spot check.

State changes go through the campaign actions only; the buttons offered are exactly the
targets ``CAMPAIGN_FLOW.allowed_targets`` gives this user, and every change is a confirmed POST.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.choices import BODY_KINDS
from qinglian.registry.models import Organisation
from qinglian.registry.views.people import acting_user

from .. import actions, result_actions
from ..choices import AssessmentStatus, CampaignStatus, FrameworkStatus
from ..forms_campaigns import (
    CampaignForm,
    CampaignTransitionForm,
    SpotCheckForm,
    campaign_initial,
    share_percent,
)
from ..models import Assessment, Campaign, Framework
from ..workflow import CAMPAIGN_FLOW
from . import campaign_board as board

OFFICER_ROLES = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.AUDITOR)
FEDERATION_VIEW = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.AUDITOR)

#: The step bar: each state and the field that stamps when it began.
STEPS = (
    (CampaignStatus.DRAFT, "created_at"),
    (CampaignStatus.SELF_ASSESSMENT, "self_assessment_at"),
    (CampaignStatus.CHAMBER_REVIEW, "chamber_review_at"),
    (CampaignStatus.FEDERATION_REVIEW, "federation_review_at"),
    (CampaignStatus.PUBLISHED, "published_at"),
    (CampaignStatus.CLOSED, "closed_at"),
)

#: Each deadline, the state it belongs to, and its label.
DUES = (
    (CampaignStatus.SELF_ASSESSMENT, "self_assessment_due", gettext_lazy("企业自评截止")),
    (CampaignStatus.CHAMBER_REVIEW, "chamber_review_due", gettext_lazy("商会初审截止")),
    (CampaignStatus.FEDERATION_REVIEW, "federation_review_due", gettext_lazy("工商联复核截止")),
    (CampaignStatus.PUBLISHED, "recheck_due", gettext_lazy("复核申请截止")),
)

#: How each target state is offered: label, colour, icon, what the confirmation warns of.
TRANSITIONS: dict[str, tuple[Any, str, str, Any]] = {
    CampaignStatus.SELF_ASSESSMENT: (
        gettext_lazy("启动企业自评"), "primary", "play-circle",
        gettext_lazy("启动后指标体系将被冻结，系统为参评范围内的每家会员企业创建自评表，"
                     "并按工作日计算自评截止日期。评价设置不能再修改。")),
    CampaignStatus.CHAMBER_REVIEW: (
        gettext_lazy("进入商会初审"), "primary", "clipboard-check",
        gettext_lazy("进入初审后，各商会对已提交的自评逐项审核；未提交的企业仍可补交，"
                     "在看板中显示为逾期。")),
    CampaignStatus.FEDERATION_REVIEW: (
        gettext_lazy("进入工商联复核"), "primary", "shield-check",
        gettext_lazy("进入复核后企业不能再填报，商会不能再初审；工商联可抽取抽查样本并调整得分。")),
    CampaignStatus.PUBLISHED: (
        gettext_lazy("发布结果"), "success", "megaphone",
        gettext_lazy("发布后计算并锁定全部结果，未提交的企业按现有填报计分；"
                     "企业可在规定的工作日内申请复核。")),
    CampaignStatus.CLOSED: (
        gettext_lazy("关闭评价"), "outline-secondary", "archive",
        gettext_lazy("关闭后不再受理复核申请，也不能再认定负面清单事项。")),
}


def _is_officer(user: Any) -> bool:
    return getattr(user, "role", None) in OFFICER_ROLES


def _frameworks(user: Any) -> QuerySet[Framework]:
    return (restrict(Framework.objects.select_related("federation"), user)
            .exclude(status=FrameworkStatus.RETIRED).order_by("federation_id", "code", "-version"))


def _chambers(user: Any) -> QuerySet[Organisation]:
    return (restrict(Organisation.objects.filter(kind__in=BODY_KINDS), user)
            .order_by("federation_id", "name_pinyin"))


def _scope_count(user: Any, **where: Any) -> Coalesce:
    counted = (restrict(Assessment.objects.filter(campaign=OuterRef("pk"), **where), user)
               .order_by().values("campaign").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- list ----------------------------------------------------------------------------------

@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns in scope by year, with how far their assessments (in scope) have got."""
    require(request.user, "evaluation.view")
    user = request.user
    campaigns = restrict(Campaign.objects.all(), user)
    years = sorted(set(campaigns.values_list("year", flat=True)), reverse=True)
    year = parse_id(request.GET.get("year"))
    if year:
        campaigns = campaigns.filter(year=year)
    status = request.GET.get("status", "")
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    handed_in = [AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED, AssessmentStatus.PUBLISHED]
    campaigns = campaigns.select_related("framework", "federation").annotate(
        total=_scope_count(user), handed_in=_scope_count(user, status__in=handed_in),
        reviewed=_scope_count(user, status__in=handed_in[1:]),
    ).order_by("-year", "-id")
    return render(request, "evaluation/campaigns/list.html", {
        "page_obj": paginate(request, campaigns), "years": years, "filters": request.GET,
        "statuses": CampaignStatus.choices, "query": query_without_page(request),
        "can_create": has_perm(user, "evaluation.manage_campaign"),
    })


# --- create and edit -----------------------------------------------------------------------

def _form(request: HttpRequest, initial: dict[str, Any] | None = None) -> CampaignForm:
    data = request.POST if request.method == "POST" else None
    return CampaignForm(data, initial=initial, frameworks=_frameworks(request.user),
                        chambers=_chambers(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    """A new draft campaign of the chosen framework's federation."""
    require(request.user, "evaluation.manage_campaign")
    year = timezone.localdate().year
    latest = (_frameworks(request.user).exclude(status=FrameworkStatus.DRAFT)
              .order_by("-frozen_at", "-id").first())  # the version most recently in use
    form = _form(request, {"year": year, "name": _("%(year)s 年度清廉企业评价") % {"year": year},
                           "framework": latest.pk if latest else None})
    if request.method == "POST" and form.is_valid():
        fields = form.action_fields()
        framework = fields.pop("framework")
        try:
            campaign = actions.do_create_campaign(
                framework.federation, framework=framework, year=fields.pop("year"),
                name=fields.pop("name"), actor=acting_user(request), **fields)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已创建年度评价草稿；核对设置后可启动企业自评"))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "evaluation/campaigns/form.html", {"form": form, "campaign": None})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the settings of a draft; a started campaign keeps its settings."""
    require(request.user, "evaluation.manage_campaign")
    campaign = access(Campaign.objects.select_related("framework"), request.user, pk, WRITE)
    if campaign.status != CampaignStatus.DRAFT:
        messages.error(request, _("评价已启动，不能再修改设置"))
        return redirect("campaign_detail", pk=campaign.pk)
    form = _form(request, campaign_initial(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_campaign(campaign, actor=acting_user(request), **form.action_fields())
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("评价设置已保存"))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "evaluation/campaigns/form.html", {"form": form, "campaign": campaign})


# --- detail --------------------------------------------------------------------------------

def _steps(campaign: Campaign) -> list[dict[str, Any]]:
    order = [str(state) for state, _field in STEPS]
    current = order.index(campaign.status)
    closed = campaign.status == CampaignStatus.CLOSED
    return [{"label": CampaignStatus(state).label, "at": getattr(campaign, stamp),
             "done": index < current or closed, "current": index == current and not closed}
            for index, (state, stamp) in enumerate(STEPS)]


def _dues(campaign: Campaign, today: Any) -> list[dict[str, Any]]:
    return [{"label": label, "on": getattr(campaign, field),
             "overdue": (getattr(campaign, field) is not None and today > getattr(campaign, field)
                         and campaign.status == state)}
            for state, field, label in DUES]


def _buttons(campaign: Campaign, user: Any, writable: bool) -> list[dict[str, Any]]:
    if not writable:
        return []
    buttons = []
    for to in CAMPAIGN_FLOW.allowed_targets(campaign, user):
        label, colour, icon, warning = TRANSITIONS[to]
        buttons.append({"to": to, "label": label, "colour": colour, "icon": icon,
                        "warning": warning})
    return buttons


def _board_table(request: HttpRequest, campaign: Campaign, today: Any) -> dict[str, Any]:
    query = board.BoardQuery.from_params(request.GET)
    rows = board.board_rows(board.in_scope(request.user, campaign), query, campaign, today)
    return {
        "board_query": query, "page_obj": paginate(request, rows),
        "query": query_without_page(request), "late_now": board.is_late(campaign, today),
        "indicator_count": campaign.framework.indicators.count(),
    }


def _board(request: HttpRequest, campaign: Campaign, today: Any) -> dict[str, Any]:
    user = request.user
    scoped = board.in_scope(user, campaign)
    counts = board.status_counts(scoped, campaign, today)
    return {
        "counts": counts, "tiles": board.tiles(counts), "filters_board": board.BOARD_FILTERS,
        "breakdown": (board.chamber_breakdown(scoped, campaign, today)
                      if getattr(user, "role", None) in FEDERATION_VIEW else None),
        **_board_table(request, campaign, today),
    }


def _spot_check(request: HttpRequest, campaign: Campaign, writable: bool) -> dict[str, Any]:
    user = request.user
    sample = []
    if campaign.spot_check_seed is not None:
        sample = list(board.in_scope(user, campaign).filter(spot_checked=True)
                      .select_related("enterprise", "chamber").order_by("enterprise__name_pinyin"))
    return {
        "sample": sample, "share_percent": share_percent(campaign.spot_check_share),
        "can_draw": (writable and campaign.status == CampaignStatus.FEDERATION_REVIEW
                     and campaign.spot_check_seed is None
                     and has_perm(user, "evaluation.final_review")),
        "spot_form": SpotCheckForm(),
    }


def _writable(user: Any, campaign: Campaign) -> bool:
    return (has_perm(user, "evaluation.manage_campaign")
            and restrict(Campaign.objects.filter(pk=campaign.pk), user, WRITE).exists())


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The campaign: step bar, deadlines, moves, spot check, and the officers' progress board."""
    require(request.user, "evaluation.view")
    user = request.user
    campaign = access(Campaign.objects.select_related("framework", "federation"), user, pk)
    today = timezone.localdate()
    if request.GET.get("export") == "xlsx":
        require(user, "evaluation.export")
        rows = board.board_rows(board.in_scope(user, campaign),
                                board.BoardQuery.from_params(request.GET), campaign, today)
        return board.export_board(rows, campaign, campaign.framework.indicators.count())
    context: dict[str, Any] = {"campaign": campaign, "today": today}
    if _is_officer(user):
        if request.headers.get("HX-Request"):
            return render(request, "evaluation/campaigns/partials/board_table.html",
                          {**context, **_board_table(request, campaign, today)})
        context.update(_board(request, campaign, today))
    writable = _writable(user, campaign)
    context.update({
        "steps": _steps(campaign), "dues": _dues(campaign, today),
        "buttons": _buttons(campaign, user, writable), "is_officer": _is_officer(user),
        "can_edit": writable and campaign.status == CampaignStatus.DRAFT,
        "chosen_chambers": ([] if campaign.all_members
                            else list(campaign.chambers.order_by("name_pinyin"))),
        "own_assessment": (None if _is_officer(user)
                           else board.in_scope(user, campaign).select_related("enterprise").first()),
        "can_export": has_perm(user, "evaluation.export"),
        **_spot_check(request, campaign, writable),
    })
    return render(request, "evaluation/campaigns/detail.html", context)


# --- state changes and the spot check ------------------------------------------------------

def _mover(to: str) -> Callable[..., Any]:
    movers: dict[str, Callable[..., Any]] = {
        CampaignStatus.SELF_ASSESSMENT: actions.do_open_campaign,
        CampaignStatus.CHAMBER_REVIEW: actions.do_start_chamber_review,
        CampaignStatus.FEDERATION_REVIEW: actions.do_start_federation_review,
        CampaignStatus.PUBLISHED: result_actions.do_publish_campaign,
        CampaignStatus.CLOSED: actions.do_close_campaign,
    }
    return movers[to]


def _moved_message(to: str, outcome: Any) -> str:
    if to == CampaignStatus.SELF_ASSESSMENT:
        return _("已启动企业自评，为 %(n)s 家企业创建了自评表") % {"n": outcome}
    if to == CampaignStatus.PUBLISHED:
        return _("已发布 %(n)s 家企业的评价结果") % {"n": outcome}
    return _("评价已进入“%(status)s”阶段") % {"status": CAMPAIGN_FLOW.label(to)}


@login_required
@require_POST
def campaign_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the campaign to its next state through the matching action."""
    require(request.user, "evaluation.manage_campaign")
    campaign = access(Campaign.objects.select_related("framework"), request.user, pk, WRITE)
    form = CampaignTransitionForm(request.POST)
    to = form.cleaned_data["to"] if form.is_valid() else ""
    if to not in CAMPAIGN_FLOW.allowed_targets(campaign, request.user):
        messages.error(request, _("当前不能执行该状态变更（可能已被他人处理），请刷新后重试"))
        return redirect("campaign_detail", pk=campaign.pk)
    try:
        outcome = _mover(to)(campaign, actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _moved_message(to, outcome))
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_spot_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw the reproducible random sample (once), with a given or a fresh seed."""
    require(request.user, "evaluation.final_review")
    campaign = access(Campaign.objects.all(), request.user, pk, WRITE)
    form = SpotCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("campaign_detail", pk=campaign.pk)
    try:
        sample = result_actions.do_draw_spot_check(campaign, actor=acting_user(request),
                                                   seed=form.cleaned_data["seed"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        campaign.refresh_from_db()
        messages.success(request, _("已抽取 %(n)s 家企业作为抽查样本（随机种子 %(seed)s）") % {
            "n": len(sample), "seed": campaign.spot_check_seed})
    return redirect(f"{reverse('campaign_detail', args=[campaign.pk])}?show=sampled#board")


urlpatterns = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/transition/", campaign_transition, name="campaign_transition"),
    path("campaigns/<int:pk>/spot-check/", campaign_spot_check, name="campaign_spot_check"),
]
