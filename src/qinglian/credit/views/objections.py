"""Objection pages (异议): the handlers' list (overdue first), filing an objection against the
own enterprise's record or listing, an objection's page with handling and withdrawal, and the
download of its files (and of repair files)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict
from qinglian.core.uploads import evidence_content_type
from qinglian.core.workflow import TransitionNotAllowed

from .. import objection_actions
from ..choices import ObjectionStatus
from ..forms_process import HandleObjectionForm, ObjectionForm
from ..models import CreditFile, CreditRecord, Listing, Objection, RepairApplication
from ..process_queries import list_objections
from .listings import actor_of, run_action


def objection_columns() -> list[Column]:
    return [
        Column("编号", lambda x: x.number), Column("异议主体", lambda x: x.organisation.name, 28),
        Column("异议对象", lambda x: (x.record or x.listing).number),
        Column("异议理由", lambda x: x.reasons, 40),
        Column("状态", lambda x: x.get_status_display()),
        Column("办理期限", lambda x: x.due_on), Column("处理结果", lambda x: x.outcome, 40),
        Column("提出时间", lambda x: x.created_at),
    ]


@login_required
@require_GET
def objection_list(request: HttpRequest) -> HttpResponseBase:
    """Objections in scope; overdue open ones first, marked red."""
    require(request.user, "credit.view")
    today = timezone.localdate()
    objections = list_objections(request.user, request.GET, today)
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return xlsx_response("异议", "异议", objection_columns(), objections)
    return render(request, "credit/objection_list.html", {
        "page_obj": paginate(request, objections), "query": query_without_page(request),
        "today": today, "statuses": ObjectionStatus.choices,
        "status": request.GET.get("status", ""), "q": request.GET.get("q", ""),
        "can_export": has_perm(request.user, "credit.export"),
    })


def _target(request: HttpRequest) -> CreditRecord | Listing:
    """The record (?record=) or listing (?listing=) objected to, inside the user's scope."""
    record_id = parse_id(request.GET.get("record"))
    if record_id is not None:
        return access(CreditRecord.objects.all(), request.user, record_id)
    listing_id = parse_id(request.GET.get("listing"))
    if listing_id is not None:
        return access(Listing.objects.all(), request.user, listing_id)
    raise Http404("未找到异议对象")


@login_required
@require_http_methods(["GET", "POST"])
def objection_create(request: HttpRequest) -> HttpResponse:
    """The enterprise files an objection with reasons and files."""
    require(request.user, "credit.file_objection")
    target = _target(request)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection = objection_actions.do_file_objection(
                target, actor=actor_of(request), reasons=form.cleaned_data["reasons"],
                files=form.cleaned_data["evidence"])
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, f"已提出异议，办理期限至 {objection.due_on:%Y年%m月%d日}")
            return redirect("credit_objection_detail", pk=objection.pk)
    return render(request, "credit/objection_form.html", {
        "form": form, "target": target, "is_record": isinstance(target, CreditRecord)})


@login_required
@require_GET
def objection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.view")
    objection = access(Objection.objects.select_related(
        "record", "listing", "organisation", "filed_by", "handler"), request.user, pk)
    is_open = objection.status == ObjectionStatus.OPEN
    own = getattr(request.user, "organisation_id", None) == objection.organisation_id
    return render(request, "credit/objection_detail.html", {
        "objection": objection, "files": objection.files.all(),
        "overdue": is_open and objection.due_on < timezone.localdate(),
        "can_handle": is_open and has_perm(request.user, "credit.handle_objection")
        and restrict(Objection.objects.filter(pk=pk), request.user, WRITE).exists(),
        "can_withdraw": is_open and own and has_perm(request.user, "credit.file_objection"),
        "form": HandleObjectionForm(),
    })


@login_required
@require_POST
def objection_handle(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.handle_objection")
    objection = access(Objection.objects.select_related("record", "listing"), request.user, pk,
                       WRITE)
    form = HandleObjectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            objection_actions.do_handle_objection(
                objection, actor=actor_of(request), corrected=data["outcome_kind"] == "corrected",
                outcome=data["outcome"], corrections=form.corrected_fields())
        except ValidationError as exc:
            form.apply_action_error(exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已办结该异议")
            return redirect("credit_objection_detail", pk=pk)
    return render(request, "credit/objection_detail.html", {
        "objection": objection, "files": objection.files.all(), "can_handle": True,
        "overdue": objection.due_on < timezone.localdate(), "form": form,
    })


@login_required
@require_POST
def objection_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "credit.file_objection")
    objection = access(Objection.objects.all(), request.user, pk)
    actor = actor_of(request)
    run_action(request, lambda: objection_actions.do_withdraw_objection(
        objection, actor=actor, note=request.POST.get("note", "")), "已撤回异议")
    return redirect("credit_objection_detail", pk=pk)


@login_required
@require_GET
def credit_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A file of an objection or a repair application the user may read."""
    require(request.user, "credit.view")
    readable = (Q(objection__in=restrict(Objection.objects.all(), request.user, READ))
                | Q(repair__in=restrict(RepairApplication.objects.all(), request.user, READ)))
    row = CreditFile.objects.filter(readable, pk=pk).first()
    if row is None:
        raise Http404("未找到该文件")
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.original_name,
                        content_type=evidence_content_type(row.file.name or ""))


urlpatterns = [
    path("objections/", objection_list, name="credit_objection_list"),
    path("objections/new/", objection_create, name="credit_objection_create"),
    path("objections/<int:pk>/", objection_detail, name="credit_objection_detail"),
    path("objections/<int:pk>/handle/", objection_handle, name="credit_objection_handle"),
    path("objections/<int:pk>/withdraw/", objection_withdraw, name="credit_objection_withdraw"),
    path("files/<int:pk>/", credit_file, name="credit_file"),
]
