"""The enterprise's own credit page (我的信用): notices of listings with reasons, basis and the
objection deadline, its records with "申请信用修复" when eligible and "提出异议", its objections
and repairs, its pledges and its current rating."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinglian.core.choices import Role
from qinglian.core.permissions import require

from ..choices import Measure
from ..process_queries import my_credit


@login_required
@require_GET
def my_credit_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "credit.view")
    if getattr(request.user, "role", None) != Role.ENTERPRISE_USER:
        require(request.user, "credit.file_objection")  # enterprise users only: 403 otherwise
    today = timezone.localdate()
    context = my_credit(request.user, today)
    labels = dict(Measure.choices)
    for notice in context["notices"]:
        notice.measure_labels = [labels.get(m, m) for m in notice.measures]
        notice.window_open = notice.objection_due is not None and today <= notice.objection_due
    context["today"] = today
    return render(request, "credit/mine.html", context)


urlpatterns = [
    path("mine/", my_credit_page, name="credit_mine"),
]
