"""Restricted reads of alerts: the filtered list, one alert, overdue ones, the dashboard."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from qinglian.core.permissions import READ, access, restrict

from .choices import OPEN_ALERT, AlertStatus, Severity
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
    open and overdue counts — a fixed number of queries whatever the data."""
    qs = alerts_of(user)
    names = rule_names()
    totals = qs.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_ALERT)),
        overdue=Count("pk", filter=Q(status__in=OPEN_ALERT, due_on__lt=today)),
        new=Count("pk", filter=Q(status=AlertStatus.NEW)),
        closed=Count("pk", filter=Q(status=AlertStatus.CLOSED)),
        resolved=Count("pk", filter=Q(status=AlertStatus.RESOLVED_BY_DATA)))
    by_rule: list[dict[str, Any]] = [
        {**row, "name": names.get(row["rule_code"], row["rule_code"])}
        for row in qs.values("rule_code").annotate(
            n=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_ALERT))
        ).order_by("-n", "rule_code")]
    severities = dict(qs.values_list("severity").annotate(n=Count("pk")).values_list(
        "severity", "n"))
    by_unit = list(qs.exclude(unit="").values("unit").annotate(n=Count("pk"))
                   .order_by("-n", "unit")[:15])
    by_month = list(qs.annotate(month=TruncMonth(Coalesce("occurred_on", TruncDate("created_at"))))
                    .values("month").annotate(n=Count("pk")).order_by("-month")[:12])
    by_month.reverse()
    vendors = list(qs.exclude(vendor_id="").values("vendor_id").annotate(
        n=Count("pk"), score=Sum(_weight()),
        open=Count("pk", filter=Q(status__in=OPEN_ALERT))).order_by("-score", "-n",
                                                                    "vendor_id")[:10])
    closing: dict[str, list[float]] = {}
    for code, created, closed in qs.filter(status=AlertStatus.CLOSED, closed_at__isnull=False
                                           ).values_list("rule_code", "created_at", "closed_at"):
        if closed is not None:
            closing.setdefault(code, []).append((closed - created).total_seconds() / 86400)
    time_to_close = [{"rule_code": code, "name": names.get(code, code), "n": len(days),
                      "median": statistics.median(days), "mean": statistics.fmean(days)}
                     for code, days in sorted(closing.items())]
    return {
        "totals": totals, "by_rule": by_rule,
        "by_severity": [(s.value, s.label, severities.get(s.value, 0)) for s in Severity],
        "by_unit": by_unit, "by_month": by_month, "vendors": vendors,
        "time_to_close": time_to_close,
    }


def unit_choices(user: Any) -> list[str]:
    return list(alerts_of(user).exclude(unit="").order_by("unit").values_list("unit", flat=True)
                .distinct()[:500])


