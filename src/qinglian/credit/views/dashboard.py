"""The officers' credit dashboard (信用工作台): records by category, what is public now, dual
publicity overdue and due soon, open objections with the overdue escalated first, pending
repairs, listings at each step of due process, expired listings awaiting removal, and the
rating distribution."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinglian.core.permissions import require

from ..choices import Polarity, RecordCategory
from ..process_queries import dashboard_summary


@login_required
@require_GET
def credit_dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, "credit.view_dashboard")
    today = timezone.localdate()
    summary = dashboard_summary(request.user, today)
    categories = dict(RecordCategory.choices)
    polarities = dict(Polarity.choices)
    for row in summary["by_category"]:
        row["label"] = categories.get(row["category"], row["category"])
        row["polarity_label"] = polarities.get(row["polarity"], row["polarity"])
    return render(request, "credit/dashboard.html", {"s": summary, "today": today})


urlpatterns = [
    path("", credit_dashboard, name="credit_dashboard"),
]
