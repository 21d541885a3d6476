"""Data intake: upload → mapping → the load job, for every format and every kind of bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.monitoring import intake_actions
from qinglian.monitoring.choices import LoadStatus
from qinglian.monitoring.intake import store
from qinglian.monitoring.models import ColumnMapping, DatasetVersion

pytestmark = pytest.mark.django_db

OCDS = Path(__file__).resolve().parent.parent / "fixtures" / "ocds"

PAYMENTS = """付款单号,部门,供应商编号,金额,付款日期,发票号,摘要
P001,财务部,V01,"1,234.56",2026-03-02,INV-1,办公用品
P002,财务部,V01,1.5万,2026/3/3,INV-2,设备
P003,采购部,v02,2亿元,2026年3月4日,ｉｎｖ３,工程
P004,采购部,V03,(100),20260305,,退款
P005,采购部,V03,￥88,46087,,服务费
"""


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


def ent(city: Any) -> Any:
    return city.users[Role.ENTERPRISE_USER]


def upload(city: Any, content: bytes, name: str = "付款.csv", kind: str = "payments",
           actor: Any = None, organisation: Any = None) -> DatasetVersion:
    return intake_actions.do_upload_dataset(
        organisation or city.enterprises[0], kind, name=name, chunks=[content],
        actor=actor or ent(city))


def load(city: Any, capture: Any, content: bytes, name: str = "付款.csv",
         kind: str = "payments", mapping: dict[str, str] | None = None, **kw: Any
         ) -> DatasetVersion:
    version = upload(city, content, name, kind, **kw)
    with capture(execute=True):
        intake_actions.do_confirm_mapping(
            version, version.mapping if mapping is None else mapping,
            actor=kw.get("actor") or ent(city))
    version.refresh_from_db()
    return version


def parquet_rows(version: DatasetVersion, table: str = "payments") -> list[tuple[Any, ...]]:
    path = store.version_files(version)[table]
    return duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()


def test_csv_load_converts_amounts_dates_codes_and_publishes_version(
        city, django_capture_on_commit_callbacks):
    version = load(city, django_capture_on_commit_callbacks, PAYMENTS.encode())
    assert version.status == LoadStatus.READY, version.message
    assert version.version == 1 and version.rows == 5
    assert version.date_min == dt.date(2026, 3, 2) and version.date_max == dt.date(2026, 3, 6)
    assert version.source_encoding == "UTF-8"
    assert version.path == f"datasets/{city.enterprises[0].pk}/payments/v1"
    rows = {r[0]: r for r in parquet_rows(version)}
    assert rows["P001"][3] == Decimal("1234.56")
    assert rows["P002"][3] == Decimal("15000.00")
    assert rows["P003"][3] == Decimal("200000000.00")
    assert rows["P003"][2] == "V02" and rows["P003"][5] == "INV3"
    assert rows["P004"][3] == Decimal("-100.00") and rows["P004"][5] is None
    assert rows["P005"][4] == dt.date(2026, 3, 6)  # Excel serial 46087
    assert rows["P003"][4] == dt.date(2026, 3, 4)
    profile = version.profile
    assert profile["amount"]["non_null"] == 5 and profile["amount"]["min"] == "-100.00"
    assert profile["unit"]["top"] and profile["invoice_no"]["nulls"] == 2
    assert not (store.home() / "uploads" / str(version.pk)).exists()  # staging removed
    assert store.latest_ready_version(city.enterprises[0].pk, "payments") == version
    events = set(AuditRecord.objects.values_list("event", flat=True))
    assert "monitoring.dataset_loaded" in events


def test_gbk_and_bom_csv_are_detected_and_converted(city, django_capture_on_commit_callbacks):
    gbk = load(city, django_capture_on_commit_callbacks, PAYMENTS.encode("gbk"))
    assert gbk.status == LoadStatus.READY, gbk.message
    assert gbk.source_encoding == "GBK/GB18030"
    assert {r[1] for r in parquet_rows(gbk)} == {"财务部", "采购部"}
    bom = load(city, django_capture_on_commit_callbacks, b"\xef\xbb\xbf" + PAYMENTS.encode())
    assert bom.status == LoadStatus.READY, bom.message
    assert bom.source_encoding == "UTF-8（带 BOM）" and bom.version == 2
    assert bom.mapping["payment_id"] == "付款单号"


def test_undecodable_bytes_are_refused(city):
    with pytest.raises(ValidationError, match="无法识别文件编码"):
        upload(city, "付款单号,金额\n".encode() + b"\xff\xfe\xfa\x81\n")


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_is_streamed_with_native_dates_and_numbers(city, django_capture_on_commit_callbacks):
    content = xlsx_bytes([
        ["付款编号", "付款单位", "供应商编号", "付款金额", "付款日期"],
        ["P1", "财务部", "V1", 1200.5, dt.datetime(2026, 3, 2)],
        ["P2", "财务部", "V2", 30000, "2026/3/3"],
    ])
    version = load(city, django_capture_on_commit_callbacks, content, "付款.xlsx")
    assert version.status == LoadStatus.READY, version.message
    rows = sorted(parquet_rows(version))
    assert rows[0][3] == Decimal("1200.50") and rows[0][4] == dt.date(2026, 3, 2)
    assert rows[1][3] == Decimal("30000.00")


def test_parquet_upload(city, django_capture_on_commit_callbacks, tmp_path):
    source = tmp_path / "in.parquet"
    duckdb.sql(f"""COPY (SELECT 'P' || i AS payment_id, '财务部' AS unit, 'V1' AS vendor_id,
                  CAST(i * 10.5 AS DECIMAL(18,2)) AS amount, DATE '2026-01-01' + CAST(i AS INTEGER) AS paid_on
                  FROM range(1, 4) t(i)) TO '{source}' (FORMAT parquet)""")
    version = load(city, django_capture_on_commit_callbacks, source.read_bytes(), "x.parquet")
    assert version.status == LoadStatus.READY, version.message
    assert version.rows == 3 and version.date_max == dt.date(2026, 1, 4)


def test_files_that_are_not_what_their_extension_says(city, tmp_path):
    with pytest.raises(ValidationError, match="不是 Excel"):
        upload(city, PAYMENTS.encode(), "付款.xlsx")
    with pytest.raises(ValidationError, match="不是 Parquet"):
        upload(city, PAYMENTS.encode(), "付款.parquet")
    with pytest.raises(ValidationError, match="不是文本文件"):
        upload(city, xlsx_bytes([["a"]]), "付款.csv")
    with pytest.raises(ValidationError, match="只能上传"):
        upload(city, b"x", "付款.txt")
    with pytest.raises(ValidationError, match=r"只接受 \.jsonl"):
        upload(city, PAYMENTS.encode(), "ocds.csv", kind="ocds")
    with pytest.raises(ValidationError, match=r"空文件|是空的"):
        upload(city, b"")
    assert not DatasetVersion.objects.exclude(status=LoadStatus.CANCELLED).filter(
        source_sha256__gt="").exists()


def test_size_limit(city, settings):
    settings.QINGLIAN_INTAKE_LIMITS = {"csv": 10}
    with pytest.raises(ValidationError, match="超过允许的大小"):
        upload(city, PAYMENTS.encode())


def test_missing_required_columns_are_named(city):
    version = upload(city, "付款单号,部门,金额\nP1,财务部,1\n".encode())
    with pytest.raises(ValidationError, match="缺少必填列：供应商编号、付款日期"):
        intake_actions.do_confirm_mapping(version, version.mapping, actor=ent(city))


def test_bad_values_reject_the_load_and_report_every_row(
        city, django_capture_on_commit_callbacks):
    content = PAYMENTS + "P006,财务部,V01,一百元,2026-02-30,,\nP007,财务部,,12,昨天,,\n"
    version = load(city, django_capture_on_commit_callbacks, content.encode())
    assert version.status == LoadStatus.REJECTED
    assert version.version is None and not version.path
    assert version.bad_rows == 2
    errors = {(e["row"], e["column"].split("（")[0], e["reason"][:6]) for e in version.errors}
    assert (7, "付款金额", "无法识别的金") in errors
    assert (7, "付款日期", "无法识别的日") in errors
    assert (8, "供应商编号", "必填项为空") in errors
    assert (8, "付款日期", "无法识别的日") in errors
    assert store.latest_ready_version(city.enterprises[0].pk, "payments") is None
    assert not (store.home() / "datasets").exists() or not any(
        (store.home() / "datasets").rglob("*.parquet"))
    report = store.error_report(version)
    assert report is not None
    assert "一百元" in report.read_text(encoding="utf-8")


def test_duplicate_keys_report_all_rows(city, django_capture_on_commit_callbacks):
    content = PAYMENTS + "P001,财务部,V09,5,2026-03-09,,\n"
    version = load(city, django_capture_on_commit_callbacks, content.encode())
    assert version.status == LoadStatus.REJECTED
    dupes = [e for e in version.errors if "重复" in e["reason"]]
    assert {e["row"] for e in dupes} == {2, 7}
    assert all("第 2、7 行" in e["reason"] for e in dupes)


def test_empty_and_header_only_files(city, django_capture_on_commit_callbacks):
    version = load(city, django_capture_on_commit_callbacks,
                   "付款单号,部门,供应商编号,金额,付款日期\n".encode())
    assert version.status == LoadStatus.REJECTED
    assert version.message == "文件中没有数据行"
    with pytest.raises(ValidationError, match=r"没有数据行|是空的"):
        upload(city, b"\n\n")


def test_mapping_is_saved_and_preselected(city, django_capture_on_commit_callbacks):
    content = "编号,科室,对方,钱,哪天\nP1,财务部,V1,5,2026-01-05\n".encode()
    first = upload(city, content)
    assert "payment_id" not in first.mapping  # nothing to match "编号" by alias
    chosen = {"payment_id": "编号", "unit": "科室", "vendor_id": "对方", "amount": "钱",
              "paid_on": "哪天"}
    with django_capture_on_commit_callbacks(execute=True):
        intake_actions.do_confirm_mapping(first, chosen, actor=ent(city))
    first.refresh_from_db()
    assert first.status == LoadStatus.READY, first.message
    saved = ColumnMapping.objects.get(organisation=city.enterprises[0], kind="payments")
    assert saved.mapping == chosen
    second = upload(city, content)
    assert second.mapping == chosen


def test_ocds_jsonl_and_gz(city, django_capture_on_commit_callbacks):
    fed = city.users[Role.FEDERATION_OFFICER]
    content = (OCDS / "R018.jsonl").read_bytes()
    version = load(city, django_capture_on_commit_callbacks, content, "r.jsonl", kind="ocds",
                   mapping={}, actor=fed, organisation=city.federation)
    assert version.status == LoadStatus.READY, version.message
    files = store.version_files(version)
    assert set(files) >= {"ocds_releases", "ocds_bids", "ocds_awards"}
    assert all(path.exists() for path in files.values())
    assert version.rows == version.profile["tables"]["ocds_releases"] > 0
    packed = load(city, django_capture_on_commit_callbacks, gzip.compress(content), "r.jsonl.gz",
                  kind="ocds", mapping={}, actor=fed, organisation=city.federation)
    assert packed.status == LoadStatus.READY and packed.version == 2


def test_cancel_before_and_during(city, django_capture_on_commit_callbacks, monkeypatch):
    waiting = upload(city, PAYMENTS.encode())
    intake_actions.do_cancel_load(waiting, actor=ent(city))
    waiting.refresh_from_db()
    assert waiting.status == LoadStatus.CANCELLED
    assert not store.upload_dir(waiting.pk).exists()

    from qinglian.monitoring.intake import convert

    real = convert.profile_parquet

    def cancel_then_profile(*args: Any, **kwargs: Any) -> Any:
        DatasetVersion.objects.filter(status=LoadStatus.VALIDATING).update(cancel_requested=True)
        return real(*args, **kwargs)

    monkeypatch.setattr(convert, "profile_parquet", cancel_then_profile)
    monkeypatch.setattr(convert, "_scalar", _cancelling_scalar(convert._scalar))
    version = load(city, django_capture_on_commit_callbacks, PAYMENTS.encode())
    assert version.status == LoadStatus.CANCELLED, version.message
    assert version.version is None
    assert not any((store.home() / "datasets").rglob("*.parquet"))
    with pytest.raises(ValidationError, match="已结束"):
        intake_actions.do_cancel_load(version, actor=ent(city))


def _cancelling_scalar(real: Any) -> Any:
    def scalar(*args: Any) -> Any:
        DatasetVersion.objects.filter(status=LoadStatus.VALIDATING).update(cancel_requested=True)
        return real(*args)

    return scalar


def test_interrupted_load_leaves_nothing(city, django_capture_on_commit_callbacks, monkeypatch):
    from qinglian.monitoring.intake import load as load_module
    from qinglian.monitoring.jobs import recover_interrupted

    def crash(*args: Any, **kwargs: Any) -> None:
        raise OSError("磁盘已满")

    version = upload(city, PAYMENTS.encode())
    monkeypatch.setattr(load_module.os, "replace", crash)  # publishing the version fails
    with django_capture_on_commit_callbacks(execute=True):
        intake_actions.do_confirm_mapping(version, version.mapping, actor=ent(city))
    monkeypatch.undo()
    version.refresh_from_db()
    assert version.status == LoadStatus.FAILED and "磁盘已满" in version.message
    assert version.version is None
    assert not [p for p in store.home().rglob("*") if p.is_file() and p.suffix == ".parquet"]
    assert not list(store.home().rglob("v1")) and not list(store.home().rglob(".tmp-*"))
    assert not store.upload_dir(version.pk).exists()
    # a process killed mid-load: the row is left "validating" and recovered as failed
    stale = upload(city, PAYMENTS.encode())
    DatasetVersion.objects.filter(pk=stale.pk).update(status=LoadStatus.VALIDATING)
    leftover = store.dataset_dir(city.enterprises[0].pk, "payments") / f".tmp-{stale.pk}"
    leftover.mkdir(parents=True)
    (leftover / "payments.parquet").write_bytes(b"PAR1")
    assert recover_interrupted() >= 1
    stale.refresh_from_db()
    assert stale.status == LoadStatus.FAILED
    assert store.sweep_interrupted() >= 2  # the temporary version and the staged upload
    assert not leftover.exists() and not any(store.upload_dir(stale.pk).iterdir())


def test_permissions_and_scope(city):
    auditor = city.users[Role.AUDITOR]
    with pytest.raises(PermissionDenied):
        upload(city, PAYMENTS.encode(), actor=auditor, organisation=city.federation)
    with pytest.raises(PermissionDenied, match="本单位"):
        upload(city, PAYMENTS.encode(), organisation=city.enterprises[1])
    version = upload(city, PAYMENTS.encode())
    with pytest.raises(PermissionDenied):
        intake_actions.do_confirm_mapping(version, version.mapping,
                                          actor=city.users[Role.FEDERATION_OFFICER])
    admin = city.users[Role.ADMIN]
    other = upload(city, PAYMENTS.encode(), actor=admin, organisation=city.outsider)
    assert other.dataset.organisation == city.outsider


def test_pages(city, django_capture_on_commit_callbacks):
    client = city.client(Role.ENTERPRISE_USER)
    response = client.get("/monitoring/datasets/")
    assert response.status_code == 200 and "尚未上传数据" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/monitoring/datasets/upload/", {
            "kind": "payments", "file": SimpleUploadedFile("付款.csv", PAYMENTS.encode())})
    assert response.status_code == 302
    version = DatasetVersion.objects.get()
    assert response["Location"] == f"/monitoring/loads/{version.pk}/mapping/"
    page = client.get(response["Location"]).content.decode()
    assert "付款单号" in page and "无（文件中没有此列）" in page
    data = dict(version.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/monitoring/loads/{version.pk}/mapping/", data)
    assert response.status_code == 302
    page = client.get(f"/monitoring/loads/{version.pk}/").content.decode()
    assert "已入库" in page and "列概况" in page
    assert client.get(f"/monitoring/datasets/{version.dataset_id}/").status_code == 200
    listing = client.get("/monitoring/datasets/").content.decode()
    assert f'href="/monitoring/loads/{version.pk}/">v1</a>' in listing
    assert client.get(f"/monitoring/loads/{version.pk}/progress/").status_code == 200
    # a rejected load: errors on the page and the full report
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/monitoring/datasets/upload/", {
            "kind": "payments",
            "file": SimpleUploadedFile("坏.csv", (PAYMENTS + "P9,财务部,V1,x,y\n").encode())})
    bad = DatasetVersion.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/monitoring/loads/{bad.pk}/mapping/", dict(bad.mapping))
    page = client.get(f"/monitoring/loads/{bad.pk}/").content.decode()
    assert "校验未通过" in page and "无法识别的金额" in page
    report = client.get(f"/monitoring/loads/{bad.pk}/errors/")
    body = b"".join(report.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert body.startswith("行号,列,值,原因") and "x" in body
    assert client.get(f"/monitoring/loads/{bad.pk}/errors/?format=xlsx").status_code == 200
    # another organisation's load is not found
    outsider = city.client(Role.CHAMBER_OFFICER)
    assert outsider.get(f"/monitoring/loads/{version.pk}/").status_code == 404
