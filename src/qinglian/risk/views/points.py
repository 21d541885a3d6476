"""A risk point's pages: add (from the library or from scratch), detail with controls, rounds
and linked alerts, edit, retire; and its controls with their evidence."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinglian.core.paging import parse_id
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict
from qinglian.core.uploads import evidence_content_type

from .. import actions
from ..choices import IMPACT_LABELS, LIKELIHOOD_LABELS, ControlStatus, PointStatus
from ..forms import ControlForm, PointCreateForm, PointEditForm, RetireForm
from ..models import Control, LibraryPoint, RiskPoint, RoundItem
from ..queries import overdue_control_q
from .common import acting_user, writable_registers

POINT_FIELDS = ("area", "title", "schemes", "department", "post", "owner_name", "review_months")


def _library_source(request: HttpRequest) -> LibraryPoint | None:
    wanted = parse_id(request.GET.get("library") or request.POST.get("library"))
    if wanted is None:
        return None
    return restrict(LibraryPoint.objects.all(), request.user, READ).filter(pk=wanted).first()


def _initial_from(source: LibraryPoint | None) -> dict[str, Any]:
    if source is None:
        return {}
    return {"area": source.area, "title": source.title, "schemes": source.schemes,
            "likelihood": source.likelihood, "impact": source.impact,
            "residual_likelihood": max(1, source.likelihood - 1),
            "residual_impact": source.impact}


@login_required
@require_http_methods(["GET", "POST"])
def point_create(request: HttpRequest) -> HttpResponse:
    """Identify a risk point: typed in, or taken from the library (``?library=<id>``) and
    adapted to the organisation (department, post, owner, levels)."""
    require(request.user, "risk.manage_register")
    organisations = writable_registers(request.user)
    source = _library_source(request)
    form = PointCreateForm(request.POST or None, organisations=organisations,
                           initial=_initial_from(source))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            point = actions.do_add_risk_point(
                data["organisation"], actor=acting_user(request), library_point=source,
                likelihood=data["likelihood"], impact=data["impact"],
                residual_likelihood=data["residual_likelihood"],
                residual_impact=data["residual_impact"],
                **{name: data[name] for name in POINT_FIELDS})
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已登记风险点 %(code)s，请为其制定防控措施") % {
                "code": point.code})
            return redirect("risk_point_detail", pk=point.pk)
    return render(request, "risk/point_form.html", {
        "form": form, "source": source, "creating": True,
        "no_register": not organisations.exists(),
    })


@login_required
@require_GET
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.view")
    point = access(RiskPoint.objects.select_related("organisation", "library_point"),
                   request.user, pk)
    today = timezone.localdate()
    controls = point.controls.order_by("due_on", "id")
    late = set(controls.filter(overdue_control_q(today)).values_list("pk", flat=True))
    writable = (has_perm(request.user, "risk.manage_register") and point.status ==
                PointStatus.ACTIVE and restrict(RiskPoint.objects.filter(pk=point.pk),
                                                request.user, WRITE).exists())
    return render(request, "risk/point_detail.html", {
        "point": point, "controls": controls, "late": late, "today": today,
        "items": RoundItem.objects.filter(point=point).select_related(
            "round", "assessed_by").order_by("-round__year", "-round_id"),
        "alerts": point.alert_links.select_related("linked_by"),
        "writable": writable, "likelihood_labels": LIKELIHOOD_LABELS,
        "impact_labels": IMPACT_LABELS, "review_late": point.next_review_on < today,
    })


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_register")
    point = access(RiskPoint.objects.select_related("organisation"), request.user, pk, WRITE)
    initial = {name: getattr(point, name) for name in POINT_FIELDS}
    form = PointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_risk_point(point, actor=acting_user(request), **form.cleaned_data)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已保存风险点 %(code)s") % {"code": point.code})
            return redirect("risk_point_detail", pk=point.pk)
    return render(request, "risk/point_form.html", {"form": form, "point": point})


@login_required
@require_http_methods(["GET", "POST"])
def point_retire(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_register")
    point = access(RiskPoint.objects.all(), request.user, pk, WRITE)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_retire_risk_point(point, reason=form.cleaned_data["reason"],
                                         actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已撤销风险点 %(code)s") % {"code": point.code})
            return redirect("risk_register")
    return render(request, "risk/point_retire.html", {"form": form, "point": point})


def _save_control(request: HttpRequest, form: ControlForm, point: RiskPoint,
                  control: Control | None) -> Control | None:
    """Create or update the control and attach its evidence, all or nothing."""
    try:
        with transaction.atomic():
            if control is None:
                control = actions.do_add_control(point, actor=acting_user(request),
                                                 **form.action_fields())
            else:
                actions.do_update_control(control, actor=acting_user(request),
                                          **form.action_fields())
            upload = form.cleaned_data.get("evidence")
            if upload:
                actions.do_attach_control_evidence(control, upload, actor=acting_user(request))
    except ValidationError as exc:
        form.apply_action_error(exc)
        return None
    return control


@login_required
@require_http_methods(["GET", "POST"])
def control_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_register")
    point = access(RiskPoint.objects.select_related("organisation"), request.user, pk, WRITE)
    form = ControlForm(request.POST or None, request.FILES or None,
                       initial={"owner_name": point.owner_name, "status": ControlStatus.PLANNED})
    if request.method == "POST" and form.is_valid() and _save_control(request, form, point, None):
        messages.success(request, _("已添加防控措施"))
        return redirect("risk_point_detail", pk=point.pk)
    return render(request, "risk/control_form.html", {"form": form, "point": point})


@login_required
@require_http_methods(["GET", "POST"])
def control_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "risk.manage_register")
    control = access(Control.objects.select_related("point__organisation"), request.user, pk,
                     WRITE)
    initial = {name: getattr(control, name) for name in
               ("description", "owner_name", "due_on", "status", "done_on")}
    form = ControlForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_control(
            request, form, control.point, control):
        messages.success(request, _("已保存防控措施"))
        return redirect("risk_point_detail", pk=control.point_id)
    return render(request, "risk/control_form.html", {
        "form": form, "point": control.point, "control": control})


@login_required
@require_GET
def control_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, through scope — never a public media URL."""
    require(request.user, "risk.view")
    control = access(Control.objects.select_related("point"), request.user, pk)
    if not control.evidence:
        raise Http404(_("该防控措施没有上传佐证材料"))
    try:
        handle = control.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("佐证材料文件不存在")) from exc
    response = FileResponse(handle, content_type=evidence_content_type(control.evidence.name or ""),
                            filename=control.evidence_name or "evidence")
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("points/new/", point_create, name="risk_point_create"),
    path("points/<int:pk>/", point_detail, name="risk_point_detail"),
    path("points/<int:pk>/edit/", point_edit, name="risk_point_edit"),
    path("points/<int:pk>/retire/", point_retire, name="risk_point_retire"),
    path("points/<int:pk>/controls/new/", control_create, name="risk_control_create"),
    path("controls/<int:pk>/edit/", control_edit, name="risk_control_edit"),
    path("controls/<int:pk>/evidence/", control_evidence, name="risk_control_evidence"),
]
