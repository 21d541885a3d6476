"""Alert pages (预警): the filtered list with export, an alert's page (explanation, evidence,
history, handling), the full evidence as CSV, and the handling steps."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from qinglian.core.audit import record_event
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.models import AuditRecord
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from .. import alert_actions
from ..alert_queries import access_alert, list_alerts, rule_names
from ..choices import OPEN_ALERT, AlertResolution, AlertStatus, DatasetKind
from ..conflicts import vendor_side
from ..engine import get_rule
from ..forms_alerts import AlertFilter, AssignForm, CloseForm, InvestigateForm, LinkForm
from ..models import EVIDENCE_LIMIT, Alert
from ..names import VENDOR, Names, names_for_alerts
from ..presentation import (
    NUMBER_FORMATS,
    alert_value,
    cell_text,
    mask_evidence_value,
    subject_label,
    value_kind,
)
from ..run_actions import full_evidence, table_kind
from ..schemas import SCHEMAS
from ..workflow import EVENT_LABELS, MANAGE


def _number_format(alert: Alert) -> str:
    kind = value_kind(alert.rule_code, alert.group)
    return NUMBER_FORMATS.get(kind, "0.####") if kind is not None else "0.####"


def _subject(alert: Alert, names: Names | None) -> str:
    """The subject as people read it: codes with their names where the datasets know them."""
    return subject_label(alert.group, alert.subject,
                         names.of(alert.organisation_id) if names is not None else None)


def _with_names(alerts: Iterable[Alert], chunk: int = 2000) -> Iterator[Alert]:
    """The alerts of an export, each with the names of what it names (looked up per chunk)."""
    iterator = iter(alerts)
    while batch := list(islice(iterator, chunk)):
        names = names_for_alerts(batch)
        for alert in batch:
            alert.names = names  # type: ignore[attr-defined]
            yield alert


def alert_columns(names: dict[str, str]) -> list[Column]:
    return [
        Column("编号", lambda a: a.number), Column("规则", lambda a: a.rule_code, 8),
        Column("规则名称", lambda a: names.get(a.rule_code, ""), 24),
        Column("风险等级", lambda a: a.get_severity_display(), 8),
        Column("对象", lambda a: _subject(a, getattr(a, "names", None)), 36),
        Column("单位/部门", lambda a: a.unit, 20),
        Column("供应商编号", lambda a: a.vendor_id),
        Column("供应商名称", lambda a: a.names.name(a.organisation_id, VENDOR, a.vendor_id)
               if a.vendor_id and hasattr(a, "names") else "", 24),
        Column("指标值", lambda a: a.value, 14, number_format=_number_format),
        Column("指标值（说明）", alert_value, 16),
        Column("预警说明", lambda a: a.explanation, 48),
        Column("证据行数", lambda a: a.evidence_total, 10),
        Column("发生日期", lambda a: a.occurred_on), Column("状态", lambda a: a.get_status_display()),
        Column("承办人", lambda a: a.assignee and (a.assignee.display_name or a.assignee.username)),
        Column("办理期限", lambda a: a.due_on),
        Column("办结结论", lambda a: a.get_resolution_display() if a.resolution else ""),
        Column("办结说明", lambda a: a.resolution_note, 40),
        Column("发现时间", lambda a: a.created_at),
    ]


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponseBase:
    require(request.user, "monitoring.view")
    today = timezone.localdate()
    form = AlertFilter(request.GET or None)
    alerts = list_alerts(request.user, form.filters(), today)
    names = rule_names()
    if request.GET.get("export") == "xlsx":
        require(request.user, "monitoring.export")
        return xlsx_response("预警", "预警", alert_columns(names),
                             _with_names(alerts.iterator(2000)))
    page = paginate(request, alerts)
    found = names_for_alerts(page)
    for alert in page:
        alert.rule_name = names.get(alert.rule_code, "")  # type: ignore[attr-defined]
        alert.value_text = alert_value(alert)  # type: ignore[attr-defined]
        alert.subject_text = _subject(alert, found)  # type: ignore[attr-defined]
        alert.vendor_name = found.name(alert.organisation_id, VENDOR,  # type: ignore[attr-defined]
                                       alert.vendor_id)
        alert.overdue = (alert.status in OPEN_ALERT and alert.due_on is not None  # type: ignore[attr-defined]
                         and alert.due_on < today)
    return render(request, "monitoring/alert_list.html", {
        "form": form, "page_obj": page, "query": query_without_page(request),
        "can_export": has_perm(request.user, "monitoring.export"),
    })


def _history(alert: Alert) -> list[dict[str, Any]]:
    records = (AuditRecord.objects.filter(object_type="monitoring.alert", object_id=str(alert.pk),
                                          event__startswith="alert.")
               .order_by("occurred_at", "pk")[:100])
    return [{"at": r.occurred_at, "who": r.actor_name or "系统",
             "what": EVENT_LABELS.get(r.event, r.event),
             "note": (r.after or {}).get("note", "") if isinstance(r.after, dict) else ""}
            for r in records]


def _evidence_labels(alert: Alert) -> dict[str, str]:
    """Canonical column → its Chinese label, for the rule's evidence table."""
    try:
        table = get_rule(alert.rule_code).evidence_table
    except KeyError:
        return {}
    schema = SCHEMAS.get(table_kind(table)) if table else None
    return {c.name: c.label for c in schema.columns} if schema is not None else {}


def _amount_columns(alert: Alert) -> frozenset[str]:
    """The rule's evidence columns that hold money (shown with thousands separators)."""
    try:
        table = get_rule(alert.rule_code).evidence_table
    except KeyError:
        return frozenset()
    schema = SCHEMAS.get(table_kind(table)) if table else None
    return frozenset(c.name for c in schema.columns if c.type == "amount") if schema else frozenset()


def _page_cell(name: str, value: Any, amounts: frozenset[str]) -> str:
    """An evidence value on the page: masked like the export, money as 52,300.00."""
    if name in amounts and value not in (None, ""):
        with contextlib.suppress(InvalidOperation, ValueError, TypeError):
            return f"{Decimal(str(value)):,.2f}"
    return _evidence_cell(name, value)


def _evidence_columns(alert: Alert, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    if not rows:
        return []
    labels = _evidence_labels(alert)
    return [(name, labels.get(name, name)) for name in rows[0]]


def _vendor_side(alert: Alert) -> dict[str, Any]:
    """L008: the vendor's row beside the employee's (the evidence), masked the same way."""
    rows = vendor_side(alert)
    schema = SCHEMAS.get(DatasetKind.VENDORS.value)
    labels = {c.name: c.label for c in schema.columns} if schema is not None else {}
    columns = [(name, labels.get(name, name)) for name in rows[0]] if rows else []
    return {"columns": columns,
            "rows": [[cell_text(mask_evidence_value(name, row.get(name), business=True))
                      for name, _ in columns] for row in rows]}


def _evidence_cell(name: str, value: Any, *, raw: bool = False) -> str:
    """An evidence value as shown and exported: personal data masked (unless ``raw``),
    numbers plain."""
    return cell_text(value if raw else mask_evidence_value(name, value))


def may_export_raw_evidence(user: Any, alert: Alert) -> bool:
    """Raw (unmasked) evidence goes only to those who handle alerts of the organisation:
    monitoring.handle_alert within their write scope; everyone else gets it masked."""
    return has_perm(user, "monitoring.handle_alert") and restrict(
        Alert.objects.filter(pk=alert.pk), user, WRITE).exists()


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "monitoring.view")
    alert = access_alert(request.user, pk)
    user = request.user
    writable = restrict(Alert.objects.filter(pk=alert.pk), user, WRITE).exists()
    manager = writable and has_perm(user, MANAGE)
    handler = writable and has_perm(user, "monitoring.handle_alert") and (
        manager or alert.assignee_id == user.pk)
    try:
        rule: Any = get_rule(alert.rule_code)
    except KeyError:
        rule = None
    columns = _evidence_columns(alert, alert.evidence)
    amounts = _amount_columns(alert)
    names = names_for_alerts([alert])
    return render(request, "monitoring/alert_detail.html", {
        "alert": alert, "rule": rule, "history": _history(alert),
        "evidence_columns": columns,
        "evidence_rows": [[_page_cell(name, row.get(name), amounts) for name, _ in columns]
                          for row in alert.evidence],
        "value_text": alert_value(alert),
        "subject_text": _subject(alert, names),
        "vendor_name": names.name(alert.organisation_id, VENDOR, alert.vendor_id),
        "vendor_side": _vendor_side(alert) if alert.rule_code == "L008" else None,
        "evidence_limit": EVIDENCE_LIMIT,
        "overdue": alert.status in OPEN_ALERT and alert.due_on is not None
        and alert.due_on < timezone.localdate(),
        "can_assign": manager and alert.status in (AlertStatus.NEW, AlertStatus.ASSIGNED,
                                                   AlertStatus.INVESTIGATING),
        "can_investigate": handler and alert.status == AlertStatus.ASSIGNED,
        "can_close": handler and alert.status == AlertStatus.INVESTIGATING,
        "can_link": manager and alert.status == AlertStatus.CLOSED
        and alert.resolution == AlertResolution.CONFIRMED,
        "assign_form": AssignForm(organisation_id=alert.organisation_id) if manager else None,
        "close_form": CloseForm(), "investigate_form": InvestigateForm(),
        "link_form": LinkForm(organisation_id=alert.organisation_id) if manager else None,
    })


@login_required
@require_GET
def alert_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every evidence row of the alert, read by DuckDB from the dataset version its last run
    read, as CSV (UTF-8 with BOM, so Excel opens it in Chinese): a header row of the schema's
    Chinese column labels, numbers as plain decimals, personal data masked unless the user
    handles alerts (see ``may_export_raw_evidence``; a raw export is audited)."""
    require(request.user, "monitoring.export")
    alert = access_alert(request.user, pk)
    found = full_evidence(alert)
    if found is None:
        raise Http404("该预警没有可导出的证据行")
    columns, rows = found
    labels = _evidence_labels(alert)
    raw = may_export_raw_evidence(request.user, alert)
    if raw:
        record_event(alert, "evidence.exported_raw", actor=request.user,  # type: ignore[arg-type]
                     details={"masked": False})

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([labels.get(name, name) for name in columns])
        yield "\ufeff" + buffer.getvalue()
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([_evidence_cell(name, v, raw=raw)
                             for name, v in zip(columns, row, strict=True)])
            yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"预警证据_{alert.number}.csv"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _handle(request: HttpRequest, pk: int, perm: str, step: Any) -> HttpResponse:
    require(request.user, perm)
    alert = access_alert(request.user, pk, WRITE)
    try:
        done = step(alert)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        if done:
            messages.success(request, done)
    return redirect("monitoring_alert_detail", pk=alert.pk)


def _form_errors(form: Any) -> str:
    raise ValidationError([m for errors in form.errors.values() for m in errors])


@login_required
@require_POST
def alert_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def step(alert: Alert) -> str:
        form = AssignForm(request.POST, organisation_id=alert.organisation_id)
        if not form.is_valid():
            _form_errors(form)
        alert_actions.do_assign_alert(alert, assignee=form.cleaned_data["assignee"],
                                      due_on=form.cleaned_data.get("due_on"),
                                      actor=request.user)
        return f"已分派，办理期限 {alert.due_on:%Y年%m月%d日}"

    return _handle(request, pk, MANAGE, step)


@login_required
@require_POST
def alert_investigate(request: HttpRequest, pk: int) -> HttpResponse:
    def step(alert: Alert) -> str:
        form = InvestigateForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        alert_actions.do_start_investigation(alert, note=note, actor=request.user)
        return "已开始核查"

    return _handle(request, pk, "monitoring.handle_alert", step)


@login_required
@require_POST
def alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    def step(alert: Alert) -> str:
        form = CloseForm(request.POST)
        if not form.is_valid():
            _form_errors(form)
        alert_actions.do_close_alert(alert, resolution=form.cleaned_data["resolution"],
                                     note=form.cleaned_data["note"], actor=request.user)
        return "预警已办结"

    return _handle(request, pk, "monitoring.handle_alert", step)


@login_required
@require_POST
def alert_link(request: HttpRequest, pk: int) -> HttpResponse:
    def step(alert: Alert) -> str:
        form = LinkForm(request.POST, organisation_id=alert.organisation_id)
        if not form.is_valid():
            _form_errors(form)
        alert_actions.do_link_alert_to_risk_point(alert, point_id=int(form.cleaned_data["point"]),
                                                  actor=request.user)
        return "已关联廉洁风险点"

    return _handle(request, pk, MANAGE, step)


urlpatterns = [
    path("alerts/", alert_list, name="monitoring_alert_list"),
    path("alerts/<int:pk>/", alert_detail, name="monitoring_alert_detail"),
    path("alerts/<int:pk>/evidence.csv", alert_evidence, name="monitoring_alert_evidence"),
    path("alerts/<int:pk>/assign/", alert_assign, name="monitoring_alert_assign"),
    path("alerts/<int:pk>/investigate/", alert_investigate, name="monitoring_alert_investigate"),
    path("alerts/<int:pk>/close/", alert_close, name="monitoring_alert_close"),
    path("alerts/<int:pk>/link/", alert_link, name="monitoring_alert_link"),
]
