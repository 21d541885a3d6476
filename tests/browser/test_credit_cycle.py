"""The credit cycle in a real browser, with the clock moved as the months pass (the live server
runs in this process, so ``time_machine`` moves its clock too):

a serious penalty imported by the federation officer from an .xlsx on the dual-publicity page →
published from the queue within its 7-working-day deadline → blacklist proposal → the
enterprise notified → its user files an objection with a PDF on "我的信用" → the handler
upholds it → after the objection window the officer decides "listed" and publishes → an
anonymous visitor finds the enterprise on the portal's blacklist and profile → a year later the
enterprise applies for credit repair, the officer approves → gone from the portal.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from openpyxl import Workbook
from playwright.sync_api import expect
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, USCC_HUAWEI, City, build_city

from qinglian.credit.choices import ListingStatus, ObjectionStatus, RecordStatus, RepairStatus
from qinglian.credit.models import CreditRecord, Listing, Objection, RepairApplication

TZ = dt.timezone(dt.timedelta(hours=8))
IMPORT_DAY = dt.datetime(2026, 11, 2, 9, 30, tzinfo=TZ)  # a Monday
AFTER_WINDOW = dt.datetime(2026, 11, 17, 9, 30, tzinfo=TZ)  # objection window ended 16 Nov
REPAIR_DAY = dt.datetime(2027, 11, 2, 9, 30, tzinfo=TZ)  # minimum window (12 months) passed
DECISION_NUMBER = "杭市监罚〔2026〕318号"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PENALTY_HEAD = ["行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政处罚决定书文号", "违法行为类型",
                "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
                "没收违法所得、没收非法财物的金额（万元）", "处罚决定日期", "处罚有效期", "公示截止期",
                "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "失信程度", "备注"]


def _penalty_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PENALTY_HEAD)
    sheet.append(["华为技术有限公司", "法人及非法人组织", USCC_HUAWEI, DECISION_NUMBER, "商业贿赂",
                  "以给付回扣方式贿赂交易相对方工作人员，谋取交易机会",
                  "《中华人民共和国反不正当竞争法》第七条、第十九条", "罚款、没收违法所得",
                  "罚款人民币20万元，没收违法所得", "20", "3.5", "2026-10-30", "", "",
                  "杭州市市场监督管理局", "", "杭州市市场监督管理局", "严重", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _signed_in(browser: Any, live_server: Any, username: str | None) -> Any:
    """A page in its own browser context (signed in unless ``username`` is None)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.base_url = live_server.url
    if username is not None:
        sign_in(pg, username, PASSWORD)
        pg.wait_for_url(pg.base_url + "/")
    return pg


def _import_and_publish(page: Any) -> CreditRecord:
    page.goto(f"{page.base_url}/credit/dual-publicity/import/")
    page.check("input[name=kind][value=penalty]")
    page.set_input_files("input[name=file]", files=[{
        "name": "行政处罚.xlsx", "buffer": _penalty_xlsx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("[data-testid=import-check]")
    expect(page.locator("[data-testid=preview-rows]")).to_have_text("1")
    expect(page.locator("[data-testid=preview-matched]")).to_have_text("1")
    screenshot(page, "credit-cycle-1-import-preview")
    page.click("[data-testid=import-confirm]")
    record = CreditRecord.objects.get(decision_number=DECISION_NUMBER)
    assert record.status == RecordStatus.RECORDED and record.severity == "serious"
    assert record.publish_due == dt.date(2026, 11, 10)  # Fri 30 Oct + 7 working days

    page.goto(f"{page.base_url}/credit/dual-publicity/?show=")
    row = page.locator("[data-testid=queue-row]", has_text=record.number)
    expect(row).to_contain_text("2026年11月10日")
    row.locator("input[name=record]").check()
    page.click("[data-testid=publish-selected]")
    expect(page.locator("[data-testid=queue-row]", has_text=record.number)).to_have_count(0)
    screenshot(page, "credit-cycle-2-queue-after-publishing")
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    assert record.publish_from == dt.date(2026, 11, 2) <= record.publish_due
    return record


def _propose_and_notify(page: Any, city: City, record: CreditRecord) -> Listing:
    huawei = city.enterprises[0]
    page.goto(f"{page.base_url}/credit/listings/new/?org={huawei.pk}")
    page.select_option("select[name=organisation]", str(huawei.pk))
    page.select_option("select[name=list_kind]", "black")
    page.fill("textarea[name=reasons]", "商业贿赂被处以罚款并没收违法所得，情节严重，社会影响恶劣")
    page.fill("textarea[name=basis]", "《杭州市失信惩戒对象名单管理办法》第九条")
    records = page.locator(f"input[name=records][value='{record.pk}']")
    if records.count():
        records.check()
    else:
        page.select_option("select[name=records]", str(record.pk))
    page.check("input[name=measures][value=no_awards]")
    page.check("input[name=measures][value=no_nomination]")
    page.click("[data-testid=listing-submit]")
    expect(page.locator("[data-testid=listing-status]")).to_contain_text("已提议")
    page.click("[data-testid=notify]")
    expect(page.locator("[data-testid=listing-status]")).to_contain_text("已告知")
    listing = Listing.objects.get(organisation=huawei)
    assert listing.objection_due == dt.date(2026, 11, 16)  # 10 working days
    screenshot(page, "credit-cycle-3-listing-notified")
    return listing


def _object(page: Any, listing: Listing) -> Objection:
    page.goto(f"{page.base_url}/credit/mine/")
    notice = page.locator("[data-testid=notice]")
    expect(notice).to_contain_text("商业贿赂被处以罚款")
    expect(notice).to_contain_text("2026年11月16日")
    screenshot(page, "credit-cycle-4-my-credit-notice")
    notice.locator("[data-testid=notice-object]").click()
    expect(page.locator("[data-testid=objection-target]")).to_contain_text(listing.number)
    page.fill("textarea[name=reasons]", "我司已缴清罚款并完成合规整改，请求不予列入黑名单")
    page.set_input_files("input[name=evidence]", files=[{
        "name": "整改情况说明.pdf", "buffer": PDF, "mimeType": "application/pdf"}])
    page.click("[data-testid=objection-submit]")
    expect(page.locator("[data-testid=objection-status]")).to_contain_text("处理中")
    objection = Objection.objects.get(listing=listing)
    assert objection.files.count() == 1
    return objection


def _uphold(page: Any, objection: Objection) -> None:
    page.goto(f"{page.base_url}/credit/objections/{objection.pk}/")
    page.check("input[name=outcome_kind][value=upheld]")
    page.fill("textarea[name=outcome]", "经复核，处罚决定事实清楚、依据充分，整改不影响列入，维持原认定")
    page.click("[data-testid=handle-submit]")
    expect(page.locator("[data-testid=objection-status]")).to_contain_text("维持原记录")
    screenshot(page, "credit-cycle-5-objection-upheld")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD


def _list_and_publish(page: Any, listing: Listing) -> None:
    page.goto(f"{page.base_url}/credit/listings/{listing.pk}/")
    page.fill("[data-testid=listing-actions] textarea[name=note] >> nth=0", "异议期届满，决定列入")
    page.click("[data-testid=decide-listed]")
    expect(page.locator("[data-testid=listing-status]")).to_contain_text("决定列入")
    page.click("[data-testid=publish]")
    expect(page.locator("[data-testid=listing-status]")).to_contain_text("已公布")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED


def _portal(page: Any, *, listed: bool) -> None:
    cache.clear()  # the portal caches its pages for a minute
    page.goto(f"{page.base_url}/portal/blacklist/")
    black = page.locator("main")
    if listed:
        expect(black).to_contain_text("华为技术有限公司")
    else:
        expect(black).not_to_contain_text("华为技术有限公司")
    screenshot(page, f"credit-cycle-{'6' if listed else '9'}-portal-blacklist")
    page.goto(f"{page.base_url}/portal/enterprises/{USCC_HUAWEI}/")
    profile = page.locator("main")
    expect(profile).to_contain_text("华为技术有限公司")
    if listed:
        expect(profile).to_contain_text("黑名单")
        expect(profile).to_contain_text(DECISION_NUMBER)
        screenshot(page, "credit-cycle-7-portal-profile")
    else:
        expect(profile).not_to_contain_text(DECISION_NUMBER)


def _repair(page: Any, record: CreditRecord) -> RepairApplication:
    page.goto(f"{page.base_url}/credit/mine/")
    row = page.locator("[data-testid=my-record]", has_text=DECISION_NUMBER)
    row.locator("[data-testid=apply-repair]").click()
    expect(page.locator("[data-testid=repair-record]")).to_contain_text(record.number)
    page.fill("textarea[name=correction]", "已缴清罚款和没收款，建立反商业贿赂合规制度并完成全员培训")
    page.fill("textarea[name=pledge]", "本企业承诺依法诚信经营，不以任何形式行贿，如有违反自愿接受惩戒")
    page.set_input_files("input[name=evidence]", files=[{
        "name": "整改验收报告.pdf", "buffer": PDF, "mimeType": "application/pdf"}])
    page.click("[data-testid=repair-submit]")
    expect(page.locator("[data-testid=repair-status]")).to_contain_text("待审核")
    return RepairApplication.objects.get(record=record)


def _approve(page: Any, application: RepairApplication) -> None:
    page.goto(f"{page.base_url}/credit/repairs/{application.pk}/")
    page.check("input[name=decision][value=approve]")
    page.fill("[data-testid=repair-decide-form] textarea[name=note]", "整改到位，准予信用修复")
    page.click("[data-testid=repair-decide]")
    expect(page.locator("[data-testid=repair-status]")).to_contain_text("已准予修复")
    screenshot(page, "credit-cycle-8-repair-approved")


@pytest.mark.django_db(transaction=True)
def test_credit_cycle(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    settings.QINGLIAN_HOME = tmp_path
    pages: list[Any] = []

    def page_for(username: str | None) -> Any:
        pages.append(_signed_in(browser, live_server, username))
        return pages[-1]

    try:
        with time_machine.travel(IMPORT_DAY, tick=True):
            city = build_city()
            officer = page_for("fed")
            record = _import_and_publish(officer)
            listing = _propose_and_notify(officer, city, record)
            objection = _object(page_for("enterprise"), listing)
            _uphold(officer, objection)
        with time_machine.travel(AFTER_WINDOW, tick=True):
            _list_and_publish(page_for("fed"), listing)
            _portal(page_for(None), listed=True)
        with time_machine.travel(REPAIR_DAY, tick=True):
            application = _repair(page_for("enterprise"), record)
            _approve(page_for("fed"), application)
            application.refresh_from_db()
            record.refresh_from_db()
            listing.refresh_from_db()
            assert application.status == RepairStatus.APPROVED
            assert record.status == RecordStatus.REPAIRED
            assert listing.status == ListingStatus.REMOVED and listing.removal_reason == "repaired"
            _portal(page_for(None), listed=False)
    finally:
        for pg in pages:
            pg.context.close()
