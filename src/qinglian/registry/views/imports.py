"""Bulk import pages: the history of imports, the upload form with its error report, one
import's summary, and the template download.

The import runs synchronously in the request (10,000 rows take seconds): it validates every
row first and, if any fails, answers with the report — row, column, value, reason — and
imports nothing. Permission ``registry.import``; a user sees the imports of the organisations
in their scope (a chamber its own, a federation its jurisdiction's).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.import_templates import template_csv, template_xlsx
from qinglian.core.imports import RowError
from qinglian.core.models import Job, JobStatus
from qinglian.core.paging import paginate
from qinglian.core.permissions import require, restrict

from ..imports import KIND, SUMMARY_LABELS, host_chambers, import_members, member_spec
from ..models import Organisation
from .people import acting_user

#: Errors listed on the page; the downloadable report has all of them.
ERRORS_SHOWN = 500
#: A job still "running" after this long was interrupted (its transaction never committed).
STALE_AFTER = dt.timedelta(minutes=30)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_jobs(user: Any) -> QuerySet[Job]:
    """Member imports in the user's scope: made for an organisation the user can see."""
    qs = Job.objects.filter(kind=KIND).select_related("created_by", "organisation")
    if user.role == Role.ADMIN:
        return qs.order_by("-id")
    visible = restrict(Organisation.objects.all(), user).values("pk")
    return qs.filter(organisation__in=visible).order_by("-id")


def access_import_job(user: Any, pk: int) -> Job:
    """The import with this id in the user's scope, or the same 404 as a missing one."""
    try:
        return import_jobs(user).get(pk=pk)
    except Job.DoesNotExist as exc:
        raise Http404(_("未找到该导入记录")) from exc


def is_interrupted(job: Job) -> bool:
    return job.status == JobStatus.RUNNING and timezone.now() - job.created_at > STALE_AFTER


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("导入文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GBK 编码）"),
        error_messages={"required": _("请选择要导入的文件"), "empty": _("文件是空的（0 字节）")},
    )
    chamber = forms.ModelChoiceField(
        label=_("默认商会"), queryset=Organisation.objects.none(), required=False,
        empty_label=_("按文件中“所属商会”列"),
        help_text=_("文件中“所属商会”留空的行加入该商会"),
    )

    def __init__(self, *args: Any, hosts: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chamber"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = hosts

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.QINGLIAN_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("文件大小 %(size).1f MB，超过 %(limit).0f MB 的上限，请拆分后分批导入")
                % {"size": upload.size / 1048576, "limit": limit / 1048576})
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise forms.ValidationError(
                _("只能导入 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）"))
        return upload


def _summary_rows(job: Job) -> list[tuple[str, str, int]]:
    return [(key, label, int(job.summary.get(key, 0))) for key, label in SUMMARY_LABELS.items()]


def _errors(job: Job) -> list[RowError]:
    return [RowError.from_dict(e) for e in job.errors or []]


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "registry.import")
    page_obj = paginate(request, import_jobs(request.user))
    for job in page_obj.object_list:
        job.interrupted = is_interrupted(job)  # type: ignore[attr-defined]
    return render(request, "registry/import_list.html", {"page_obj": page_obj})


def _home_chamber(request: HttpRequest) -> Organisation | None:
    home = getattr(request.user, "organisation", None)
    if request.user.role == Role.CHAMBER_OFFICER and home is not None:  # type: ignore[union-attr]
        return home
    return None


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    require(request.user, "registry.import")
    actor = acting_user(request)
    hosts = host_chambers(actor)
    home = _home_chamber(request)
    initial = {"chamber": home.pk} if home is not None else {}
    if request.method != "POST":
        form = ImportUploadForm(hosts=hosts, initial=initial)
        return render(request, "registry/import_upload.html", _upload_context(form))
    form = ImportUploadForm(request.POST, request.FILES, hosts=hosts, initial=initial)
    if not form.is_valid():
        return render(request, "registry/import_upload.html", _upload_context(form))
    upload: UploadedFile = form.cleaned_data["file"]
    outcome = import_members(
        upload.read(), upload.name or "import", actor=actor,
        default_chamber=form.cleaned_data["chamber"],
    )
    if outcome.ok:
        return redirect("import_detail", pk=outcome.job.pk)
    return render(request, "registry/import_upload.html",
                  _upload_context(form, job=outcome.job, errors=outcome.errors))


def _upload_context(form: ImportUploadForm, job: Job | None = None,
                    errors: list[RowError] | None = None) -> dict[str, Any]:
    errors = errors or []
    return {
        "form": form, "job": job, "errors": errors[:ERRORS_SHOWN], "error_count": len(errors),
        "max_mb": settings.QINGLIAN_MAX_UPLOAD_BYTES // 1048576,
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    require(request.user, "registry.import")
    job = access_import_job(request.user, pk)
    errors = _errors(job)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"导入错误报告_{job.pk}", "错误报告", [
            Column(_("行号"), lambda e: e.row or _("整个文件"), 10),
            Column(_("列"), lambda e: e.column, 20),
            Column(_("值"), lambda e: e.value, 30),
            Column(_("原因"), lambda e: e.reason, 80),
        ], errors)
    return render(request, "registry/import_detail.html", {
        "job": job, "summary": _summary_rows(job), "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors), "interrupted": is_interrupted(job),
    })


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The template with Chinese headers: .xlsx (default) or ?format=csv (UTF-8 with BOM)."""
    require(request.user, "registry.import")
    example = _home_chamber(request) or host_chambers(acting_user(request)).first()
    spec = member_spec(example.name if example is not None else "")
    if request.GET.get("format") == "csv":
        response = HttpResponse(template_csv(spec), content_type="text/csv; charset=utf-8")
        name = "会员企业导入模板.csv"
    else:
        response = HttpResponse(template_xlsx(spec), content_type=XLSX_TYPE)
        name = "会员企业导入模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


urlpatterns = [
    path("imports/", import_list, name="import_list"),
    path("imports/new/", import_upload, name="import_upload"),
    path("imports/template/", import_template, name="import_template"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
]
