"""The yearly integrity-index cycle in a real browser: the enterprise fills in its
self-assessment (with an evidence file, saved indicator by indicator through htmx) and submits;
the chamber officer accepts every indicator but adjusts one, with a comment; the federation
moves the campaign through its review to publication; the enterprise sees its total and grade
(and, once the results page exists, its radar chart)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, build_city
from tests.evaluation.world import PDF, open_campaign

from qinglian.evaluation.choices import AssessmentStatus, CampaignStatus
from qinglian.evaluation.models import Evidence

#: How the enterprise answers each indicator: (code, kind, value). ZZ01 and WH02 are computed.
ANSWERS = (
    ("ZZ02", "radio", "0"),
    ("JY01", "radio", "1"),
    ("JY02", "number", "100"),
    ("WH01", "number", "95"),
    ("JG01", "radio", "0"),
    ("JG02", "radio", "1"),
)


def _page_for(browser: Any, live_server: Any, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.base_url = live_server.url
    sign_in(pg, username, PASSWORD)
    pg.wait_for_url(pg.base_url + "/")
    return pg


def _card(page: Any, code: str) -> Any:
    return page.locator(f"[data-testid=answer-card][data-code={code}]")


def _self_assess(page: Any, assessment_id: int) -> None:
    page.goto(f"{page.base_url}/evaluation/assessments/")
    page.click("[data-testid=assessment-open]")
    page.wait_for_url(f"{page.base_url}/evaluation/assessments/{assessment_id}/")
    assert "JY01 采购内控制度：尚未填报" in page.inner_text("[data-testid=missing]")
    for code, kind, value in ANSWERS:
        card = _card(page, code)
        if kind == "radio":
            card.locator(f"input[type=radio][value='{value}']").check()
        else:
            card.locator("input[type=number], input[name$='-number']").fill(value)
        if code == "JY01":
            card.locator("input[type=file]").set_input_files(files=[{
                "name": "采购内控制度.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        card.locator("[data-testid=answer-save]").click()
        expect(_card(page, code).locator("[data-testid=self-score]")).not_to_have_text("—")
    expect(_card(page, "JY01").locator("[data-testid=evidence-link]")).to_have_text("采购内控制度.pdf")
    expect(page.locator("[data-testid=self-total]")).to_contain_text("900.00")
    expect(page.locator("[data-testid=ready]")).to_be_visible()
    screenshot(page, "evaluation-self-assessment")
    page.click("[data-testid=submit-open]")
    page.click("[data-testid=submit-confirm]")
    page.wait_for_selector("text=自评已提交")
    assert page.inner_text("h1 [data-testid=assessment-status]").strip() == "已提交"


def _review(page: Any, assessment_id: int) -> None:
    page.goto(f"{page.base_url}/evaluation/assessments/{assessment_id}/")
    for code, _kind, _value in ANSWERS:
        card = _card(page, code)
        if code == "JG01":
            card.locator("input[value=adjusted]").check()
            card.locator("input[name$='-points']").fill("60")
            card.locator("textarea[name$='-comment']").fill("监督记录不完整，酌情扣分")
        else:
            card.locator("input[value=accepted]").check()
        card.locator("[data-testid=review-save]").click()
        expect(_card(page, code).locator("[data-testid=decision]")).to_have_text(
            "调整" if code == "JG01" else "认可")
    expect(_card(page, "JG01").locator("[data-testid=chamber-score]")).to_have_text("60.00")
    expect(page.locator("[data-testid=score-total]")).to_have_text("840.00")
    screenshot(page, "evaluation-chamber-review")
    page.click("[data-testid=complete-open]")
    page.click("[data-testid=complete-confirm]")
    page.wait_for_selector("text=自评已审核通过")


def _move(page: Any, to: str, message: str) -> None:
    page.click(f"[data-testid=move-{to}]")
    page.click(f"[data-testid=move-confirm-{to}]")
    page.wait_for_selector(f"text={message}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_self_assess_review_publish_and_see_the_grade(page, browser, live_server) -> None:  # type: ignore[no-untyped-def]
    city = build_city()
    world = open_campaign(city)
    own = world.of(city.enterprises[0])

    sign_in(page, "enterprise", PASSWORD)
    page.wait_for_url(page.base_url + "/")
    _self_assess(page, own.pk)
    evidence = Evidence.objects.get(answer__assessment=own)
    assert evidence.original_name == "采购内控制度.pdf" and (evidence.file.name or "").endswith(".pdf")

    chamber = _page_for(browser, live_server, "chamber")
    _review(chamber, own.pk)
    assert world.of(city.enterprises[0]).status == AssessmentStatus.REVIEWED

    fed = _page_for(browser, live_server, "fed")
    fed.goto(f"{fed.base_url}/evaluation/campaigns/{world.campaign.pk}/")
    expect(fed.locator("[data-testid=count-reviewed] .value")).to_have_text("1")
    _move(fed, "chamber_review", "商会初审")
    _move(fed, "federation_review", "工商联复核")
    fed.click("[data-testid=spot-check-open]")
    fed.fill("#id_seed", "20261124")
    fed.click("[data-testid=spot-check-confirm]")
    expect(fed.locator("[data-testid=spot-check-seed]")).to_have_text("20261124")
    screenshot(fed, "evaluation-federation-board")
    _move(fed, "published", "已发布 3 家企业的评价结果")
    world.campaign.refresh_from_db()
    assert world.campaign.status == CampaignStatus.PUBLISHED

    page.goto(f"{page.base_url}/evaluation/assessments/{own.pk}/")
    expect(page.locator("[data-testid=result-total]")).to_have_text("840.00")
    expect(page.locator("[data-testid=result-grade]")).to_have_text("标杆")
    expect(_card(page, "JG01").locator("[data-testid=chamber-comment]")).to_contain_text("监督记录不完整")
    screenshot(page, "evaluation-published")
    link = page.locator("[data-testid=result-link]")
    if link.count():  # the results page (another module) draws the four dimensions as a radar
        link.click()
        page.locator("[data-testid=chart-radar] canvas").wait_for()
        screenshot(page, "evaluation-result-radar")
