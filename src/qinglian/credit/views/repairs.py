"""Credit repair pages (信用修复): the list of applications, applying for one of the own
enterprise's records, and an application's page with the decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from .. import repair_actions
from ..choices import RepairStatus
from ..forms_process import RepairDecisionForm, RepairForm
from ..models import CreditRecord, RepairApplication
from ..process_queries import list_repairs
from .listings import actor_of


def repair_columns() -> list[Column]:
    return [
        Column("编号", lambda x: x.number), Column("申请主体", lambda x: x.organisation.name, 28),
        Column("信用记录", lambda x: x.record.number),
        Column("整改情况", lambda x: x.correction, 40),
        Column("状态", lambda x: x.get_status_display()),
        Column("审核意见", lambda x: x.decision_note, 30),
        Column("申请时间", lambda x: x.created_at),
    ]


@login_required
@require_GET
def repair_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, "credit.view")
    repairs = list_repairs(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return xlsx_response("信用修复申请", "信用修复", repair_columns(), repairs)
    return render(request, "credit/repair_list.html", {
        "page_obj": paginate(request, repairs), "query": query_without_page(request),
        "statuses": RepairStatus.choices, "status": request.GET.get("status", ""),
        "q": request.GET.get("q", ""), "can_export": has_perm(request.user, "credit.export"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def repair_create(request: HttpRequest) -> HttpResponse:
    """Apply for repair of one of the own published negative records (?record=)."""
    require(request.user, "credit.apply_repair")
    record_id = parse_id(request.GET.get("record"))
    if record_id is None:
        raise Http404("未找到该记录")
    record = access(CreditRecord.objects.all(), request.user, record_id)
    refusal = repair_actions.repair_refusal(record, timezone.localdate())
    form = RepairForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = repair_actions.do_apply_repair(
                record, actor=actor_of(request), correction=data["correction"],
                pledge=data["pledge"], files=data["evidence"])
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, "已提交信用修复申请，信用修复承诺已公示")
            return redirect("credit_repair_detail", pk=application.pk)
    return render(request, "credit/repair_form.html", {
        "form": form, "record": record, "refusal": refusal})


@login_required
@require_GET
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.view")
    application = access(RepairApplication.objects.select_related(
        "record", "organisation", "pledge", "applied_by", "decided_by"), request.user, pk)
    return _detail(request, application, RepairDecisionForm())


def _detail(request: HttpRequest, application: RepairApplication,
            form: RepairDecisionForm) -> HttpResponse:
    can_decide = (application.status == RepairStatus.SUBMITTED
                  and has_perm(request.user, "credit.decide_repair")
                  and restrict(RepairApplication.objects.filter(pk=application.pk),
                               request.user, WRITE).exists())
    return render(request, "credit/repair_detail.html", {
        "application": application, "files": application.files.all(),
        "can_decide": can_decide, "form": form})


@login_required
@require_POST
def repair_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.decide_repair")
    application = access(RepairApplication.objects.select_related("record", "organisation"),
                         request.user, pk, WRITE)
    form = RepairDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            repair_actions.do_decide_repair(application, actor=actor_of(request),
                                            approve=approve, note=form.cleaned_data["note"])
        except (ValidationError, TransitionNotAllowed) as exc:
            application.refresh_from_db()
            if application.status != RepairStatus.SUBMITTED:  # decided meanwhile: say so
                messages.error(request, "；".join(exc.messages) if isinstance(
                    exc, ValidationError) else str(exc))
                return redirect("credit_repair_detail", pk=pk)
            if isinstance(exc, ValidationError):
                form.apply_action_error(exc)
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, "已准予信用修复，该记录不再公示" if approve
                             else "已作出不予修复的决定")
            return redirect("credit_repair_detail", pk=pk)
    return _detail(request, application, form)


urlpatterns = [
    path("repairs/", repair_list, name="credit_repair_list"),
    path("repairs/new/", repair_create, name="credit_repair_create"),
    path("repairs/<int:pk>/", repair_detail, name="credit_repair_detail"),
    path("repairs/<int:pk>/decide/", repair_decide, name="credit_repair_decide"),
]
