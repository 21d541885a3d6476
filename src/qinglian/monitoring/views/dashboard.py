"""The early-warning dashboard (预警看板): alerts by rule, severity, unit and month of
occurrence (undated alerts in their own 无日期 bar), the vendors with most risk, time to close
by rule, and what is open and overdue. False positives are not counted as risk: they have their
own count and rate (see alert_queries.dashboard_summary)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinglian.core.permissions import require

from ..alert_queries import alerts_of, dashboard_summary
from ..choices import DatasetKind
from ..names import VENDOR, find_names, latest_versions


@login_required
@require_GET
def monitoring_dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, "monitoring.view")
    today = timezone.localdate()
    s = dashboard_summary(request.user, today)
    _name_vendors(request.user, s["vendors"])
    chart = {
        "by_rule": {"title": "按规则", "kind": "bar",
                    "labels": [f"{r['rule_code']} {r['name']}" for r in s["by_rule"]],
                    "values": [r["n"] for r in s["by_rule"]]},
        "by_severity": {"title": "按风险等级", "kind": "pie",
                        "labels": [label for _, label, _n in s["by_severity"]],
                        "values": [n for _, _label, n in s["by_severity"]]},
        "by_unit": {"title": "按单位/部门", "kind": "bar",
                    "labels": [r["unit"] for r in s["by_unit"]],
                    "values": [r["n"] for r in s["by_unit"]]},
        "by_month": {"title": "按发生月份", "kind": "bar",
                     "labels": [f"{r['month']:%Y-%m}" for r in s["by_month"]]
                     + (["无日期"] if s["undated"] else []),
                     "values": [r["n"] for r in s["by_month"]]
                     + ([s["undated"]] if s["undated"] else [])},
    }
    return render(request, "monitoring/dashboard.html", {
        "s": s, "chart": chart, "today": today,
        "several_organisations": len({v["organisation_id"] for v in s["vendors"]}) > 1})


def _name_vendors(user: Any, vendors: list[dict[str, Any]]) -> None:
    """Each top vendor's name from its organisation's latest vendors dataset: one query for the
    versions (a subquery of the alerts in scope, so the page's query count does not depend on
    the data) and one DuckDB lookup."""
    scope = alerts_of(user).exclude(vendor_id="").values("organisation_id")
    versions = latest_versions(scope, [DatasetKind.VENDORS.value])
    wanted: dict[tuple[int, str], set[str]] = {}
    for vendor in vendors:
        wanted.setdefault((vendor["organisation_id"], VENDOR), set()).add(vendor["vendor_id"])
    names = find_names(wanted, versions)
    for vendor in vendors:
        vendor["vendor_name"] = names.name(vendor["organisation_id"], VENDOR, vendor["vendor_id"])


urlpatterns = [
    path("dashboard/", monitoring_dashboard, name="monitoring_dashboard"),
]
