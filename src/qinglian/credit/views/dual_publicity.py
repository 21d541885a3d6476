"""Dual publicity (双公示) pages: the queue of licences and penalties awaiting publication
(overdue, due within 3 working days), publishing selected items, and the import of files in
the national column layout — checked whole, previewed (how many rows, how many new
enterprises), then written all or nothing — with its templates."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.exports import xlsx_response
from qinglian.core.import_templates import template_csv, template_xlsx
from qinglian.core.imports import RowError, TableError
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import WRITE, has_perm, require, restrict
from qinglian.core.workdays import calendar_warning
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id
from qinglian.registry.views.people import acting_user

from .. import actions
from ..exports import queue_columns
from ..forms_records import DualImportForm
from ..imports import KINDS, SPECS, ImportPlan, do_import_dual_publicity, plan_import
from ..models import CreditRecord
from ..record_queries import dual_publicity_counts, dual_publicity_queue
from ..windows import due_soon_until

TABS = (("overdue", "已逾期"), ("due_soon", "临期（3 个工作日内）"), ("", "全部待公示"))
MAX_ERRORS_SHOWN = 500


@login_required
@require_GET
def credit_dual_publicity(request: HttpRequest) -> HttpResponseBase:
    """Items awaiting publication, most urgent first, with the counts of the dashboard."""
    require(request.user, "credit.view_dashboard")
    today = timezone.localdate()
    which = request.GET.get("show", "overdue")
    if which not in dict(TABS):
        which = "overdue"
    items = dual_publicity_queue(request.user, today, which)
    if request.GET.get("export") == "xlsx":
        require(request.user, "credit.export")
        return xlsx_response("双公示待公示", "待公示", queue_columns(today), items.iterator())
    page = paginate(request, items, per_page=50)
    writable = set(restrict(CreditRecord.objects.filter(pk__in=[r.pk for r in page]),
                            request.user, WRITE).values_list("pk", flat=True))
    return render(request, "credit/dual_publicity.html", {
        "page_obj": page, "query": query_without_page(request), "show": which, "tabs": TABS,
        "counts": dual_publicity_counts(request.user, today), "today": today,
        "soon_until": due_soon_until(today), "writable": writable,
        "warnings": [w for w in {calendar_warning(today.year),
                                 calendar_warning(due_soon_until(today).year)} if w],
        "can_publish": has_perm(request.user, "credit.publish_record"),
        "can_import": has_perm(request.user, "credit.import"),
        "can_export": has_perm(request.user, "credit.export"),
    })


@login_required
@require_POST
def credit_dual_publicity_publish(request: HttpRequest) -> HttpResponse:
    """Publish the selected items (each in its own transaction; refusals are listed)."""
    require(request.user, "credit.publish_record")
    ids = [pk for pk in (parse_id(v) for v in request.POST.getlist("record")) if pk]
    records = list(restrict(CreditRecord.objects.filter(pk__in=ids[:500]), request.user, WRITE)
                   .order_by("publish_due", "pk"))
    back = f"{reverse('credit_dual_publicity')}?{request.POST.get('back', '')}"
    if not records:
        messages.warning(request, "请先勾选要公示的信息")
        return redirect(back)
    published, refusals = actions.do_publish_records(records, actor=acting_user(request))
    if published:
        messages.success(request, f"已公示 {published} 条，公示日期为今天")
    for text in refusals[:20]:
        messages.error(request, text)
    return redirect(back)


# --- import ---------------------------------------------------------------------------------


def _upload_dir() -> Path:
    return Path(settings.QINGLIAN_HOME) / "imports" / "credit"


_TOKEN = re.compile(r"^(penalty|licence)-([0-9a-f]{64})\.(xlsx|csv)$")


def _keep(user_id: int | None, kind: str, name: str, content: bytes) -> str:
    """Keep the checked file until the user confirms; the token names it."""
    ext = "xlsx" if name.lower().endswith(".xlsx") else "csv"
    token = f"{kind}-{hashlib.sha256(content).hexdigest()}.{ext}"
    folder = _upload_dir() / str(user_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / token).write_bytes(content)
    return token


def _kept(user_id: int | None, token: str) -> tuple[str, bytes, str]:
    match = _TOKEN.match(token or "")
    file = _upload_dir() / str(user_id) / token if match else None
    if match is None or file is None or not file.is_file():
        raise Http404("导入文件已失效，请重新上传")
    return match.group(1), file.read_bytes(), f"导入文件.{match.group(3)}"


def _federation(request: HttpRequest, form: DualImportForm) -> Organisation | None:
    if "federation" in form.fields:
        chosen = form.cleaned_data.get("federation") if hasattr(form, "cleaned_data") else None
        return chosen if isinstance(chosen, Organisation) else None
    fed = jurisdiction_id(request.user)
    return Organisation.objects.filter(pk=fed).first() if fed else None


def _federations(request: HttpRequest) -> QuerySet[Organisation] | None:
    if jurisdiction_id(request.user) is None:
        return Organisation.objects.filter(kind=OrganisationKind.FEDERATION).order_by("name")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def credit_dual_import(request: HttpRequest) -> HttpResponse:
    """Upload → every row checked → preview (rows, new enterprises) or the error report →
    confirm → imported in one transaction."""
    require(request.user, "credit.import")
    federations = _federations(request)
    form = DualImportForm(request.POST or None, request.FILES or None,
                          federations=federations,
                          initial={"kind": request.GET.get("kind", "penalty")})
    errors: list[RowError] = []
    error_count = 0
    plan: ImportPlan | None = None
    federation: Organisation | None = None
    token = ""
    if request.method == "POST" and request.POST.get("confirm"):
        return _confirm(request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        content, name = upload.read(), upload.name or ""
        federation = _federation(request, form)
        try:
            if federation is None:
                raise ValidationError({"federation": "请选择工商联"})
            plan = plan_import(kind, content, name, federation)
        except TableError as exc:
            error_count = len(exc.errors)
            errors = exc.errors[:MAX_ERRORS_SHOWN]
            form.add_error(None, f"文件中有 {error_count} 处问题，未导入任何数据：请按下表改正后重新上传")
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            token = _keep(request.user.pk, kind, name, content)
    return render(request, "credit/dual_publicity_import.html", {
        "form": form, "errors": errors, "error_count": error_count, "plan": plan,
        "token": token, "federation_id": federation.pk
        if federation is not None and federations is not None else "",
        "specs": [(kind, label, SPECS[kind]) for kind, label in KINDS.items()],
    })


def _confirm(request: HttpRequest) -> HttpResponse:
    kind, content, name = _kept(request.user.pk, request.POST.get("token", ""))
    federation = None
    fed_id = parse_id(request.POST.get("federation"))
    if fed_id is not None:
        federation = Organisation.objects.filter(pk=fed_id).first()
    try:
        result = do_import_dual_publicity(kind, content, name, actor=acting_user(request),
                                          federation=federation)
    except TableError as exc:
        messages.error(request, "导入前复核发现问题（可能已有人导入了相同文号），未导入任何数据："
                       + "；".join(e.reason for e in exc.errors[:5]))
        return redirect("credit_dual_import")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("credit_dual_import")
    (_upload_dir() / str(request.user.pk) / request.POST.get("token", "")).unlink(missing_ok=True)
    messages.success(request, f"已导入 {result.created} 条{KINDS[kind]}信息"
                     + (f"，新建企业档案 {result.new_enterprises} 户" if result.new_enterprises
                        else "") + "；请在 7 个工作日期限内公示")
    return redirect(f"{reverse('credit_dual_publicity')}?show=")


@login_required
@require_GET
def credit_dual_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The import template of a kind, .xlsx (default) or .csv (``?format=csv``)."""
    require(request.user, "credit.import")
    if kind not in SPECS:
        raise Http404("未找到该模板")
    spec = SPECS[kind]
    if request.GET.get("format") == "csv":
        response = HttpResponse(template_csv(spec), content_type="text/csv; charset=utf-8")
        name = f"双公示_{KINDS[kind]}_导入模板.csv"
    else:
        response = HttpResponse(template_xlsx(spec), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        name = f"双公示_{KINDS[kind]}_导入模板.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


urlpatterns = [
    path("dual-publicity/", credit_dual_publicity, name="credit_dual_publicity"),
    path("dual-publicity/publish/", credit_dual_publicity_publish,
         name="credit_dual_publicity_publish"),
    path("dual-publicity/import/", credit_dual_import, name="credit_dual_import"),
    path("dual-publicity/template/<str:kind>/", credit_dual_template,
         name="credit_dual_template"),
]
