"""Credit record pages (信用记录): the list with its search, filters and export, entering a
record, changing it before publication, correcting it after, and its page with its life,
publication and revocation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import xlsx_response
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.queries import jurisdiction_id
from qinglian.registry.views.people import acting_user

from .. import actions
from ..choices import (
    Polarity,
    RecordCategory,
    RecordStatus,
    Severity,
    Source,
    SubjectKind,
)
from ..exports import record_columns
from ..forms_records import CONTENT_FIELDS, ReasonForm, RecordForm
from ..models import CreditRecord
from ..record_queries import (
    list_records,
    record_badges,
    record_enterprises,
    record_filter,
    record_life,
    record_people,
    record_summary,
)
from ..windows import window_rules
from ..workflow import RECORD_FLOW


def report_refusal(request: HttpRequest,
                   exc: ValidationError | TransitionNotAllowed | PermissionDenied) -> None:
    """An action's refusal as a message at the top of the next page."""
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


@login_required
@require_GET
def credit_record_list(request: HttpRequest) -> HttpResponseBase:
    """The records the user may read: search by subject, code or decision number; filter by
    category, polarity, severity, status, public today, source and decision date."""
    require(request.user, "credit.view")
    today = timezone.localdate()
    f = record_filter(request.GET)
    records = list_records(request.user, f, today)
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return xlsx_response("信用记录", "信用记录", record_columns(today), records.iterator())
    page = paginate(request, records)
    return render(request, "credit/record_list.html", {
        "page_obj": page, "query": query_without_page(request), "filter": f,
        "rows": [(r, record_badges(r, today)) for r in page],
        "summary": record_summary(records, today),
        "categories": RecordCategory.choices, "polarities": Polarity.choices,
        "severities": Severity.choices, "statuses": RecordStatus.choices,
        "sources": Source.choices, "subject_kinds": SubjectKind.choices,
        "can_add": has_perm(request.user, "credit.manage_record"),
        "can_export": has_perm(request.user, "credit.export"),
    })


def _rules_hint(request: HttpRequest) -> list[Any]:
    fed = jurisdiction_id(request.user)
    return window_rules(fed) if fed else []


@login_required
@require_http_methods(["GET", "POST"])
def credit_record_create(request: HttpRequest) -> HttpResponse:
    """Enter a record about an enterprise (by code or picked) or a practitioner."""
    require(request.user, "credit.manage_record")
    can_publish = has_perm(request.user, "credit.publish_record")
    form = RecordForm(request.POST or None, mode="create",
                      enterprises=record_enterprises(request.user),
                      people=record_people(request.user), can_publish=can_publish,
                      initial={"organisation": request.GET.get("org")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = actions.do_create_record(
                data["subject"], actor=acting_user(request),
                publish=bool(data.get("publish")) and can_publish, **form.action_fields())
        except ValidationError as exc:
            form.apply_action_error(exc)
        except (PermissionDenied, TransitionNotAllowed) as exc:
            form.add_error(None, str(exc))
        else:
            if record.status == RecordStatus.PUBLISHED:
                messages.success(request, f"已录入并公示信用记录 {record.number}")
            else:
                messages.success(request, f"已录入信用记录 {record.number}（待公示）")
            return redirect("credit_record_detail", pk=record.pk)
    return render(request, "credit/record_form.html", {
        "form": form, "record": None, "mode": "create", "rules": _rules_hint(request)})


def _writable(request: HttpRequest, pk: int, perm: str) -> CreditRecord:
    require(request.user, perm)
    return access(CreditRecord.objects.select_related("organisation", "person"),
                  request.user, pk, WRITE)


def _initial(record: CreditRecord) -> dict[str, Any]:
    initial = {name: getattr(record, name) for name in CONTENT_FIELDS}
    initial["window_months"] = record.window_months if record.to_publish else None
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def credit_record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a record not yet published (待公示)."""
    record = _writable(request, pk, "credit.manage_record")
    if record.status != RecordStatus.RECORDED:
        messages.error(request, "已公示的记录不能直接修改，请通过“更正”办理并说明原因")
        return redirect("credit_record_detail", pk=pk)
    form = RecordForm(request.POST or None, mode="edit", initial=_initial(record))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_record(record, actor=acting_user(request), **form.action_fields())
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, "已保存修改")
            return redirect("credit_record_detail", pk=pk)
    return render(request, "credit/record_form.html", {
        "form": form, "record": record, "mode": "edit", "rules": _rules_hint(request)})


@login_required
@require_http_methods(["GET", "POST"])
def credit_record_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a published record; the reason is recorded with the change."""
    record = _writable(request, pk, "credit.publish_record")
    if record.status in (RecordStatus.REVOKED, RecordStatus.REPAIRED):
        messages.error(request, "已撤销或已修复的记录不能更正")
        return redirect("credit_record_detail", pk=pk)
    form = RecordForm(request.POST or None, mode="correct", initial=_initial(record))
    if request.method == "POST" and form.is_valid():
        fields = form.action_fields()
        try:
            actions.do_correct_record(record, actor=acting_user(request),
                                      reason=form.cleaned_data["reason"], **fields)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, "已更正，更正原因已记录")
            return redirect("credit_record_detail", pk=pk)
    return render(request, "credit/record_form.html", {
        "form": form, "record": record, "mode": "correct", "rules": _rules_hint(request)})


@login_required
@require_GET
def credit_record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The record, its badges, its life as a timeline, and what the user may do with it."""
    require(request.user, "credit.view")
    record = access(CreditRecord.objects.select_related(
        "organisation", "person", "entered_by", "entered_by_org", "pledge"), request.user, pk)
    user, today = request.user, timezone.localdate()
    writable = restrict(CreditRecord.objects.filter(pk=pk), user, WRITE).exists()
    targets = RECORD_FLOW.allowed_targets(record, user) if writable else []
    return render(request, "credit/record_detail.html", {
        "record": record, "badges": record_badges(record, today),
        "life": record_life(record, today), "today": today,
        "objections": record.objections.select_related("organisation").order_by("-created_at"),
        "can_edit": writable and record.status == RecordStatus.RECORDED
        and has_perm(user, "credit.manage_record"),
        "can_correct": writable and record.status == RecordStatus.PUBLISHED
        and has_perm(user, "credit.publish_record"),
        "can_publish": RecordStatus.PUBLISHED in targets and record.to_publish,
        "can_revoke": RecordStatus.REVOKED in targets,
        "revoke_form": ReasonForm(),
    })


@login_required
@require_POST
def credit_record_publish(request: HttpRequest, pk: int) -> HttpResponse:
    record = _writable(request, pk, "credit.publish_record")
    try:
        actions.do_publish_record(record, actor=acting_user(request))
    except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, f"已公示，公示至 {record.publish_until:%Y-%m-%d}"
                         if record.publish_until else "已公示")
    return redirect("credit_record_detail", pk=pk)


@login_required
@require_POST
def credit_record_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    record = _writable(request, pk, "credit.manage_record")
    try:
        actions.do_revoke_record(record, actor=acting_user(request),
                                 reason=request.POST.get("reason", ""))
    except (ValidationError, TransitionNotAllowed, PermissionDenied) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, "已撤销，该记录不再对外公示（历史保留）")
    return redirect("credit_record_detail", pk=pk)


urlpatterns = [
    path("records/", credit_record_list, name="credit_record_list"),
    path("records/new/", credit_record_create, name="credit_record_create"),
    path("records/<int:pk>/", credit_record_detail, name="credit_record_detail"),
    path("records/<int:pk>/edit/", credit_record_edit, name="credit_record_edit"),
    path("records/<int:pk>/correct/", credit_record_correct, name="credit_record_correct"),
    path("records/<int:pk>/publish/", credit_record_publish, name="credit_record_publish"),
    path("records/<int:pk>/revoke/", credit_record_revoke, name="credit_record_revoke"),
]
