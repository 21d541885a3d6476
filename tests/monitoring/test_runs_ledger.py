"""Runs over ledger datasets: the derived statutory calendar table, evidence rows of ledger
rules, and a newer version that extends one finding and clears another."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.conf import settings
from django.utils import timezone

from qinglian.core.choices import Role
from qinglian.monitoring import run_actions
from qinglian.monitoring.choices import AlertStatus, DatasetKind, LoadStatus, RunStatus
from qinglian.monitoring.models import Alert, Dataset, DatasetVersion

pytestmark = pytest.mark.django_db

PAYMENTS = [
    ("P1", "采购一部", "V1", 30000, dt.date(2026, 3, 2)),
    ("P2", "采购一部", "V1", 30000, dt.date(2026, 3, 5)),
    ("P3", "采购二部", "V2", 20000, dt.date(2026, 3, 7)),    # a Saturday
    ("P4", "采购二部", "V2", 20000, dt.date(2026, 2, 14)),   # a make-up working Saturday
    ("P5", "采购三部", "V3", 15000, dt.date(2026, 10, 1)),   # National Day
]


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


def payments_version(organisation: Any, rows: list[tuple[Any, ...]]) -> DatasetVersion:
    dataset, _ = Dataset.objects.get_or_create(organisation=organisation,
                                               kind=DatasetKind.PAYMENTS)
    number = dataset.versions.count() + 1
    relative = f"datasets/{organisation.pk}/payments/v{number}"
    directory = Path(settings.QINGLIAN_HOME) / relative
    directory.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE payments (payment_id VARCHAR, unit VARCHAR, vendor_id VARCHAR, "
                "amount DECIMAL(18,2), paid_on DATE, invoice_no VARCHAR, order_id VARCHAR, "
                "description VARCHAR)")
    con.executemany("INSERT INTO payments VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL)", rows)
    con.table("payments").write_parquet(str(directory / "payments.parquet"))
    con.close()
    return DatasetVersion.objects.create(
        dataset=dataset, version=number, status=LoadStatus.READY, source_name="付款.csv",
        source_sha256="0" * 64, source_size=1, path=relative, rows=len(rows),
        created_at=timezone.now())


def start(city: Any, capture: Any, rules: str) -> Any:
    organisation = city.enterprises[0]
    with capture(execute=True):
        run = run_actions.do_start_run(organisation, rules=rules,
                                       actor=city.users[Role.ENTERPRISE_USER])
    run.refresh_from_db()
    return run


def test_ledger_rules_with_calendar_and_evidence(city, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    payments_version(city.enterprises[0], PAYMENTS)
    run = start(city, capture, "L001P,L005")
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run_actions.kinds_needed([run_actions.get_rule("L005")]) == ["payments"]
    assert (run.counts["L001P"]["new"], run.counts["L005"]["new"]) == (1, 2)
    split = Alert.objects.get(rule_code="L001P")
    assert (split.unit, split.vendor_id, split.occurred_on) == ("采购一部", "V1",
                                                                dt.date(2026, 3, 2))
    assert [row["payment_id"] for row in split.evidence] == ["P1", "P2"]
    assert split.evidence_total == 2 and split.evidence[0]["amount"] == "30000.00"
    assert "采购一部" in split.explanation and "V1" in split.explanation
    assert set(Alert.objects.filter(rule_code="L005").values_list("subject", flat=True)) == {
        "P3", "P5"}
    # the next load: P6 extends the split window, P3 is gone (corrected)
    rows = [row for row in PAYMENTS if row[0] != "P3"]
    payments_version(city.enterprises[0], [*rows, ("P6", "采购一部", "V1", 30000,
                                                   dt.date(2026, 3, 10))])
    newer = start(city, capture, "L001P,L005")
    assert newer.counts["L001P"] == {**newer.counts["L001P"], "new": 0, "updated": 1}
    assert newer.counts["L005"]["resolved"] == 1
    split.refresh_from_db()
    assert split.evidence_total == 3 and split.last_run_id == newer.pk
    assert Alert.objects.get(subject="P3").status == AlertStatus.RESOLVED_BY_DATA
    csv = city.client(Role.ENTERPRISE_USER).get(f"/monitoring/alerts/{split.pk}/evidence.csv")
    lines = b"".join(csv.streaming_content).decode("utf-8").strip().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["P1", "P2", "P6"]
