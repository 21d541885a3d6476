"""Conflict-of-interest rounds (利益冲突年度申报): the list with progress, opening a round,
its page with who has and has not declared, closing and reopening, and the exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import xlsx_response
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from .. import round_actions
from ..choices import RoundStatus
from ..exports import reminder_columns, roster_columns
from ..forms import RoundForm, roster_filter
from ..models import ConflictRound
from ..queries import RosterFilter, list_rounds, roster, round_progress
from .common import acting_user, report_refusal, writable_organisations


@login_required
@require_GET
def conflict_round_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "declarations.view")
    return render(request, "declarations/round_list.html", {
        "page_obj": paginate(request, list_rounds(request.user)),
        "query": query_without_page(request), "today": timezone.localdate(),
        "can_open": writable_organisations(request.user, "declarations.manage_round").exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def conflict_round_create(request: HttpRequest) -> HttpResponse:
    """Open this year's round, with last year's roster if wanted."""
    require(request.user, "declarations.manage_round")
    organisations = writable_organisations(request.user, "declarations.manage_round")
    earlier = list(restrict(ConflictRound.objects.filter(
        organisation__in=organisations.values("pk")), request.user, WRITE)
        .select_related("organisation").order_by("-year")[:20])
    form = RoundForm(request.POST or None, organisations=organisations, earlier=earlier)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = round_actions.do_open_conflict_round(
                data["organisation"], year=data["year"], title=data["title"],
                due_on=data["due_on"], copy_from=form.earlier.get(data["copy_from"] or 0),
                actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已发起利益冲突申报，请录入或导入申报人名单"))
            return redirect("conflict_round_detail", pk=created.pk)
    return render(request, "declarations/round_form.html", {
        "form": form, "no_organisation": not organisations.exists()})


def _round_export(request: HttpRequest, conflict_round: ConflictRound, today: Any,
                  which: str) -> HttpResponseBase:
    require(request.user, "declarations.export")
    if which == "reminders":
        pending = roster(conflict_round, request.user, RosterFilter(state="pending"))
        return xlsx_response(f"{conflict_round.title}_未申报人员", "未申报人员",
                             reminder_columns(conflict_round.due_on, today), pending)
    return xlsx_response(f"{conflict_round.title}_申报情况", "申报情况",
                         roster_columns(conflict_round.due_on, today),
                         roster(conflict_round, request.user, roster_filter(request.GET)))


@login_required
@require_GET
def conflict_round_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Who has and has not declared, with counts; overdue once the due date has passed."""
    require(request.user, "declarations.view")
    conflict_round = access(ConflictRound.objects.select_related("organisation", "created_by"),
                            request.user, pk)
    today = timezone.localdate()
    if request.GET.get("export") in ("xlsx", "reminders"):
        return _round_export(request, conflict_round, today, request.GET["export"])
    progress = ConflictRound.objects.filter(pk=pk).aggregate(**round_progress())
    writable = restrict(ConflictRound.objects.filter(pk=pk), request.user, WRITE).exists()
    is_open = conflict_round.status == RoundStatus.OPEN
    manage = writable and has_perm(request.user, "declarations.manage_round")
    return render(request, "declarations/round_detail.html", {
        "round": conflict_round, "progress": progress,
        "pending": progress["total"] - progress["declared"],
        "overdue": today > conflict_round.due_on, "today": today,
        "page_obj": paginate(request, roster(conflict_round, request.user,
                                             roster_filter(request.GET))),
        "query": query_without_page(request), "state": request.GET.get("state", ""),
        "q": request.GET.get("q", ""),
        "can_manage": manage and is_open, "can_close": manage and is_open,
        "can_reopen": manage and not is_open,
        "can_declare": writable and is_open and has_perm(request.user, "declarations.declare"),
        "can_export": has_perm(request.user, "declarations.export"),
    })


def _transition(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    require(request.user, "declarations.manage_round")
    conflict_round = access(ConflictRound.objects.all(), request.user, pk, WRITE)
    try:
        run(conflict_round)
    except (ValidationError, TransitionNotAllowed) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("conflict_round_detail", pk=pk)


@login_required
@require_POST
def conflict_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    return _transition(request, pk,
                       lambda r: round_actions.do_close_conflict_round(r, actor=actor),
                       _("本轮申报已结束"))


@login_required
@require_POST
def conflict_round_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    return _transition(request, pk,
                       lambda r: round_actions.do_reopen_conflict_round(r, actor=actor),
                       _("已重新开放申报"))


urlpatterns = [
    path("conflicts/", conflict_round_list, name="conflict_round_list"),
    path("conflicts/new/", conflict_round_create, name="conflict_round_create"),
    path("conflicts/<int:pk>/", conflict_round_detail, name="conflict_round_detail"),
    path("conflicts/<int:pk>/close/", conflict_round_close, name="conflict_round_close"),
    path("conflicts/<int:pk>/reopen/", conflict_round_reopen, name="conflict_round_reopen"),
]
