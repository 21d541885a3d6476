"""The results figures on a small published world: e0 (华为, good, 900 标杆) and e1 (清风, fair,
687 优秀) are reviewed by 互联网商会, e2 (瓯江, poor, 65 不达标) by 温州商会. A 2025 campaign in
which everyone was "fair" gives the trend its second year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinglian.core.choices import Role
from qinglian.evaluation import result_actions
from qinglian.evaluation import statistics as st
from qinglian.evaluation.models import Campaign
from qinglian.registry import actions
from tests.conftest import make_uscc

from .world import World, open_campaign, publish

pytestmark = pytest.mark.django_db

FED, CH, ENT = Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER
D = Decimal


def published_world(city: Any) -> World:
    e0, e1, e2 = city.enterprises
    return publish(city, open_campaign(city), strengths={e0.pk: "good", e1.pk: "fair",
                                                         e2.pk: "poor"})


def two_years(city: Any) -> World:
    current = published_world(city)
    publish(city, open_campaign(city, year=2025, name="2025 年度清廉企业评价",
                                framework=current.framework),
            strengths={e.pk: "fair" for e in city.enterprises})
    return current


@pytest.fixture
def world(city: Any) -> World:
    return published_world(city)


def _figures(user: Any, campaign: Campaign) -> tuple[Any, list[st.DimensionFigure], list[str]]:
    assessments = st.published_assessments(user, campaign)
    return assessments, st.dimensions_with_maxima(campaign.framework), st.grade_names(
        campaign.framework)


def test_grade_distribution_counts_every_band(city: Any, world: World) -> None:
    assessments, _dims, grades = _figures(city.users[FED], world.campaign)
    figures = st.grade_distribution(assessments, grades)
    assert [(g.grade, g.count, g.percent) for g in figures.grades] == [
        ("标杆", 1, D("33.3")), ("优秀", 1, D("33.3")), ("达标", 0, D("0.0")),
        ("不达标", 1, D("33.3"))]
    assert figures.total == 3 and figures.vetoed == 0
    assert figures.average == D("550.67")  # (900 + 687 + 65) / 3


def test_a_chamber_sees_only_its_own_results(city: Any, world: World) -> None:
    assessments, dims, grades = _figures(city.users[CH], world.campaign)
    figures = st.grade_distribution(assessments, grades)
    assert [g.count for g in figures.grades] == [1, 1, 0, 0] and figures.average == D("793.50")
    averages = st.dimension_averages(assessments, dims)
    assert [a.average for a in averages] == [D("120.00"), D("327.50"), D("170.00"), D("176.00")]
    weakest = st.weakest_indicators(assessments)
    assert all(w.count == 2 for w in weakest)


def test_vetoed_results_are_counted(city: Any, world: World) -> None:
    item = world.framework.negative_items.get(code="N01")
    result_actions.do_confirm_finding(world.of(city.enterprises[1]), item=item,
                                      found_on=dt.date(2026, 3, 1), source="杭法〔2026〕3号",
                                      actor=city.users[FED])
    assessments, _dims, grades = _figures(city.users[FED], world.campaign)
    figures = st.grade_distribution(assessments, grades)
    assert figures.vetoed == 1
    assert [g.count for g in figures.grades] == [1, 0, 0, 2]


def test_dimension_averages_against_their_maxima(city: Any, world: World) -> None:
    assessments, dims, _grades = _figures(city.users[FED], world.campaign)
    assert [(d.code, d.max_points) for d in dims] == [
        ("ZZ", D(250)), ("JY", D(350)), ("WH", D(200)), ("JG", D(200))]
    averages = st.dimension_averages(assessments, dims)
    assert [(a.average, a.percent) for a in averages] == [
        (D("80.00"), D("32.0")), (D("223.33"), D("63.8")), (D("130.00"), D("65.0")),
        (D("117.33"), D("58.7"))]


def test_weakest_indicators_lowest_share_first(city: Any, world: World) -> None:
    assessments, _dims, _grades = _figures(city.users[FED], world.campaign)
    weakest = st.weakest_indicators(assessments)
    assert len(weakest) == 8  # all of them: fewer than ten indicators
    first = weakest[0]
    assert (first.code, first.average, first.percent, first.count, first.zero) == (
        "ZZ01", D("0.00"), D("0.0"), 3, 3)  # nobody has a party organisation
    assert [w.code for w in weakest[1:4]] == ["JG01", "WH01", "ZZ02"]  # 53.3 % each, by code
    assert weakest[-1].code == "WH02" and weakest[-1].percent == D("100.0")
    assert [w.code for w in st.weakest_indicators(assessments, limit=2)] == ["ZZ01", "JG01"]


def test_heat_table_chamber_by_dimension(city: Any, world: World) -> None:
    assessments, dims, _grades = _figures(city.users[FED], world.campaign)
    heat = st.heat_table(assessments, dims)
    assert [(h.chamber, h.count) for h in heat] == [("杭州市互联网商会", 2), ("杭州市温州商会", 1)]
    assert [c.percent for c in heat[0].cells] == [D("48.0"), D("93.6"), D("85.0"), D("88.0")]
    assert [c.percent for c in heat[1].cells] == [D("0.0"), D("4.3"), D("25.0"), D("0.0")]
    assert heat[1].cells[0].colour == "hsl(0, 65%, 85%)"
    assert heat[0].cells[1].colour == "hsl(112, 65%, 85%)"
    assert st.HeatCell(None).colour == "transparent"


def test_trend_over_two_years(city: Any) -> None:
    current = two_years(city)
    years = st.trend(city.users[FED], current.campaign, st.grade_names(current.framework))
    assert [(y.year, y.count, y.average) for y in years] == [
        (2025, 3, D("687.00")), (2026, 3, D("550.67"))]
    assert years[0].shares == {"标杆": D("0.0"), "优秀": D("100.0"), "达标": D("0.0"),
                               "不达标": D("0.0")}
    chamber = st.trend(city.users[CH], current.campaign, st.grade_names(current.framework))
    assert [(y.year, y.count) for y in chamber] == [(2025, 2), (2026, 2)]


def test_enterprise_and_other_federation_see_nothing_of_others(city: Any, world: World) -> None:
    assert list(st.published_assessments(city.users[ENT], world.campaign)
                .values_list("enterprise_id", flat=True)) == [city.enterprises[0].pk]
    assert not st.published_assessments(city.users[Role.DEPARTMENT_HANDLER], world.campaign).exists()


def test_ranked_results_filters_and_orders(city: Any, world: World) -> None:
    e0, e1, e2 = city.enterprises
    assessments = st.published_assessments(city.users[FED], world.campaign)

    def ids(**kw: Any) -> list[int]:
        return [a.enterprise_id for a in st.ranked_results(assessments, st.ResultFilter(**kw))]

    assert ids() == [e0.pk, e1.pk, e2.pk]
    assert ids(order="total") == [e2.pk, e1.pk, e0.pk]
    assert ids(q="qfrj") == [e1.pk]  # pinyin initials of 清风软件
    assert ids(q="huawei") == [e0.pk]  # full pinyin
    assert ids(q="瓯江") == [e2.pk]
    assert ids(grade="优秀") == [e1.pk]
    assert ids(chamber=city.other_chamber.pk) == [e2.pk]
    assert ids(industry="65") == [e1.pk]
    assert ids(region="330100") == [e0.pk, e1.pk, e2.pk]  # the city covers its districts
    assert ids(region="330106") == [e0.pk]


def test_ranked_results_put_vetoed_last(city: Any, world: World) -> None:
    e0, e1, e2 = city.enterprises
    item = world.framework.negative_items.get(code="N02")
    result_actions.do_confirm_finding(world.of(e0), item=item, found_on=dt.date(2026, 3, 2),
                                      source="杭人社监〔2026〕12号", actor=city.users[FED])
    rows = list(st.ranked_results(st.published_assessments(city.users[FED], world.campaign),
                                  st.ResultFilter()))
    assert [a.enterprise_id for a in rows] == [e1.pk, e2.pk, e0.pk]
    assert [f.item.name for f in rows[2].veto_findings] == ["拖欠农民工工资"]


def test_filter_choices_come_from_the_results(city: Any, world: World) -> None:
    choices = st.filter_choices(st.published_assessments(city.users[CH], world.campaign))
    assert choices["chamber"] == [(str(city.chamber.pk), "杭州市互联网商会")]
    assert choices["industry"] == [("39", "39 计算机、通信和其他电子设备制造业"),
                                   ("65", "65 软件和信息技术服务业")]
    assert [code for code, _name in choices["region"]] == ["330106", "330108"]


def add_members(city: Any, count: int) -> None:
    """More member enterprises of 互联网商会 (admitted, pledge signed), before a campaign opens."""
    for i in range(count):
        enterprise = actions.do_create_organisation(
            actor=None, kind="enterprise", name=f"杭州测试{i}号科技有限公司", uscc=make_uscc(400 + i),
            federation=city.federation, region="330106", industry="65")
        membership = actions.do_apply_membership(actor=None, member=enterprise,
                                                 organisation=city.chamber)
        actions.do_sign_commitment(actor=None, commitment=city.commitment, member=enterprise,
                                   signer_name="法人代表")
        actions.do_admit_member(membership, actor=None)


def _figure_queries(user: Any, campaign: Campaign) -> int:
    campaign = Campaign.objects.select_related("framework").get(pk=campaign.pk)
    with CaptureQueriesContext(connection) as ctx:
        assessments, dims, grades = _figures(user, campaign)
        st.grade_distribution(assessments, grades)
        st.dimension_averages(assessments, dims)
        st.weakest_indicators(assessments)
        st.heat_table(assessments, dims)
        st.trend(user, campaign, grades)
    return len(ctx.captured_queries)


def test_figures_cost_a_fixed_number_of_queries(city: Any) -> None:
    """Eight queries for three results as for seven (no per-enterprise loop): bands,
    dimensions, distribution, averages, weakest, heat table, trend × 2."""
    small = published_world(city)
    add_members(city, 4)
    large = publish(city, open_campaign(city, year=2027, name="2027 年度清廉企业评价",
                                        framework=small.framework))
    assert large.campaign.assessments.count() == 7
    assert _figure_queries(city.users[FED], small.campaign) == 8
    assert _figure_queries(city.users[FED], large.campaign) == 8
    assert _figure_queries(city.users[CH], large.campaign) == 8


def test_charts_are_plain_json(city: Any, world: World) -> None:
    import json

    assessments, dims, grades = _figures(city.users[FED], world.campaign)
    distribution = st.grade_distribution(assessments, grades)
    averages = st.dimension_averages(assessments, dims)
    heat = st.heat_table(assessments, dims)
    charts = st.campaign_charts(distribution, averages, heat,
                                st.trend(city.users[FED], world.campaign, grades))
    data = json.loads(json.dumps(charts))
    assert data["grades"]["values"] == [1, 1, 0, 1]
    assert data["grades"]["colors"] == ["#3f7f6e", "#5b8db8", "#c0843d", "#9e1b1b"]  # 不达标 red
    assert data["dimensions"]["values"] == [32.0, 63.8, 65.0, 58.7]
    assert data["heat"]["cells"][0] == [0, 0, 48.0] and len(data["heat"]["cells"]) == 8
    assert data["trend"]["labels"] == ["2026"] and data["trend"]["average"] == [550.67]
    radar = st.radar_chart(dims, {dims[0].pk: D("150.00")})["radar"]
    assert radar["indicators"][0] == {"name": "清廉政治", "max": 250.0}
    assert radar["series"][0]["values"] == [150.0, 0, 0, 0]
