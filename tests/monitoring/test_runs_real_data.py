"""End to end over 10,000 real procurement processes (../shared): import as a dataset
version, run the eleven OCDS indicators as one run, alerts written set-wise, and a re-run
that creates nothing new."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from qinglian.core.choices import Role
from qinglian.monitoring import run_actions
from qinglian.monitoring.choices import DatasetKind, LoadStatus, RunStatus
from qinglian.monitoring.models import Alert, Dataset, DatasetVersion
from qinglian.monitoring.ocds import import_compiled_releases

from .test_ocds_real_data import REAL_DATA

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
OCDS = "R003,R018,R024,R025,R028,R030,R035,R036,R038,R048,R058"


def test_real_data_run_and_rerun(city, settings, tmp_path, django_capture_on_commit_callbacks):
    if not REAL_DATA.exists():
        pytest.skip(f"真实数据不存在（{REAL_DATA}），跳过端到端测试")
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True
    started = time.perf_counter()
    dataset = Dataset.objects.create(organisation=city.federation, kind=DatasetKind.OCDS)
    imported = import_compiled_releases(REAL_DATA, tmp_path / "datasets" / "ocds" / "v1")
    DatasetVersion.objects.create(
        dataset=dataset, version=1, status=LoadStatus.READY, source_name=REAL_DATA.name,
        source_sha256="0" * 64, source_size=REAL_DATA.stat().st_size, path="datasets/ocds/v1",
        rows=imported.row_counts["ocds_releases"], created_at=timezone.now())
    loaded = time.perf_counter()
    fed = city.users[Role.FEDERATION_OFFICER]
    with django_capture_on_commit_callbacks(execute=True):
        run = run_actions.do_start_run(city.federation, rules=OCDS, actor=fed)
    run.refresh_from_db()
    first = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        again = run_actions.do_start_run(city.federation, rules=OCDS, actor=fed)
    again.refresh_from_db()
    second = time.perf_counter()
    print(f"\nimport {loaded - started:.2f} s; run {first - loaded:.2f} s "
          f"({run.duration_ms} ms recorded); re-run {second - first:.2f} s")
    assert run.status == again.status == RunStatus.SUCCEEDED, (run.message, again.message)
    for code in run.rules:
        print(code, run.counts[code], "| re-run:", again.counts[code])
    assert run.status == again.status == RunStatus.SUCCEEDED
    total = sum(c["hits"] for c in run.counts.values())
    assert Alert.objects.count() == total > 0
    assert all(c["new"] == 0 and c["updated"] == c["hits"] for c in again.counts.values())
