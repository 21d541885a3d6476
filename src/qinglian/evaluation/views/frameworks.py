"""Framework pages (指标体系): the versions, one version in full, installing the shipped default,
freezing, copying, retiring and deleting, and the .xlsx export and import.

A federation officer manages its own federation's frameworks (``evaluation.manage_framework``).
Everyone else with ``evaluation.view`` in the federation reads the frozen versions — an
enterprise sees what it is assessed on; drafts stay the federation's business. Editing a draft
lives in ``frameworks_edit.py``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.paging import paginate, parse_id
from qinglian.core.permissions import READ, WRITE, access, has_perm, require, restrict
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation
from qinglian.registry.views.people import acting_user

from ..choices import FrameworkStatus, ScoringMethod
from ..defaults import install_default_framework
from ..forms_frameworks import FrameworkImportForm
from ..framework_actions import (
    FULL_SCALE,
    do_copy_framework,
    do_delete_framework,
    do_freeze_framework,
    do_retire_framework,
)
from ..framework_io import framework_workbook, import_framework
from ..framework_rows import format_levels, plain_number, source_label
from ..models import Campaign, Dimension, Framework
from . import frameworks_edit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MANAGE = "evaluation.manage_framework"


def frameworks_in_scope(user: Any, action: str = READ) -> QuerySet[Framework]:
    return restrict(Framework.objects.select_related("federation", "based_on"), user, action)


def access_framework(user: Any, pk: int, action: str = READ) -> Framework:
    """The framework in the user's scope, or the same 404 as a missing one."""
    return access(Framework.objects.select_related("federation", "based_on"), user, pk, action)


def may_manage(user: Any, framework: Framework) -> bool:
    return has_perm(user, MANAGE) and frameworks_in_scope(user, WRITE).filter(
        pk=framework.pk).exists()


def federations_for(user: Any) -> QuerySet[Organisation]:
    """The federations the user may make frameworks for: an officer's own, every one for admin."""
    return restrict(Organisation.objects.filter(kind=OrganisationKind.FEDERATION), user,
                    WRITE).order_by("name_pinyin", "id")


def _campaigns_by_framework(user: Any, ids: list[int]) -> dict[int, list[Campaign]]:
    campaigns: dict[int, list[Campaign]] = defaultdict(list)
    for campaign in restrict(Campaign.objects.filter(framework_id__in=ids), user).order_by(
            "-year", "-id"):
        campaigns[campaign.framework_id].append(campaign)
    return campaigns


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    """Every version in scope with its status, size and the campaigns that use it."""
    require(request.user, "evaluation.view")
    user = request.user
    frameworks = frameworks_in_scope(user).annotate(
        indicator_count=Count("indicators", distinct=True),
    ).order_by("federation__name_pinyin", "code", "-version", "id")
    page_obj = paginate(request, frameworks)
    campaigns = _campaigns_by_framework(user, [f.pk for f in page_obj.object_list])
    for framework in page_obj.object_list:
        framework.campaign_list = campaigns.get(framework.pk, [])  # type: ignore[attr-defined]
    can_manage = has_perm(user, MANAGE)
    return render(request, "evaluation/frameworks/list.html", {
        "page_obj": page_obj, "can_manage": can_manage,
        "federations": federations_for(user) if can_manage else [],
    })


def _dimension_rows(framework: Framework) -> list[dict[str, Any]]:
    """Each dimension with its indicators, their rules in words, and its points."""
    rows = []
    for dimension in Dimension.objects.filter(framework=framework).prefetch_related("indicators"):
        indicators = list(dimension.indicators.all())
        for ind in indicators:
            ind.levels_text = format_levels(ind.levels).split("；") if ind.levels else []  # type: ignore[attr-defined]
            ind.threshold_steps = [  # type: ignore[attr-defined]
                (plain_number(step.get("min", 0)), plain_number(step.get("share", 0)))
                for step in ind.thresholds]
            ind.floor_text = plain_number(ind.floor) if ind.floor is not None else ""  # type: ignore[attr-defined]
            ind.target_text = plain_number(ind.target) if ind.target is not None else ""  # type: ignore[attr-defined]
            ind.source_text = source_label(ind.computed_source)  # type: ignore[attr-defined]
            ind.points_text = plain_number(ind.max_points)  # type: ignore[attr-defined]
        points = sum((ind.max_points for ind in indicators), FULL_SCALE * 0)
        rows.append({"dimension": dimension, "indicators": indicators,
                     "points": plain_number(points), "points_value": points})
    return rows


@login_required
@require_GET
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "evaluation.view")
    user = request.user
    framework = access_framework(user, pk)
    rows = _dimension_rows(framework)
    total = sum((row["points_value"] for row in rows), FULL_SCALE * 0)
    can_manage = may_manage(user, framework)
    return render(request, "evaluation/frameworks/detail.html", {
        "framework": framework, "rows": rows, "total": plain_number(total),
        "total_ok": total == FULL_SCALE, "full_scale": plain_number(FULL_SCALE),
        "indicator_count": sum(len(row["indicators"]) for row in rows),
        "bands": framework.bands.all(), "negative_items": framework.negative_items.all(),
        "campaigns": _campaigns_by_framework(user, [framework.pk]).get(framework.pk, []),
        "can_manage": can_manage, "is_draft": framework.status == FrameworkStatus.DRAFT,
        "can_export": has_perm(user, "evaluation.export"),
        "methods": ScoringMethod,
        "charts": {"dimensions": {
            "title": _("各维度分值"), "kind": "bar",
            "labels": [row["dimension"].name for row in rows],
            "values": [float(row["points_value"]) for row in rows],
        }},
    })


def _managed(request: HttpRequest, pk: int) -> Framework:
    require(request.user, MANAGE)
    return access_framework(request.user, pk, WRITE)


def _report(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
@require_POST
def framework_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a draft into use; from then on it never changes."""
    framework = _managed(request, pk)
    try:
        do_freeze_framework(framework, actor=acting_user(request))
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("已启用第 %(v)s 版指标体系，启用后不可修改") % {"v": framework.version})
    return redirect("framework_detail", pk=framework.pk)


@login_required
@require_POST
def framework_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft version with the same content, to be changed and then frozen."""
    framework = _managed(request, pk)
    try:
        copy = do_copy_framework(framework, actor=acting_user(request))
    except ValidationError as exc:
        _report(request, exc)
        return redirect("framework_detail", pk=framework.pk)
    messages.success(request, _("已复制为第 %(v)s 版（草稿），可修改后启用") % {"v": copy.version})
    return redirect("framework_detail", pk=copy.pk)


@login_required
@require_POST
def framework_retire(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _managed(request, pk)
    try:
        do_retire_framework(framework, actor=acting_user(request))
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("已停用第 %(v)s 版指标体系；已有的年度评价继续使用") % {
            "v": framework.version})
    return redirect("framework_detail", pk=framework.pk)


@login_required
@require_POST
def framework_delete(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _managed(request, pk)
    version = framework.version
    try:
        do_delete_framework(framework, actor=acting_user(request))
    except ValidationError as exc:
        _report(request, exc)
        return redirect("framework_detail", pk=pk)
    except ProtectedError:
        messages.error(request, _("该草稿已被年度评价选用，不能删除"))
        return redirect("framework_detail", pk=pk)
    messages.success(request, _("已删除第 %(v)s 版草稿") % {"v": version})
    return redirect("framework_list")


@login_required
@require_POST
def framework_install_default(request: HttpRequest) -> HttpResponse:
    """Install the shipped framework as a new draft version of the federation's framework."""
    require(request.user, MANAGE)
    federations = federations_for(request.user)
    if federations.count() != 1:
        federations = federations.filter(pk=parse_id(request.POST.get("federation")) or 0)
    federation = federations.first() if federations.count() == 1 else None
    if federation is None:
        messages.error(request, _("请选择为哪个工商联安装默认指标体系"))
        return redirect("framework_list")
    try:
        framework = install_default_framework(federation, actor=acting_user(request))
    except ValidationError as exc:
        _report(request, exc)
        return redirect("framework_list")
    messages.success(request, _("已安装默认指标体系（第 %(v)s 版，草稿），请核对后启用") % {
        "v": framework.version})
    return redirect("framework_detail", pk=framework.pk)


@login_required
@require_GET
def framework_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The version as an .xlsx workbook (说明, 维度与指标, 等级, 负面清单), importable again."""
    require(request.user, "evaluation.export")
    framework = access_framework(request.user, pk)
    response = HttpResponse(framework_workbook(framework), content_type=XLSX_TYPE)
    name = f"指标体系_{framework.code}_第{framework.version}版.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _import_federation(form: FrameworkImportForm, draft: Framework | None,
                       federations: QuerySet[Organisation]) -> Organisation | None:
    """A draft's own federation; else the one chosen, or the officer's only one."""
    if draft is not None:
        return draft.federation
    if "federation" in form.fields:
        chosen: Organisation | None = form.cleaned_data.get("federation")
        return chosen
    return federations.first()


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    """Upload a workbook: a new draft version, or a draft's content replaced. All or nothing."""
    require(request.user, MANAGE)
    user = request.user
    drafts = frameworks_in_scope(user, WRITE).filter(status=FrameworkStatus.DRAFT)
    federations = federations_for(user)
    initial = {"draft": parse_id(request.GET.get("draft"))}
    form = FrameworkImportForm(request.POST or None, request.FILES or None, initial=initial,
                               drafts=drafts, federations=federations)
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        draft = form.cleaned_data.get("draft")
        federation = _import_federation(form, draft, federations)
        if federation is None:
            form.add_error("federation", _("请选择工商联"))
        else:
            outcome = import_framework(form.cleaned_data["file"].read(), federation=federation,
                                       actor=acting_user(request), draft=draft)
            if outcome.ok and outcome.framework is not None:
                messages.success(request, _("已导入为第 %(v)s 版（草稿），请核对后启用") % {
                    "v": outcome.framework.version})
                return redirect("framework_detail", pk=outcome.framework.pk)
            errors = outcome.errors
    return render(request, "evaluation/frameworks/import.html", {
        "form": form, "errors": errors, "full_scale": plain_number(FULL_SCALE),
    })


urlpatterns: list[URLPattern] = [
    path("frameworks/", framework_list, name="framework_list"),
    path("frameworks/install-default/", framework_install_default,
         name="framework_install_default"),
    path("frameworks/import/", framework_import, name="framework_import"),
    path("frameworks/<int:pk>/", framework_detail, name="framework_detail"),
    path("frameworks/<int:pk>/export/", framework_export, name="framework_export"),
    path("frameworks/<int:pk>/freeze/", framework_freeze, name="framework_freeze"),
    path("frameworks/<int:pk>/copy/", framework_copy, name="framework_copy"),
    path("frameworks/<int:pk>/retire/", framework_retire, name="framework_retire"),
    path("frameworks/<int:pk>/delete/", framework_delete, name="framework_delete"),
    *frameworks_edit.urlpatterns,
]
