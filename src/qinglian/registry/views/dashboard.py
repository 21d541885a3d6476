"""The start page (工作台): figures and charts for officers, own affairs for an enterprise user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinglian.core.choices import Role

from .. import statistics
from ..queries import access_organisation

#: Roles that see the registry's figures and charts on the dashboard.
FIGURE_ROLES = {Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.AUDITOR}


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The start page: figures and charts for officers, own affairs for an enterprise user."""
    user: Any = request.user
    context: dict[str, Any] = {"role": user.role, "today": timezone.localdate()}
    if user.role in FIGURE_ROLES:
        context["figures"] = statistics.registry_figures(user)
        context["charts"] = statistics.registry_charts(user)
    elif user.role == Role.ENTERPRISE_USER and user.organisation_id:
        context["enterprise"] = access_organisation(user, user.organisation_id)
        context["memberships"] = list(statistics.enterprise_memberships(user))
        context["resign_items"] = list(statistics.resign_items(user))
    return render(request, "registry/dashboard.html", context)



urlpatterns: list[URLPattern] = [path("", dashboard, name="dashboard")]
