"""Editing a draft framework, one part at a time: name and dimensions, one indicator (add,
change, remove), the grade bands, the negative list.

Every page builds the changed spec from ``framework_spec(framework)`` and saves it with
``do_update_framework``. A draft's total may be off 1000 points between two edits; freezing
checks it. A frozen framework is never edited: its pages send the user back with the reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from qinglian.core.permissions import WRITE, access, require
from qinglian.registry.views.people import acting_user

from ..choices import ScoringMethod
from ..forms_frameworks import (
    BandFormSet,
    FrameworkForm,
    IndicatorForm,
    NegativeItemFormSet,
    find_indicator,
    spec_with_bands,
    spec_with_negative_items,
    without_indicator,
)
from ..framework_actions import FrameworkSpec, do_update_framework, framework_spec
from ..models import Framework

FROZEN_NOTE = gettext_lazy("该指标体系已启用，不可修改；如需调整，请在详情页“复制为新版本”后修改新版本")


def _draft(request: HttpRequest, pk: int) -> Framework:
    require(request.user, "evaluation.manage_framework")
    return access(Framework.objects.select_related("federation"), request.user, pk, WRITE)


def _frozen(request: HttpRequest, framework: Framework) -> HttpResponse | None:
    if not framework.is_frozen:
        return None
    messages.error(request, FROZEN_NOTE)
    return redirect("framework_detail", pk=framework.pk)


def _save(request: HttpRequest, framework: Framework, spec: FrameworkSpec) -> list[str]:
    """Save the changed spec; the action's reasons when it refuses."""
    try:
        do_update_framework(framework, spec, actor=acting_user(request))
    except ValidationError as exc:
        return list(exc.messages)
    return []


def _saved(request: HttpRequest, framework: Framework, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("framework_detail", pk=framework.pk)


@login_required
@require_http_methods(["GET", "POST"])
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The framework's name and description, and its dimensions' names."""
    framework = _draft(request, pk)
    if (frozen := _frozen(request, framework)) is not None:
        return frozen
    form = FrameworkForm(request.POST or None, spec=framework_spec(framework))
    if request.method == "POST" and form.is_valid():
        problems = _save(request, framework, form.changed_spec())
        if not problems:
            return _saved(request, framework, _("已保存指标体系的名称和说明"))
        for problem in problems:
            form.add_error(None, problem)
    dimension_fields = [form[name] for name in form.fields if name.startswith("dimension_")]
    return render(request, "evaluation/frameworks/form.html", {
        "framework": framework, "form": form, "dimension_fields": dimension_fields,
    })


def _indicator_page(request: HttpRequest, framework: Framework, form: IndicatorForm,
                    code: str | None) -> HttpResponse:
    return render(request, "evaluation/frameworks/indicator_form.html", {
        "framework": framework, "form": form, "code": code, "methods": ScoringMethod,
    })


@login_required
@require_http_methods(["GET", "POST"])
def framework_indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _draft(request, pk)
    if (frozen := _frozen(request, framework)) is not None:
        return frozen
    form = IndicatorForm(request.POST or None, spec=framework_spec(framework),
                         dimension=request.GET.get("dimension", ""))
    if request.method == "POST" and form.is_valid():
        problems = _save(request, framework, form.changed_spec())
        if not problems:
            return _saved(request, framework, _("已新增指标 %(code)s") % {
                "code": form.cleaned_data["code"]})
        for problem in problems:
            form.add_error(None, problem)
    return _indicator_page(request, framework, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def framework_indicator_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    framework = _draft(request, pk)
    if (frozen := _frozen(request, framework)) is not None:
        return frozen
    spec = framework_spec(framework)
    if find_indicator(spec, code) is None:
        raise Http404(_("该指标体系中没有这个指标"))
    form = IndicatorForm(request.POST or None, spec=spec, code=code)
    if request.method == "POST" and form.is_valid():
        problems = _save(request, framework, form.changed_spec())
        if not problems:
            return _saved(request, framework, _("已保存指标 %(code)s") % {
                "code": form.cleaned_data["code"]})
        for problem in problems:
            form.add_error(None, problem)
    return _indicator_page(request, framework, form, code)


@login_required
@require_POST
def framework_indicator_delete(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    framework = _draft(request, pk)
    if (frozen := _frozen(request, framework)) is not None:
        return frozen
    spec = framework_spec(framework)
    if find_indicator(spec, code) is None:
        raise Http404(_("该指标体系中没有这个指标"))
    problems = _save(request, framework, without_indicator(spec, code))
    if problems:
        messages.error(request, "；".join(problems))
        return redirect("framework_detail", pk=framework.pk)
    return _saved(request, framework, _("已删除指标 %(code)s") % {"code": code})


def _formset_page(request: HttpRequest, framework: Framework, formset: Any,
                  problems: list[str], kind: str) -> HttpResponse:
    template = {"bands": "bands_form.html", "negative": "negative_items_form.html"}[kind]
    return render(request, f"evaluation/frameworks/{template}", {
        "framework": framework, "formset": formset, "problems": problems,
    })


@login_required
@require_http_methods(["GET", "POST"])
def framework_bands(request: HttpRequest, pk: int) -> HttpResponse:
    """The grade bands: a name and the lowest total that earns it; 不达标 starts at 0."""
    framework = _draft(request, pk)
    if (frozen := _frozen(request, framework)) is not None:
        return frozen
    spec = framework_spec(framework)
    initial = [{"name": name, "min_points": floor} for name, floor in spec.get("bands") or []]
    formset = BandFormSet(request.POST or None, initial=initial, prefix="bands")
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        problems = _save(request, framework, spec_with_bands(spec, formset))
        if not problems:
            return _saved(request, framework, _("已保存等级划分"))
    return _formset_page(request, framework, formset, problems, "bands")


@login_required
@require_http_methods(["GET", "POST"])
def framework_negative_items(request: HttpRequest, pk: int) -> HttpResponse:
    """The negative list: each item vetoes the grade once confirmed against an enterprise."""
    framework = _draft(request, pk)
    if (frozen := _frozen(request, framework)) is not None:
        return frozen
    spec = framework_spec(framework)
    initial = [dict(item) for item in spec.get("negative_items") or []]
    formset = NegativeItemFormSet(request.POST or None, initial=initial, prefix="items")
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        problems = _save(request, framework, spec_with_negative_items(spec, formset))
        if not problems:
            return _saved(request, framework, _("已保存负面清单"))
    return _formset_page(request, framework, formset, problems, "negative")


urlpatterns: list[URLPattern] = [
    path("frameworks/<int:pk>/edit/", framework_edit, name="framework_edit"),
    path("frameworks/<int:pk>/indicators/new/", framework_indicator_create,
         name="framework_indicator_create"),
    path("frameworks/<int:pk>/indicators/<str:code>/edit/", framework_indicator_edit,
         name="framework_indicator_edit"),
    path("frameworks/<int:pk>/indicators/<str:code>/delete/", framework_indicator_delete,
         name="framework_indicator_delete"),
    path("frameworks/<int:pk>/bands/", framework_bands, name="framework_bands"),
    path("frameworks/<int:pk>/negative-items/", framework_negative_items,
         name="framework_negative_items"),
]
