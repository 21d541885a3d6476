"""Risk assessment rounds (风险评估): list, prepare, walk the register item by item (htmx),
submit, and the responsible leader's approval or return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.models import User
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from .. import round_actions
from ..choices import ASSESSABLE_ROUND, RoundStatus
from ..forms import DecisionForm, ItemForm, RoundForm
from ..models import AssessmentRound, RoundItem
from ..queries import area_order
from ..workflow import ROUND_FLOW
from .common import acting_user, report_refusal, writable_registers

STEPS = [RoundStatus.DRAFT, RoundStatus.IN_PROGRESS, RoundStatus.SUBMITTED, RoundStatus.APPROVED]


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.view")
    rounds = restrict(AssessmentRound.objects.select_related("organisation", "leader"),
                      request.user).annotate(
        total=Count("items"), done=Count("items", filter=Q(items__assessed_at__isnull=False)),
    ).order_by("-year", "-id")
    return render(request, "risk/round_list.html", {
        "page_obj": paginate(request, rounds), "query": query_without_page(request),
        "can_start": has_perm(request.user, "risk.run_round")
        and writable_registers(request.user).exists(),
    })


def _leader_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """Users who may be named leader: active accounts of a register the user keeps, whose
    role may approve (one query; the action checks the chosen one again)."""
    users = User.objects.filter(organisation__in=writable_registers(request.user),
                                is_active=True).select_related("organisation")
    return [(u.pk, f"{u}（{u.organisation.short_name or u.organisation.name}）")
            for u in users.order_by("organisation__name_pinyin", "username")
            if u.organisation is not None and has_perm(u, "risk.approve_round")]


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    """Prepare a round and name the responsible leader who will approve it."""
    require(request.user, "risk.run_round")
    organisations = writable_registers(request.user)
    form = RoundForm(request.POST or None, organisations=organisations,
                     leaders=_leader_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        leader = next((u for u in round_actions.eligible_leaders(data["organisation"])
                       if u.pk == data["leader"]), None)
        try:
            if leader is None:
                raise ValidationError({"leader": _("负责领导须为本单位有审批权限的在用账号")})
            created = round_actions.do_create_round(
                data["organisation"], kind=data["kind"], year=data["year"], name=data["name"],
                leader=leader, actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已创建风险评估草稿，开始评估后将逐项评估台账中的风险点"))
            return redirect("risk_round_detail", pk=created.pk)
    return render(request, "risk/round_form.html", {
        "form": form, "no_register": not organisations.exists()})


def _item_row(item: RoundItem, form: ItemForm | None = None) -> dict[str, Any]:
    return {
        "item": item, "form": form or ItemForm(prefix=f"i{item.pk}", initial={
            "likelihood": item.likelihood, "impact": item.impact,
            "residual_likelihood": item.residual_likelihood,
            "residual_impact": item.residual_impact, "note": item.note}),
    }


def _steps(assessment_round: AssessmentRound) -> list[tuple[str, bool]]:
    """The step bar: each step's label and whether the round has reached it (a returned round
    stands at "in progress")."""
    status = assessment_round.status
    current = STEPS.index(RoundStatus.IN_PROGRESS if status == RoundStatus.RETURNED else
                          RoundStatus(status))
    return [(str(step.label), n <= current) for n, step in enumerate(STEPS)]


def _may_assess(user: Any, assessment_round: AssessmentRound) -> bool:
    return (has_perm(user, "risk.run_round") and assessment_round.status in ASSESSABLE_ROUND
            and restrict(AssessmentRound.objects.filter(pk=assessment_round.pk), user,
                         WRITE).exists())


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.view")
    user = request.user
    assessment_round = access(AssessmentRound.objects.select_related(
        "organisation", "leader", "created_by"), user, pk)
    items = assessment_round.items.select_related("point", "assessed_by").annotate(
        area_order=area_order("point__area")).order_by("area_order", "point__code")
    targets = ROUND_FLOW.allowed_targets(assessment_round, user)
    writable = restrict(AssessmentRound.objects.filter(pk=pk), user, WRITE).exists()
    is_leader = user.pk == assessment_round.leader_id
    rows = [_item_row(i) for i in items]
    return render(request, "risk/round_detail.html", {
        "round": assessment_round, "rows": rows, "steps": _steps(assessment_round),
        "done": sum(1 for r in rows if r["item"].assessed_at), "total": len(rows),
        "can_assess": _may_assess(user, assessment_round),
        "can_start": writable and RoundStatus.IN_PROGRESS in targets,
        "can_submit": writable and RoundStatus.SUBMITTED in targets,
        "can_decide": writable and is_leader and RoundStatus.APPROVED in targets,
        "awaiting_leader": assessment_round.status == RoundStatus.SUBMITTED and not is_leader,
        "decision_form": DecisionForm(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def round_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """Assess one item; from the round page the row is saved and swapped in place (htmx)."""
    require(request.user, "risk.run_round")
    item = access(RoundItem.objects.select_related("round__organisation", "point",
                                                   "assessed_by"), request.user, pk, WRITE)
    form: ItemForm | None = ItemForm(request.POST or None, prefix=f"i{item.pk}")
    saved = False
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            round_actions.do_assess_item(item, actor=acting_user(request), **data)
        except (ValidationError, TransitionNotAllowed) as exc:
            if isinstance(exc, ValidationError):
                form.apply_action_error(exc)
            else:
                form.add_error(None, str(exc))
        else:
            saved = True
            if not request.headers.get("HX-Request"):
                messages.success(request, _("已保存 %(code)s 的评估") % {"code": item.point.code})
                return redirect("risk_round_detail", pk=item.round_id)
            item.refresh_from_db()
            form = None
    htmx = bool(request.headers.get("HX-Request"))
    context = {"row": _item_row(item, form), "round": item.round, "saved": saved,
               "can_assess": _may_assess(request.user, item.round), "oob": htmx,
               "done": item.round.items.filter(assessed_at__isnull=False).count(),
               "total": item.round.items.count()}
    template = "risk/partials/round_item.html" if htmx else "risk/round_item_page.html"
    return render(request, template, context)


def _transition(request: HttpRequest, pk: int, perm: str, run: Any, done: str) -> HttpResponse:
    require(request.user, perm)
    assessment_round = access(AssessmentRound.objects.all(), request.user, pk, WRITE)
    try:
        run(assessment_round)
    except (ValidationError, TransitionNotAllowed) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("risk_round_detail", pk=pk)


@login_required
@require_POST
def round_start(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    return _transition(request, pk, "risk.run_round",
                       lambda r: round_actions.do_start_round(r, actor=actor),
                       _("评估已开始，请逐项评估风险点"))


@login_required
@require_POST
def round_submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    return _transition(request, pk, "risk.run_round",
                       lambda r: round_actions.do_submit_round(r, actor=actor),
                       _("已提交负责领导审批"))


@login_required
@require_POST
def round_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the leader named for the round (others get 403, even with the permission)."""
    actor = acting_user(request)
    note = request.POST.get("note", "")
    return _transition(request, pk, "risk.approve_round",
                       lambda r: round_actions.do_approve_round(r, actor=actor, note=note),
                       _("已批准：台账风险等级已按本轮评估更新"))


@login_required
@require_POST
def round_return(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    note = request.POST.get("note", "")
    return _transition(request, pk, "risk.approve_round",
                       lambda r: round_actions.do_return_round(r, actor=actor, note=note),
                       _("已退回，评估人修改后可重新提交"))


urlpatterns = [
    path("rounds/", round_list, name="risk_round_list"),
    path("rounds/new/", round_create, name="risk_round_create"),
    path("rounds/<int:pk>/", round_detail, name="risk_round_detail"),
    path("rounds/<int:pk>/start/", round_start, name="risk_round_start"),
    path("rounds/<int:pk>/submit/", round_submit, name="risk_round_submit"),
    path("rounds/<int:pk>/approve/", round_approve, name="risk_round_approve"),
    path("rounds/<int:pk>/return/", round_return, name="risk_round_return"),
    path("rounds/items/<int:pk>/", round_assess, name="risk_round_assess"),
]
