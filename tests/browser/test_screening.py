"""A screening in a real browser: paste a list, read the hits and why, mark a false positive."""

from __future__ import annotations

import pytest
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, City
from tests.screening.conftest import make_lists

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_screen_review_and_remember(page, city: City) -> None:  # type: ignore[no-untyped-def]
    make_lists(city)
    sign_in(page, "enterprise", PASSWORD)
    page.wait_for_url(page.base_url + "/")
    page.click("text=合作方筛查")
    page.click("[data-testid=screening-new]")
    page.fill("#id_title", "2026 年度供应商准入")
    page.fill("#id_pasted", "清風軟件（杭州）有限公司\n上海清风软件有限公司\n杭州明德食品有限公司")
    page.click("[data-testid=screening-submit]")
    page.locator("[data-testid=hit]").first.wait_for()
    assert page.locator("[data-testid=hit]").count() == 2
    explanation = page.locator("[data-testid=hit-explanation]").first.inner_text()
    assert "名称主体“清风软件”相同" in explanation and "繁体字转为简体" in explanation
    screenshot(page, "screening-result")

    second = page.locator("[data-testid=hit]").nth(1)
    assert "地区不同" in second.inner_text()
    second.locator("input[name=note]").fill("上海的同名企业，与名单企业无关")
    second.locator("button[value=false_positive]").click()
    page.locator("text=已将").wait_for()
    assert "误报" in page.locator("[data-testid=hit-status]").nth(1).inner_text()
    screenshot(page, "screening-reviewed")
