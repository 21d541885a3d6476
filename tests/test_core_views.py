"""Sign-in, dashboard, audit trail and object history, for every role."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from qinglian.core.audit import verify_chain
from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.registry import actions

from .conftest import PASSWORD, City, make_uscc

pytestmark = pytest.mark.django_db

ALL_ROLES = [r.value for r in Role]
AUDIT_ROLES = {Role.ADMIN, Role.AUDITOR}
HISTORY_ROLES = {Role.ADMIN, Role.AUDITOR, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER}


def chart_data(html: str) -> dict[str, dict[str, list]]:
    match = re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', html,
                      re.S)
    assert match, "the dashboard carries its chart series in json_script"
    return json.loads(match.group(1))


def series(chart: dict) -> dict[str, int]:
    return dict(zip(chart["labels"], chart["values"], strict=True))


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


# --- sign-in -------------------------------------------------------------------------------


def test_sign_in_page_is_chinese_and_centred(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = text(response)
    assert "清廉企业建设开放平台" in html
    assert "ql-login-bg" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_wrong_password_shows_chinese_error_and_keeps_username(city: City, client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "fed", "password": "wrong-pass"})
    assert response.status_code == 200
    html = text(response)
    assert "用户名或密码错误" in html
    assert 'value="fed"' in html
    assert "_auth_user_id" not in client.session


def test_correct_sign_in_lands_on_dashboard(city: City, client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "fed", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "工作台" in text(client.get("/"))


def test_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    for url in ("/", "/audit/", "/organisations/", "/history/registry.organisation/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_repeated_failures_lock_the_account_for_an_hour(city: City, client: Client,
                                                        settings) -> None:  # type: ignore[no-untyped-def]
    responses = [
        client.post("/accounts/login/", {"username": "fed", "password": f"bad-{i}"})
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    locked = responses[-1]
    assert locked.status_code == 429
    assert "登录失败次数过多，账号已临时锁定，请 1 小时后再试或联系管理员" in text(locked)
    # Even the right password is refused while the lock lasts.
    again = client.post("/accounts/login/", {"username": "fed", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


# --- dashboard -----------------------------------------------------------------------------


def test_federation_dashboard_figures_and_charts(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get("/")
    assert response.status_code == 200
    figures = response.context["figures"]
    # Two chambers and three enterprises in 杭州; the 宁波 outsider is not counted.
    assert (figures.hosts, figures.enterprises, figures.active_memberships) == (2, 3, 3)
    assert figures.pledge_coverage == "100.0%"
    assert figures.party_coverage == "0.0%"
    assert figures.resign_pending == 0
    charts = chart_data(text(response))
    assert set(charts) == {"section", "tag", "region", "ownership", "party"}
    assert series(charts["section"]) == {
        "制造业": 1, "信息传输、软件和信息技术服务业": 1, "批发和零售业": 1,
    }
    assert series(charts["tag"])["上市企业"] == 1
    assert series(charts["tag"])["国家高新技术企业"] == 1
    assert series(charts["tag"])["独角兽企业"] == 0
    assert series(charts["region"]) == {"西湖区": 1, "滨江区": 1, "上城区": 1}
    assert series(charts["ownership"]) == {"民营": 3}
    assert series(charts["party"]) == {"未建立": 3}
    assert 'data-chart="section"' in text(response)
    assert "js/charts.js" in text(response)


def test_dashboard_coverage_follows_party_work_and_new_commitment(city: City) -> None:
    officer = city.users[Role.FEDERATION_OFFICER]
    actions.do_update_organisation(city.enterprises[0], actor=officer, party_org_form="own",
                                   party_member_count=5)
    v2 = actions.do_draft_commitment(actor=None, organisation=city.chamber, body="第二版承诺正文")
    actions.do_publish_commitment(v2, actor=None)
    figures = city.client(Role.FEDERATION_OFFICER).get("/").context["figures"]
    assert figures.party_coverage == "33.3%"
    assert figures.resign_pending == 2  # both members of 互联网商会 must re-sign
    assert figures.pledge_coverage == "33.3%"  # only the 温州商会 member signed its current text


def test_chamber_dashboard_is_scoped_to_its_members(city: City) -> None:
    figures = city.client(Role.CHAMBER_OFFICER).get("/").context["figures"]
    assert (figures.hosts, figures.enterprises, figures.active_memberships) == (1, 2, 2)


def test_enterprise_dashboard_shows_own_affairs_and_resign_items(city: City) -> None:
    client = city.client(Role.ENTERPRISE_USER)
    response = client.get("/")
    html = text(response)
    assert "figures" not in response.context
    assert "华为技术有限公司" in html
    assert "杭州市互联网商会" in html
    assert "没有需要重新签署的承诺书" in html
    v2 = actions.do_draft_commitment(actor=None, organisation=city.chamber, body="第二版承诺正文")
    actions.do_publish_commitment(v2, actor=None)
    html = text(client.get("/"))
    assert f"/commitments/{v2.pk}/sign/" in html
    assert "请重新签署" in html


def test_department_dashboard_is_a_welcome(city: City) -> None:
    response = city.client(Role.DEPARTMENT_HANDLER).get("/")
    assert response.status_code == 200
    assert "figures" not in response.context
    assert "欢迎，杭州市市场监督管理局" in text(response)


def test_dashboard_queries_do_not_grow_with_data(city: City,
                                                django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = city.client(Role.FEDERATION_OFFICER)
    client.get("/")  # warm the session
    # session, user, its organisation, 8 aggregates, the session save: 15 whatever the size.
    with django_assert_max_num_queries(16) as small:
        client.get("/")
    for n in range(30):
        actions.do_create_organisation(
            actor=None, kind="enterprise", name=f"杭州数据增长测试{n}有限公司", uscc=make_uscc(200 + n),
            federation=city.federation, region="330110", industry="65", ownership="mixed",
            tags=["gazelle"],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/")
    assert response.context["figures"].enterprises == 33


# --- audit trail ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_audit_list_only_for_audit_roles(city: City, role: str) -> None:
    response = city.client(role).get("/audit/")
    assert response.status_code == (200 if role in AUDIT_ROLES else 403)


def test_audit_list_filters_and_pages(city: City) -> None:
    client = city.client(Role.AUDITOR)
    total = AuditRecord.objects.count()
    response = client.get("/audit/")
    assert response.context["page_obj"].paginator.count == total
    assert f"共 {total} 条" in text(response)
    assert client.get("/audit/?page=2").context["page_obj"].number == 2

    by_type = client.get("/audit/?object_type=registry.membership").context["page_obj"]
    assert by_type.paginator.count == AuditRecord.objects.filter(
        object_type="registry.membership").count()
    assert all(r.object_type == "registry.membership" for r in by_type.object_list)

    admitted = client.get("/audit/?event=membership.admitted").context["page_obj"]
    assert admitted.paginator.count == 3

    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    assert client.get(f"/audit/?date_from={today}&date_to={today}").context[
        "page_obj"].paginator.count == total
    assert client.get(f"/audit/?date_from={tomorrow}").context["page_obj"].paginator.count == 0
    bad = client.get(f"/audit/?date_from={tomorrow}&date_to={today}")
    assert "截止日期不能早于起始日期" in text(bad)


def test_audit_filter_by_actor_and_request_id(city: City) -> None:
    officer_client = city.client(Role.FEDERATION_OFFICER)
    response = officer_client.post(
        f"/organisations/{city.enterprises[1].pk}/edit/",
        {"name": "杭州清风软件股份有限公司", "uscc": city.enterprises[1].uscc,
         "region": "330108", "industry": "65", "ownership": "private", "size": "small",
         "party_org_form": "none", "party_member_count": "0", "tags": ["high_tech"]},
    )
    assert response.status_code == 302
    request_id = response["X-Request-ID"]
    client = city.client(Role.AUDITOR)
    by_request = client.get(f"/audit/?request_id={request_id}").context["page_obj"]
    assert by_request.paginator.count == 1
    record = by_request.object_list[0]
    assert record.actor_name == "fed" and record.action == "update"
    by_actor = client.get("/audit/?actor=fe").context["page_obj"]
    assert [r.pk for r in by_actor.object_list] == [record.pk]
    html = text(client.get(f"/audit/?request_id={request_id}"))
    # The expandable diff shows the name before and after.
    assert "杭州清风软件有限公司" in html and "杭州清风软件股份有限公司" in html
    assert f'id="diff-{record.pk}"' in html


def test_audit_export_is_xlsx_of_the_filtered_records(city: City) -> None:
    response = city.client(Role.AUDITOR).get("/audit/?object_type=registry.membership&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "时间", "操作人", "类型")
    expected = AuditRecord.objects.filter(object_type="registry.membership").count()
    assert len(rows) - 1 == expected
    assert {row[5] for row in rows[1:]} == {"会员资格"}


def test_audit_trail_cannot_be_changed_through_the_pages(city: City) -> None:
    client = city.client(Role.ADMIN)
    assert client.post("/audit/").status_code == 405
    assert client.delete("/audit/").status_code == 405


@pytest.mark.parametrize("role", ALL_ROLES)
def test_audit_verify_permission(city: City, role: str) -> None:
    response = city.client(role).post("/audit/verify/")
    assert response.status_code == (200 if role in AUDIT_ROLES else 403)


def test_audit_verify_is_post_only(city: City) -> None:
    assert city.client(Role.AUDITOR).get("/audit/verify/").status_code == 405


def test_audit_verify_reports_ok_then_the_tampered_record(city: City) -> None:
    client = city.client(Role.AUDITOR)
    response = client.post("/audit/verify/")
    html = text(response)
    assert "审计链完整" in html
    assert f"已逐条校验全部 {AuditRecord.objects.count()} 条记录" in html

    victim = AuditRecord.objects.order_by("id")[4]
    with connection.cursor() as cursor:  # an attacker with database access edits a record
        cursor.execute("UPDATE core_auditrecord SET actor_name = %s WHERE id = %s",
                       ["某人", victim.pk])
    assert not verify_chain().ok
    response = client.post("/audit/verify/", HTTP_HX_REQUEST="true")
    html = text(response)
    assert "<html" not in html  # the htmx answer is the result fragment only
    assert "审计链校验未通过" in html
    assert f"第 {victim.pk} 条记录的内容被修改" in html


# --- object history ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_object_history_permissions(city: City, role: str) -> None:
    huawei = city.enterprises[0]
    response = city.client(role).get(f"/history/registry.organisation/{huawei.pk}/")
    if role in HISTORY_ROLES:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_object_history_lists_changes_newest_first(city: City) -> None:
    huawei = city.enterprises[0]
    actions.do_update_organisation(huawei, actor=city.users[Role.FEDERATION_OFFICER],
                                   ownership="mixed", employee_count=1200)
    response = city.client(Role.FEDERATION_OFFICER).get(
        f"/history/registry.organisation/{huawei.pk}/")
    entries = response.context["entries"]
    assert entries[0].record.action == "update"
    assert entries[-1].record.action == "create"
    changed = {row.label: (row.before, row.after) for row in entries[0].rows}
    assert changed["所有制"] == ("民营", "混合所有制")
    assert changed["从业人数"] == ("—", "1200")
    html = text(response)
    assert "<html" not in html
    assert "民营" in html and "混合所有制" in html
    assert "签署承诺书" in html  # the semantic event recorded on the member
    assert "来源地址" not in html  # only audit roles see addresses


def test_object_history_shows_source_address_to_auditors(city: City) -> None:
    huawei = city.enterprises[0]
    html = text(city.client(Role.AUDITOR).get(f"/history/registry.organisation/{huawei.pk}/"))
    assert "来源地址" in html


def test_object_history_out_of_scope_and_unknown_answer_404(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    assert client.get(f"/history/registry.organisation/{city.outsider.pk}/").status_code == 404
    assert client.get("/history/registry.organisation/999999/").status_code == 404
    assert client.get("/history/registry.nothing/1/").status_code == 404
    assert client.get("/history/nonsense/1/").status_code == 404
    assert client.get("/history/registry.organisation/abc/").status_code == 404
    assert client.get("/history/core.user/1/").status_code == 404  # no data scope: never shown
    chamber = city.client(Role.CHAMBER_OFFICER)
    assert chamber.get(
        f"/history/registry.organisation/{city.enterprises[2].pk}/").status_code == 404


def test_membership_history_for_its_chamber(city: City) -> None:
    membership = city.memberships[0]
    response = city.client(Role.CHAMBER_OFFICER).get(
        f"/history/registry.membership/{membership.pk}/")
    assert response.status_code == 200
    titles = [entry.title for entry in response.context["entries"]]
    assert "批准入会" in titles and "申请入会" in titles


def test_history_panel_is_loaded_by_htmx_on_detail_pages(city: City) -> None:
    huawei = city.enterprises[0]
    html = text(city.client(Role.FEDERATION_OFFICER).get(f"/organisations/{huawei.pk}/"))
    assert f'hx-get="/history/registry.organisation/{huawei.pk}/"' in html
    assert 'hx-trigger="load"' in html
    # Roles that may not read history do not get a panel that would only fail.
    html = text(city.client(Role.ENTERPRISE_USER).get(f"/organisations/{huawei.pk}/"))
    assert "/history/" not in html
