"""Core pages: sign-in, the audit trail and one object's history.

The audit trail is read-only everywhere: there is no view that edits or deletes a record.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from .audit import verify_chain
from .exports import Column, xlsx_response
from .forms import AuditFilterForm, SignInForm
from .history import (
    RelatedNames,
    display_value,
    event_label,
    history_entry,
    model_for,
    object_type_label,
)
from .models import AuditRecord
from .paging import paginate
from .permissions import has_perm, require
from .queries import (
    HISTORY_LIMIT,
    history_of,
    list_audit_records,
    recorded_events,
    recorded_object_types,
)


class SignInView(auth_views.LoginView):
    """The sign-in page. Lockout after repeated failures is django-axes' job (core/locked_out.html)."""

    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            session_minutes=settings.SESSION_COOKIE_AGE // 60,
            failure_limit=settings.AXES_FAILURE_LIMIT,
            cooloff_hours=settings.AXES_COOLOFF_TIME,
        )
        return context


sign_in = SignInView.as_view()

# --- audit trail ---------------------------------------------------------------------------


AUDIT_COLUMNS = [
    Column("序号", lambda r: r.pk, 10),
    Column("时间", lambda r: r.occurred_at, 20),
    Column("操作人", lambda r: r.actor_name, 16),
    Column("类型", lambda r: r.get_action_display(), 8),
    Column("事件", lambda r: event_label(r.event, r.after) if r.event else "", 16),
    Column("对象类型", lambda r: object_type_label(r.object_type), 14),
    Column("对象编号", lambda r: r.object_id, 10),
    Column("对象", lambda r: r.object_repr, 30),
    Column("修改前", lambda r: _changes_text(r.object_type, r.before), 50),
    Column("修改后", lambda r: _changes_text(r.object_type, r.after), 50),
    Column("请求编号", lambda r: r.request_id, 34),
    Column("来源地址", lambda r: r.source_ip or "", 16),
    Column("记录哈希", lambda r: r.record_hash, 66),
]


def _changes_text(object_type: str, values: Any) -> str:
    if not isinstance(values, dict):
        return ""
    model = model_for(object_type)
    return "；".join(f"{k}={display_value(model, k, v)}" for k, v in values.items())


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponseBase:
    """The audit trail with filters, pages and an .xlsx export. Nothing here changes a record."""
    require(request.user, "core.view_audit")
    form = AuditFilterForm(
        request.GET or None,
        object_types=recorded_object_types(request.user),
        events=recorded_events(request.user),
    )
    records = list_audit_records(request.user, form.to_filter())
    if request.GET.get("export") == "xlsx":
        return xlsx_response("审计日志", "审计日志", AUDIT_COLUMNS, records.iterator(chunk_size=2000))
    page = paginate(request, records)
    names = RelatedNames(request.user)
    page_records = list(page.object_list)
    names.prime(page_records)
    return render(request, "core/audit_list.html", {
        "form": form,
        "page_obj": page,
        "entries": [history_entry(r, names) for r in page_records],
        "show_ip": True,
    })


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Recompute the whole hash chain and say whether it is intact, or where it breaks."""
    require(request.user, "core.verify_audit")
    report = verify_chain()
    bad = None
    if report.first_bad_id is not None:
        bad = AuditRecord.objects.filter(pk=report.first_bad_id).first()
    context = {"report": report, "bad": bad}
    if request.headers.get("HX-Request"):
        return render(request, "core/partials/audit_verify_result.html", context)
    return render(request, "core/audit_verify.html", context)


# --- one object's history ------------------------------------------------------------------


def may_read_history(user: Any) -> bool:
    return has_perm(user, "core.view_history") or has_perm(user, "core.view_audit")


@login_required
@require_GET
def object_history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """The change records and events of one object the user may see (an htmx partial)."""
    if not may_read_history(request.user):
        require(request.user, "core.view_history")
    obj, records = history_of(request.user, object_type, object_id)
    total = records.count()
    names = RelatedNames(request.user)
    shown = list(records[:HISTORY_LIMIT])
    names.prime(shown)
    entries = [history_entry(r, names) for r in shown]
    return render(request, "core/partials/history.html", {
        "object": obj,
        "object_type": object_type,
        "entries": entries,
        "total": total,
        "limit": HISTORY_LIMIT,
        "show_ip": has_perm(request.user, "core.view_audit"),
        "can_view_audit": has_perm(request.user, "core.view_audit"),
    })
