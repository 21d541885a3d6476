"""Rule run pages (规则运行): the list, a new run (rules with parameters), a run's page with a
progress bar that polls while the job works, and cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.choices import Role
from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.registry.models import Organisation

from .. import run_actions
from ..choices import RunStatus
from ..engine import Rule, get_rule
from ..forms_alerts import RunForm
from ..models import DatasetVersion, Run
from ..presentation import parameter_rows

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "monitoring.view")
    runs = restrict(Run.objects.select_related("organisation", "started_by"), request.user)
    status = request.GET.get("status", "")
    if status in RunStatus.values:
        runs = runs.filter(status=status)
    return render(request, "monitoring/run_list.html", {
        "page_obj": paginate(request, runs), "query": query_without_page(request),
        "statuses": RunStatus.choices, "status": status,
        "can_run": _may_run(request),
    })


def _may_run(request: HttpRequest) -> bool:
    user = request.user
    return has_perm(user, "monitoring.run") and (
        getattr(user, "organisation_id", None) is not None)


def _versions(run: Run) -> list[DatasetVersion]:
    return list(DatasetVersion.objects.filter(pk__in=run.versions.values())
                .select_related("dataset").order_by("dataset__kind"))


@login_required
@require_http_methods(["GET", "POST"])
def run_create(request: HttpRequest) -> HttpResponse:
    """Choose rules (each with its parameters, defaults and bounds) and the engine."""
    require(request.user, "monitoring.run")
    organisation_id = getattr(request.user, "organisation_id", None)
    if organisation_id is None:
        messages.error(request, "平台管理员请使用命令行为指定单位运行规则（qinglian monitor run --org …）")
        return redirect("monitoring_run_list")
    organisation = Organisation.objects.get(pk=organisation_id)
    form = RunForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = run_actions.do_start_run(
                organisation, rules=form.cleaned["rules"], parameters=form.cleaned["parameters"],
                engine=form.cleaned["engine"], actor=request.user)
        except ValidationError as exc:
            form.errors.extend(exc.messages)
        else:
            messages.success(request, f"已提交运行 #{run.pk}（{len(run.rules)} 条规则）")
            return redirect("monitoring_run_detail", pk=run.pk)
    return render(request, "monitoring/run_form.html", {
        "form": form, "organisation": organisation,
        "choices": form.choices(organisation.pk), "engines": form.engines,
        "engine": request.POST.get("engine", "duckdb") if request.method == "POST" else "duckdb",
    })


def _detail_context(request: HttpRequest, run: Run) -> dict[str, object]:
    rows = []
    for code in run.rules:
        rule: Rule | None
        try:
            rule = get_rule(code)
        except KeyError:
            rule = None
        name = rule.name_zh if rule is not None else code
        rows.append({"code": code, "name": name, "counts": run.counts.get(code),
                     "parameters": parameter_rows(rule, run.parameters.get(code, {}))})
    percent = int(100 * run.progress_done / run.progress_total) if run.progress_total else 0
    return {
        "run": run, "rows": rows, "percent": percent, "active": run.status in ACTIVE,
        "can_cancel": run.status in ACTIVE and not run.cancel_requested
        and has_perm(request.user, "monitoring.run")
        and restrict(Run.objects.filter(pk=run.pk), request.user, WRITE).exists()
        and (getattr(request.user, "role", None) == Role.ADMIN
             or getattr(request.user, "organisation_id", None) == run.organisation_id),
    }


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "monitoring.view")
    run = access(Run.objects.select_related("organisation", "started_by"), request.user, pk)
    context = _detail_context(request, run)
    context["versions"] = _versions(run)
    return render(request, "monitoring/run_detail.html", context)


@login_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone (htmx polls it every second while the run is active)."""
    require(request.user, "monitoring.view")
    run = access(Run.objects.select_related("organisation"), request.user, pk)
    return render(request, "monitoring/run_progress.html", _detail_context(request, run))


@login_required
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "monitoring.run")
    run = access(Run.objects.select_related("organisation"), request.user, pk, WRITE)
    try:
        run_actions.do_cancel_run(run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已请求取消，当前规则结束后停止")
    return redirect("monitoring_run_detail", pk=run.pk)


urlpatterns = [
    path("runs/", run_list, name="monitoring_run_list"),
    path("runs/new/", run_create, name="monitoring_run_create"),
    path("runs/<int:pk>/", run_detail, name="monitoring_run_detail"),
    path("runs/<int:pk>/progress/", run_progress, name="monitoring_run_progress"),
    path("runs/<int:pk>/cancel/", run_cancel, name="monitoring_run_cancel"),
]
