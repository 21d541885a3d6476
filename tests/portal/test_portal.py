"""The public portal as the public uses it: anonymous, allow-listed, cached, rate limited."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.utils import timezone

from qinglian.core.choices import Role
from qinglian.credit.models import CreditRecord
from qinglian.portal import queries
from qinglian.portal.views.errors import server_error
from tests.conftest import City

from .conftest import ID_NUMBER, PHONE

pytestmark = pytest.mark.django_db


def get(path: str, client: Client | None = None) -> tuple[int, str, object]:
    response = (client or Client()).get(path)
    return response.status_code, response.content.decode(), response


def test_home_is_public_sets_no_cookie_and_is_cacheable(city: City, world: SimpleNamespace) -> None:
    status, html, response = get("/portal/")
    assert status == 200
    assert "企业信用信息查询" in html
    assert not response.cookies  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "public, max-age=60"  # type: ignore[index]
    assert "Cookie" not in response.get("Vary", "")  # type: ignore[attr-defined]


def test_search_by_name_uscc_and_initials_finds_enterprises_only(city: City,
                                                                 world: SimpleNamespace) -> None:
    uscc = str(city.enterprises[0].uscc)
    _, html, _ = get("/portal/search/?q=清风")
    assert "杭州清风软件有限公司" in html and "华为" not in html
    _, html, _ = get(f"/portal/search/?q={uscc.lower()}")
    assert "华为技术有限公司" in html and "按统一社会信用代码" in html
    _, html, _ = get("/portal/search/?q=HWJS")
    assert "华为技术有限公司" in html and "按拼音首字母" in html
    _, html, _ = get("/portal/search/?q=互联网商会")  # a chamber is not an enterprise
    assert "没有找到" in html
    _, html, _ = get("/portal/search/")
    assert "请输入企业名称" in html


def test_search_pages_without_counting() -> None:
    assert queries.search_how("914403001922038216") == "uscc"
    assert queries.search_how("9144-0300-1922-0382-16") == "uscc"
    assert queries.search_how("hzqf") == "initials"
    assert queries.search_how("清风") == "name"


def test_search_paginates(city: City) -> None:
    result = queries.search_enterprises("有限公司", page=1, per_page=2)
    assert len(result.rows) == 2 and result.has_next
    last = queries.search_enterprises("有限公司", page=2, per_page=2)
    assert len(last.rows) == 2 and not last.has_next  # 4 enterprises in the city
    _, html, _ = get("/portal/search/?q=有限公司")
    assert "第 1 页" in html and "下一页" not in html
    _, html, _ = get("/portal/search/?q=有限公司&page=2")
    assert "第 2 页没有更多结果" in html


def test_search_rate_limit_gives_a_friendly_429(city: City, settings: object) -> None:
    settings.PORTAL_SEARCH_RATE = "3/m"  # type: ignore[attr-defined]
    client = Client()
    for _ in range(3):
        assert client.get("/portal/search/?q=华为").status_code == 200
    response = client.get("/portal/search/?q=华为")
    assert response.status_code == 429
    assert "访问过于频繁" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 60
    # another address is not affected
    assert client.get("/portal/search/?q=华为", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_profile_shows_the_allow_listed_file(city: City, world: SimpleNamespace) -> None:
    huawei = city.enterprises[0]
    uscc = str(huawei.uscc)
    CreditRecord.objects.filter(pk=world.penalty.pk).update(open_objections=1)
    status, html, _ = get(f"/portal/enterprises/{huawei.uscc}/")
    assert status == 200
    for shown in ("华为技术有限公司", uscc, "杭州市互联网商会", "行政处罚", "严重",
                  "杭州市市场监督管理局", world.penalty.decision_number, "荣获“诚信示范企业”称号",
                  "反不正当竞争法", "异议处理中", "已列入黑名单", "取消评优评先资格",
                  "诚信经营承诺"):
        assert shown in html, shown
    for hidden in ("尚未公示的处罚内容", "已撤销的处罚内容", "轻微失信不公示的内容", "内部承诺",
                   "内部理由", "内部意见", PHONE, ID_NUMBER, "周清源", "13705710001"):
        assert hidden not in html, hidden
    assert "137****0001" in html and "330106********1231" in html  # scrubbed, not dropped


def test_profile_is_the_same_for_a_signed_in_user(city: City, world: SimpleNamespace) -> None:
    path = f"/portal/enterprises/{city.enterprises[0].uscc}/"
    _, anonymous, _ = get(path)
    response = city.client(Role.FEDERATION_OFFICER).get(path)
    assert response.content.decode() == anonymous
    assert response["Cache-Control"].startswith("private")


def test_records_leave_the_portal_when_their_window_ends(city: City,
                                                          world: SimpleNamespace) -> None:
    path = f"/portal/enterprises/{city.enterprises[0].uscc}/"
    assert "以财物贿赂" in get(path)[1]
    later = timezone.localdate() + dt.timedelta(days=3 * 366 + 30)
    with time_machine.travel(dt.datetime.combine(later, dt.time(10)), tick=False):
        from django.core.cache import cache

        cache.clear()
        _, html, _ = get(path)
    assert "以财物贿赂" not in html and "已列入黑名单" not in html


def test_pages_are_cached_per_url(city: City, world: SimpleNamespace, settings: object) -> None:
    path = f"/portal/enterprises/{city.enterprises[0].uscc}/"
    assert "以财物贿赂" in get(path)[1]
    CreditRecord.objects.filter(pk=world.penalty.pk).update(content="已更正的内容")
    assert "以财物贿赂" in get(path)[1]  # served from the cache for its short life
    settings.PORTAL_CACHE_SECONDS = 0  # type: ignore[attr-defined]
    _, html, response = get(path)
    assert "已更正的内容" in html and response["Cache-Control"] == "no-cache"  # type: ignore[index]


def test_red_and_black_lists_show_listings_in_force(city: City, world: SimpleNamespace) -> None:
    _, black, _ = get("/portal/blacklist/")
    assert "华为技术有限公司" in black and "周清源" in black  # the sanctioned practitioner by name
    assert "杭州清风软件有限公司" not in black  # expired yesterday
    assert "杭州瓯江贸易有限公司" not in black  # only proposed
    assert ID_NUMBER not in black and PHONE not in black
    _, red, _ = get("/portal/redlist/")
    assert "杭州瓯江贸易有限公司" in red and "办事绿色通道" in red and "华为" not in red
    _, found, _ = get("/portal/blacklist/?q=周清")
    assert "周清源" in found and "华为技术有限公司" not in found
    _, none, _ = get("/portal/redlist/?q=不存在的企业")
    assert "没有符合" in none


def test_sanction_announcements(city: City, world: SimpleNamespace) -> None:
    _, html, _ = get("/portal/sanctions/")
    assert "行业内通报批评" in html and "周清源" in html and "公开谴责：串通投标" in html
    assert "以财物贿赂" not in html  # an administrative penalty is not an industry sanction
    _, html, _ = get("/portal/sanctions/?q=清风")
    assert "串通投标" in html and "周清源" not in html


def test_documents_per_chamber_and_download(city: City, world: SimpleNamespace) -> None:
    _, html, _ = get("/portal/documents/")
    assert "杭州市互联网商会行业自律公约" in html and "行业公约" in html
    _, html, _ = get(f"/portal/documents/?chamber={city.other_chamber.pk}")
    assert "行业自律公约" not in html and "暂无公开的行业自律文件" in html
    response = Client().get(f"/portal/documents/{world.document.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_friendly_portal_404_and_500(city: City) -> None:
    status, html, _ = get("/portal/enterprises/914403001922038217/")
    assert status == 404 and "未找到该页面或企业" in html and "返回公示首页" in html
    status, html, _ = get("/portal/no-such-page/")
    assert status == 404 and "portal-404" in html
    status, html, _ = get("/no-such-page/")
    assert status == 404 and "portal-404" not in html  # the signed-in site keeps its own page
    response = server_error(RequestFactory().get("/portal/enterprises/x/"))
    assert response.status_code == 500 and "系统繁忙" in response.content.decode()


def test_portal_ignores_the_users_scope(city: City, world: SimpleNamespace) -> None:
    """The enterprise user of 华为 sees the same public profile of another enterprise as anyone."""
    path = f"/portal/enterprises/{city.enterprises[1].uscc}/"
    response = city.client(Role.ENTERPRISE_USER).get(path)
    assert response.status_code == 200 and "杭州清风软件有限公司" in response.content.decode()


def test_profile_and_report_never_show_the_credit_rating(city: City,
                                                         world: SimpleNamespace) -> None:
    """The rating is the federation's internal evaluation, outside the portal's allow-list."""
    from qinglian.credit.ratings import recompute_ratings

    huawei = city.enterprises[0]
    recompute_ratings(city.federation.pk)
    assert huawei.credit_ratings.filter(is_current=True).exists()
    _, html, _ = get(f"/portal/enterprises/{huawei.uscc}/")
    assert "信用评级" not in html and "评定）" not in html
    assert "暂未发布" in html  # no published integrity grade yet


def test_profile_shows_the_latest_published_grade_only(city: City) -> None:
    """Results are written by the evaluation app's actions; here rows stand in for them."""
    from qinglian.evaluation.models import Assessment, Campaign, Framework

    huawei = city.enterprises[0]
    framework = Framework.objects.create(federation=city.federation, name="清廉指数", version=1)

    def result(year: int, grade: str, status: str) -> None:
        campaign = Campaign.objects.create(federation=city.federation, framework=framework,
                                           year=year, name=f"{year}年度评价", status="published")
        Assessment.objects.create(campaign=campaign, enterprise=huawei, chamber=city.chamber,
                                  status=status, grade=grade, published_at=timezone.now())

    result(2024, "优秀", "published")
    result(2025, "标杆", "published")
    result(2026, "不达标", "reviewed")  # not published: never shown
    _, html, _ = get(f"/portal/enterprises/{huawei.uscc}/")
    assert "标杆（2025 年度，已发布）" in html and "不达标" not in html
