"""Names beside codes on alerts (list, detail, xlsx, dashboard), both sides of an L008 pair, and
the OCDS tenderer alerts whose value is Cardinal's flag (0), not the rule's measure."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinglian.core.choices import Role
from qinglian.monitoring import run_actions
from qinglian.monitoring.choices import DatasetKind, RunStatus
from qinglian.monitoring.models import Alert

from .alerts_world import fixture_lines, ocds_version
from .test_alerts_polish import EMPLOYEES, VENDORS, ledger_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


def run(organisation: Any, actor: Any, rules: str, capture: Any, **parameters: Any) -> Any:
    with capture(execute=True):
        started = run_actions.do_start_run(organisation, rules=rules, actor=actor,
                                           parameters=parameters)
    started.refresh_from_db()
    assert started.status == RunStatus.SUCCEEDED, started.message
    return started


def _xlsx_rows(response: Any) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def conflict(city, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """An L008 alert of the first enterprise: vendor V7 and employee E3 share a bank account."""
    organisation = city.enterprises[0]
    ledger_version(organisation, DatasetKind.VENDORS, VENDORS)
    ledger_version(organisation, DatasetKind.EMPLOYEES, EMPLOYEES)
    run(organisation, city.users[Role.ENTERPRISE_USER], "L008", django_capture_on_commit_callbacks)
    return Alert.objects.get(rule_code="L008")


LABEL = "供应商 V7 某某贸易有限公司 · 员工 E3 王五（采购一部）"


def test_ledger_subjects_name_vendor_and_employee_on_list_detail_and_export(city, conflict):
    client = city.client(Role.ENTERPRISE_USER)
    listing = client.get("/monitoring/alerts/").content.decode()
    assert LABEL in listing
    detail = client.get(f"/monitoring/alerts/{conflict.pk}/").content.decode()
    assert LABEL in detail
    assert 'data-testid="alert-vendor"><span class="ql-mono">V7</span> 某某贸易有限公司' in detail
    (row,) = _xlsx_rows(client.get("/monitoring/alerts/?export=xlsx"))
    assert row["对象"] == LABEL
    assert (row["供应商编号"], row["供应商名称"]) == ("V7", "某某贸易有限公司")


def test_a_newer_vendors_version_renames_and_unknown_codes_stay_codes(city, conflict):
    organisation = city.enterprises[0]
    client = city.client(Role.ENTERPRISE_USER)
    renamed = [{**VENDORS[0], "name": "某某贸易（集团）有限公司"}]
    ledger_version(organisation, DatasetKind.VENDORS, renamed)
    page = client.get("/monitoring/alerts/").content.decode()
    assert "供应商 V7 某某贸易（集团）有限公司 · 员工 E3 王五（采购一部）" in page
    # a vendors ledger without V7 (and no name for it anywhere): the code alone
    ledger_version(organisation, DatasetKind.VENDORS, [{**VENDORS[0], "vendor_id": "V8"}])
    page = client.get(f"/monitoring/alerts/{conflict.pk}/").content.decode()
    assert "供应商 V7 · 员工 E3 王五（采购一部）" in page and "某某贸易" not in page.split(
        "预警说明")[0]


def test_l008_detail_shows_the_vendor_row_beside_the_employee_row_masked(city, conflict):
    client = city.client(Role.ENTERPRISE_USER)
    # a newer vendors load does not change what the alert's run read
    ledger_version(city.enterprises[0], DatasetKind.VENDORS,
                   [{**VENDORS[0], "phone": "0571-1111 2222"}])
    detail = client.get(f"/monitoring/alerts/{conflict.pk}/").content.decode()
    vendor = detail.split('data-testid="vendor-side"')[1].split('data-testid="evidence"')[0]
    assert "供应商一方" in vendor and "供应商名称" in vendor and "某某贸易有限公司" in vendor
    assert "李四" in vendor and "杭州市西湖区文三路1号" in vendor
    assert "6222 **** **** 1234" in vendor and "6222 0212 3456 7891 234" not in vendor
    assert "0571-8888 1234" not in vendor and "1111" not in vendor
    employee = detail.split('data-testid="evidence"')[1]
    assert "员工一方" in employee and "王五" in employee and "138****1111" in employee
    assert "13800001111" not in detail


def test_dashboard_top_vendors_read_with_names_and_pinned_queries(city, conflict):
    client = city.client(Role.ENTERPRISE_USER)
    with CaptureQueriesContext(connection) as named:
        page = client.get("/monitoring/dashboard/").content.decode()
    top = page.split('data-testid="top-vendors"')[1].split("</table>")[0]
    assert ">V7</a>" in top and '<span data-testid="vendor-name">某某贸易有限公司</span>' in top
    Alert.objects.all().delete()
    with CaptureQueriesContext(connection) as empty:
        client.get("/monitoring/dashboard/")
    assert len(named) == len(empty)


def test_bidder_ring_names_each_bidder(city, django_capture_on_commit_callbacks):
    organisation = city.enterprises[0]
    names = {"B1": "甲建设有限公司", "B2": "乙建设有限公司", "B3": "丙建设有限公司"}
    ledger_version(organisation, DatasetKind.VENDORS,
                   [{"vendor_id": code, "name": name} for code, name in names.items()])
    tenders, bids = [], []
    for n, winner in enumerate(["B1", "B2", "B3"]):
        tender = f"T{n}"
        tenders.append({"tender_id": tender, "title": f"项目{n}", "method": "公开招标",
                        "published_on": dt.date(2026, 3, 1 + n), "awarded_vendor_id": winner})
        bids += [{"bid_id": f"{tender}-{code}", "tender_id": tender, "vendor_id": code,
                  "amount": 100 + n, "won": code == winner} for code in names]
    ledger_version(organisation, DatasetKind.TENDERS, tenders)
    ledger_version(organisation, DatasetKind.BIDS, bids)
    run(organisation, city.users[Role.ENTERPRISE_USER], "L010", django_capture_on_commit_callbacks)
    alert = Alert.objects.get(rule_code="L010")
    page = city.client(Role.ENTERPRISE_USER).get(f"/monitoring/alerts/{alert.pk}/")
    assert ("投标人组合 B1 甲建设有限公司、B2 乙建设有限公司、B3 丙建设有限公司"
            in page.content.decode())


def _named_r035_lines() -> list[str]:
    lines = fixture_lines("R035")
    return [line.replace('{"id":"V"}', '{"id":"V","name":"维新科技有限公司"}')
            .replace('{"id":"D"}', '{"id":"D","name":"德润商贸有限公司"}') for line in lines]


def test_ocds_tenderer_alerts_name_the_tenderer_and_do_not_read_as_zero(
        city, django_capture_on_commit_callbacks):
    ocds_version(city.federation, _named_r035_lines())
    run(city.federation, city.users[Role.FEDERATION_OFFICER], "R035",
        django_capture_on_commit_callbacks)
    tenderer = Alert.objects.get(rule_code="R035", group="Tenderer")
    assert (tenderer.subject, tenderer.value) == ("V", 0.0)  # Cardinal's result, unchanged
    assert "0 家" not in tenderer.explanation and "其他投标人全部被取消资格" in tenderer.explanation
    process = Alert.objects.get(rule_code="R035", group="OCID", subject="F2")
    assert "（2 家）" in process.explanation
    client = city.client(Role.FEDERATION_OFFICER)
    listing = client.get("/monitoring/alerts/?rule=R035").content.decode()
    assert "投标人 V 维新科技有限公司" in listing and "0 家" not in listing
    assert ">2 家<" in listing
    detail = client.get(f"/monitoring/alerts/{tenderer.pk}/").content.decode()
    assert "投标人 V 维新科技有限公司" in detail
    assert 'data-testid="alert-value">—<' in detail
    rows = _xlsx_rows(client.get("/monitoring/alerts/?export=xlsx&rule=R035"))
    assert {r["对象"] for r in rows if r["对象"].startswith("投标人")} == {
        "投标人 V 维新科技有限公司"}


def test_r058_tenderer_explanation_states_no_zero_ratio(city, django_capture_on_commit_callbacks):
    ocds_version(city.federation, fixture_lines("R058"))
    # the golden case's settings (tests/monitoring/conftest.py golden_case)
    run(city.federation, city.users[Role.FEDERATION_OFFICER], "R058",
        django_capture_on_commit_callbacks,
        R058={"excluded_procurement_method_details": ["EXC"],
              "no_price_comparison_procurement_methods": ["NPC"]})
    tenderers = Alert.objects.filter(rule_code="R058", group="Tenderer")
    assert tenderers.exists()
    for alert in tenderers:
        assert "差距比例 0" not in alert.explanation and "远低于次低有效报价" in alert.explanation
    process = Alert.objects.get(rule_code="R058", group="OCID", subject="F")
    assert process.value == 100.0 and "差距比例 10000%" in process.explanation


def test_older_ocds_versions_without_names_show_codes(city, django_capture_on_commit_callbacks):
    version = ocds_version(city.federation, _named_r035_lines())
    run(city.federation, city.users[Role.FEDERATION_OFFICER], "R035",
        django_capture_on_commit_callbacks)
    # a version imported before names were kept: its tables have no name columns
    import duckdb

    for path in run_actions.version_files(version).values():
        con = duckdb.connect()
        columns = [c[0] for c in con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                             [str(path)]).fetchall()]
        kept = ", ".join(c for c in columns if not c.endswith("_name"))
        con.execute(f"COPY (SELECT {kept} FROM read_parquet(?)) TO '{path}.new' (FORMAT parquet)",
                    [str(path)])
        con.close()
        path.with_suffix(".parquet.new").replace(path)
    from qinglian.monitoring import names

    names._lookup.cache_clear()
    listing = city.client(Role.FEDERATION_OFFICER).get("/monitoring/alerts/").content.decode()
    assert "投标人 V" in listing and "维新科技" not in listing
