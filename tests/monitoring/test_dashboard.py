"""The early-warning dashboard: counts by rule, severity, unit, month; top vendors; time to
close; open and overdue; a fixed number of queries whatever the data; scope."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinglian.core.choices import Role
from qinglian.monitoring.alert_queries import dashboard_summary
from qinglian.monitoring.choices import AlertResolution, AlertStatus
from qinglian.monitoring.models import Alert

pytestmark = pytest.mark.django_db


def alerts(organisation, n: int, start: int = 0, **fields):  # type: ignore[no-untyped-def]
    rows = [Alert(organisation=organisation, number=f"YJ2026-{start + i:07d}",
                  fingerprint=f"fp{start + i}", rule_code=fields.get("rule_code", "L001"),
                  severity=fields.get("severity", "high"), group="Vendor", subject=f"s{i}",
                  unit=fields.get("unit", "采购部"), vendor_id=fields.get("vendor_id", "V1"),
                  explanation="x", occurred_on=fields.get("occurred_on", dt.date(2026, 3, 5)),
                  status=fields.get("status", AlertStatus.NEW), due_on=fields.get("due_on"))
            for i in range(n)]
    return Alert.objects.bulk_create(rows)


def test_summary_counts(city):
    today = timezone.localdate()
    fed = city.federation
    alerts(fed, 3)
    alerts(fed, 2, 10, rule_code="R018", severity="medium", unit="基建处", vendor_id="V2",
           occurred_on=dt.date(2026, 4, 1), status=AlertStatus.ASSIGNED,
           due_on=today - dt.timedelta(days=2))
    closed = alerts(fed, 2, 20, rule_code="R018", severity="low", vendor_id="",
                    status=AlertStatus.CLOSED)
    now = timezone.now()
    for index, alert in enumerate(closed):
        Alert.objects.filter(pk=alert.pk).update(created_at=now - dt.timedelta(days=4 + 2 * index),
                                                 closed_at=now)
    alerts(city.other_federation, 5, 100)
    s = dashboard_summary(city.users[Role.FEDERATION_OFFICER], today)
    assert s["totals"] == {"total": 7, "open": 5, "overdue": 2, "new": 3, "closed": 2,
                           "false_positive": 0, "risk": 7, "false_positive_rate": 0.0,
                           "resolved": 0}
    assert [(r["rule_code"], r["n"], r["open"]) for r in s["by_rule"]] == [
        ("R018", 4, 2), ("L001", 3, 3)]
    assert s["by_severity"] == [("high", "高", 3), ("medium", "中", 2), ("low", "低", 2)]
    assert [(r["unit"], r["n"]) for r in s["by_unit"]] == [("采购部", 5), ("基建处", 2)]
    assert [(f"{r['month']:%Y-%m}", r["n"]) for r in s["by_month"]] == [("2026-03", 5),
                                                                         ("2026-04", 2)]
    assert [(v["vendor_id"], v["n"], v["score"]) for v in s["vendors"]] == [("V1", 3, 9),
                                                                            ("V2", 2, 4)]
    (close,) = s["time_to_close"]
    assert close["rule_code"] == "R018" and close["n"] == 2
    assert round(close["median"]) == 5 and round(close["mean"]) == 5
    # the platform administrator sees both federations' alerts
    assert dashboard_summary(city.users[Role.ADMIN], today)["totals"]["total"] == 12
    assert dashboard_summary(city.users[Role.ENTERPRISE_USER], today)["totals"]["total"] == 0


def test_page_charts_and_pinned_queries(city):
    client = city.client(Role.FEDERATION_OFFICER)
    empty = client.get("/monitoring/dashboard/").content.decode()
    assert "暂无预警" in empty and "echarts.min.js" in empty
    with CaptureQueriesContext(connection) as few:
        client.get("/monitoring/dashboard/")
    alerts(city.federation, 30)
    alerts(city.federation, 30, 100, rule_code="R018", unit="基建处", vendor_id="V9",
           status=AlertStatus.CLOSED)
    Alert.objects.filter(status=AlertStatus.CLOSED).update(closed_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        response = client.get("/monitoring/dashboard/")
    assert len(many) == len(few)
    page = response.content.decode()
    data = json.loads(page.split('<script id="chart-data" type="application/json">')[1]
                      .split("</script>")[0])
    assert set(data) == {"by_rule", "by_severity", "by_unit", "by_month"}
    assert sum(data["by_rule"]["values"]) == 60 and data["by_month"]["labels"] == ["2026-03"]
    assert 'data-testid="top-vendors"' in page and "V9" in page
    assert city.client(Role.AUDITOR).get("/monitoring/dashboard/").status_code == 200
    assert city.client(Role.DEPARTMENT_HANDLER).get("/monitoring/dashboard/").status_code == 403


def test_false_positives_are_not_risk_and_undated_alerts_have_their_own_bucket(city):
    today = timezone.localdate()
    fed = city.federation
    alerts(fed, 3)  # March 2026, vendor V1
    false = alerts(fed, 2, 10, vendor_id="V1", status=AlertStatus.CLOSED)
    Alert.objects.filter(pk__in=[a.pk for a in false]).update(
        resolution=AlertResolution.FALSE_POSITIVE, closed_at=timezone.now())
    confirmed = alerts(fed, 2, 20, vendor_id="V1", status=AlertStatus.CLOSED)
    Alert.objects.filter(pk__in=[a.pk for a in confirmed]).update(
        resolution=AlertResolution.CONFIRMED, closed_at=timezone.now())
    alerts(fed, 4, 30, occurred_on=None)  # detected today, no date of occurrence
    s = dashboard_summary(city.users[Role.FEDERATION_OFFICER], today)
    assert (s["totals"]["total"], s["totals"]["risk"], s["totals"]["false_positive"]) == (11, 9, 2)
    assert s["totals"]["false_positive_rate"] == 0.5
    (rule,) = s["by_rule"]
    assert (rule["n"], rule["false_positive"], rule["false_positive_rate"]) == (9, 2, 0.5)
    assert s["by_severity"][0] == ("high", "高", 9)
    assert [(r["unit"], r["n"]) for r in s["by_unit"]] == [("采购部", 9)]
    assert [(v["vendor_id"], v["n"]) for v in s["vendors"]] == [("V1", 9)]
    assert [(f"{r['month']:%Y-%m}", r["n"]) for r in s["by_month"]] == [("2026-03", 5)]
    assert s["undated"] == 4
    page = city.client(Role.FEDERATION_OFFICER).get("/monitoring/dashboard/").content.decode()
    data = json.loads(page.split('<script id="chart-data" type="application/json">')[1]
                      .split("</script>")[0])
    assert data["by_month"]["labels"] == ["2026-03", "无日期"]
    assert data["by_month"]["values"] == [5, 4]
    assert "误报率 50%" in page
