"""Dual publicity (双公示): importing penalties and licences (GBK CSV, xlsx, bad rows, unknown
codes, duplicates, empty files, wrong extensions — always all or nothing), the templates, and
the queue of overdue and due-soon items with "publish selected"."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from qinglian.core.choices import Role
from qinglian.core.imports import TableError
from qinglian.core.models import AuditRecord
from qinglian.credit import actions
from qinglian.credit.choices import RecordStatus
from qinglian.credit.imports import LICENCE_SPEC, PENALTY_SPEC, do_import_dual_publicity
from qinglian.credit.models import CreditRecord
from qinglian.credit.record_queries import dual_publicity_counts
from qinglian.registry.models import Organisation

from ..conftest import USCC_HUAWEI, City, make_uscc

D = dt.date
TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = D(2026, 11, 24)
NEW_USCC = make_uscc(77)
PENALTY_HEAD = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政处罚决定书文号", "违法行为类型",
                "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
                "没收违法所得、没收非法财物的金额（万元）", "处罚决定日期", "处罚有效期", "公示截止期",
                "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "失信程度", "备注"]


def penalty_row(name: str = "华为技术有限公司", code: str = USCC_HUAWEI,
                number: str = "杭市监罚〔2026〕101号", date: str = "2026-11-20",
                fine: str = "5", severity: str = "", kind: str = "法人及非法人组织") -> list[str]:
    return [name, kind, code, number, "虚假宣传", "在官网发布虚假的产品功效宣传",
            "《中华人民共和国反不正当竞争法》第二十条", "罚款", "罚款人民币5万元", fine, "",
            date, "2027-11-19", "2027-11-19", "杭州市市场监督管理局", "", "杭州市市场监督管理局",
            severity, ""]


def csv_bytes(rows: list[list[str]], head: list[str] = PENALTY_HEAD,
              encoding: str = "gbk") -> bytes:
    lines = [",".join(head)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(head: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def frozen_today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture(autouse=True)
def _home_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.QINGLIAN_HOME = tmp_path


def fed(city: City) -> Any:
    return city.users[Role.FEDERATION_OFFICER]


# --- through the pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_imports_a_gbk_csv_with_a_preview_then_confirms(city: City,
                                                               frozen_today: Any) -> None:
    content = csv_bytes([penalty_row(),
                         penalty_row("杭州新设商贸有限公司", NEW_USCC, "杭市监罚〔2026〕102号",
                                     "2026-11-23", "0.5", "严重")])
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.post("/credit/dual-publicity/import/", {
        "kind": "penalty", "file": SimpleUploadedFile("处罚.csv", content)})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="import-preview"' in text
    assert page.context["plan"].new_enterprises == {NEW_USCC: "杭州新设商贸有限公司"}
    assert len(page.context["plan"].matched) == 1
    assert not CreditRecord.objects.exists()  # nothing written by the preview
    done = client.post("/credit/dual-publicity/import/", {
        "confirm": "1", "token": page.context["token"]})
    assert done.status_code == 302
    records = {r.decision_number: r for r in CreditRecord.objects.all()}
    huawei = records["杭市监罚〔2026〕101号"]
    assert huawei.organisation == city.enterprises[0] and huawei.subject_code == USCC_HUAWEI
    assert huawei.category == "penalty" and huawei.severity == "ordinary"  # default 一般
    assert huawei.amount == 50000  # 5 万元
    assert huawei.status == RecordStatus.RECORDED and huawei.dual_publicity
    assert huawei.publish_due == D(2026, 12, 1)  # Fri 20 Nov + 7 working days
    assert "虚假宣传" in huawei.content
    new = records["杭市监罚〔2026〕102号"]
    assert new.severity == "serious" and new.amount == 5000
    created = Organisation.objects.get(uscc=NEW_USCC)
    assert created.federation == city.federation and created.kind == "enterprise"
    assert new.organisation == created
    assert AuditRecord.objects.filter(event="credit_record.imported").count() == 2
    assert AuditRecord.objects.filter(object_type="registry.organisation",
                                      object_id=str(created.pk), action="create").exists()


@pytest.mark.django_db
def test_bad_rows_are_reported_and_nothing_is_written(city: City, frozen_today: Any) -> None:
    organisations = Organisation.objects.count()
    content = csv_bytes([
        penalty_row(number="A-1"),                                        # fine
        penalty_row(code="91330100MA2XXXXXX1", number="A-2"),             # bad USCC
        penalty_row(number="A-3", date="2026-13-01"),                     # bad date
        penalty_row(number="A-4", fine="-1"),                             # negative amount
        penalty_row(number="A-5", severity="很严重"),                      # bad severity
        penalty_row(number="A-6", date="2026-12-01"),                     # in the future
        penalty_row(number="A-7", kind="自然人"),                          # a natural person
        penalty_row(number="", name=""),                                  # required columns
    ], encoding="utf-8")
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.post("/credit/dual-publicity/import/", {
        "kind": "penalty", "file": SimpleUploadedFile("处罚.csv", content)})
    assert page.status_code == 200
    errors = {(e.row, e.column) for e in page.context["errors"]}
    assert (3, "统一社会信用代码") in errors
    assert (4, "处罚决定日期") in errors
    assert (5, "罚款金额（万元）") in errors
    assert (6, "失信程度") in errors
    assert (7, "处罚决定日期") in errors
    assert (8, "行政相对人类别") in errors
    assert {(9, "行政相对人名称"), (9, "行政处罚决定书文号")} <= errors
    assert not any(row == 2 for row, _ in errors)
    text = page.content.decode()
    assert "未导入任何数据" in text and "第 3 行" in text
    assert not CreditRecord.objects.exists()
    assert Organisation.objects.count() == organisations
    assert not page.context["token"]


@pytest.mark.django_db
def test_duplicates_in_the_file_and_a_reimport(city: City, frozen_today: Any) -> None:
    content = csv_bytes([penalty_row(number="杭市监罚〔2026〕1号"),
                         penalty_row(number="杭市监罚〔2026〕2号")])
    result = do_import_dual_publicity("penalty", content, "a.csv", actor=fed(city))
    assert result.created == 2
    # the same file again: every row is a duplicate, nothing written
    with pytest.raises(TableError) as again:
        do_import_dual_publicity("penalty", content, "a.csv", actor=fed(city))
    assert [e.row for e in again.value.errors] == [2, 3]
    assert all("已导入" in e.reason for e in again.value.errors)
    assert CreditRecord.objects.count() == 2
    # a number repeated inside one file (full-width spelling counts as the same)
    twice = csv_bytes([penalty_row(number="杭市监罚〔2026〕3号"),
                       penalty_row(number="杭市监罚〔２０２６〕３号")])
    with pytest.raises(TableError) as inside:
        do_import_dual_publicity("penalty", twice, "b.csv", actor=fed(city))
    assert [(e.row, "与第 2 行重复" in e.reason) for e in inside.value.errors] == [(3, True)]
    assert CreditRecord.objects.count() == 2


@pytest.mark.django_db
def test_unknown_code_creates_the_enterprise_once(city: City, frozen_today: Any) -> None:
    content = csv_bytes([penalty_row("杭州新设商贸有限公司", NEW_USCC, "B-1"),
                         penalty_row("杭州新设商贸有限公司", NEW_USCC, "B-2")])
    result = do_import_dual_publicity("penalty", content, "c.csv", actor=fed(city))
    assert (result.created, result.new_enterprises) == (2, 1)
    assert Organisation.objects.filter(uscc=NEW_USCC).count() == 1


@pytest.mark.django_db
def test_an_enterprise_of_another_federation_is_refused(city: City, frozen_today: Any) -> None:
    content = csv_bytes([penalty_row("宁波港湾物流有限公司", city.outsider.uscc or "", "C-1")])
    with pytest.raises(TableError) as info:
        do_import_dual_publicity("penalty", content, "d.csv", actor=fed(city))
    assert "其他工商联" in info.value.errors[0].reason


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "message"), [
    ("空.csv", b"", "文件是空的"),
    ("只有表头.csv", ",".join(PENALTY_HEAD).encode("utf-8"), "只有表头"),
    ("处罚.txt", b"a,b", "只能导入 .xlsx 或 .csv"),
    ("处罚.xls", b"\xd0\xcf\x11\xe0rest", "旧版 Excel"),
    ("处罚.xlsx", b"not a workbook", "不是 Excel 工作簿"),
])
def test_files_that_cannot_be_read(city: City, frozen_today: Any, name: str, content: bytes,
                                   message: str) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.post("/credit/dual-publicity/import/", {
        "kind": "penalty", "file": SimpleUploadedFile(name, content)})
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not CreditRecord.objects.exists()


@pytest.mark.django_db
def test_licences_from_xlsx(city: City, frozen_today: Any) -> None:
    head = [c.header for c in LICENCE_SPEC.columns]
    row = ["杭州清风软件有限公司", city.enterprises[1].uscc, "食品经营许可决定书", "杭市监许〔2026〕88号",
           "普通", "食品经营许可证", "JY13301060012345", "预包装食品销售", dt.datetime(2026, 9, 28),
           "2026-09-28", "2031-09-27", "杭州市市场监督管理局", "", "杭州市市场监督管理局"]
    result = do_import_dual_publicity("licence", xlsx_bytes(head, [row]), "许可.xlsx",
                                      actor=fed(city))
    assert result.created == 1
    record = CreditRecord.objects.get()
    assert record.category == "licence" and record.polarity == "neutral" and not record.severity
    assert record.publish_due == D(2026, 10, 13)  # across National Day and its make-up Saturday
    assert record.window_months == 36 and record.legal_basis == "食品经营许可决定书"


@pytest.mark.django_db
def test_templates_read_back_as_imports(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    for kind, spec in (("penalty", PENALTY_SPEC), ("licence", LICENCE_SPEC)):
        response = client.get(f"/credit/dual-publicity/template/{kind}/")
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [c.value for c in sheet[1]] == [c.title for c in spec.columns]
        csv = client.get(f"/credit/dual-publicity/template/{kind}/?format=csv")
        assert csv.content.startswith(b"\xef\xbb\xbf")
    assert client.get("/credit/dual-publicity/template/other/").status_code == 404
    assert city.client(Role.CHAMBER_OFFICER).get(
        "/credit/dual-publicity/template/penalty/").status_code == 403


@pytest.mark.django_db
def test_a_chamber_cannot_import(city: City) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        do_import_dual_publicity("penalty", csv_bytes([penalty_row()]), "e.csv",
                                 actor=city.users[Role.CHAMBER_OFFICER])


# --- the queue --------------------------------------------------------------------------------


def _penalty(city: City, decision: D, number: str, enterprise: int = 0) -> CreditRecord:
    return actions.do_create_record(
        city.enterprises[enterprise], actor=None, category="penalty", severity="ordinary",
        source="administrative", issuing_body="杭州市市场监督管理局", decision_number=number,
        decision_date=decision, legal_basis="《广告法》", content="虚假宣传")


@pytest.mark.django_db
def test_overdue_and_due_soon_items_and_publishing_selected(city: City) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 9, 10, 0, tzinfo=TZ), tick=False):
        # due 13 Oct: due soon on Fri 9 Oct (9 → Sat 10 make-up, 12, 13 are 3 working days)
        soon = _penalty(city, D(2026, 9, 28), "D-1")
        # due 29 Sept: overdue
        late = _penalty(city, D(2026, 9, 18), "D-2", enterprise=2)
        # due 20 Oct: neither
        later = _penalty(city, D(2026, 10, 9), "D-3")
        user = fed(city)
        counts = dual_publicity_counts(user, D(2026, 10, 9))
        assert (counts["overdue"], counts["due_soon"]) == (1, 1)
        client = city.client(Role.FEDERATION_OFFICER)
        page = client.get("/credit/dual-publicity/")
        assert [r.pk for r in page.context["page_obj"]] == [late.pk]
        page = client.get("/credit/dual-publicity/?show=due_soon")
        assert [r.pk for r in page.context["page_obj"]] == [soon.pk]
        page = client.get("/credit/dual-publicity/?show=")
        assert [r.pk for r in page.context["page_obj"]] == [late.pk, soon.pk, later.pk]
        # the chamber sees its members' items only (enterprises[2] is the other chamber's)
        chamber = dual_publicity_counts(city.users[Role.CHAMBER_OFFICER], D(2026, 10, 9))
        assert (chamber["overdue"], chamber["due_soon"]) == (0, 1)
        response = client.post("/credit/dual-publicity/publish/",
                               {"record": [late.pk, soon.pk], "back": "show="})
        assert response.status_code == 302
    late.refresh_from_db()
    soon.refresh_from_db()
    assert late.status == soon.status == RecordStatus.PUBLISHED
    assert late.publish_from == soon.publish_from == D(2026, 10, 9)
    assert late.published_at is not None
    counts = dual_publicity_counts(fed(city), D(2026, 10, 9))
    assert counts == {"overdue": 0, "due_soon": 0, "published_on_time": 1,
                      "published_late": 1}
    other = dual_publicity_counts(
        type(fed(city))(role=Role.FEDERATION_OFFICER, organisation=city.other_federation,
                        is_active=True), D(2026, 10, 9))
    assert other == {"overdue": 0, "due_soon": 0, "published_on_time": 0,
                     "published_late": 0}
