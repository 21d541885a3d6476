"""Result pages, analytics, export and exemplars, through the real actions and a real client.

The world: 华为 (e0, good → 900 标杆) and 清风 (e1, fair → 687 优秀) are reviewed by 互联网商会
(the chamber officer's), 瓯江 (e2, poor → 65 不达标) by 温州商会; the enterprise user is 华为's.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.evaluation import result_actions
from qinglian.evaluation.choices import ExemplarStatus
from qinglian.evaluation.models import Exemplar
from tests.matrix_cases_results import register
from tests.test_i18n import fresh_translations  # noqa: F401 - a fixture
from tests.test_permission_matrix import ANON, ROLES, statuses

from .test_statistics import add_members
from .world import World, open_campaign, publish

pytestmark = pytest.mark.django_db

FED, CH, ENT, AUD = (Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER,
                     Role.AUDITOR)


@pytest.fixture
def world(city: Any) -> World:
    e0, e1, e2 = city.enterprises
    return publish(city, open_campaign(city), strengths={e0.pk: "good", e1.pk: "fair",
                                                         e2.pk: "poor"})


def _html(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def _charts(html: str) -> dict[str, Any]:
    """The chart series the page hands to result_charts.js (json_script, never inline JS)."""
    match = re.search(r'<script id="result-chart-data" type="application/json">(.*?)</script>',
                      html, re.S)
    assert match, "the page carries its chart data"
    return dict(json.loads(match.group(1)))


def _veto(city: Any, world: World, index: int, code: str = "N02") -> None:
    item = world.framework.negative_items.get(code=code)
    result_actions.do_confirm_finding(world.of(city.enterprises[index]), item=item,
                                      found_on=dt.date(2026, 3, 2), source="杭人社监〔2026〕12号",
                                      description="拖欠 12 名农民工工资", actor=city.users[FED])


# --- every URL × every role ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_result_urls_for_every_role(city: Any, role: str) -> None:
    """The rows of tests/matrix_cases_results.py, on their own (the full matrix runs them too)."""
    cases: list[tuple[Any, ...]] = []
    register(lambda name, path, expect, **kw: cases.append((name, path, expect, kw)), statuses)
    failures = []
    for name, path, expect, kw in cases:
        client = Client() if role == ANON else city.client(role)
        url = path(city)
        status = getattr(client, kw.get("method", "get"))(url).status_code
        if status not in expect[role]:
            failures.append(f"{name} {url}: {status}")
    assert not failures


# --- one enterprise's result ---------------------------------------------------------------------

def test_detail_shows_total_grade_dimensions_ranks_and_breakdown(city: Any, world: World) -> None:
    own = world.of(city.enterprises[0])
    html = _html(city.client(ENT), reverse("result_detail", args=[own.pk]))
    assert "900.00" in html and "/ 1000" in html and "标杆" in html
    assert html.count('data-testid="dimension-row"') == 4
    assert "第 1 名 / 共 2 家" in html  # within 互联网商会
    assert "计算机、通信和其他电子设备制造业" in html and "西湖区" in html  # industry, region names
    assert html.count('data-testid="indicator-row"') == 8
    assert "首次发布" in html and html.count('data-testid="revision-row"') == 1
    assert "上年度无已发布的评价结果" in html
    radar = _charts(html)["radar"]
    assert radar["indicators"][1] == {"name": "清廉经营", "max": 350.0}  # the dimension maximum
    assert radar["series"][0]["values"] == [150.0, 350.0, 200.0, 200.0]


def test_detail_shows_veto_reasons_after_a_finding(city: Any, world: World) -> None:
    _veto(city, world, 0)
    own = world.of(city.enterprises[0])
    html = _html(city.client(ENT), reverse("result_detail", args=[own.pk]))
    assert 'data-testid="veto-reasons"' in html
    assert "拖欠农民工工资" in html and "2026年3月2日" in html and "杭人社监〔2026〕12号" in html
    assert "一票否决" in html and "不达标" in html
    assert html.count('data-testid="revision-row"') == 2
    assert "认定负面清单事项：拖欠农民工工资" in html


def test_detail_shows_change_from_last_year(city: Any, world: World) -> None:
    publish(city, open_campaign(city, year=2025, name="2025 年度清廉企业评价",
                                framework=world.framework),
            strengths={e.pk: "fair" for e in city.enterprises})
    html = _html(city.client(ENT), reverse("result_detail", args=[world.of(city.enterprises[0]).pk]))
    assert "2025 年度清廉企业评价" in html
    assert "+213.00" in html  # 900 − 687
    assert "等级上升" in html  # 优秀 → 标杆
    chamber = _html(city.client(CH), reverse("result_detail",
                                             args=[world.of(city.enterprises[1]).pk]))
    assert "等级不变" in chamber and "持平" in chamber  # 清风 was fair both years


def test_unpublished_result_is_the_federations_business(city: Any) -> None:
    draft = open_campaign(city)
    own = draft.of(city.enterprises[0])
    url = reverse("result_detail", args=[own.pk])
    assert "尚未发布结果" in _html(city.client(FED), url)
    _html(city.client(CH), url, 404)
    _html(city.client(ENT), url, 404)


def test_detail_runs_a_fixed_number_of_queries(city: Any, world: World) -> None:
    client = city.client(ENT)
    url = reverse("result_detail", args=[world.of(city.enterprises[0]).pk])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    # session, user, assessment, bands, dimensions, scores, last year, findings, answers,
    # revisions, the user's organisation (scope), exemplar; saving the session (3)
    assert len(ctx.captured_queries) == 15


# --- a campaign's analytics ------------------------------------------------------------------------

def test_campaign_analytics_for_the_federation(city: Any, world: World) -> None:
    html = _html(city.client(FED), reverse("result_campaign", args=[world.campaign.pk]))
    assert 'data-testid="heat-table"' in html and html.count('data-testid="heat-row"') == 2
    assert html.count('data-testid="result-row"') == 3
    assert html.count('data-testid="weak-row"') == 8
    assert "550.67" in html  # average total
    charts = _charts(html)
    for key in ("grades", "grade_pie", "dimensions", "trend", "heat"):
        assert f'data-result-chart="{key}"' in html and key in charts
    assert charts["grades"]["values"] == [1, 1, 0, 1]
    assert "<script>" not in html  # no inline script: data in json_script, code in static files


def test_a_chamber_sees_its_own_chamber_only(city: Any, world: World) -> None:
    html = _html(city.client(CH), reverse("result_campaign", args=[world.campaign.pk]))
    assert 'data-testid="heat-table"' not in html
    assert html.count('data-testid="result-row"') == 2 and "瓯江" not in html
    assert "793.50" in html  # (900 + 687) / 2
    assert "杭州市温州商会" not in html  # not even in the chamber filter


def test_campaign_without_results_shows_the_empty_state(city: Any) -> None:
    draft = open_campaign(city)
    html = _html(city.client(FED), reverse("result_campaign", args=[draft.campaign.pk]))
    assert 'data-testid="results-empty"' in html and "尚未发布结果" in html
    assert 'data-testid="result-row"' not in html and "result-chart-data" not in html


def test_list_search_filter_sort_and_htmx(city: Any, world: World) -> None:
    client = city.client(FED)
    url = reverse("result_campaign", args=[world.campaign.pk])
    assert _html(client, f"{url}?q=qfrj").count('data-testid="result-row"') == 1
    assert "清风" in _html(client, f"{url}?grade=优秀")
    html = _html(client, f"{url}?order=total")
    assert html.index("瓯江") < html.index("华为技术")
    partial = client.get(f"{url}?q=瓯江", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="result-list")
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert body.count('data-testid="result-row"') == 1
    assert "没有符合条件的评价结果" in _html(client, f"{url}?q=不存在的企业")
    assert _html(client, f"{url}?chamber=abc&order=bogus").count('data-testid="result-row"') == 3


def test_export_contents(city: Any, world: World) -> None:
    _veto(city, world, 1, "N01")
    response = city.client(FED).get(
        reverse("result_campaign", args=[world.campaign.pk]) + "?export=xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:13] == ("企业名称", "统一社会信用代码", "初审商会", "行业", "地区", "清廉政治",
                           "清廉经营", "清廉文化", "清廉监管", "总分", "等级", "一票否决", "否决事由")
    assert rows[0][13:16] == ("商会内名次", "商会内参评数", "商会内百分位")
    by_name = {row[0]: row for row in rows[1:]}
    assert len(by_name) == 3
    huawei = by_name["华为技术有限公司"]
    assert huawei[1] == "914403001922038216" and huawei[2] == "杭州市互联网商会"
    assert huawei[3] == "计算机、通信和其他电子设备制造业" and huawei[4] == "西湖区"
    assert [float(v) for v in huawei[5:10]] == [150.0, 350.0, 200.0, 200.0, 900.0]
    assert huawei[10:12] == ("标杆", "否") and huawei[13:16] == (1, 2, 100)
    vetoed = by_name["杭州清风软件有限公司"]
    assert vetoed[10:12] == ("不达标", "是")
    assert vetoed[12] == "行贿受贿（2026-03-02，杭人社监〔2026〕12号）"


def test_chamber_export_is_its_own_chamber(city: Any, world: World) -> None:
    response = city.client(CH).get(
        reverse("result_campaign", args=[world.campaign.pk]) + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sorted(r[0] for r in list(sheet.iter_rows(values_only=True))[1:]) == [
        "华为技术有限公司", "杭州清风软件有限公司"]


def _campaign_queries(city: Any, world: World, role: str, query: str = "") -> int:
    client = city.client(role)
    url = reverse("result_campaign", args=[world.campaign.pk]) + query
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_campaign_page_runs_a_fixed_number_of_queries(city: Any) -> None:
    """The same count for three results as for seven: every figure is one aggregate."""
    small = publish(city, open_campaign(city))
    add_members(city, 4)
    large = publish(city, open_campaign(city, year=2027, name="2027 年度清廉企业评价",
                                        framework=small.framework))
    assert _campaign_queries(city, small, FED) == 22
    assert _campaign_queries(city, large, FED) == 22
    assert _campaign_queries(city, large, CH) == 21  # no heat table
    assert _campaign_queries(city, small, FED, "?export=xlsx") == _campaign_queries(
        city, large, FED, "?export=xlsx") == 15  # rows, dimension scores and findings: 3


# --- exemplars ---------------------------------------------------------------------------------

def test_nominate_publish_and_withdraw_an_exemplar(city: Any, world: World) -> None:
    fed = city.client(FED)
    campaign = world.campaign
    form = _html(fed, reverse("exemplar_nominate", args=[campaign.pk]))
    assert "华为技术有限公司" in form and "清风" not in form  # only the top grade is offered
    response = fed.post(reverse("exemplar_nominate", args=[campaign.pk]),
                        {"enterprise": city.enterprises[0].pk, "citation": "制度健全"})
    assert response.status_code == 302
    exemplar = Exemplar.objects.get(campaign=campaign)
    assert exemplar.status == ExemplarStatus.NOMINATED
    ent = city.client(ENT)
    assert 'data-testid="exemplar-row"' not in _html(ent, reverse("exemplar_list",
                                                                  args=[campaign.pk]))
    assert "尚未公布示范企业" in _html(ent, reverse("exemplar_roll"))
    assert fed.post(reverse("exemplar_publish", args=[exemplar.pk])).status_code == 302
    roll = _html(ent, reverse("exemplar_roll"))
    assert roll.count('data-testid="roll-exemplar"') == 1 and "制度健全" in roll
    assert "示范企业" in _html(ent, reverse("result_detail", args=[world.of(
        city.enterprises[0]).pk]))
    assert fed.post(reverse("exemplar_withdraw", args=[exemplar.pk])).status_code == 302
    assert 'data-testid="roll-exemplar"' not in _html(ent, reverse("exemplar_roll"))
    html = _html(fed, reverse("exemplar_list", args=[campaign.pk]))
    assert "已撤回" in html and 'data-testid="exemplar-publish"' not in html
    response = fed.post(reverse("exemplar_publish", args=[exemplar.pk]), follow=True)
    assert "不允许从“已撤回”变为“已公布”" in response.content.decode()


def test_nomination_refused_with_the_obstacles(city: Any, world: World) -> None:
    own = world.of(city.enterprises[0])
    result_actions.do_file_recheck(own, reason="培训记录漏报", actor=city.users[ENT])
    response = city.client(FED).post(reverse("exemplar_nominate", args=[world.campaign.pk]),
                                     {"enterprise": city.enterprises[0].pk, "citation": "好"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="exemplar-obstacles"' in html
    assert "不能推荐为示范企业：有待处理的复核申请" in html
    assert not Exemplar.objects.exists()


def test_nomination_needs_a_citation_and_a_top_grade(city: Any, world: World) -> None:
    fed = city.client(FED)
    url = reverse("exemplar_nominate", args=[world.campaign.pk])
    html = fed.post(url, {"enterprise": city.enterprises[0].pk, "citation": ""}).content.decode()
    assert "这个字段是必填项" in html or "This field is required" in html
    html = fed.post(url, {"enterprise": city.enterprises[1].pk, "citation": "好"}).content.decode()
    assert "该企业不在可推荐的范围内" in html
    assert not Exemplar.objects.exists()


def test_auditor_and_chamber_read_but_do_not_manage(city: Any, world: World) -> None:
    exemplar = result_actions.do_nominate_exemplar(world.campaign, city.enterprises[0],
                                                   citation="制度健全", actor=city.users[FED])
    auditor = _html(city.client(AUD), reverse("exemplar_list", args=[world.campaign.pk]))
    assert "华为技术有限公司" in auditor and 'data-testid="exemplar-publish"' not in auditor
    chamber = _html(city.client(CH), reverse("exemplar_list", args=[world.campaign.pk]))
    assert "华为技术有限公司" not in chamber  # nominated, not published
    assert city.client(CH).post(reverse("exemplar_publish", args=[exemplar.pk])).status_code == 403


def _exemplar_queries(city: Any, campaign_pk: int) -> dict[str, int]:
    client = city.client(FED)
    counts = {}
    for name, args in (("exemplar_list", [campaign_pk]), ("exemplar_roll", [])):
        client.get(reverse(name, args=args))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name, args=args)).status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


def test_exemplar_pages_run_a_fixed_number_of_queries(city: Any) -> None:
    """One exemplar or three: the same queries (results joined in by subqueries)."""
    best = publish(city, open_campaign(city))  # everyone "good": three of the top grade
    fed = city.users[FED]

    def nominate(enterprise: Any) -> None:
        exemplar = result_actions.do_nominate_exemplar(best.campaign, enterprise,
                                                       citation="好", actor=fed)
        result_actions.do_set_exemplar_status(exemplar, to="published", actor=fed)

    nominate(city.enterprises[0])
    one = _exemplar_queries(city, best.campaign.pk)
    for enterprise in city.enterprises[1:]:
        nominate(enterprise)
    assert _exemplar_queries(city, best.campaign.pk) == one == {
        "exemplar_list": 9, "exemplar_roll": 8}


def test_index_lists_campaigns_and_an_enterprises_own_results(city: Any, world: World) -> None:
    html = _html(city.client(ENT), reverse("result_index"))
    assert 'data-testid="own-result-row"' in html and "900.00" in html
    assert "结果分析" not in html  # analytics are for officers
    assert "结果分析" in _html(city.client(FED), reverse("result_index"))


def test_index_empty_state(city: Any) -> None:
    assert "尚未发布结果" in _html(city.client(FED), reverse("result_index"))


@pytest.mark.usefixtures("fresh_translations")
def test_pages_render_in_english(city: Any, world: World) -> None:
    """Every result page renders in English; a broken placeholder in a msgstr would raise."""
    _veto(city, world, 1)
    client = city.client(FED)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    pages = {
        reverse("result_index"): "Integrity index results",
        reverse("result_detail", args=[world.of(city.enterprises[1]).pk]): "Veto reasons",
        reverse("result_campaign", args=[world.campaign.pk]): "Weakest indicators",
        reverse("exemplar_list", args=[world.campaign.pk]): "Nominate an exemplary enterprise",
        reverse("exemplar_nominate", args=[world.campaign.pk]): "Citation",
        reverse("exemplar_roll"): "No exemplary enterprises announced yet",
    }
    for url, text in pages.items():
        html = _html(client, url)
        assert text in html, url
        assert "评价结果分析" not in html and "尚未发布结果" not in html, url
    assert "No. 2 of 2" in _html(client, reverse("result_detail",
                                                 args=[world.of(city.enterprises[1]).pk]))
