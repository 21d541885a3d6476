"""A risk assessment round in a real browser: the enterprise user adds a point from the
federation's library, starts a round with its responsible leader named, assesses every point
item by item (htmx), and submits; the leader approves; the register takes the new levels and the
heat maps show them — a click on a cell opens the register filtered to that cell."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, build_city, make_user
from tests.risk.world import add_point

from qinglian.core.choices import Role
from qinglian.risk import actions
from qinglian.risk.choices import RoundStatus
from qinglian.risk.models import AssessmentRound, RiskPoint


def _page_for(browser: Any, live_server: Any, username: str) -> Any:
    """A signed-in page in its own browser context (closed by the test when it ends, so no
    request of it outlives the live server's database)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.base_url = live_server.url
    sign_in(pg, username, PASSWORD)
    pg.wait_for_url(pg.base_url + "/")
    return pg


def _add_from_library(page: Any) -> None:
    page.goto(f"{page.base_url}/risk/library/?q=围标串标")
    page.click("[data-testid=library-use]")
    expect(page.locator("[data-testid=point-form]")).to_contain_text("ZB-01")
    page.fill("input[name=department]", "招标办")
    page.fill("input[name=post]", "招标主管")
    page.fill("input[name=owner_name]", "陈静")
    page.click("[data-testid=point-save]")
    page.wait_for_selector("text=已登记风险点")
    expect(page.locator("h1")).to_contain_text("围标串标、量身定制招标条件")


def _assess(page: Any, code: str, **values: str) -> None:
    row = page.locator(f"[data-testid=round-item][data-code='{code}']")
    for name, value in values.items():
        row.locator(f"select[name$='-{name}']").select_option(value)
    row.locator("textarea").fill("已对照制度和台账逐项复核")
    row.locator("[data-testid=item-save]").click()
    expect(page.locator(f"[data-testid=round-item][data-code='{code}'] "
                        "[data-testid=item-assessor]")).to_have_text("enterprise")


def _run_round(page: Any) -> int:
    page.goto(f"{page.base_url}/risk/rounds/new/")
    page.fill("input[name=name]", "2026 年度廉洁风险评估")
    page.select_option("select[name=leader]", label="ent_leader（华为技术有限公司）")
    page.click("[data-testid=round-save]")
    page.wait_for_selector("text=已创建风险评估草稿")
    page.click("[data-testid=round-start]")
    page.wait_for_selector("text=评估已开始")
    round_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    _assess(page, "FX-001", likelihood="5", residual_likelihood="3")
    _assess(page, "FX-002", impact="4", residual_impact="3")
    _assess(page, "FX-003")
    expect(page.locator("[data-testid=round-progress]")).to_contain_text("已评估 3 / 3")
    screenshot(page, "risk-round-assessed")
    page.click("[data-testid=round-submit]")
    page.wait_for_selector("text=已提交负责领导审批")
    expect(page.locator("[data-testid=round-awaiting]")).to_contain_text("ent_leader")
    return round_id


def _approve(page: Any, round_id: int) -> None:
    page.goto(f"{page.base_url}/risk/rounds/{round_id}/")
    page.fill("[data-testid=decision-note]", "同意，采购和招标环节重点防控")
    page.click("[data-testid=round-approve]")
    page.wait_for_selector("text=已批准：台账风险等级已按本轮评估更新")
    expect(page.locator("h1 [data-testid=round-status]")).to_have_text("已批准")


def _click_cell(page: Any, basis: str, likelihood: int, impact: int) -> None:
    """Click the heat-map cell at (impact, likelihood), found through the chart's own axes."""
    selector = f"[data-risk-heatmap={basis}]"
    x, y = page.evaluate(
        "([sel, i, l]) => echarts.getInstanceByDom(document.querySelector(sel))"
        ".convertToPixel({seriesIndex: 0}, [i, l])", [selector, impact - 1, likelihood - 1])
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


@pytest.mark.django_db(transaction=True)
def test_risk_assessment_round(browser: Any, live_server: Any) -> None:
    city = build_city()
    ent = city.users[Role.ENTERPRISE_USER]
    make_user("ent_leader", Role.ENTERPRISE_USER, city.enterprises[0], display_name="ent_leader")
    actions.do_install_library(city.federation, actor=city.users[Role.FEDERATION_OFFICER])
    add_point(city.enterprises[0], ent)  # FX-001 procurement 4×4, residual 2×4
    add_point(city.enterprises[0], ent, area="finance", title="虚列费用套取资金",
              department="财务部", likelihood=3, impact=3, residual_likelihood=2,
              residual_impact=2)  # FX-002

    page = _page_for(browser, live_server, "enterprise")
    leader = _page_for(browser, live_server, "ent_leader")
    try:
        _walk(city, page, leader)
    finally:
        page.context.close()
        leader.context.close()


def _walk(city: Any, page: Any, leader: Any) -> None:
    _add_from_library(page)  # FX-003 tendering 4×5, residual 3×5
    round_id = _run_round(page)

    _approve(leader, round_id)
    screenshot(leader, "risk-round-approved")
    assert AssessmentRound.objects.get(pk=round_id).status == RoundStatus.APPROVED
    first = RiskPoint.objects.get(organisation=city.enterprises[0], code="FX-001")
    assert (first.likelihood, first.inherent_level, first.residual_score) == (5, "major", 12)

    leader.goto(f"{leader.base_url}/risk/heatmap/")
    for basis in ("inherent", "residual"):
        expect(leader.locator(f"[data-risk-heatmap={basis}]")).to_have_attribute(
            "data-rendered", "1")
        expect(leader.locator(f"[data-risk-heatmap={basis}] canvas")).to_have_count(1)
    counts = leader.locator("[data-testid=inherent-count]").all_inner_texts()
    assert [c.strip() for c in counts] == ["重大 2", "高 1", "中 0", "低 0"]
    leader.wait_for_timeout(600)  # let the charts finish their entry animation
    screenshot(leader, "risk-heatmap")
    _click_cell(leader, "inherent", 5, 4)
    leader.wait_for_url("**/risk/?**basis=inherent&likelihood=5&impact=4")
    expect(leader.locator("[data-testid=point-row]")).to_have_count(1)
    expect(leader.locator("[data-testid=point-row]")).to_contain_text("供应商选择倾向特定关系人")
