"""``qinglian monitor run``: the same checks as the page, a progress bar, counts, Ctrl-C."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qinglian.monitoring.choices import RunStatus
from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner
from qinglian.monitoring.models import Alert, Run

from .alerts_world import ocds_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


def monitor(*args: str) -> str:
    out = io.StringIO()
    call_command("monitor", *args, stdout=out)
    return out.getvalue()


def test_run_by_uscc_with_parameters_and_progress(city):
    ocds_version(city.enterprises[0])
    text = monitor("run", "--org", city.enterprises[0].uscc, "--rules", "R018,R003",
                   "--param", "R018.procurement_methods=open", "--param", "R003.threshold=10")
    run = Run.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.started_by is None
    assert run.parameters["R018"]["procurement_methods"] == ["open"]
    assert run.parameters["R003"]["threshold"] == 10
    assert f"运行 #{run.pk}：华为技术有限公司，2 条规则" in text
    assert "规则: 100%" in text and "2/2" in text  # the tqdm bar
    assert "R018  命中 1  新增 1" in text and "已完成" in text
    assert Alert.objects.filter(organisation=city.enterprises[0], rule_code="R018").count() == 1
    again = monitor("run", "--org", str(city.enterprises[0].pk), "--rules", "R018",
                    "--param", "R018.procurement_methods=open", "--no-progress", "--user", "enterprise")
    assert "新增 0  再次发现 1" in again and "规则:" not in again


def test_errors_are_clear(city):
    with pytest.raises(CommandError, match="只能对本单位"):
        monitor("run", "--org", str(city.enterprises[1].pk), "--rules", "R018",
                "--user", "enterprise")
    with pytest.raises(CommandError, match="找不到单位"):
        monitor("run", "--org", "999999", "--rules", "R018")
    with pytest.raises(CommandError, match="缺少已入库"):
        monitor("run", "--org", str(city.federation.pk), "--rules", "all")
    ocds_version(city.federation)
    with pytest.raises(CommandError, match="没有这些规则：ZZZ"):
        monitor("run", "--org", str(city.federation.pk), "--rules", "ZZZ")
    with pytest.raises(CommandError, match="必须是整数"):
        monitor("run", "--org", str(city.federation.pk), "--rules", "R003",
                "--param", "R003.threshold=ten")
    with pytest.raises(CommandError, match="参数格式"):
        monitor("run", "--org", str(city.federation.pk), "--rules", "R003", "--param", "x")
    with pytest.raises(CommandError, match="不能小于"):
        monitor("run", "--org", str(city.federation.pk), "--rules", "R003",
                "--param", "R003.threshold=-1")
    assert not Run.objects.exists()


def test_ctrl_c_cancels_cleanly(city, monkeypatch):
    ocds_version(city.federation)
    original = DuckDBRunner.run

    def interrupted(self, rule, parameters=None):  # type: ignore[no-untyped-def]
        if rule.code == "R018":
            raise KeyboardInterrupt
        return original(self, rule, parameters)

    monkeypatch.setattr(DuckDBRunner, "run", interrupted)
    with pytest.raises(CommandError, match="已取消：完成 1 / 2 条规则"):
        monitor("run", "--org", str(city.federation.pk), "--rules", "R003,R018")
    run = Run.objects.get()
    assert run.status == RunStatus.CANCELLED and list(run.counts) == ["R003"]
    assert run.finished_at is not None
