"""The federation's credit settings: publication windows per kind of information (inside the
legal bounds; changes apply to records entered afterwards) and the due-process clocks
(objection window, objection and repair handling, in working days)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from qinglian.core.paging import parse_id
from qinglian.core.permissions import require
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id
from qinglian.registry.views.people import acting_user

from .. import actions
from ..choices import DEFAULT_WINDOWS, WindowKind
from ..forms_records import CreditPolicyForm, WindowRulesForm
from ..windows import LEGAL_BOUNDS, credit_policy, window_rules


def _federation(request: HttpRequest) -> tuple[Organisation | None, list[Organisation]]:
    """The officer's own federation; an administrator picks one (``?fed=``)."""
    own = jurisdiction_id(request.user)
    if own is not None:
        return Organisation.objects.filter(pk=own).first(), []
    every = list(Organisation.objects.filter(kind=OrganisationKind.FEDERATION).order_by("name"))
    wanted = parse_id(request.GET.get("fed") or request.POST.get("fed"))
    chosen = next((f for f in every if f.pk == wanted), every[0] if every else None)
    return chosen, every


def _rows(form: WindowRulesForm) -> list[dict[str, Any]]:
    return [{"kind": kind, "label": label, "default": DEFAULT_WINDOWS[kind],
             "bounds": LEGAL_BOUNDS[kind], "publish": form[f"{kind}_publish"],
             "min": form[f"{kind}_min"], "max": form[f"{kind}_max"]}
            for kind, label in WindowKind.choices]


@login_required
@require_http_methods(["GET", "POST"])
def credit_window_rules(request: HttpRequest) -> HttpResponse:
    """Publication windows and due-process clocks of the federation."""
    require(request.user, "credit.manage_rules")
    federation, federations = _federation(request)
    if federation is None:
        return render(request, "credit/window_rules.html", {"federation": None})
    rules = window_rules(federation.pk)
    policy = credit_policy(federation.pk)
    section = request.POST.get("section")
    rules_form = WindowRulesForm(request.POST if section == "windows" else None, rules=rules)
    policy_form = CreditPolicyForm(
        request.POST if section == "policy" else None,
        initial={name: getattr(policy, name) for name in actions.POLICY_FIELDS})
    back = f"{request.path}?fed={federation.pk}"
    if section == "windows" and rules_form.is_valid():
        try:
            changed = actions.do_set_window_rules(federation, rules_form.rules(),
                                                  actor=acting_user(request))
        except ValidationError as exc:
            rules_form.apply_action_error(exc)
        except PermissionDenied as exc:
            rules_form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存公示期限规则（调整 {changed} 项），此后录入的信息按新规则确定公示期"
                             if changed else "公示期限规则没有变化")
            return redirect(back)
    if section == "policy" and policy_form.is_valid():
        try:
            actions.do_set_credit_policy(federation, actor=acting_user(request),
                                         **policy_form.cleaned_data)
        except ValidationError as exc:
            policy_form.apply_action_error(exc)
        except PermissionDenied as exc:
            policy_form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存办理时限")
            return redirect(back)
    return render(request, "credit/window_rules.html", {
        "federation": federation, "federations": federations, "rows": _rows(rules_form),
        "rules_form": rules_form, "policy_form": policy_form,
    })


urlpatterns = [
    path("settings/", credit_window_rules, name="credit_window_rules"),
]
