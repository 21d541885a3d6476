"""Screening as users do it: forms, uploads with Chinese line errors, results, review, exports,
lists, and the vendor–employee comparison."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.screening.models import Hit, Screening, WatchEntry, WatchList

from .conftest import LISTED_USCC, Lists

pytestmark = pytest.mark.django_db
ENT = Role.ENTERPRISE_USER


def _xlsx(rows: list[list[object]], name: str = "名单.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _csv(text: str, name: str = "名单.csv", encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding))


def test_form_names_the_lists_and_the_platform_blacklist(city: Any, lists: Lists) -> None:
    html = city.client(ENT).get("/screening/new/").content.decode()
    assert "本企业限制交易名单" in html and "行业失信黑名单" in html
    assert "外辖区名单" not in html
    assert "失信黑名单（本辖区公示中）（平台名单）" in html and "尚未接入" not in html


def test_single_entry_to_results(city: Any, lists: Lists) -> None:
    client = city.client(ENT)
    response = client.post("/screening/new/", {"name": "清风软件（杭州）有限公司", "threshold": "85"})
    screening = Screening.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/screening/{screening.pk}/"
    assert screening.input_kind == "single"
    html = client.get(response["Location"]).content.decode()
    assert "杭州清风软件有限公司" in html and "本企业限制交易名单" in html
    assert "名称主体“清风软件”相同" in html and "围标串标" in html
    assert 'data-testid="hit-review"' in html


def test_pasted_list_with_errors_stores_nothing(city: Any, lists: Lists) -> None:
    pasted = "名称\t统一社会信用代码\n杭州清风软件有限公司\n某某公司\t91330106MA000CT71X\n\n杭州清风软件有限公司"
    response = city.client(ENT).post("/screening/new/", {"pasted": pasted, "threshold": "85"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "未作筛查、未保存任何数据" in html
    assert "第 3 行" in html and "统一社会信用代码有误" in html
    assert "第 5 行" in html and "与第 2 行重复" in html
    assert not Screening.objects.exists()


def test_two_inputs_at_once_are_refused(city: Any, lists: Lists) -> None:
    response = city.client(ENT).post("/screening/new/", {
        "name": "杭州清风软件有限公司", "pasted": "宁波华信贸易有限公司", "threshold": "85"})
    assert "请三选一" in response.content.decode()
    assert not Screening.objects.exists()


@pytest.mark.parametrize("upload", [
    lambda: _xlsx([["名称", "统一社会信用代码"], ["华信国际商贸有限公司", LISTED_USCC],
                   ["杭州明德食品有限公司", None]]),
    lambda: _csv(f"企业名称,信用代码\n华信国际商贸有限公司,{LISTED_USCC}\n杭州明德食品有限公司,\n",
                 encoding="gb18030"),
])
def test_uploaded_list(city: Any, lists: Lists, upload: Any) -> None:
    response = city.client(ENT).post("/screening/new/", {"file": upload(), "threshold": "85"})
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert (screening.input_kind, screening.party_count, screening.hit_count) == ("upload", 2, 1)
    assert Hit.objects.get().method == "uscc"


def test_bad_upload_is_explained(city: Any, lists: Lists) -> None:
    client = city.client(ENT)
    html = client.post("/screening/new/", {"file": SimpleUploadedFile("a.xls", b"x"),
                                           "threshold": "85"}).content.decode()
    assert "只能上传 .xlsx 或 .csv 文件" in html
    html = client.post("/screening/new/", {"file": _csv("公司,代码\n甲,乙\n"),
                                           "threshold": "85"}).content.decode()
    assert "无法识别的列“公司”" in html and "缺少必填列：名称" in html
    assert not Screening.objects.exists()


def test_review_false_positive_then_excluded_next_time(city: Any, lists: Lists) -> None:
    client = city.client(ENT)
    client.post("/screening/new/", {"name": "上海清风软件有限公司", "threshold": "85"})
    hit = Hit.objects.get()
    response = client.post(f"/screening/hits/{hit.pk}/review/", {"to": "false_positive"},
                           follow=True)
    assert "判定为误报时请填写理由" in response.content.decode()
    hit.refresh_from_db()
    assert hit.status == "open"
    client.post(f"/screening/hits/{hit.pk}/review/", {"to": "false_positive", "note": "同名不同城"})
    hit.refresh_from_db()
    assert hit.status == "false_positive" and hit.note == "同名不同城"
    assert AuditRecord.objects.filter(event="hit.false_positive").exists()
    response = client.post("/screening/new/", {"name": "上海清风软件有限公司", "threshold": "85"})
    html = client.get(response["Location"]).content.decode()
    assert "已排除（此前判定为误报）1 条" in html


def test_export_has_every_hit(city: Any, lists: Lists) -> None:
    client = city.client(ENT)
    client.post("/screening/new/", {"pasted": "杭州清风软件有限公司\n浙江瑞丰建筑工程有限公司\n杭州明德食品有限公司",
                                    "threshold": "85"})
    screening = Screening.objects.get()
    response = client.get(f"/screening/{screening.pk}/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("行号", "筛查对象", "统一社会信用代码", "命中名称")
    assert [r[3] for r in rows[1:]] == ["杭州清风软件有限公司", "浙江瑞丰建筑工程有限公司"]


def test_result_page_queries_do_not_grow_with_parties(city: Any, lists: Lists) -> None:
    client = city.client(ENT)
    counts = []
    for names in (["杭州清风软件有限公司"], [f"杭州清风软件{i}有限公司" for i in range(12)]):
        client.post("/screening/new/", {"pasted": "\n".join(names), "threshold": "85"})
        screening = Screening.objects.order_by("-id").first()
        assert screening is not None
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/screening/{screening.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_lists_create_add_upload_remove(city: Any) -> None:
    client = city.client(ENT)
    response = client.post("/screening/lists/new/", {"kind": "external", "name": "越权外部名单"})
    assert "请选择名单类型" in response.content.decode()  # an enterprise keeps own lists only
    assert not WatchList.objects.exists()
    response = client.post("/screening/lists/new/", {"kind": "own", "name": "采购黑名单", "source": "采购部"})
    watch_list = WatchList.objects.get()
    assert response["Location"] == f"/screening/lists/{watch_list.pk}/"
    client.post(f"/screening/lists/{watch_list.pk}/entries/", {"name": "杭州清风软件有限公司",
                                                               "reason": "串标"})
    bad = _xlsx([["名称", "统一社会信用代码", "列入日期"], ["甲公司", "123", "2026-01-01"],
                 [None, None, "昨天"], ["乙公司", None, None]])
    html = client.post(f"/screening/lists/{watch_list.pk}/upload/", {"file": bad}).content.decode()
    assert "未导入任何条目" in html and "第 2 行" in html and "第 3 行" in html
    assert WatchEntry.objects.count() == 1
    good = _xlsx([["名称", "列入原因"], ["甲公司", "行贿"], ["乙公司", None]])
    client.post(f"/screening/lists/{watch_list.pk}/upload/", {"file": good})
    watch_list.refresh_from_db()
    assert WatchEntry.objects.count() == 3 and watch_list.version == 3
    entry = WatchEntry.objects.get(name="甲公司")
    client.post(f"/screening/entries/{entry.pk}/remove/")
    assert not WatchEntry.objects.filter(pk=entry.pk).exists()
    response = client.get(f"/screening/lists/{watch_list.pk}/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["杭州清风软件有限公司", "乙公司"]


def test_vendor_employee_comparison(city: Any) -> None:
    vendors = _csv("名称,电话,银行账号,地址,法定代表人\n"
                   "杭州清风软件有限公司,+86 137-0571-0001,,,王五\n"
                   "杭州瑞丰贸易有限公司,,6222 0212 3456 7890,浙江省杭州市西湖区文三路一号3幢201室,赵六\n"
                   "杭州明德食品有限公司,0571-88886666,,,孙七\n", name="供应商.csv")
    employees = _csv("姓名,工号,电话,银行账号,地址\n张三,001,13705710001,,\n"
                     "李四,002,,6222021234567890,文三路1号3号楼201室\n王 五,003,,,\n", name="员工.csv")
    client = city.client(ENT)
    html = client.post("/screening/vendors/compare/",
                       {"vendors": vendors, "employees": employees}).content.decode()
    assert html.count('data-testid="compare-tie"') == 4
    for value in ("13705710001", "6222021234567890", "文三路1号3栋201室", "王五"):
        assert value in html
    assert AuditRecord.objects.filter(event="screening.vendors_compared").count() == 1


def test_vendor_comparison_names_bad_rows(city: Any) -> None:
    vendors = _csv("名称,电话\n,13705710001\n", name="供应商.csv")
    employees = _csv("姓名\n张三\n", name="员工.csv")
    html = city.client(ENT).post("/screening/vendors/compare/",
                                 {"vendors": vendors, "employees": employees}).content.decode()
    assert "未作比对" in html and "缺少名称" in html


def test_pages_render_in_english(city: Any, lists: Lists) -> None:
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import trans_real

    from qinglian.core.i18n import compile_catalogues

    compile_catalogues(settings.QINGLIAN_LOCALE_DIR)
    trans_real._translations = {}  # type: ignore[attr-defined]
    trans_real._default = None  # type: ignore[attr-defined]
    client = city.client(ENT)
    client.post("/screening/new/", {"name": "上海清风软件有限公司", "threshold": "85"})
    screening = Screening.objects.get()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    try:
        for url, text in (("/screening/", "Partner screening"), ("/screening/new/", "Matching rules"),
                          (f"/screening/{screening.pk}/", "Parties with hits"),
                          ("/screening/lists/", "Screening lists"),
                          (f"/screening/lists/{lists.own.pk}/", "Add to list"),
                          ("/screening/vendors/compare/", "Vendor list")):
            html = client.get(url).content.decode()
            assert text in html, url
    finally:
        trans_real._translations = {}  # type: ignore[attr-defined]
        trans_real._default = None  # type: ignore[attr-defined]
        translation.activate(settings.LANGUAGE_CODE)
