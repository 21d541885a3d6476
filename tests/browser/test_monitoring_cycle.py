"""The early-warning cycle in a real browser, with the jobs on the web process's worker thread
(as in production, so the htmx progress panels poll until the work is done):

an enterprise user uploads a GBK payments ledger with Chinese headers (a few hundred rows, one
planted split purchase and two payments on non-working days) → confirms the suggested mapping →
the load page reloads itself when the version is ready → a vendors workbook whose ledger is on
its second worksheet is loaded with bank accounts and phones masked in the column profile → a
file missing a required column and one with an unparsable amount are refused, nothing loaded →
a run of L001P and L005 from the run form, its progress panel updating by itself → the alerts
with Chinese explanations → handling (assign, investigate, close as 误报 / 属实) → the dashboard
→ an auditor reads without handling buttons, another enterprise's user is refused → screenshots
at three widths.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import time
from collections.abc import Iterator
from typing import Any

import chinese_calendar
import pytest
from django.db import OperationalError
from django.db import connection as db_connection
from django.db.backends.signals import connection_created
from openpyxl import Workbook
from playwright.sync_api import expect
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, build_city, make_user

from qinglian.core.choices import Role
from qinglian.monitoring.choices import AlertResolution, AlertStatus, LoadStatus, RunStatus
from qinglian.monitoring.jobs import wait_for_jobs
from qinglian.monitoring.models import Alert, DatasetVersion, Run

HEAD = ["付款单号", "付款单位", "收款方编号", "付款金额", "付款日期", "发票号", "付款事由"]
UNITS = ["办公室", "采购部", "财务部", "后勤保障部"]
SPLIT = [("FK-S1", "2026-03-09", "￥18,000.00"), ("FK-S2", "2026-03-12", "￥17,500.00"),
         ("FK-S3", "2026-03-16", "￥16,800.00")]  # 52,300.00 together, each below 50,000
WEEKEND = ("FK-W1", "财务部", "V017", "23,456.78", "2026-03-14")  # a Saturday
HOLIDAY = ("FK-H1", "办公室", "V023", "120000", "2026-05-02")  # Labour Day holiday
BANK_ACCOUNT = "6222021234567891234"
PHONE = "13812345678"


def _wait_when_locked(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    deadline = time.monotonic() + 20  # the platform's SQLite "timeout"
    while True:
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@pytest.fixture
def _shared_memory_database_waits(transactional_db: None) -> Iterator[None]:
    """The test database is SQLite in memory with a shared cache, where a statement meeting
    another connection's table lock fails at once ("database table is locked") instead of
    waiting, as it does on the file database the platform runs on (busy timeout 20 s). With
    the jobs on their own thread while the live server answers the page and its polls, every
    connection waits here as it would there: readers take no table locks (read_uncommitted)
    and a locked statement is retried until the same timeout. (No-op on PostgreSQL.)"""
    active = [True]

    def wait(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not active[0]:
            return execute(sql, params, many, context)
        return _wait_when_locked(execute, sql, params, many, context)

    def prepare(sender: Any = None, connection: Any = db_connection, **kwargs: Any) -> None:
        if connection.vendor != "sqlite":
            return
        if wait not in connection.execute_wrappers:
            connection.execute_wrappers.append(wait)
        connection.cursor().execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(prepare)
    prepare()
    yield
    active[0] = False
    connection_created.disconnect(prepare)
    if wait in db_connection.execute_wrappers:
        db_connection.execute_wrappers.remove(wait)


def _background_rows(count: int = 300) -> list[list[str]]:
    """Ordinary payments: at or above the approval threshold (no split), on working days."""
    rng = random.Random(2026)
    days = [dt.date(2026, 3, 1) + dt.timedelta(days=n) for n in range(120)]
    workdays = [d for d in days if chinese_calendar.is_workday(d)]
    return [[f"FK-{n:05d}", rng.choice(UNITS), f"V{rng.randint(1, 40):03d}",
             f"{rng.randint(5_000_000, 50_000_000) / 100:.2f}", rng.choice(workdays).isoformat(),
             f"INV{n:08d}", "货款"] for n in range(1, count + 1)]


def _csv(rows: list[list[str]], head: list[str] = HEAD) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return buffer.getvalue().encode("gbk")


def payments_csv() -> bytes:
    planted = [[key, "工程部", "V900", amount, day, f"INV-{key}", "零星材料"]
               for key, day, amount in SPLIT]
    unit_w, vendor_w = WEEKEND[1], WEEKEND[2]
    planted += [[WEEKEND[0], unit_w, vendor_w, WEEKEND[3], WEEKEND[4], "INV-W1", "加急付款"],
                [HOLIDAY[0], HOLIDAY[1], HOLIDAY[2], HOLIDAY[3], HOLIDAY[4], "INV-H1", "节日慰问品"]]
    return _csv(_background_rows() + planted)


def vendors_xlsx() -> bytes:
    """A workbook as finance departments keep it: instructions first, the ledger second."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "填表说明"
    notes.append(["本表由财务部维护，每季度更新一次"])
    ledger = book.create_sheet("供应商名录")
    ledger.append(["供应商编号", "供应商名称", "联系电话", "收款账号"])
    for n in range(1, 41):
        ledger.append([f"V{n:03d}", f"杭州第{n}建材有限公司", PHONE if n == 17 else f"1390000{n:04d}",
                       BANK_ACCOUNT if n == 17 else f"62170000{n:011d}"])
    ledger.append(["V900", "杭州零星材料经营部", "13700001111", "6228480012345678901"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _signed_in(browser: Any, live_server: Any, username: str,
               viewport: tuple[int, int] = (1440, 900)) -> Any:
    context = browser.new_context(locale="zh-CN",
                                  viewport={"width": viewport[0], "height": viewport[1]})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.base_url = live_server.url
    sign_in(pg, username, PASSWORD)
    pg.wait_for_url(pg.base_url + "/")
    return pg


def _upload(page: Any, name: str, body: bytes, kind: str = "payments") -> None:
    page.goto(f"{page.base_url}/monitoring/datasets/upload/")
    page.select_option("select[name=kind]", kind)
    page.set_input_files("input[name=file]", files=[{"name": name, "buffer": body,
                                                      "mimeType": "application/octet-stream"}])
    page.click("[data-testid=dataset-upload-submit]")
    expect(page.locator("[data-testid=mapping-form]")).to_be_visible()


def _load_payments(page: Any) -> DatasetVersion:
    _upload(page, "2026年付款台账.csv", payments_csv())
    expect(page.locator("main")).to_contain_text("编码 GBK")
    # every Chinese header was recognised
    for field, header in (("payment_id", "付款单号"), ("unit", "付款单位"), ("vendor_id", "收款方编号"),
                          ("amount", "付款金额"), ("paid_on", "付款日期"), ("invoice_no", "发票号"),
                          ("description", "付款事由")):
        expect(page.locator(f"select[name={field}]")).to_have_value(header)
    expect(page.locator("[data-testid=file-headers] .badge")).to_have_count(0)  # nothing dropped
    screenshot(page, "monitoring-1-mapping")
    page.click("[data-testid=mapping-submit]")
    # the page polls, then reloads itself once the version is ready
    expect(page.locator("[data-testid=load-status-text]")).to_have_text("已入库")
    expect(page.locator("h1")).to_contain_text("第 1 版")
    expect(page.locator("[data-testid=version-rows]")).to_have_text("305")
    expect(page.locator("[data-testid=version-facts]")).to_contain_text("2026-03-02 至 2026-06-")
    expect(page.locator("[data-testid=version-memory]")).to_have_count(0)  # administrators only
    amount = page.locator("[data-testid=profile-row]", has_text="amount")
    expect(amount).to_contain_text(re.compile(r"16,?800"))  # the smallest: a split part
    screenshot(page, "monitoring-2-payments-version")
    return DatasetVersion.objects.get(dataset__kind="payments", version=1)


def _load_vendors(page: Any) -> None:
    _upload(page, "供应商名录.xlsx", vendors_xlsx(), kind="vendors")
    expect(page.locator("#sheet-choice")).to_have_value("填表说明")
    page.select_option("#sheet-choice", "供应商名录")
    page.click("[data-testid=sheet-submit]")
    expect(page.locator("select[name=bank_account]")).to_have_value("收款账号")
    expect(page.locator("select[name=phone]")).to_have_value("联系电话")
    page.click("[data-testid=mapping-submit]")
    expect(page.locator("[data-testid=load-status-text]")).to_have_text("已入库")
    expect(page.locator("[data-testid=version-sheet]")).to_have_text("供应商名录")
    profile = page.locator("[data-testid=column-profile]")
    expect(profile.locator("tr", has_text="bank_account")).to_contain_text(
        re.compile(r"\d{4} \*{4} \*{4} \d{4}"))
    expect(profile.locator("tr", has_text="phone")).to_contain_text(re.compile(r"1\d\d\*{4}\d{4}"))
    expect(profile).not_to_contain_text(re.compile(r"\d{11}"))  # no phone or account in clear
    screenshot(page, "monitoring-3-vendors-version-masked")


def _bad_files(page: Any) -> None:
    # no date column at all: the mapping cannot be confirmed
    head = [h for h in HEAD if h != "付款日期"]
    _upload(page, "缺日期.csv", _csv([["FK-X1", "办公室", "V001", "1000", "INV-X1", "货款"]], head))
    expect(page.locator("select[name=paid_on]")).to_have_value("")
    page.click("[data-testid=mapping-submit]")
    expect(page.locator("[data-testid=mapping-form]")).to_contain_text("缺少必填列：付款日期")
    # an amount written in words: the load is rejected with row, column, value and reason
    rows = _background_rows(20)
    rows[6][3] = "壹万贰仟元"
    _upload(page, "金额有误.csv", _csv(rows))
    page.click("[data-testid=mapping-submit]")
    expect(page.locator("[data-testid=load-status-text]")).to_have_text("校验未通过")
    error = page.locator("[data-testid=load-error]")
    expect(error).to_have_count(1)
    expect(error.locator("td").first).to_have_text("8")  # the header is row 1
    expect(error).to_contain_text("壹万贰仟元")
    expect(page.locator("[data-testid=load-retry-upload]")).to_be_visible()
    screenshot(page, "monitoring-4-rejected-load")
    page.goto(f"{page.base_url}/monitoring/datasets/")
    payments = page.locator("[data-testid=dataset-row]", has_text="付款记录")
    expect(payments).to_contain_text("v1")
    expect(payments).to_contain_text("305")
    expect(page.locator("[data-testid=load-row]", has_text="金额有误.csv")).to_contain_text("校验未通过")


def _expect_cells(row: Any, cells: dict[int, str]) -> None:
    expect(row).to_have_count(1)
    for index, text in cells.items():
        expect(row.locator("td").nth(index)).to_have_text(text)


def _run(page: Any) -> Run:
    page.goto(f"{page.base_url}/monitoring/runs/new/")
    page.check("#r-L001P")
    page.check("#r-L005")
    page.click("[data-testid=run-submit]")
    # the panel polls every second and shows the counts without a reload
    expect(page.locator("[data-testid=run-status]")).to_have_text("已完成", timeout=30_000)
    counts = page.locator("[data-testid=run-counts] tbody tr")
    _expect_cells(counts.filter(has_text="L001P"), {1: "1", 2: "1"})  # hits, new alerts
    _expect_cells(counts.filter(has_text="L005"), {1: "2", 2: "2"})
    expect(page.locator("#run-progress[hx-get]")).to_have_count(0)  # polling stopped
    screenshot(page, "monitoring-5-run-detail")
    run = Run.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.message
    return run


def _alert_list(page: Any) -> None:
    page.goto(f"{page.base_url}/monitoring/alerts/")
    rows = page.locator("[data-testid=alert-row]")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid=alert-table]")).not_to_contain_text(re.compile(r"\de[+-]?\d"))
    split = rows.filter(has_text="L001P")
    expect(split).to_contain_text("52,300.00")
    expect(split).to_contain_text("工程部")
    expect(split).to_contain_text("疑似拆分规避审批")
    expect(rows.filter(has_text="FK-W1")).to_contain_text("23,456.78")
    expect(rows.filter(has_text="FK-H1")).to_contain_text("120,000.00")
    expect(rows.filter(has_text="FK-H1")).to_contain_text("非工作日")


def _open(page: Any, alert: Alert) -> None:
    page.goto(f"{page.base_url}/monitoring/alerts/{alert.pk}/")
    expect(page.locator("h1")).to_contain_text(alert.number)


def _status(page: Any, text: str) -> None:
    expect(page.locator("[data-testid=alert-status]")).to_have_text(text)


def _handle(manager: Any, checker: Any) -> tuple[Alert, Alert]:
    split = Alert.objects.get(rule_code="L001P")
    holiday = Alert.objects.get(rule_code="L005", subject="FK-H1")
    # the split purchase: assigned to 王核查, who investigates and confirms it
    _open(manager, split)
    evidence = manager.locator("[data-testid=evidence]")
    for key, _day, amount in SPLIT:
        expect(evidence).to_contain_text(key)
        expect(evidence).to_contain_text(amount.lstrip("￥"))  # 18,000.00, as on the value
    manager.select_option("#a-assignee", label="王核查")
    manager.click("[data-testid=assign-form] button")
    _status(manager, "已分派")
    expect(manager.locator("[data-testid=investigate-form]")).to_be_visible()  # managers may
    _open(checker, split)
    checker.click("[data-testid=investigate-form] button")
    _status(checker, "核查中")
    checker.check("#c-confirmed")
    checker.fill("[data-testid=close-form] textarea[name=note]",
                 "经核查，工程部将一批材料采购拆成三笔付款，已责令整改并追责")
    checker.click("[data-testid=close-form] button")
    _status(checker, "已办结")
    expect(checker.locator("[data-testid=resolution]")).to_contain_text("属实：经核查，工程部")
    history = checker.locator("[data-testid=alert-history]")
    for step in ("规则运行发现预警", "分派预警", "开始核查", "办结预警"):
        expect(history).to_contain_text(step)
    expect(history).to_contain_text("王核查")
    screenshot(checker, "monitoring-6-alert-confirmed")
    # the holiday payment: the manager takes it and closes it as a false positive
    _open(manager, holiday)
    manager.select_option("#a-assignee", label="enterprise")
    manager.click("[data-testid=assign-form] button")
    manager.click("[data-testid=investigate-form] button")
    _status(manager, "核查中")
    manager.check("#c-false_positive")
    manager.click("[data-testid=close-form] button")
    expect(manager.locator(".alert-danger")).to_contain_text("请填写理由或核查结论")
    _status(manager, "核查中")
    manager.check("#c-false_positive")
    manager.fill("[data-testid=close-form] textarea[name=note]",
                 "节前已审批，出纳在系统中误录付款日期，实际付款日为4月30日")
    manager.click("[data-testid=close-form] button")
    _status(manager, "已办结")
    expect(manager.locator("[data-testid=resolution]")).to_contain_text("误报：节前已审批")
    expect(manager.locator("[data-testid=close-form]")).to_have_count(0)
    split.refresh_from_db()
    holiday.refresh_from_db()
    assert (split.status, split.resolution) == (AlertStatus.CLOSED, AlertResolution.CONFIRMED)
    assert (holiday.status, holiday.resolution) == (AlertStatus.CLOSED,
                                                    AlertResolution.FALSE_POSITIVE)
    return split, holiday


def _dashboard(page: Any) -> None:
    page.goto(f"{page.base_url}/monitoring/dashboard/")
    # three alerts, one closed as 误报: two count as risk
    expect(page.locator("[data-testid=stat-total] .value")).to_have_text("2")
    expect(page.locator("[data-testid=stat-total]")).to_contain_text("已办结 2")
    expect(page.locator("[data-testid=stat-false-positive]")).to_contain_text("误报 1")
    expect(page.locator("[data-testid=stat-false-positive]")).to_contain_text("50%")
    expect(page.locator("[data-testid=stat-open] .value")).to_have_text("1")
    for key in ("by_rule", "by_severity", "by_unit", "by_month"):
        expect(page.locator(f"[data-testid=chart-{key}] canvas").first).to_be_attached()
    by_rule = page.locator("[data-testid=by-rule] tbody tr")
    # alerts (without 误报), open, 误报
    _expect_cells(by_rule.filter(has_text="L001P"), {1: "1", 2: "0", 3: "0（0%）"})
    _expect_cells(by_rule.filter(has_text="L005"), {1: "1", 2: "1", 3: "1（100%）"})


def _read_only(auditor: Any, outsider: Any, alert: Alert) -> None:
    auditor.goto(f"{auditor.base_url}/monitoring/alerts/")
    expect(auditor.locator("[data-testid=alert-row]")).to_have_count(3)
    open_one = Alert.objects.get(subject="FK-W1")
    _open(auditor, open_one)
    expect(auditor.locator("[data-testid=explanation]")).to_contain_text("23,456.78")
    for form in ("assign-form", "investigate-form", "close-form", "link-form"):
        expect(auditor.locator(f"[data-testid={form}]")).to_have_count(0)
    expect(auditor.get_by_role("button", name=re.compile("分派|核查|办结"))).to_have_count(0)
    response = outsider.goto(f"{outsider.base_url}/monitoring/alerts/{alert.pk}/")
    assert response is not None and response.status in (403, 404)
    expect(outsider.locator("body")).not_to_contain_text(alert.number)
    outsider.goto(f"{outsider.base_url}/monitoring/alerts/")
    expect(outsider.locator("[data-testid=alert-row]")).to_have_count(0)


def _screenshots(page: Any, alert: Alert) -> None:
    for width, height in ((1440, 900), (1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{page.base_url}/monitoring/alerts/")
        expect(page.locator("[data-testid=alert-row]")).to_have_count(3)
        screenshot(page, f"monitoring-w{width}-alert-list")
        _open(page, alert)
        screenshot(page, f"monitoring-w{width}-alert-detail")
        page.goto(f"{page.base_url}/monitoring/dashboard/")
        expect(page.locator("[data-testid=chart-by_rule] canvas").first).to_be_attached()
        screenshot(page, f"monitoring-w{width}-dashboard")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_shared_memory_database_waits")
def test_monitoring_cycle(browser: Any, live_server: Any, settings: Any, tmp_path: Any) -> None:
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = False  # the web process's worker thread, as deployed
    city = build_city()
    make_user("checker", Role.ENTERPRISE_USER, city.enterprises[0], display_name="王核查")
    make_user("qingfeng", Role.ENTERPRISE_USER, city.enterprises[1])
    # an auditor reads its own organisation's alerts: the enterprise's internal auditor
    make_user("neishen", Role.AUDITOR, city.enterprises[0], display_name="内审李")
    pages: list[Any] = []

    def page_for(username: str) -> Any:
        pages.append(_signed_in(browser, live_server, username))
        return pages[-1]

    try:
        manager = page_for("enterprise")
        version = _load_payments(manager)
        assert version.status == LoadStatus.READY and version.rows == 305
        _load_vendors(manager)
        _bad_files(manager)
        assert DatasetVersion.objects.filter(status=LoadStatus.READY).count() == 2
        _run(manager)
        _alert_list(manager)
        screenshot(manager, "monitoring-alerts-new")
        split, _holiday = _handle(manager, page_for("checker"))
        _dashboard(manager)
        _read_only(page_for("neishen"), page_for("qingfeng"), split)
        _screenshots(manager, split)
    finally:
        wait_for_jobs()
        for pg in pages:
            pg.context.close()


@pytest.mark.django_db(transaction=True)
def test_phone_navigation(browser: Any, live_server: Any) -> None:
    """On a phone (390×844) the site's navigation must be reachable and the page must fit
    the screen: the sidebar is hidden below the lg breakpoint, so a menu toggle has to
    bring it (the link to 预警处置) into view."""
    build_city()
    page = _signed_in(browser, live_server, "enterprise", viewport=(390, 844))
    try:
        page.goto(f"{page.base_url}/monitoring/dashboard/")
        expect(page.locator("h1")).to_contain_text("预警看板")
        overflow = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-responsive'))
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className)
                 .trim().split(/\\s+/).join('.') : '')).slice(0, 8)""")
        screenshot(page, "monitoring-phone-navigation")
        alerts = page.locator("a[href='/monitoring/alerts/']").first
        if not alerts.is_visible():
            toggles = page.locator("[data-bs-toggle=offcanvas], [data-bs-toggle=collapse]"
                                   ", [aria-controls]").filter(visible=True)
            assert toggles.count() > 0, "手机宽度下侧栏隐藏，且页面上没有可见的菜单按钮"
            toggles.first.click()
        expect(alerts).to_be_visible()
        assert not overflow, f"手机宽度下这些元素超出屏幕：{overflow}"
    finally:
        page.context.close()
