"""Permission matrix rows for rule runs, alerts and the early-warning dashboard.

Objects come from ``alerts_world``: a queued run and a new alert of the federation (its own
public-procurement data), and an alert of 华为 (enterprises[0], the enterprise user's own).
Runs and alerts are each organisation's own business: other organisations get 404, the
auditor reads the federation's but changes nothing, the department handler has no access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

A = {200}
R = {302}
F = {403}
N = {404}


def alerts_world(city: Any) -> Any:
    cached = getattr(city, "_alerts_world", None)
    if cached is None:
        from types import SimpleNamespace

        from django.utils import timezone

        from qinglian.monitoring.models import Alert, Run

        run = Run.objects.create(organisation=city.federation, rules=["R018"],
                                 progress_total=1, created_at=timezone.now())

        def alert(organisation: Any, number: str) -> Alert:
            return Alert.objects.create(
                organisation=organisation, number=number, fingerprint=number, rule_code="R018",
                severity="medium", group="OCID", subject="ocds-1", explanation="仅收到一份投标",
                first_run=run, last_run=run)

        cached = SimpleNamespace(run=run, alert=alert(city.federation, "YJ2026-0000901"),
                                 own=alert(city.enterprises[0], "YJ2026-0000902"))
        city._alerts_world = cached
    return cached


def _w(city: Any) -> Any:
    return alerts_world(city)


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    readers = statuses(A, dept=F)
    fed_reads = statuses(N, admin=A, fed=A, auditor=A, dept=F)
    changes = statuses(N, admin=R, fed=R, auditor=F, dept=F)
    run_id = lambda c: _w(c).run.pk  # noqa: E731
    alert_id = lambda c: _w(c).alert.pk  # noqa: E731

    case("monitoring_dashboard", lambda c: "/monitoring/dashboard/", readers)
    case("monitoring_run_list", lambda c: (_w(c), "/monitoring/runs/")[1], readers)
    case("monitoring_run_list", lambda c: "/monitoring/runs/?status=queued", readers,
         label="（筛选）")
    case("monitoring_run_create", lambda c: "/monitoring/runs/new/",
         statuses(A, admin=R, auditor=F, dept=F))
    case("monitoring_run_create", lambda c: "/monitoring/runs/new/",
         statuses(A, admin=R, auditor=F, dept=F), method="post",
         data=lambda c: {"engine": "duckdb"}, label="（未选规则）")
    case("monitoring_run_detail", lambda c: f"/monitoring/runs/{run_id(c)}/", fed_reads)
    case("monitoring_run_progress", lambda c: f"/monitoring/runs/{run_id(c)}/progress/",
         fed_reads)
    case("monitoring_run_cancel", lambda c: f"/monitoring/runs/{run_id(c)}/cancel/", changes,
         method="post")
    case("monitoring_alert_list", lambda c: (_w(c), "/monitoring/alerts/")[1], readers)
    case("monitoring_alert_list",
         lambda c: "/monitoring/alerts/?status=overdue&rule=R018&severity=medium&month=2026-03&q=YJ",
         readers, label="（筛选）")
    case("monitoring_alert_list", lambda c: "/monitoring/alerts/?export=xlsx", readers,
         label="（导出）")
    case("monitoring_alert_detail", lambda c: f"/monitoring/alerts/{alert_id(c)}/", fed_reads)
    case("monitoring_alert_detail", lambda c: f"/monitoring/alerts/{_w(c).own.pk}/",
         statuses(N, admin=A, ent=A, dept=F), label="（企业自己的）")
    case("monitoring_alert_evidence", lambda c: f"/monitoring/alerts/{alert_id(c)}/evidence.csv",
         statuses(N, dept=F), label="（无逐行证据）")
    case("monitoring_alert_assign", lambda c: f"/monitoring/alerts/{alert_id(c)}/assign/",
         changes, method="post",
         data=lambda c: {"assignee": c.users["federation_officer"].pk})
    case("monitoring_alert_investigate",
         lambda c: f"/monitoring/alerts/{alert_id(c)}/investigate/", changes, method="post")
    case("monitoring_alert_close", lambda c: f"/monitoring/alerts/{alert_id(c)}/close/",
         changes, method="post", data=lambda c: {"resolution": "false_positive", "note": "x"})
    case("monitoring_alert_link", lambda c: f"/monitoring/alerts/{alert_id(c)}/link/",
         changes, method="post", data=lambda c: {"point": "1"})
