"""Data intake pages (数据接入): datasets by kind, upload, column mapping, a load's page (status
with a progress bar polling while it works, its errors and their full report, or — once ready —
rows, date range and the profile of each column), and a dataset's version history."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.registry.views.people import acting_user

from .. import intake_actions
from ..choices import LoadStatus
from ..forms_intake import MappingForm, UploadForm
from ..intake import store
from ..intake.mapping import describe_unmapped, unmapped
from ..intake.privacy import mask_column_profile
from ..models import Dataset, DatasetVersion
from ..schemas import SCHEMAS, DatasetKind

ACTIVE = (LoadStatus.QUEUED, LoadStatus.VALIDATING)
#: Loads that ended without a version: their page offers to upload a corrected file.
RETRY = (LoadStatus.REJECTED, LoadStatus.FAILED, LoadStatus.CANCELLED)


def _versions(request: HttpRequest) -> Any:
    return restrict(DatasetVersion.objects.select_related("dataset__organisation", "uploaded_by"),
                    request.user)


@login_required
@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    """Every dataset in scope with its latest ready version, and the recent loads."""
    require(request.user, "monitoring.view")
    newest = DatasetVersion.objects.filter(dataset=OuterRef("pk"), status=LoadStatus.READY) \
        .order_by("-version").values("pk")[:1]
    datasets = list(restrict(Dataset.objects.select_related("organisation"), request.user)
                    .annotate(latest_id=Subquery(newest)))
    ready = DatasetVersion.objects.in_bulk([d.latest_id for d in datasets if d.latest_id])
    rows = [{"dataset": d, "latest": ready.get(d.latest_id)} for d in datasets]
    loads = _versions(request).order_by("-created_at", "-pk")
    return render(request, "monitoring/dataset_list.html", {
        "rows": rows, "page_obj": paginate(request, loads, per_page=20),
        "can_load": has_perm(request.user, "monitoring.load"),
        "kinds": DatasetKind.choices,
        # the empty state tells a federation officer about OCDS first (its usual data)
        "federation": getattr(request.user, "role", "") in (Role.FEDERATION_OFFICER, Role.ADMIN),
    })


@login_required
@require_http_methods(["GET", "POST"])
def dataset_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, "monitoring.load")
    organisations = intake_actions.organisations_for(request.user)
    # ?kind=…&organisation=… : "上传更正后的文件" from a load that did not pass
    initial = {"kind": request.GET.get("kind", DatasetKind.PAYMENTS)}
    if str(request.GET.get("organisation", "")).isdigit():
        initial["organisation"] = organisations.filter(pk=request.GET["organisation"]).first()
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        organisation = form.cleaned_data["organisation"]
        if organisation is None:
            form.add_error("organisation", "请选择单位")
        else:
            try:
                version = intake_actions.do_upload_dataset(
                    organisation, form.cleaned_data["kind"], name=upload.name or "upload",
                    chunks=upload.chunks(), actor=acting_user(request))
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                if version.dataset.kind == DatasetKind.OCDS:
                    intake_actions.do_confirm_mapping(version, {}, actor=acting_user(request))
                    messages.success(request, "文件已上传，正在导入")
                    return redirect("monitoring_dataset_version", version.pk)
                messages.success(request, "文件已上传，请确认列对应关系")
                return redirect("monitoring_dataset_mapping", version.pk)
    return render(request, "monitoring/dataset_upload.html", {
        "form": form, "schemas": [(DatasetKind(k).label, s) for k, s in SCHEMAS.items()
                                  if s.columns],
    })


@login_required
@require_http_methods(["GET", "POST"])
def dataset_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "monitoring.load")
    version = access(_versions(request), request.user, pk, WRITE)
    if version.status != LoadStatus.UPLOADED:
        return redirect("monitoring_dataset_version", version.pk)
    if request.method == "POST" and "sheet" in request.POST:  # another worksheet of a workbook
        sheet = str(request.POST["sheet"])
        try:
            intake_actions.do_choose_sheet(version, sheet, actor=acting_user(request))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已改为读取工作表“{sheet}”，请确认列对应")
        return redirect("monitoring_dataset_mapping", version.pk)
    kind = version.dataset.kind
    headers = intake_actions.file_headers(version)
    form = MappingForm(request.POST or None, kind=kind, headers=headers,
                       initial_mapping=version.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            intake_actions.do_confirm_mapping(version, form.mapping(), actor=acting_user(request))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "列对应已保存，正在校验并导入")
            return redirect("monitoring_dataset_version", version.pk)
    # what the current choice leaves out (the submitted one when the page is shown again)
    chosen = ({name: str(request.POST.get(name, "")) for name in form.fields} if form.is_bound
              else dict(version.mapping))
    dropped, empty = unmapped(SCHEMAS[kind], headers, chosen)
    return render(request, "monitoring/dataset_mapping.html", {
        "unmapped_text": describe_unmapped(dropped), "unmapped_headers": dropped,
        "empty_columns": empty,
        "version": version, "form": form, "headers": headers, "schema": SCHEMAS[kind],
        "same_file": intake_actions.same_file_version(version),
        "sheets": version.profile.get("sheets", []), "sheet": version.profile.get("sheet", ""),
    })


@login_required
@require_GET
def dataset_version(request: HttpRequest, pk: int) -> HttpResponse:
    """A load: its status and progress, its errors, or (ready) its profile."""
    require(request.user, "monitoring.view")
    version = access(_versions(request), request.user, pk)
    schema = SCHEMAS[version.dataset.kind]
    # masked again on display: versions profiled before masking existed hold clear values
    profile = [mask_column_profile(c.name, version.profile[c.name]) | {"name": c.name}
               for c in schema.columns if c.name in version.profile] \
        if version.status == LoadStatus.READY else []
    return render(request, "monitoring/dataset_version.html", {
        "version": version, "profile": profile, "active": version.status in ACTIVE,
        "can_load": _may_change(request, version),
        "tables": version.profile.get("tables", {}) if version.dataset.kind == DatasetKind.OCDS
        else {},
        "report": store.error_report(version) is not None,
        "error_total": version.bad_rows,
        "unmapped_text": describe_unmapped(version.profile.get("unmapped_headers") or [],
                                           done=True),
        # an operations figure: for the platform's administrators, not for the uploader
        "show_memory": request.user.is_staff or getattr(request.user, "role", "") == Role.ADMIN,
        "retry": version.status in RETRY,
        "empty_columns": version.profile.get("unmapped_columns") or [],
    })


@login_required
@require_GET
def dataset_version_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status panel alone (htmx polls it every second while the load works); once the load
    has finished it tells the page to reload."""
    require(request.user, "monitoring.view")
    version = access(_versions(request), request.user, pk)
    response = render(request, "monitoring/dataset_progress.html", {
        "version": version, "active": version.status in ACTIVE,
        "can_load": _may_change(request, version)})
    if version.status not in ACTIVE and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def dataset_version_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "monitoring.load")
    version = access(_versions(request), request.user, pk, WRITE)
    try:
        intake_actions.do_cancel_load(version, actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied:
        raise
    else:
        messages.success(request, "已取消" if version.status == LoadStatus.UPLOADED
                         else "已请求取消，任务将在当前步骤结束时停止")
    return redirect("monitoring_dataset_version", version.pk)


@login_required
@require_GET
def dataset_version_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The full error report of a rejected load, as CSV (default) or Excel."""
    require(request.user, "monitoring.export")
    version = access(_versions(request), request.user, pk)
    report = store.error_report(version)
    stem = f"校验错误_{version.dataset.get_kind_display()}_{version.pk}"
    # The file has every error; without it (never written, or removed) the inline ones.
    rows: Iterator[list[str]] = _report_rows(report) if report else iter(
        [[str(e["row"]), e["column"], e["value"], e["reason"]] for e in version.errors])
    if request.GET.get("format") == "xlsx":
        columns = [Column("行号", lambda r: int(r[0]) if r[0].isdigit() else r[0], 8),
                   Column("列", lambda r: r[1], 24), Column("值", lambda r: r[2], 30),
                   Column("原因", lambda r: r[3], 60)]
        return xlsx_response(stem, "校验错误", columns, rows)
    body = _with_bom(report) if report else iter(
        ["\ufeff行号,列,值,原因\n".encode(), *(_csv_line(r) for r in rows)])
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stem + '.csv')}"
    return response


def _report_rows(report: Path) -> Iterator[list[str]]:
    with report.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        yield from reader


def _csv_line(row: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue().encode()


def _with_bom(report: Path) -> Iterator[bytes]:
    yield "\ufeff".encode()
    with report.open("rb") as handle:
        while chunk := handle.read(256 * 1024):
            yield chunk


@login_required
@require_GET
def dataset_history(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every load of one dataset, newest first (versions are immutable; the newest ready one
    is what runs read)."""
    require(request.user, "monitoring.view")
    dataset = access(restrict(Dataset.objects.select_related("organisation"), request.user),
                     request.user, pk)
    loads = _versions(request).filter(dataset=dataset).order_by("-created_at", "-pk")
    if request.GET.get("export") == "xlsx":
        require(request.user, "monitoring.export")
        return xlsx_response(f"数据集版本_{dataset.get_kind_display()}", "版本", [
            Column("版本", lambda v: v.version or "", 8),
            Column("状态", lambda v: v.get_status_display(), 12),
            Column("原文件名", lambda v: v.source_name, 30),
            Column("行数", lambda v: v.rows, 12),
            Column("最早日期", lambda v: v.date_min, 12),
            Column("最晚日期", lambda v: v.date_max, 12),
            Column("上传时间", lambda v: v.created_at, 20),
            Column("上传人", lambda v: v.uploaded_by.display_name if v.uploaded_by else "", 12),
        ], loads)
    return render(request, "monitoring/dataset_history.html", {
        "dataset": dataset, "page_obj": paginate(request, loads, per_page=20),
        "can_load": has_perm(request.user, "monitoring.load"),
    })


def _may_change(request: HttpRequest, version: DatasetVersion) -> bool:
    return has_perm(request.user, "monitoring.load") and restrict(
        DatasetVersion.objects.filter(pk=version.pk), request.user, WRITE).exists()


urlpatterns = [
    path("datasets/", dataset_list, name="monitoring_dataset_list"),
    path("datasets/upload/", dataset_upload, name="monitoring_dataset_upload"),
    path("datasets/<int:pk>/", dataset_history, name="monitoring_dataset_history"),
    path("loads/<int:pk>/", dataset_version, name="monitoring_dataset_version"),
    path("loads/<int:pk>/mapping/", dataset_mapping, name="monitoring_dataset_mapping"),
    path("loads/<int:pk>/progress/", dataset_version_progress,
         name="monitoring_dataset_version_progress"),
    path("loads/<int:pk>/cancel/", dataset_version_cancel,
         name="monitoring_dataset_version_cancel"),
    path("loads/<int:pk>/errors/", dataset_version_errors,
         name="monitoring_dataset_version_errors"),
]
