"""Restricted reads of alerts: the filtered list, one alert, overdue ones, the dashboard."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth

from qinglian.core.permissions import READ, access, restrict

from .choices import OPEN_ALERT, AlertResolution, AlertStatus, Severity
from .engine import all_rules
from .models import Alert

SEVERITY_WEIGHT = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


def alerts_of(user: Any, action: str = READ) -> QuerySet[Alert]:
    return restrict(Alert.objects.all(), user, action)


def access_alert(user: Any, pk: Any, action: str = READ) -> Alert:
    return access(Alert.objects.select_related("organisation", "assignee", "first_run",
                                               "last_run", "linked_risk_point"), user, pk, action)


def overdue(queryset: QuerySet[Alert], today: dt.date) -> QuerySet[Alert]:
    """Open alerts past their due date (found by query, no sweeper)."""
    return queryset.filter(status__in=OPEN_ALERT, due_on__lt=today)


def _month(text: str) -> tuple[int, int] | None:
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        return None
    return (year, month) if 1 <= month <= 12 and 1900 < year < 3000 else None


def list_alerts(user: Any, filters: Mapping[str, Any], today: dt.date) -> QuerySet[Alert]:
    """The alerts in the user's scope that match the filters (see forms_alerts.AlertFilter)."""
    qs = alerts_of(user).select_related("organisation", "assignee")
    if filters.get("rule"):
        qs = qs.filter(rule_code=filters["rule"])
    if filters.get("severity"):
        qs = qs.filter(severity=filters["severity"])
    status = filters.get("status") or ""
    if status == "open":
        qs = qs.filter(status__in=OPEN_ALERT)
    elif status == "overdue":
        qs = overdue(qs, today)
    elif status:
        qs = qs.filter(status=status)
    if filters.get("unit"):
        qs = qs.filter(unit=filters["unit"])
    if filters.get("vendor"):
        qs = qs.filter(vendor_id=filters["vendor"])
    month = _month(filters.get("month") or "")
    if month is not None:
        qs = qs.filter(occurred_on__year=month[0], occurred_on__month=month[1])
    if filters.get("assignee") == "me":
        qs = qs.filter(assignee_id=getattr(user, "pk", None))
    text = (filters.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(subject__icontains=text)
                       | Q(explanation__icontains=text) | Q(vendor_id__icontains=text)
                       | Q(unit__icontains=text))
    return qs.order_by("-created_at", "-pk")


def rule_names() -> dict[str, str]:
    return {rule.code: rule.name_zh for rule in all_rules()}


def _weight() -> Case:
    return Case(*(When(severity=s, then=Value(w)) for s, w in SEVERITY_WEIGHT.items()),
                default=Value(0), output_field=IntegerField())


def dashboard_summary(user: Any, today: dt.date) -> dict[str, Any]:
    """Alerts by rule, severity, unit and month; top vendors by risk; time to close by rule;
    open and overdue counts — a fixed number of queries whatever the data.

    Alerts closed as false positives (误报) are not risk: they are left out of the counts by
    rule, severity, unit, month and vendor and counted on their own (with the false-positive
    rate of closed alerts, overall and by rule). Months are months of occurrence
    (``occurred_on``); alerts without that date are counted in a separate 无日期 bucket, never
    under the month they were detected.
    """
    every = alerts_of(user)
    false_positive = Q(status=AlertStatus.CLOSED, resolution=AlertResolution.FALSE_POSITIVE)
    qs = every.exclude(false_positive)
    names = rule_names()
    totals = every.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_ALERT)),
        overdue=Count("pk", filter=Q(status__in=OPEN_ALERT, due_on__lt=today)),
        new=Count("pk", filter=Q(status=AlertStatus.NEW)),
        closed=Count("pk", filter=Q(status=AlertStatus.CLOSED)),
        false_positive=Count("pk", filter=false_positive),
        resolved=Count("pk", filter=Q(status=AlertStatus.RESOLVED_BY_DATA)))
    totals["risk"] = totals["total"] - totals["false_positive"]
    totals["false_positive_rate"] = (totals["false_positive"] / totals["closed"]
                                     if totals["closed"] else None)
    by_rule: list[dict[str, Any]] = []
    for counted in every.values("rule_code").annotate(
            total=Count("pk"), false_positive=Count("pk", filter=false_positive),
            closed=Count("pk", filter=Q(status=AlertStatus.CLOSED)),
            open=Count("pk", filter=Q(status__in=OPEN_ALERT))):
        row: dict[str, Any] = dict(counted)
        row["n"] = row["total"] - row["false_positive"]
        row["false_positive_rate"] = (row["false_positive"] / row["closed"]
                                      if row["closed"] else None)
        row["name"] = names.get(row["rule_code"], row["rule_code"])
        by_rule.append(row)
    by_rule.sort(key=lambda r: (-r["n"], r["rule_code"]))
    severities = dict(qs.values_list("severity").annotate(n=Count("pk")).values_list(
        "severity", "n"))
    by_unit = list(qs.exclude(unit="").values("unit").annotate(n=Count("pk"))
                   .order_by("-n", "unit")[:15])
    by_month = list(qs.filter(occurred_on__isnull=False)
                    .annotate(month=TruncMonth("occurred_on"))
                    .values("month").annotate(n=Count("pk")).order_by("-month")[:12])
    by_month.reverse()
    undated = qs.filter(occurred_on__isnull=True).count()
    # vendor codes are an organisation's own: the same code in two enterprises is two vendors
    vendors = list(qs.exclude(vendor_id="").values(
        "organisation_id", "vendor_id", organisation_name=F("organisation__name")).annotate(
        n=Count("pk"), score=Sum(_weight()),
        open=Count("pk", filter=Q(status__in=OPEN_ALERT))).order_by("-score", "-n",
                                                                    "vendor_id")[:10])
    closing: dict[str, list[float]] = {}
    for code, created, closed in every.filter(status=AlertStatus.CLOSED, closed_at__isnull=False
                                              ).values_list("rule_code", "created_at",
                                                            "closed_at"):
        if closed is not None:
            closing.setdefault(code, []).append((closed - created).total_seconds() / 86400)
    time_to_close = [{"rule_code": code, "name": names.get(code, code), "n": len(days),
                      "median": statistics.median(days), "mean": statistics.fmean(days)}
                     for code, days in sorted(closing.items())]
    return {
        "totals": totals, "by_rule": by_rule,
        "by_severity": [(s.value, s.label, severities.get(s.value, 0)) for s in Severity],
        "by_unit": by_unit, "by_month": by_month, "undated": undated, "vendors": vendors,
        "time_to_close": time_to_close,
    }


def unit_choices(user: Any) -> list[str]:
    return list(alerts_of(user).exclude(unit="").order_by("unit").values_list("unit", flat=True)
                .distinct()[:500])


