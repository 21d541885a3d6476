"""Rule runs: start (checks), the job rule by rule, alerts from hits, re-runs, newer data,
cancel, failure, and the run pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.monitoring import run_actions
from qinglian.monitoring.choices import AlertStatus, RunStatus
from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner
from qinglian.monitoring.models import Alert, Run

from .alerts_world import fixture_lines, ocds_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


def start(city: Any, capture: Any, rules: str = "R018", **kw: Any) -> Run:
    org = kw.pop("organisation", city.federation)
    actor = kw.pop("actor", city.users[Role.FEDERATION_OFFICER])
    with capture(execute=True):
        run = run_actions.do_start_run(org, rules=rules, actor=actor, **kw)
    run.refresh_from_db()
    return run


def test_run_raises_alerts_rerun_updates_newer_data_resolves(
        city, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    ocds_version(city.federation)
    run = start(city, capture)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.progress_done == run.progress_total == 1
    assert run.counts["R018"]["hits"] == 2 and run.counts["R018"]["new"] == 2
    assert run.duration_ms is not None and run.versions["ocds"]
    assert run.parameters == {"R018": {"procurement_methods": ["open", "selective"],
                                       "excluded_procurement_method_details": []}}
    alerts = {a.subject: a for a in Alert.objects.all()}
    assert set(alerts) == {"open", "selective"}
    assert sorted(a.number[-7:] for a in alerts.values()) == ["0000001", "0000002"]
    first = alerts["open"]
    assert first.number.startswith("YJ") and first.severity == "medium"
    assert "只收到一份投标" in first.explanation
    assert first.status == AlertStatus.NEW and first.first_run_id == run.pk

    # the same data again: no duplicates, both "updated"
    again = start(city, capture)
    assert (again.counts["R018"]["new"], again.counts["R018"]["updated"],
            again.counts["R018"]["resolved"]) == (0, 2, 0)
    assert Alert.objects.count() == 2
    assert Alert.objects.get(subject="open").last_run_id == again.pk
    # other parameters on the same data clear nothing: only new data can
    narrower = start(city, capture, parameters={"R018": {"procurement_methods": "open"}})
    assert narrower.counts["R018"] == {**narrower.counts["R018"], "hits": 1, "resolved": 0}

    # a newer version without "selective": that alert is resolved by data
    ocds_version(city.federation, fixture_lines(without=("selective",)))
    newer = start(city, capture)
    assert newer.counts["R018"]["resolved"] == 1 and newer.counts["R018"]["updated"] == 1
    gone = Alert.objects.get(subject="selective")
    assert gone.status == AlertStatus.RESOLVED_BY_DATA and gone.resolved_by_data_at
    assert AuditRecord.objects.filter(event="alert.resolved_by_data",
                                      object_id=str(gone.pk)).count() == 1
    assert AuditRecord.objects.filter(event="alert.raised").count() == 2
    assert AuditRecord.objects.filter(event="run.succeeded").count() == 4
    # and when it comes back, the same alert reopens (still no duplicate)
    ocds_version(city.federation)
    back = start(city, capture)
    assert back.counts["R018"]["new"] == 0
    assert Alert.objects.get(subject="selective").status == AlertStatus.NEW
    assert Alert.objects.count() == 2


def test_start_checks_rules_parameters_datasets_engine_and_scope(city):
    fed = city.users[Role.FEDERATION_OFFICER]
    with pytest.raises(ValidationError, match="缺少已入库的“公共采购数据（OCDS）”数据集"):
        run_actions.do_start_run(city.federation, rules="R018", actor=fed)
    ocds_version(city.federation)
    with pytest.raises(ValidationError, match="没有这些规则：X999"):
        run_actions.do_start_run(city.federation, rules="R018,X999", actor=fed)
    with pytest.raises(ValidationError, match="规则 R003 的参数 threshold：不能小于"):
        run_actions.do_start_run(city.federation, rules="R003",
                                 parameters={"R003": {"threshold": -1}}, actor=fed)
    with pytest.raises(ValidationError, match="不在本次运行的规则中"):
        run_actions.do_start_run(city.federation, rules="R003",
                                 parameters={"R018": {"procurement_methods": "open"}}, actor=fed)
    with pytest.raises(ValidationError, match="不支持的引擎"):
        run_actions.do_start_run(city.federation, rules="R018", engine="pandas", actor=fed)
    with pytest.raises(PermissionDenied):
        run_actions.do_start_run(city.federation, rules="R018", actor=city.users[Role.AUDITOR])
    with pytest.raises(PermissionDenied):
        run_actions.do_start_run(city.federation, rules="R018",
                                 actor=city.users[Role.ENTERPRISE_USER])
    assert not Run.objects.exists()


def test_cancel_between_rules_and_queued(city, django_capture_on_commit_callbacks, monkeypatch):
    ocds_version(city.federation)
    fed = city.users[Role.FEDERATION_OFFICER]
    queued = run_actions.do_start_run(city.federation, rules="R018", actor=fed, queue=False)
    run_actions.do_cancel_run(queued, actor=fed)
    queued.refresh_from_db()
    assert queued.status == RunStatus.CANCELLED and queued.cancel_requested
    with pytest.raises(ValidationError, match="已结束"):
        run_actions.do_cancel_run(queued, actor=fed)

    original = DuckDBRunner.run

    def run_then_cancel(self, rule, parameters=None):  # type: ignore[no-untyped-def]
        outcome = original(self, rule, parameters)
        Run.objects.filter(status=RunStatus.RUNNING).update(cancel_requested=True)
        return outcome

    monkeypatch.setattr(DuckDBRunner, "run", run_then_cancel)
    run = start(city, django_capture_on_commit_callbacks, rules="R003,R018")
    assert run.status == RunStatus.CANCELLED and run.progress_done == 1
    assert list(run.counts) == ["R003"] and "1 / 2" in run.message
    assert not Alert.objects.filter(rule_code="R018").exists()


def test_failure_is_recorded_in_chinese(city, django_capture_on_commit_callbacks, monkeypatch):
    ocds_version(city.federation)

    def broken(self, rule, parameters=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(DuckDBRunner, "run", broken)
    with pytest.raises(RuntimeError):
        start(city, django_capture_on_commit_callbacks)
    run = Run.objects.get()
    assert run.status == RunStatus.FAILED and run.message == "规则 R018 运行失败：磁盘已满"
    assert AuditRecord.objects.filter(event="run.failed").exists()


def test_run_pages_new_run_form_progress_and_cancel(city, django_capture_on_commit_callbacks):
    ocds_version(city.federation)
    client = city.client(Role.FEDERATION_OFFICER)
    form = client.get("/monitoring/runs/new/").content.decode()
    assert 'name="p.R003.threshold"' in form and "范围 0" in form
    bad = client.post("/monitoring/runs/new/", {"rules": ["R003"], "p.R003.threshold": "abc",
                                                "engine": "duckdb"})
    assert "必须是整数" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/runs/new/", {
            "rules": ["R018"], "p.R018.procurement_methods": "open|selective",
            "p.R018.excluded_procurement_method_details": "", "engine": "duckdb"})
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/monitoring/runs/{run.pk}/"
    page = client.get(f"/monitoring/runs/{run.pk}/").content.decode()
    assert "已完成" in page and "100%" in page and 'hx-trigger="every 1s"' not in page
    assert client.get("/monitoring/runs/").content.decode().count('data-testid="run-row"') == 1
    queued = run_actions.do_start_run(city.federation, rules="R018",
                                      actor=city.users[Role.FEDERATION_OFFICER], queue=False)
    progress = client.get(f"/monitoring/runs/{queued.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in progress and "取消运行" in progress
    assert client.post(f"/monitoring/runs/{queued.pk}/cancel/").status_code == 302
    queued.refresh_from_db()
    assert queued.status == RunStatus.CANCELLED
    # another organisation's run is a 404, like a missing one
    assert city.client(Role.ENTERPRISE_USER).get(f"/monitoring/runs/{run.pk}/").status_code == 404


def test_spark_engine_finds_the_same_alerts(city, spark, django_capture_on_commit_callbacks):
    ocds_version(city.federation)
    duck = start(city, django_capture_on_commit_callbacks, rules="R003,R018")
    on_spark = start(city, django_capture_on_commit_callbacks, rules="R003,R018",
                     engine="spark")
    assert on_spark.status == RunStatus.SUCCEEDED, on_spark.message
    assert on_spark.engine == "spark"
    assert {code: c["hits"] for code, c in on_spark.counts.items()} == {
        code: c["hits"] for code, c in duck.counts.items()}
    assert all(c["new"] == 0 for c in on_spark.counts.values())


def test_start_up_recovery_fails_only_runs_whose_process_is_gone(city):
    import subprocess
    import sys

    from django.utils import timezone

    from qinglian.monitoring import jobs

    def queued() -> Run:
        return Run.objects.create(organisation=city.enterprises[0], rules=["R018"],
                                  status=RunStatus.RUNNING, created_at=timezone.now(),
                                  versions={}, parameters={})

    orphan, in_web, here = queued(), queued(), queued()
    # another live process (the web server) holds the owner lock of ``in_web``
    path = jobs._owner_path(jobs.RUN_JOB, in_web.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time; f = open(sys.argv[1], 'w'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
         str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with jobs.owning(jobs.RUN_JOB, here.pk):  # a run under way in this very process
            assert jobs.recover_interrupted() == 1
            for run in (orphan, in_web, here):
                run.refresh_from_db()
            assert orphan.status == RunStatus.FAILED and "服务重启" in orphan.message
            assert in_web.status == here.status == RunStatus.RUNNING
    finally:
        holder.kill()
        holder.wait()
    record = AuditRecord.objects.get(object_type="monitoring.run", object_id=str(orphan.pk),
                                     event="run.failed")
    assert record.actor_id is None and record.after["interrupted"] is True
    # once the web process is gone, its run is recovered too
    assert jobs.recover_interrupted() == 2
    in_web.refresh_from_db()
    assert in_web.status == RunStatus.FAILED
