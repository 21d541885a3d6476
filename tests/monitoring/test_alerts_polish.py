"""What people read on alerts: amounts and shares formatted by kind (pages, xlsx, CSV), L008
naming the matched field and both sides, evidence CSV with Chinese headers, personal data
masked on pages and in exports (raw CSV only for alert handlers)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from django.conf import settings
from django.utils import timezone

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.monitoring import run_actions
from qinglian.monitoring.choices import DatasetKind, LoadStatus, RunStatus
from qinglian.monitoring.engine import get_rule
from qinglian.monitoring.models import Alert, Dataset, DatasetVersion
from qinglian.monitoring.presentation import ValueKind, explain, format_value, subject_label
from qinglian.monitoring.schemas import SCHEMAS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


def ledger_version(organisation: Any, kind: str, rows: list[dict[str, Any]]) -> DatasetVersion:
    """A ready version of a ledger kind with every canonical column (missing values NULL)."""
    dataset, _ = Dataset.objects.get_or_create(organisation=organisation, kind=kind)
    number = dataset.versions.count() + 1
    relative = f"datasets/{organisation.pk}/{kind}/v{number}"
    directory = Path(settings.QINGLIAN_HOME) / relative
    directory.mkdir(parents=True)
    types = {"amount": "DECIMAL(18,2)", "date": "DATE", "integer": "BIGINT",
             "boolean": "BOOLEAN"}
    columns = SCHEMAS[kind].columns
    con = duckdb.connect()
    definition = ", ".join(f"{c.name} {types.get(c.type, 'VARCHAR')}" for c in columns)
    con.execute(f"CREATE TABLE t ({definition})")
    con.executemany(f"INSERT INTO t VALUES ({', '.join('?' for _ in columns)})",
                    [[row.get(c.name) for c in columns] for row in rows])
    con.table("t").write_parquet(str(directory / f"{kind}.parquet"))
    con.close()
    return DatasetVersion.objects.create(
        dataset=dataset, version=number, status=LoadStatus.READY, source_name=f"{kind}.csv",
        source_sha256="0" * 64, source_size=1, path=relative, rows=len(rows),
        created_at=timezone.now())


def run(city: Any, capture: Any, rules: str) -> Any:
    with capture(execute=True):
        started = run_actions.do_start_run(city.enterprises[0], rules=rules,
                                           actor=city.users[Role.ENTERPRISE_USER])
    started.refresh_from_db()
    assert started.status == RunStatus.SUCCEEDED, started.message
    return started


#: 30 payments of 40,000 yuan (each below the 50,000 approval limit) in two days: 1,200,000.
PAYMENTS = [
    {"payment_id": f"P{n:02d}", "unit": "采购一部", "vendor_id": "V1", "amount": 40000,
     "paid_on": dt.date(2026, 3, 2 + n % 2)}
    for n in range(1, 31)
]


def test_amounts_read_with_separators_in_explanation_list_and_exports(
        city, django_capture_on_commit_callbacks):
    ledger_version(city.enterprises[0], DatasetKind.PAYMENTS, PAYMENTS)
    run(city, django_capture_on_commit_callbacks, "L001P")
    alert = Alert.objects.get(rule_code="L001P")
    # the same two payments: the split reaches the approval limit (threshold 50,000 by default)
    assert "1,200,000.00 元" in alert.explanation and "50,000.00 元" in alert.explanation
    assert "e+" not in alert.explanation
    client = city.client(Role.ENTERPRISE_USER)
    page = client.get("/monitoring/alerts/").content.decode()
    assert "1,200,000.00 元" in page and "1.2e+06" not in page
    detail = client.get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    assert "1,200,000.00 元" in detail
    # evidence amounts on the page read like the value beside them (the CSV keeps plain decimals)
    evidence = detail.split('data-testid="evidence"')[1]
    assert "<td>40,000.00</td>" in evidence and "<td>40000.00</td>" not in evidence
    xlsx = client.get("/monitoring/alerts/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("指标值") + 1)
    assert cell.value == 1200000 and cell.number_format == "#,##0.00"
    text = sheet.cell(row=2, column=header.index("预警说明") + 1).value
    assert "1,200,000.00 元" in text
    # the evidence CSV: Chinese headers of the schema, plain decimals, BOM for Excel
    raw = b"".join(client.get(f"/monitoring/alerts/{alert.pk}/evidence.csv").streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    labels = {c.name: c.label for c in SCHEMAS[DatasetKind.PAYMENTS].columns}
    assert rows[0][:5] == [labels["payment_id"], labels["unit"], labels["vendor_id"],
                           labels["amount"], labels["paid_on"]]
    assert rows[1][3] == "40000.00" and len(rows) == 31


def test_values_and_parameters_format_by_kind_not_magnitude():
    assert format_value(0.375, ValueKind.SHARE) == "37.5%"
    assert format_value(1.2e6, ValueKind.AMOUNT, unit=True) == "1,200,000.00 元"
    assert format_value(3125.0, ValueKind.INDEX) == "3,125"
    assert format_value(0.01834, ValueKind.DECIMAL) == "0.0183"
    hit = type("H", (), {"group": "Vendor", "subject": "V9", "value": 0.625, "unit": "",
                         "vendor_id": "", "occurred_on": None})()
    text = explain(get_rule("L003"), hit, {"multiple": 10000, "min_amount": 10000,
                                           "share": 0.5, "min_payments": 10, "min_round": 5})
    assert "10,000.00 元整数倍的占 62.5%，超过 50%" in text
    unit_hit = type("H", (), {"group": "Unit", "subject": "2026", "value": 3125.0,
                              "unit": "采购一部", "vendor_id": "V1", "occurred_on": None})()
    text = explain(get_rule("L006"), unit_hit, {"top_share": 0.5, "hhi": 2500.0,
                                                "period": "year", "min_payments": 10})
    assert "HHI = 3,125（> 2,500）" in text and "超过 50%" in text


def test_subjects_read_as_human_labels():
    assert subject_label("Vendor", "V001|E002") == "供应商 V001 · 员工 E002"
    assert subject_label("Tender", "T-9") == "招标项目 T-9"
    assert subject_label("Bidders", "B1|B2|B3") == "投标人组合 B1、B2、B3"


VENDORS = [{"vendor_id": "V7", "name": "某某贸易有限公司", "legal_representative": "李四",
            "phone": "0571-8888 1234", "bank_account": "6222 0212 3456 7891 234",
            "address": "杭州市西湖区文三路1号"}]
EMPLOYEES = [{"employee_id": "E3", "name": "王五", "department": "采购一部",
              "phone": "13800001111", "bank_account": "6222021234567891234",
              "address": "杭州市上城区解放路9号"}]


def test_l008_names_the_matched_field_both_sides_and_masks_personal_data(
        city, django_capture_on_commit_callbacks):
    organisation = city.enterprises[0]
    ledger_version(organisation, DatasetKind.VENDORS, VENDORS)
    ledger_version(organisation, DatasetKind.EMPLOYEES, EMPLOYEES)
    run(city, django_capture_on_commit_callbacks, "L008")
    alert = Alert.objects.get(rule_code="L008")
    text = alert.explanation
    assert "银行账号" in text and "电话" not in text.split("相同")[0]
    assert "V7（某某贸易有限公司）" in text and "E3（王五，采购一部）" in text
    assert "6222 **** **** 1234" in text and "6222021234567891234" not in text
    client = city.client(Role.ENTERPRISE_USER)
    detail = client.get(f"/monitoring/alerts/{alert.pk}/").content.decode()
    named = "供应商 V7 某某贸易有限公司 · 员工 E3 王五（采购一部）"  # names: test_alert_names.py
    assert named in detail and ">1 项<" in detail
    listing = client.get("/monitoring/alerts/").content.decode()
    assert named in listing and "Vendor · " not in listing
    # at 1024 px the secondary columns (unit, handler, detected on) give way to the subject
    assert listing.count("d-none d-xl-table-cell") == 6 and "table-responsive" in listing
    assert "6222021234567891234" not in detail and "6222 **** **** 1234" in detail
    assert "13800001111" not in detail and "138****1111" in detail
    # home addresses are personal data too: street and number hidden on the page
    assert "解放路9号" not in detail and "杭州市上城区****" in detail
    # an auditor of the enterprise reads and exports its alerts but does not handle them
    from django.test import Client

    from tests.conftest import make_user

    auditor = Client()
    auditor.force_login(make_user("ent-auditor", Role.AUDITOR, organisation))
    reader = auditor.get(f"/monitoring/alerts/{alert.pk}/evidence.csv")
    assert reader.status_code == 200
    masked = b"".join(reader.streaming_content).decode("utf-8-sig")
    assert "6222021234567891234" not in masked and "6222 **** **** 1234" in masked
    assert "解放路9号" not in masked and "杭州市上城区****" in masked
    assert "138****1111" in masked and not AuditRecord.objects.filter(
        event="evidence.exported_raw").exists()
    # the enterprise's alert handler gets the raw rows, and that is audited
    raw = b"".join(client.get(f"/monitoring/alerts/{alert.pk}/evidence.csv")
                   .streaming_content).decode("utf-8-sig")
    assert "6222021234567891234" in raw and raw.splitlines()[0].startswith("工号,姓名")
    assert AuditRecord.objects.filter(event="evidence.exported_raw",
                                      object_id=str(alert.pk)).exists()


def test_rule_names_are_distinguishable():
    from qinglian.monitoring.engine import all_rules

    names = [rule.name_zh for rule in all_rules()]
    assert len(names) == len(set(names))
    assert get_rule("L011").name_zh == "投标期过短（台账）"
    assert get_rule("R003").name_zh == "投标期过短（公共采购 OCDS）"


def test_run_form_shows_needed_data_and_parameters_read_with_labels(
        city, django_capture_on_commit_callbacks):
    ledger_version(city.enterprises[0], DatasetKind.PAYMENTS, PAYMENTS)
    client = city.client(Role.ENTERPRISE_USER)
    form = client.get("/monitoring/runs/new/").content.decode()
    needs = form.split('data-testid="needs-L001P"')[1].split("</div>")[0]
    assert "付款记录（第 1 版）" in needs
    l008 = form.split('data-testid="rule-L008"')[1].split('data-testid="rule-')[0]
    checkbox = l008.split('id="r-L008"')[1].split(">")[0]
    assert "disabled" in checkbox
    assert "disabled" not in form.split('id="r-L001P"')[1].split(">")[0]
    assert "供应商：尚无可用版本，去上传" in l008 and "/monitoring/datasets/upload/?kind=vendors" in l008
    assert "员工：尚无可用版本，去上传" in l008
    assert "window_days</span>" not in form and "时间窗口（天）" in form
    done = run(city, django_capture_on_commit_callbacks, "L001P")
    detail = client.get(f"/monitoring/runs/{done.pk}/").content.decode()
    table = detail.split('data-testid="run-parameters"')[1].split("</table>")[0]
    assert "时间窗口（天）" in table and "审批限额（元）" in table and "50,000.00" in table
    assert ">window_days<" not in table and ">threshold<" not in table
