"""Campaign pages: list, the draft form, the detail with its step bar and deadlines, state
changes through the actions, the progress board (scope, filters, search, export, query count)
and the federation's spot check."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.evaluation import actions
from qinglian.evaluation.choices import AssessmentStatus, CampaignStatus
from qinglian.evaluation.models import Campaign
from qinglian.evaluation.views.campaign_board import BoardQuery, board_rows, is_late

from .world import World, accept_all, answer_all, open_campaign

pytestmark = pytest.mark.django_db

FED, CH, ENT, AUD, ADMIN, DEPT = (Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                  Role.ENTERPRISE_USER, Role.AUDITOR, Role.ADMIN,
                                  Role.DEPARTMENT_HANDLER)


def _text(response: Any) -> str:
    return response.content.decode()


def _form(world: World, **overrides: Any) -> dict[str, Any]:
    data = {"framework": world.framework.pk, "year": "2027", "name": "2027 年度清廉企业评价",
            "scope": "all", "self_assessment_days": "15", "chamber_review_days": "10",
            "federation_review_days": "8", "recheck_days": "5", "spot_check_percent": "12.5"}
    data.update(overrides)
    return data


def _draft(city: Any, world: World, name: str = "2027 年度草稿") -> Campaign:
    return actions.do_create_campaign(city.federation, framework=world.framework, year=2027,
                                      name=name, actor=city.users[FED])


# --- list ------------------------------------------------------------------------------------

def test_list_shows_campaigns_in_scope_with_counts(city: Any, world: World) -> None:
    _draft(city, world)
    fed = _text(city.client(FED).get(reverse("campaign_list")))
    assert "2026 年度清廉企业评价" in fed and "2027 年度草稿" in fed
    chamber = city.client(CH).get(reverse("campaign_list"))
    page = chamber.context["page_obj"]
    assert [c.name for c in page] == ["2026 年度清廉企业评价"]  # drafts are the federation's
    assert page[0].total == 2  # the chamber's own two members only
    assert [c.total for c in city.client(FED).get(reverse("campaign_list")).context["page_obj"]
            if c.status != CampaignStatus.DRAFT] == [3]
    filtered = city.client(FED).get(reverse("campaign_list"), {"year": "2027"}).context["page_obj"]
    assert [c.name for c in filtered] == ["2027 年度草稿"]
    assert city.client(DEPT).get(reverse("campaign_list")).status_code == 403


# --- create and edit -------------------------------------------------------------------------

def test_federation_creates_a_draft_with_chosen_chambers_and_share(city: Any, world: World) -> None:
    client = city.client(FED)
    assert client.get(reverse("campaign_create")).status_code == 200
    response = client.post(reverse("campaign_create"), _form(
        world, scope="chosen", chambers=[city.chamber.pk]))
    campaign = Campaign.objects.get(name="2027 年度清廉企业评价")
    assert response.status_code == 302 and response["Location"] == reverse(
        "campaign_detail", args=[campaign.pk])
    assert campaign.status == CampaignStatus.DRAFT and not campaign.all_members
    assert list(campaign.chambers.all()) == [city.chamber]
    assert campaign.spot_check_share == Decimal("0.125") and campaign.federation_review_days == 8
    assert campaign.federation == city.federation


def test_refused_form_keeps_what_was_typed(city: Any, world: World) -> None:
    client = city.client(FED)
    response = client.post(reverse("campaign_create"), _form(
        world, scope="chosen", name="我的评价", spot_check_percent="150"))
    page = _text(response)
    assert response.status_code == 200
    assert "请选择参评的商会/协会" in page and "抽查比例须大于 0、不超过 100%" in page
    assert 'value="我的评价"' in page and not Campaign.objects.filter(name="我的评价").exists()
    # The action's own refusal (a duplicate name) lands on its field.
    response = client.post(reverse("campaign_create"), _form(world, year="2026",
                                                             name="2026 年度清廉企业评价"))
    assert "已有名为" in _text(response)


def test_only_federation_and_admin_may_create(city: Any, world: World) -> None:
    for role in (CH, ENT, AUD, DEPT):
        assert city.client(role).post(reverse("campaign_create"), _form(world)).status_code == 403
    assert not Campaign.objects.filter(year=2027).exists()


def test_edit_a_draft_but_not_a_started_campaign(city: Any, world: World) -> None:
    draft = _draft(city, world)
    client = city.client(FED)
    page = _text(client.get(reverse("campaign_edit", args=[draft.pk])))
    assert 'value="2027 年度草稿"' in page and 'value="10"' in page
    response = client.post(reverse("campaign_edit", args=[draft.pk]),
                           _form(world, name="2027 年度（修订）", recheck_days="7"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "2027 年度（修订）" and draft.recheck_days == 7
    response = client.get(reverse("campaign_edit", args=[world.campaign.pk]), follow=True)
    assert "评价已启动，不能再修改设置" in _text(response)
    assert city.client(CH).get(reverse("campaign_edit", args=[draft.pk])).status_code == 403


# --- detail and state changes ----------------------------------------------------------------

def test_detail_shows_steps_dues_and_only_allowed_moves(city: Any, world: World) -> None:
    response = city.client(FED).get(reverse("campaign_detail", args=[world.campaign.pk]))
    steps = response.context["steps"]
    assert [s["done"] for s in steps] == [True, False, False, False, False, False]
    assert steps[1]["current"] and steps[1]["at"] is not None
    assert [b["to"] for b in response.context["buttons"]] == [CampaignStatus.CHAMBER_REVIEW]
    page = _text(response)
    assert "进入商会初审" in page and "已逾期" not in page
    for role in (CH, AUD):
        assert city.client(role).get(
            reverse("campaign_detail", args=[world.campaign.pk])).context["buttons"] == []
    ent = city.client(ENT).get(reverse("campaign_detail", args=[world.campaign.pk]))
    assert ent.context["own_assessment"].enterprise == city.enterprises[0]
    assert "进度看板" not in _text(ent)


def test_overdue_deadline_is_flagged(city: Any, world: World) -> None:
    Campaign.objects.filter(pk=world.campaign.pk).update(
        self_assessment_due=dt.date(2020, 1, 3))
    response = city.client(FED).get(reverse("campaign_detail", args=[world.campaign.pk]))
    assert [d["overdue"] for d in response.context["dues"]] == [True, False, False, False]
    assert 'data-testid="overdue"' in _text(response)


def test_transitions_go_through_the_actions(city: Any, world: World) -> None:
    draft = _draft(city, world)
    client = city.client(FED)
    url = reverse("campaign_transition", args=[draft.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"to": "published"}, follow=True)
    assert "当前不能执行该状态变更" in _text(response)
    response = client.post(url, {"to": "self_assessment"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.SELF_ASSESSMENT and draft.self_assessment_due
    assert "为 3 家企业创建了自评表" in _text(response)
    assert draft.assessments.count() == 3
    for role in (CH, ENT, AUD, DEPT):
        assert city.client(role).post(url, {"to": "chamber_review"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.SELF_ASSESSMENT


def test_publish_from_federation_review(city: Any, world: World) -> None:
    client = city.client(FED)
    url = reverse("campaign_transition", args=[world.campaign.pk])
    client.post(url, {"to": "chamber_review"})
    client.post(url, {"to": "federation_review"})
    response = client.post(url, {"to": "published"}, follow=True)
    world.campaign.refresh_from_db()
    assert world.campaign.status == CampaignStatus.PUBLISHED and world.campaign.recheck_due
    assert "已发布 3 家企业的评价结果" in _text(response)
    assert set(world.campaign.assessments.values_list("status", flat=True)) == {
        AssessmentStatus.PUBLISHED}


# --- progress board --------------------------------------------------------------------------

def _progress(city: Any, world: World) -> None:
    """华为 submitted and reviewed, 清风 answered one indicator, 瓯江 has not started."""
    e0, e1 = city.enterprises[:2]
    answer_all(world.of(e0), city.users[ENT])
    actions.do_submit_assessment(world.of(e0), actor=city.users[ENT])
    accept_all(world.of(e0), city.users[CH])
    from .world import _enterprise_user

    first = world.of(e1).answers.get(indicator__code="JG02")
    actions.do_save_answer(first, actor=_enterprise_user(city, e1.pk), bool_value=True)


def test_board_counts_lists_and_breakdown_in_scope(city: Any, world: World) -> None:
    _progress(city, world)
    url = reverse("campaign_detail", args=[world.campaign.pk])
    fed = city.client(FED).get(url)
    counts = fed.context["counts"]
    assert (counts["total"], counts["pending"], counts["draft"], counts["reviewed"]) == (3, 1, 1, 1)
    breakdown = {row["chamber__name"]: row for row in fed.context["breakdown"]}
    assert breakdown["杭州市互联网商会"]["reviewed"] == 1 and breakdown["杭州市温州商会"]["pending"] == 1
    rows = {a.enterprise.name: a.answered for a in fed.context["page_obj"]}
    assert rows == {"华为技术有限公司": 8, "杭州清风软件有限公司": 3, "杭州瓯江贸易有限公司": 2}
    chamber = city.client(CH).get(url)
    assert chamber.context["counts"]["total"] == 2 and chamber.context["breakdown"] is None
    assert "杭州瓯江贸易有限公司" not in _text(chamber)
    drafts = city.client(FED).get(url, {"show": "draft"}).context["page_obj"]
    assert [a.enterprise.name for a in drafts] == ["杭州清风软件有限公司"]
    found = city.client(FED).get(url, {"q": "hwjs"}).context["page_obj"]
    assert [a.enterprise.name for a in found] == ["华为技术有限公司"]


def test_board_late_filter_after_the_deadline(city: Any, world: World) -> None:
    _progress(city, world)
    url = reverse("campaign_detail", args=[world.campaign.pk])
    assert city.client(FED).get(url, {"show": "late"}).context["page_obj"].paginator.count == 0
    Campaign.objects.filter(pk=world.campaign.pk).update(self_assessment_due=dt.date(2020, 1, 3))
    response = city.client(FED).get(url, {"show": "late"})
    assert response.context["counts"]["late"] == 2
    assert {a.enterprise.name for a in response.context["page_obj"]} == {
        "杭州清风软件有限公司", "杭州瓯江贸易有限公司"}
    assert "已逾期" in _text(response)


def test_board_htmx_returns_the_table_only(city: Any, world: World) -> None:
    response = city.client(FED).get(reverse("campaign_detail", args=[world.campaign.pk]),
                                    {"q": "清风"}, HTTP_HX_REQUEST="true")
    page = _text(response)
    assert "杭州清风软件有限公司" in page and "<html" not in page and "华为技术有限公司" not in page


def test_board_export_matches_the_filter_and_scope(city: Any, world: World) -> None:
    _progress(city, world)
    response = city.client(CH).get(reverse("campaign_detail", args=[world.campaign.pk]),
                                   {"export": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("企业", "统一社会信用代码", "初审商会", "状态")
    assert sorted(r[0] for r in rows[1:]) == ["华为技术有限公司", "杭州清风软件有限公司"]
    huawei = next(r for r in rows[1:] if r[0] == "华为技术有限公司")
    assert huawei[3] == "商会已审" and huawei[4] == "8/8"
    assert city.client(ENT).get(reverse("campaign_detail", args=[world.campaign.pk]),
                                {"export": "xlsx"}).status_code == 403


def test_board_query_count_is_pinned(city: Any, django_assert_max_num_queries: Any) -> None:
    """The board costs the same whatever the number of enterprises on the page."""
    world = open_campaign(city)
    _progress(city, world)
    client = city.client(FED)
    url = reverse("campaign_detail", args=[world.campaign.pk])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["page_obj"]) == 3
    with CaptureQueriesContext(connection) as one_row:
        client.get(url, {"q": "hwjs"})
    with CaptureQueriesContext(connection) as three_rows:
        client.get(url)
    assert len(one_row) == len(three_rows)


def test_board_rows_helper_respects_the_deadline(city: Any, world: World) -> None:
    due = world.campaign.self_assessment_due
    assert due is not None and not is_late(world.campaign, due)
    assert is_late(world.campaign, due + dt.timedelta(days=1))
    rows = board_rows(world.campaign.assessments.all(), BoardQuery(show="late"), world.campaign,
                      due)
    assert rows.count() == 0


# --- spot check ------------------------------------------------------------------------------

def test_spot_check_is_drawn_once_with_its_seed(city: Any, world: World) -> None:
    _progress(city, world)
    client = city.client(FED)
    url = reverse("campaign_spot_check", args=[world.campaign.pk])
    response = client.post(url, {"seed": "42"}, follow=True)
    assert "只能在工商联复核阶段抽取抽查样本" in _text(response)
    transition = reverse("campaign_transition", args=[world.campaign.pk])
    client.post(transition, {"to": "chamber_review"})
    client.post(transition, {"to": "federation_review"})
    detail = client.get(reverse("campaign_detail", args=[world.campaign.pk]))
    assert detail.context["can_draw"] and "抽取样本" in _text(detail)
    assert client.post(url, {"seed": "-1"}, follow=True).status_code == 200
    response = client.post(url, {"seed": "42"}, follow=True)
    world.campaign.refresh_from_db()
    assert world.campaign.spot_check_seed == 42
    assert "已抽取 1 家企业作为抽查样本（随机种子 42）" in _text(response)
    assert [a.enterprise.name for a in response.context["sample"]] == ["华为技术有限公司"]
    assert 'data-testid="sampled-badge"' in _text(response)
    again = client.post(url, {"seed": "43"}, follow=True)
    assert "不能重抽" in _text(again)
    assert city.client(CH).post(url, {"seed": "1"}).status_code == 403
