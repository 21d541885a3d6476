"""The organisation's thresholds (审批门槛): at or above them a declaration needs approval."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qinglian.core.permissions import require

from .. import actions
from ..forms import ThresholdForm
from ..queries import threshold_table
from .common import acting_user, chosen_organisation, picker, writable_organisations


@login_required
@require_http_methods(["GET", "POST"])
def declaration_thresholds(request: HttpRequest) -> HttpResponse:
    """The amounts in force per kind and direction (the default where the organisation has set
    none); users who may set them change them here."""
    require(request.user, "declarations.view")
    readable, organisation = chosen_organisation(request)
    writable = organisation is not None and writable_organisations(
        request.user, "declarations.manage_thresholds").filter(pk=organisation.pk).exists()
    rows = threshold_table(organisation) if organisation is not None else []
    form = ThresholdForm(request.POST or None, rows=rows) if writable else None
    if request.method == "POST":
        require(request.user, "declarations.manage_thresholds")
        if form is None or organisation is None:
            return redirect("declaration_thresholds")
        if form.is_valid():
            try:
                changed = actions.do_set_thresholds(organisation, form.amounts(),
                                                    actor=acting_user(request))
            except ValidationError as exc:
                form.apply_action_error(exc)
            else:
                messages.success(request, _("已保存审批门槛（调整 %(n)d 项），此后的申报按新门槛办理")
                                 % {"n": changed})
                return redirect(f"{request.path}?org={organisation.pk}")
    return render(request, "declarations/thresholds.html", {
        "organisation": organisation, "organisations": picker(readable), "form": form,
        "rows": [(row, form[row.field] if form is not None else None) for row in rows],
    })


urlpatterns = [
    path("thresholds/", declaration_thresholds, name="declaration_thresholds"),
]
