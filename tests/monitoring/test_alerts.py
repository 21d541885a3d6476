"""Alerts: evidence rows, handling as a transition table with permissions and audit, links
to risk points, overdue, the list (filters, export, pinned queries), scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.core.workdays import working_days_after
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.monitoring import alert_actions, run_actions
from qinglian.monitoring.alert_queries import list_alerts, overdue
from qinglian.monitoring.choices import AlertResolution, AlertStatus
from qinglian.monitoring.engine import definitions
from qinglian.monitoring.models import Alert
from tests.conftest import make_user

from .alerts_world import evidence_rule, ocds_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


@pytest.fixture
def t901(tmp_path):  # type: ignore[no-untyped-def]
    rule = evidence_rule(tmp_path)
    definitions.register([rule])
    yield rule
    definitions._REGISTRY.pop(rule.code, None)


def run(organisation: Any, actor: Any, rules: str, capture: Any) -> Any:
    with capture(execute=True):
        started = run_actions.do_start_run(organisation, rules=rules, actor=actor)
    started.refresh_from_db()
    return started


@pytest.fixture
def fed_alerts(city, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    ocds_version(city.federation)
    run(city.federation, city.users[Role.FEDERATION_OFFICER], "R018",
        django_capture_on_commit_callbacks)
    return list(Alert.objects.order_by("subject"))


def test_evidence_rows_inline_up_to_the_limit_and_full_csv(city, t901, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    monkeypatch.setattr(run_actions, "EVIDENCE_LIMIT", 2)
    ocds_version(city.federation)
    done = run(city.federation, city.users[Role.FEDERATION_OFFICER], "T901",
               django_capture_on_commit_callbacks)
    assert done.counts["T901"]["hits"] == 1, done.message
    alert = Alert.objects.get(rule_code="T901")
    assert alert.evidence_total == 5 and len(alert.evidence) == 2
    assert [row["ocid"] for row in alert.evidence] == ["direct", "limited"]
    assert (alert.unit, alert.vendor_id, alert.occurred_on) == ("采购一部", "V-001",
                                                                dt.date(2026, 3, 2))
    assert alert.severity == "high" and "5 个项目仅一家投标" in alert.explanation
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    assert "显示前 2 行，共 5 行" in page
    response = client.get(f"/monitoring/alerts/{alert.pk}/evidence.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    lines = text.lstrip("\ufeff").strip().splitlines()
    assert text.startswith("\ufeff") and lines[0].startswith("release_row,ocid")
    assert len(lines) == 6 and {line.split(",")[1] for line in lines[1:]} == {
        "open", "selective", "limited", "direct", "missing"}
    # the auditor may export; a chamber officer (not its alert) gets the same 404 as missing
    assert city.client(Role.AUDITOR).get(
        f"/monitoring/alerts/{alert.pk}/evidence.csv").status_code == 200
    assert city.client(Role.CHAMBER_OFFICER).get(
        f"/monitoring/alerts/{alert.pk}/").status_code == 404


def test_handling_workflow_with_due_date_permissions_and_audit(city, fed_alerts):
    fed = city.users[Role.FEDERATION_OFFICER]
    handler = make_user("fed-handler", Role.FEDERATION_OFFICER, city.federation,
                        display_name="王核查")
    alert = fed_alerts[0]
    with pytest.raises(TransitionNotAllowed):
        alert_actions.do_close_alert(alert, resolution="confirmed", note="x", actor=fed)
    with pytest.raises(PermissionDenied):
        alert_actions.do_assign_alert(alert, assignee=handler, actor=city.users[Role.AUDITOR])
    with pytest.raises(ValidationError, match="本单位"):
        alert_actions.do_assign_alert(alert, assignee=city.users[Role.ENTERPRISE_USER], actor=fed)
    alert_actions.do_assign_alert(alert, assignee=handler, actor=fed)
    alert.refresh_from_db()
    today = timezone.localdate()
    assert alert.status == AlertStatus.ASSIGNED and alert.assignee == handler
    assert alert.due_on == working_days_after(today, 10) and alert.assigned_at
    # an enterprise user is outside the federation's alerts
    with pytest.raises(PermissionDenied):
        alert_actions.do_start_investigation(alert, actor=city.users[Role.ENTERPRISE_USER])
    alert_actions.do_start_investigation(alert, actor=handler, note="调取采购档案")
    with pytest.raises(ValidationError, match="误报须说明理由"):
        alert_actions.do_close_alert(alert, resolution=AlertResolution.FALSE_POSITIVE, note=" ",
                                     actor=handler)
    alert_actions.do_close_alert(alert, resolution=AlertResolution.FALSE_POSITIVE,
                                 note="该项目系公开招标后仅一家响应，已依法重新招标", actor=handler)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.closed_at and alert.investigating_at
    assert alert.resolution == AlertResolution.FALSE_POSITIVE
    events = list(AuditRecord.objects.filter(object_type="monitoring.alert",
                                             object_id=str(alert.pk), action="event")
                  .order_by("pk").values_list("event", "actor_id"))
    assert events == [("alert.raised", None), ("alert.assigned", fed.pk),
                      ("alert.investigating", handler.pk), ("alert.closed", handler.pk)]
    page = city.client(Role.FEDERATION_OFFICER).get(f"/monitoring/alerts/{alert.pk}/")
    assert "开始核查" in page.content.decode() and "王核查" in page.content.decode()


def test_due_days_setting_and_overdue_query(city, fed_alerts, settings):
    settings.QINGLIAN_ALERT_DUE_DAYS = 3
    fed = city.users[Role.FEDERATION_OFFICER]
    first, second = fed_alerts
    alert_actions.do_assign_alert(first, assignee=fed, actor=fed)
    assert first.due_on == working_days_after(timezone.localdate(), 3)
    alert_actions.do_assign_alert(second, assignee=fed, actor=fed)
    Alert.objects.filter(pk=second.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    today = timezone.localdate()
    assert list(overdue(Alert.objects.all(), today)) == [Alert.objects.get(pk=second.pk)]
    assert [a.pk for a in list_alerts(fed, {"status": "overdue"}, today)] == [second.pk]
    page = city.client(Role.FEDERATION_OFFICER).get("/monitoring/alerts/?status=overdue")
    assert page.content.decode().count('data-testid="alert-row"') == 1


def test_confirmed_alert_links_to_the_own_risk_point(city, django_capture_on_commit_callbacks):
    from qinglian.risk.models import AlertLink
    from tests.risk.world import add_point

    ent = city.users[Role.ENTERPRISE_USER]
    ocds_version(city.enterprises[0])
    run(city.enterprises[0], ent, "R018", django_capture_on_commit_callbacks)
    alert = Alert.objects.filter(organisation=city.enterprises[0]).first()
    assert alert is not None
    point = add_point(city.enterprises[0])
    foreign = add_point(city.enterprises[1])
    client = city.client(Role.ENTERPRISE_USER)
    client.post(f"/monitoring/alerts/{alert.pk}/assign/", {"assignee": ent.pk})
    client.post(f"/monitoring/alerts/{alert.pk}/investigate/", {"note": ""})
    response = client.post(f"/monitoring/alerts/{alert.pk}/close/",
                           {"resolution": "confirmed", "note": ""}, follow=True)
    assert "请填写理由或核查结论" in response.content.decode()
    client.post(f"/monitoring/alerts/{alert.pk}/close/",
                {"resolution": "confirmed", "note": "经核查，采购人员与投标人存在关联"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.resolution == "confirmed"
    with pytest.raises(ValidationError, match="本单位"):
        alert_actions.do_link_alert_to_risk_point(alert, point_id=foreign.pk, actor=ent)
    response = client.post(f"/monitoring/alerts/{alert.pk}/link/", {"point": point.pk},
                           follow=True)
    assert "已关联廉洁风险点" in response.content.decode()
    alert.refresh_from_db()
    assert alert.linked_risk_point_id == point.pk
    link = AlertLink.objects.get(point=point)
    assert (link.source, link.reference) == ("monitoring", alert.number)
    assert AuditRecord.objects.filter(event="alert.linked_risk_point",
                                      object_id=str(alert.pk), actor=ent).exists()
    # the enterprise user who linked is who the risk register records, not "the system"
    assert link.linked_by == ent
    assert AuditRecord.objects.filter(event="risk_point.alert_linked", object_id=str(point.pk),
                                      actor=ent).exists()
    # editing one's own register does not reach another enterprise's register
    from qinglian.risk.actions import do_link_alert

    with pytest.raises(PermissionDenied):
        do_link_alert(foreign, source="monitoring", reference=alert.number, summary="x",
                      actor=ent)


def test_alert_list_filters_export_and_pinned_queries(city, fed_alerts):
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.get("/monitoring/alerts/").content.decode()
    assert page.count('data-testid="alert-row"') == 2
    number = fed_alerts[1].number
    page = client.get(f"/monitoring/alerts/?q={number}&rule=R018&severity=medium&status=new")
    assert page.content.decode().count('data-testid="alert-row"') == 1
    assert client.get("/monitoring/alerts/?severity=high").content.decode().count(
        'data-testid="alert-row"') == 0
    assert "没有符合条件的预警" in client.get("/monitoring/alerts/?month=2020-01").content.decode()
    export = client.get("/monitoring/alerts/?export=xlsx")
    assert export.status_code == 200
    assert "%E9%A2%84%E8%AD%A6" in export["Content-Disposition"]  # 预警_<date>.xlsx
    with CaptureQueriesContext(connection) as few:
        client.get("/monitoring/alerts/")
    Alert.objects.bulk_create([
        Alert(organisation=city.federation, number=f"YJ2026-9{n:06d}", fingerprint=f"f{n}",
              rule_code="R018", severity="low", group="OCID", subject=f"s{n}", explanation="x")
        for n in range(15)])
    with CaptureQueriesContext(connection) as many:
        client.get("/monitoring/alerts/")
    assert len(many) == len(few)
    # the enterprise user sees none of the federation's alerts, and their pages are 404
    other = city.client(Role.ENTERPRISE_USER)
    assert other.get("/monitoring/alerts/").content.decode().count('data-testid="alert-row"') == 0
    assert other.get(f"/monitoring/alerts/{fed_alerts[0].pk}/").status_code == 404
    assert other.post(f"/monitoring/alerts/{fed_alerts[0].pk}/assign/",
                      {"assignee": 1}).status_code == 404
