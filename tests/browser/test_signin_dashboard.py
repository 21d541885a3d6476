"""Sign-in, the dashboard's charts and the organisation search, in a real browser."""

from __future__ import annotations

import re

import pytest
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, City

pytestmark = pytest.mark.django_db(transaction=True)


def test_wrong_password_then_dashboard_with_charts(page, city: City) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "fed", "not-the-password")
    error = page.locator("[data-testid=login-error]")
    error.wait_for()
    assert "用户名或密码错误" in error.inner_text()
    assert page.input_value("input[name=username]") == "fed"
    screenshot(page, "login-error")

    sign_in(page, "fed", PASSWORD)
    page.wait_for_url(page.base_url + "/")
    assert page.locator("h1").inner_text() == "工作台"
    # ECharts draws each chart into a canvas once the page has loaded.
    for key in ("section", "region", "tag", "ownership", "party"):
        page.locator(f"[data-testid=chart-{key}] canvas").wait_for()
    assert page.locator("[data-testid=stat-enterprises] .value").inner_text().startswith("3")
    assert "100.0%" in page.locator("[data-testid=stat-pledge]").inner_text()
    screenshot(page, "dashboard")


def test_pinyin_search_in_the_organisation_list(page, city: City) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "fed", PASSWORD)
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + "/organisations/?kind=enterprise")
    rows = page.locator("[data-testid=org-row]")
    assert rows.count() == 3
    assert "杭州瓯江贸易有限公司" in rows.first.inner_text()  # sorted by pinyin
    # Sorting swaps the results in place and the filter form keeps the new order.
    page.click("[data-sort=name]")
    page.wait_for_url(re.compile(r".*order=-name.*"))
    page.wait_for_function(
        "document.querySelector('[data-testid=org-row]').innerText.includes('华为')")
    assert page.input_value("input[name=order]") == "-name"
    page.fill("[data-testid=org-search]", "hwjs")
    # htmx swaps the results in place and pushes the search into the address bar.
    page.wait_for_url(re.compile(r".*q=hwjs.*"))
    page.wait_for_function("document.querySelectorAll('[data-testid=org-row]').length === 1")
    assert "华为技术有限公司" in rows.first.inner_text()
    screenshot(page, "organisation-search")

    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(rf".*/organisations/{city.enterprises[0].pk}/$"))
    assert page.locator("[data-testid=uscc-ok]").inner_text().strip() == "校验位正确"
    page.locator("[data-testid=history-entry]").first.wait_for()
    screenshot(page, "organisation-detail")
