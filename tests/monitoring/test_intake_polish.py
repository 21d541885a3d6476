"""Intake polish after a browser walkthrough: repeated files, unmapped columns, personal data
in the column profile, the failed-load page, Excel sheets, progress and empty states."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.choices import Role
from qinglian.monitoring import intake_actions
from qinglian.monitoring.choices import LoadStatus
from qinglian.monitoring.models import DatasetVersion

from .test_intake import OCDS, PAYMENTS, _home, ent, load, upload  # noqa: F401  (_home: autouse)

pytestmark = pytest.mark.django_db


def post_upload(client: Any, content: bytes, name: str = "付款.csv", kind: str = "payments",
                **extra: Any) -> Any:
    return client.post("/monitoring/datasets/upload/", {
        "kind": kind, "file": SimpleUploadedFile(name, content), **extra})


# --- 3. a file identical to the latest ready version ------------------------------------------


def test_identical_ledger_with_same_mapping_is_refused_naming_the_version(
        city, django_capture_on_commit_callbacks):
    client = city.client(Role.ENTERPRISE_USER)
    first = load(city, django_capture_on_commit_callbacks, PAYMENTS.encode())
    assert first.status == LoadStatus.READY and first.version == 1
    response = post_upload(client, PAYMENTS.encode(), name="又一次.csv")
    again = DatasetVersion.objects.latest("pk")
    assert response["Location"] == f"/monitoring/loads/{again.pk}/mapping/"
    page = client.get(response["Location"]).content.decode()
    assert "该文件与第 1 版内容完全相同" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/monitoring/loads/{again.pk}/mapping/", dict(again.mapping))
    assert response.status_code == 200
    assert "该文件与第 1 版内容完全相同，未创建新版本" in response.content.decode()
    again.refresh_from_db()
    assert again.status == LoadStatus.UPLOADED and again.version is None
    assert DatasetVersion.objects.filter(status=LoadStatus.READY).count() == 1


def test_identical_ledger_with_another_mapping_is_a_new_version(
        city, django_capture_on_commit_callbacks):
    load(city, django_capture_on_commit_callbacks, PAYMENTS.encode())
    again = upload(city, PAYMENTS.encode())
    mapping = {k: v for k, v in again.mapping.items() if k != "description"}
    with django_capture_on_commit_callbacks(execute=True):
        intake_actions.do_confirm_mapping(again, mapping, actor=ent(city))
    again.refresh_from_db()
    assert again.status == LoadStatus.READY and again.version == 2


def test_identical_ocds_file_is_refused_at_upload(city, django_capture_on_commit_callbacks):
    fed = city.users[Role.FEDERATION_OFFICER]
    content = (OCDS / "R018.jsonl").read_bytes()
    first = load(city, django_capture_on_commit_callbacks, content, "r.jsonl", kind="ocds",
                 mapping={}, actor=fed, organisation=city.federation)
    assert first.status == LoadStatus.READY
    client = city.client(Role.FEDERATION_OFFICER)
    response = post_upload(client, content, name="r.jsonl", kind="ocds")
    assert response.status_code == 200
    assert "该文件与第 1 版内容完全相同，未创建新版本" in response.content.decode()
    assert DatasetVersion.objects.count() == 1
    with pytest.raises(ValidationError, match="第 1 版"):
        upload(city, content, "r.jsonl", kind="ocds", actor=fed, organisation=city.federation)


# --- 1. columns that map to no canonical column ------------------------------------------------

EXTRA = """付款单号,部门,供应商编号,金额,付款日期,经办人,备注2
P001,财务部,V01,100,2026-03-02,张三,加急
P002,财务部,V01,200,2026-03-03,李四,
"""


def test_unmapped_columns_are_listed_on_mapping_page_and_recorded_on_the_version(
        city, django_capture_on_commit_callbacks):
    client = city.client(Role.ENTERPRISE_USER)
    response = post_upload(client, EXTRA.encode())
    version = DatasetVersion.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "以下列未对应到标准字段，导入时将不保存：经办人、备注2" in page
    assert "以下选填字段没有对应的列，导入后为空：发票号码、订单编号、摘要" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/monitoring/loads/{version.pk}/mapping/", dict(version.mapping))
    version.refresh_from_db()
    assert version.status == LoadStatus.READY, version.message
    assert version.message.endswith("未导入的列：经办人、备注2")
    assert version.profile["unmapped_headers"] == ["经办人", "备注2"]
    assert version.profile["unmapped_columns"] == ["发票号码", "订单编号", "摘要"]
    page = client.get(f"/monitoring/loads/{version.pk}/").content.decode()
    assert "以下列未对应到标准字段，未保存：经办人、备注2" in page
    assert "没有对应列的选填字段（为空）：发票号码、订单编号、摘要" in page


def test_mapping_page_shown_again_lists_what_the_submitted_choice_leaves_out(city):
    client = city.client(Role.ENTERPRISE_USER)
    response = post_upload(client, EXTRA.encode())
    version = DatasetVersion.objects.get()
    data = {k: v for k, v in version.mapping.items() if k != "amount"}  # required: refused
    page = client.post(response["Location"], {**data, "description": "备注2"}).content.decode()
    assert "缺少必填列" in page
    assert "导入时将不保存：金额、经办人" in page


# --- 2. personal data in the column profile -----------------------------------------------------

VENDORS = """供应商编号,供应商名称,联系电话,银行账号,法定代表人
V01,甲公司,13812345678,6222021234567891234,330106198001011234
V02,乙公司,13812345678,6222021234567891234,王五
V03,丙公司,13987655678,6217000011112222,赵六
"""
CLEAR = ("13812345678", "13987655678", "6222021234567891234", "6217000011112222",
         "330106198001011234")


def test_phones_bank_accounts_and_id_numbers_are_masked_in_the_stored_profile_and_page(
        city, django_capture_on_commit_callbacks):
    version = load(city, django_capture_on_commit_callbacks, VENDORS.encode(), "供应商.csv",
                   kind="vendors")
    assert version.status == LoadStatus.READY, version.message
    stored = str(DatasetVersion.objects.filter(pk=version.pk).values_list("profile", flat=True)[0])
    for clear in CLEAR:
        assert clear not in stored
    assert "138****5678" in version.profile["phone"]["top"]
    assert "6222 **** **** 1234" in version.profile["bank_account"]["top"]
    assert "330***********1234" in version.profile["legal_representative"]["top"]
    assert "王五" in version.profile["legal_representative"]["top"]  # names are not masked
    page = city.client(Role.ENTERPRISE_USER).get(f"/monitoring/loads/{version.pk}/")
    text = page.content.decode()
    assert "138****5678" in text and "6222 **** **** 1234" in text
    assert not any(clear in text for clear in CLEAR)


EMPLOYEES = """工号,姓名,住址
E01,王五,浙江省杭州市西湖区文三路1号
E02,赵六,浙江省杭州市上城区解放路9号
"""


def test_addresses_are_masked_in_the_profile(city, django_capture_on_commit_callbacks):
    version = load(city, django_capture_on_commit_callbacks, EMPLOYEES.encode(), "员工.csv",
                   kind="employees")
    assert version.status == LoadStatus.READY, version.message
    stored = str(DatasetVersion.objects.filter(pk=version.pk).values_list("profile", flat=True)[0])
    assert "文三路" not in stored and "解放路" not in stored
    assert "浙江省杭州市****" in version.profile["address"]["top"]


def test_a_profile_stored_before_masking_is_masked_on_display(
        city, django_capture_on_commit_callbacks):
    version = load(city, django_capture_on_commit_callbacks, VENDORS.encode(), "供应商.csv",
                   kind="vendors")
    profile = dict(version.profile)
    profile["phone"] = profile["phone"] | {"top": ["13812345678"], "min": "13812345678"}
    DatasetVersion.objects.filter(pk=version.pk).update(profile=profile)
    text = city.client(Role.ENTERPRISE_USER).get(f"/monitoring/loads/{version.pk}/") \
        .content.decode()
    assert "13812345678" not in text and "138****5678" in text


# --- 4. the page of a load that did not pass ----------------------------------------------------

ODD = "编号,科室,对方,钱,哪天\nP1,财务部,V1,5,2026-01-05\nP2,财务部,V1,x,2026-01-06\n"
ODD_MAPPING = {"payment_id": "编号", "unit": "科室", "vendor_id": "对方", "amount": "钱",
               "paid_on": "哪天"}


def test_rejected_load_offers_the_corrected_upload_with_the_saved_mapping(
        city, django_capture_on_commit_callbacks):
    client = city.client(Role.ENTERPRISE_USER)
    post_upload(client, ODD.encode())
    bad = DatasetVersion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/monitoring/loads/{bad.pk}/mapping/", ODD_MAPPING)
    bad.refresh_from_db()
    assert bad.status == LoadStatus.REJECTED
    page = client.get(f"/monitoring/loads/{bad.pk}/").content.decode()
    assert "第 3 行" not in page  # rows are a table: row, column, value, reason
    assert "<td class=\"ps-3\">3</td><td>付款金额（钱）</td>" in page
    assert "下载完整报告（CSV）" in page
    assert "峰值内存" not in page
    retry = (f"/monitoring/datasets/upload/?kind=payments&amp;organisation="
             f"{city.enterprises[0].pk}")
    assert f'href="{retry}"' in page and "上传更正后的文件" in page
    form = client.get(retry.replace("&amp;", "&")).content.decode()
    assert '<option value="payments" selected>' in form
    response = post_upload(client, ODD.replace(",x,", ",6,").encode())
    fixed = DatasetVersion.objects.latest("pk")
    assert response["Location"] == f"/monitoring/loads/{fixed.pk}/mapping/"
    assert fixed.mapping == ODD_MAPPING  # the mapping confirmed for the rejected load
    admin_page = city.client(Role.ADMIN).get(f"/monitoring/loads/{bad.pk}/").content.decode()
    assert "峰值内存" in admin_page and "上传更正后的文件" in admin_page


def test_failed_load_offers_the_corrected_upload(
        city, django_capture_on_commit_callbacks):
    broken = '付款单号,部门,供应商编号,金额,付款日期\nP1,财务部,V1,5,"2026-01-05\n'
    version = load(city, django_capture_on_commit_callbacks, broken.encode())
    assert version.status == LoadStatus.FAILED, version.message
    page = city.client(Role.ENTERPRISE_USER).get(f"/monitoring/loads/{version.pk}/")
    text = page.content.decode()
    assert "处理失败" in text and "文件未能处理" in text and "上传更正后的文件" in text


# --- 7. empty states -----------------------------------------------------------------------------


def test_empty_dataset_list_explains_what_to_upload_or_who_does(city):
    federation = city.client(Role.FEDERATION_OFFICER).get("/monitoring/datasets/") \
        .content.decode()
    assert "尚未上传数据。" in federation
    assert "公共采购数据请上传 OCDS 编译发布（.jsonl" in federation
    assert 'href="/monitoring/datasets/upload/?kind=ocds"' in federation
    upload_page = city.client(Role.FEDERATION_OFFICER).get(
        "/monitoring/datasets/upload/?kind=ocds").content.decode()
    assert '<option value="ocds" selected>' in upload_page
    enterprise = city.client(Role.ENTERPRISE_USER).get("/monitoring/datasets/").content.decode()
    assert "尚未上传数据。" in enterprise and "上传台账" in enterprise
    assert "OCDS 编译发布" not in enterprise
    auditor = city.client(Role.AUDITOR).get("/monitoring/datasets/").content.decode()
    assert "尚未上传数据。" in auditor and "只能查看数据" in auditor
    assert "/monitoring/datasets/upload/" not in auditor


# --- 5. workbooks with several sheets ------------------------------------------------------------


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHEETS: dict[str, list[list[Any]]] = {
    "说明": [],  # empty: not offered
    "一月": [["付款单号", "部门", "供应商编号", "金额", "付款日期"],
             ["P1", "财务部", "V1", 100, "2026-01-05"]],
    "二月": [[None], ["单号", "科室", "对方", "钱", "日期", "备注"],
             ["P2", "采购部", "V2", 200, "2026-02-05", "x"],
             ["P3", "采购部", "V2", 300, "2026-02-06", "y"]],
}


def test_workbook_sheet_is_chosen_at_the_mapping_step(city, django_capture_on_commit_callbacks):
    client = city.client(Role.ENTERPRISE_USER)
    response = post_upload(client, workbook(SHEETS), name="付款.xlsx")
    version = DatasetVersion.objects.get()
    assert version.profile["sheets"] == ["一月", "二月"] and version.profile["sheet"] == "一月"
    page = client.get(response["Location"]).content.decode()
    assert '<option value="二月">二月</option>' in page and "当前读取：“一月”" in page
    response = client.post(f"/monitoring/loads/{version.pk}/mapping/", {"sheet": "二月"})
    assert response["Location"] == f"/monitoring/loads/{version.pk}/mapping/"
    page = client.get(response["Location"]).content.decode()
    assert "已改为读取工作表“二月”" in page and "当前读取：“二月”" in page
    version.refresh_from_db()
    assert version.profile["headers"] == ["单号", "科室", "对方", "钱", "日期", "备注"]
    mapping = {"payment_id": "单号", "unit": "科室", "vendor_id": "对方", "amount": "钱",
               "paid_on": "日期"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/monitoring/loads/{version.pk}/mapping/", mapping)
    version.refresh_from_db()
    assert version.status == LoadStatus.READY, version.message
    assert version.rows == 2 and version.profile["sheet"] == "二月"
    assert version.profile["unmapped_headers"] == ["备注"]
    assert "二月" in client.get(f"/monitoring/loads/{version.pk}/").content.decode()
    # the same workbook, the other sheet: a new version, not a repeat
    again = upload(city, workbook(SHEETS), "付款.xlsx")
    assert again.profile["sheet"] == "一月"
    with django_capture_on_commit_callbacks(execute=True):
        intake_actions.do_confirm_mapping(again, again.mapping, actor=ent(city))
    again.refresh_from_db()
    assert again.status == LoadStatus.READY and again.rows == 1, again.message


def test_only_non_empty_sheets_can_be_chosen(city):
    version = upload(city, workbook(SHEETS), "付款.xlsx")
    with pytest.raises(ValidationError, match="没有内容非空的工作表“说明”"):
        intake_actions.do_choose_sheet(version, "说明", actor=ent(city))
    single = upload(city, workbook({"只有一页": SHEETS["一月"]}), "付款.xlsx")
    page = city.client(Role.ENTERPRISE_USER).get(f"/monitoring/loads/{single.pk}/mapping/")
    assert 'data-testid="sheet-form"' not in page.content.decode()


# --- 6. progress: rows, bytes, percentage --------------------------------------------------------


def run_load(city: Any, version: DatasetVersion) -> list[tuple[int, int, str]]:
    """Confirm and run the load in this thread (as the command line does), recording every
    progress report."""
    from qinglian.monitoring.intake.load import perform_load

    intake_actions.do_confirm_mapping(version, version.mapping, actor=ent(city), queue=False)
    reports: list[tuple[int, int, str]] = []
    perform_load(version.pk, progress=lambda done, total, step: reports.append(
        (done, total, step)))
    version.refresh_from_db()
    return reports


def test_worksheet_rows_read_are_reported_with_the_total(city, monkeypatch):
    from qinglian.monitoring.intake import sources

    monkeypatch.setattr(sources, "ROWS_EVERY", 2)
    rows = [[f"P{i}", "财务部", "V1", i, "2026-01-05"] for i in range(1, 6)]
    version = upload(city, workbook({"付款": [SHEETS["一月"][0], *rows]}), "付款.xlsx")
    reports = run_load(city, version)
    assert version.status == LoadStatus.READY, version.message
    steps = [step for _, _, step in reports]
    assert "读取 Excel：已读取 2 / 5 行" in steps and "读取 Excel：已读取 4 / 5 行" in steps
    done = [d for d, _, _ in reports]
    assert done == sorted(done) and done[-1] == 100
    # reading a workbook is a large share of the bar: 4 of 5 rows is past a third of it
    assert next(d for d, _, s in reports if s.endswith("4 / 5 行")) >= 30


def test_gbk_conversion_reports_bytes_read(city):
    version = upload(city, PAYMENTS.encode("gbk"))
    reports = run_load(city, version)
    assert version.status == LoadStatus.READY, version.message
    size = len(PAYMENTS.encode("gbk"))
    assert f"转换编码：已读取 {size} 字节 / {size} 字节" in [step for _, _, step in reports]


def test_progress_partial_shows_percentage_and_step(city):
    version = upload(city, PAYMENTS.encode())
    DatasetVersion.objects.filter(pk=version.pk).update(
        status=LoadStatus.VALIDATING, progress_done=37, progress_total=100,
        message="读取 Excel：已读取 20,000 / 100,000 行")
    client = city.client(Role.ENTERPRISE_USER)
    page = client.get(f"/monitoring/loads/{version.pk}/progress/",
                      headers={"HX-Request": "true"}).content.decode()
    assert '<span data-testid="load-percent">37%</span>' in page
    assert "已读取 20,000 / 100,000 行" in page and 'style="width: 37%"' in page


def test_command_line_reads_the_named_sheet(city, tmp_path):
    from django.core.management import call_command

    source = tmp_path / "付款.xlsx"
    source.write_bytes(workbook(SHEETS))
    mapping = ('{"payment_id": "单号", "unit": "科室", "vendor_id": "对方", "amount": "钱", '
               '"paid_on": "日期"}')
    out = io.StringIO()
    call_command("monitor", "load", "--org", str(city.enterprises[0].pk), "--kind", "payments",
                 "--sheet", "二月", "--mapping", mapping, "--no-progress", str(source), stdout=out)
    version = DatasetVersion.objects.get()
    assert version.status == LoadStatus.READY, out.getvalue()
    assert version.rows == 2 and version.profile["sheet"] == "二月"
    assert "未导入的列：备注" in out.getvalue()
