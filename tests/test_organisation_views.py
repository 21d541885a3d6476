"""Organisation list, search, export, detail, registration and editing, for every role."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.registry import actions
from qinglian.registry.models import Organisation

from .conftest import USCC_HUAWEI, City, make_uscc

pytestmark = pytest.mark.django_db

ALL_ROLES = [r.value for r in Role]
DISTRICTS = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112"]
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "org-results"}


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.name for o in response.context["page_obj"].object_list]


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def enterprise_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "杭州明镜科技有限公司", "short_name": "明镜科技", "uscc": make_uscc(77),
        "region": "330106", "address": "杭州市西湖区文三路 1 号", "contact_phone": "0571-88880000",
        "industry": "65", "ownership": "private", "size": "small", "employee_count": "80",
        "tags": ["high_tech", "gazelle"], "established_on": "2018-05-20",
        "party_org_form": "joint", "party_member_count": "2", "description": "",
    }
    data.update(overrides)
    return data


# --- list ----------------------------------------------------------------------------------


def test_list_is_scoped_to_each_role(city: City) -> None:
    everyone = {o.name for o in Organisation.objects.all()}
    seen = {role: set(names(city.client(role).get("/organisations/?per_page=100")))
            for role in ALL_ROLES}
    assert seen[Role.ADMIN] == everyone
    assert "宁波港湾物流有限公司" not in seen[Role.FEDERATION_OFFICER]
    assert {"华为技术有限公司", "杭州市温州商会", "杭州市市场监督管理局"} <= seen[Role.FEDERATION_OFFICER]
    assert seen[Role.CHAMBER_OFFICER] == {"杭州市互联网商会", "华为技术有限公司", "杭州清风软件有限公司"}
    assert seen[Role.ENTERPRISE_USER] == {"华为技术有限公司", "杭州市互联网商会"}
    assert seen[Role.DEPARTMENT_HANDLER] == {"杭州市市场监督管理局"}
    assert seen[Role.AUDITOR] == seen[Role.FEDERATION_OFFICER]


def test_pinyin_initials_uscc_and_name_search(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    assert names(client.get("/organisations/?q=hwjs")) == ["华为技术有限公司"]
    assert names(client.get(f"/organisations/?q={USCC_HUAWEI[:10]}")) == ["华为技术有限公司"]
    assert names(client.get("/organisations/?q=清风")) == ["杭州清风软件有限公司"]
    empty = client.get("/organisations/?q=zzzzzz")
    assert names(empty) == []
    assert "没有符合条件的组织" in text(empty)


def test_filters_narrow_the_list(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    assert len(names(client.get("/organisations/?kind=enterprise"))) == 3
    assert set(names(client.get(f"/organisations/?chamber={city.chamber.pk}"))) == {
        "华为技术有限公司", "杭州清风软件有限公司"}
    assert names(client.get("/organisations/?tag=listed")) == ["华为技术有限公司"]
    assert names(client.get("/organisations/?region=330108")) == ["杭州清风软件有限公司"]
    assert names(client.get("/organisations/?section=F")) == ["杭州瓯江贸易有限公司"]
    assert names(client.get("/organisations/?industry=39")) == ["华为技术有限公司"]
    assert names(client.get("/organisations/?ownership=state")) == []
    assert len(names(client.get("/organisations/?kind=enterprise&party_org_form=none"))) == 3
    response = client.get(f"/organisations/?chamber={city.chamber.pk}")
    assert "杭州市互联网商会 · 会员" in text(response)


def test_filter_choices_are_limited_to_the_scope(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get("/organisations/")
    form = response.context["form"]
    chambers = dict(form.fields["chamber"].choices)
    assert chambers[str(city.chamber.pk)] == "杭州市互联网商会"
    assert str(city.federation.pk) not in chambers
    regions = dict(form.fields["region"].choices)
    assert regions["330106"] == "西湖区"
    assert "330203" not in regions  # 宁波's district is outside the jurisdiction
    # A chamber outside the scope cannot be used to look at another chamber's members.
    other = city.client(Role.CHAMBER_OFFICER).get(f"/organisations/?chamber={city.other_chamber.pk}")
    assert "杭州瓯江贸易有限公司" not in names(other)


def test_sorting_and_paging_with_total(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    ascending = names(client.get("/organisations/?kind=enterprise&order=name"))
    descending = names(client.get("/organisations/?kind=enterprise&order=-name"))
    assert descending == list(reversed(ascending))
    for n in range(22):
        actions.do_create_organisation(
            actor=None, kind="enterprise", name=f"杭州分页测试{n:02d}有限公司", uscc=make_uscc(300 + n),
            federation=city.federation, region="330106", industry="65",
        )
    first = client.get("/organisations/?kind=enterprise")
    assert first.context["page_obj"].paginator.count == 25
    assert "共 25 条" in text(first)
    second = client.get("/organisations/?kind=enterprise&page=2")
    assert len(names(second)) == 5
    html = text(first)
    assert "order=-name" in html  # the name header toggles to descending


def test_htmx_search_returns_only_the_results(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get("/organisations/?q=hwjs", **HTMX)
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "华为技术有限公司" in html
    assert "杭州清风软件有限公司" not in html
    full = text(city.client(Role.FEDERATION_OFFICER).get("/organisations/?q=hwjs"))
    assert "<html" in full and 'hx-push-url="true"' in full and 'hx-target="#org-results"' in full


def test_first_page_query_count_is_fixed(city: City, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = city.client(Role.FEDERATION_OFFICER)
    client.get("/organisations/")
    # session, user, its organisation; chamber, region and tag choices; count; page; tags
    # prefetch; and the session save (3): 12, whatever the number of organisations.
    with django_assert_max_num_queries(12) as small:
        client.get("/organisations/")
    for n in range(40):
        actions.do_create_organisation(
            actor=None, kind="enterprise", name=f"杭州查询计数{n:02d}有限公司", uscc=make_uscc(400 + n),
            federation=city.federation, region=DISTRICTS[n % len(DISTRICTS)], industry="65",
            tags=["high_tech", "key"],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/organisations/")
    assert response.context["page_obj"].paginator.count > 40


@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_is_open_to_every_role(city: City, role: str) -> None:
    assert city.client(role).get("/organisations/").status_code == 200


# --- export --------------------------------------------------------------------------------


def test_export_xlsx_matches_the_filter(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get("/organisations/?kind=enterprise&export=xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("名称", "简称", "类型", "统一社会信用代码")
    assert {row[0] for row in rows[1:]} == {"华为技术有限公司", "杭州清风软件有限公司", "杭州瓯江贸易有限公司"}
    huawei = next(row for row in rows if row[0] == "华为技术有限公司")
    headers = list(rows[0])
    assert huawei[headers.index("统一社会信用代码")] == USCC_HUAWEI
    assert huawei[headers.index("企业标签")] == "上市企业、重点企业"
    assert huawei[headers.index("所在地区")] == "浙江省杭州市西湖区"
    searched = city.client(Role.FEDERATION_OFFICER).get("/organisations/?q=hwjs&export=xlsx")
    rows = list(load_workbook(io.BytesIO(b"".join(searched.streaming_content))).active
                .iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["华为技术有限公司"]


@pytest.mark.parametrize("role", [Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER])
def test_export_needs_the_export_permission(city: City, role: str) -> None:
    assert city.client(role).get("/organisations/?export=xlsx").status_code == 403


# --- detail --------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMIN, 200), (Role.FEDERATION_OFFICER, 200), (Role.CHAMBER_OFFICER, 200),
    (Role.ENTERPRISE_USER, 200), (Role.DEPARTMENT_HANDLER, 404), (Role.AUDITOR, 200),
])
def test_detail_by_role(city: City, role: str, status: int) -> None:
    huawei = city.enterprises[0]
    assert city.client(role).get(f"/organisations/{huawei.pk}/").status_code == status


def test_detail_out_of_scope_is_404_like_missing(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    assert client.get(f"/organisations/{city.outsider.pk}/").status_code == 404
    assert client.get("/organisations/999999/").status_code == 404
    enterprise = city.client(Role.ENTERPRISE_USER)
    assert enterprise.get(f"/organisations/{city.enterprises[1].pk}/").status_code == 404


def test_enterprise_detail_particulars(city: City) -> None:
    huawei = city.enterprises[0]
    officer = city.users[Role.FEDERATION_OFFICER]
    person = actions.do_create_person(actor=officer, name="任正", federation=city.federation,
                                      id_number="11010519491231002X", phone="13812345678")
    actions.do_add_position(actor=officer, person=person, organisation=huawei,
                            title="legal_representative")
    html = text(city.client(Role.FEDERATION_OFFICER).get(f"/organisations/{huawei.pk}/"))
    assert USCC_HUAWEI in html and "校验位正确" in html
    assert "浙江省杭州市西湖区" in html
    assert "计算机、通信和其他电子设备制造业" in html
    assert "上市企业" in html and "重点企业" in html
    assert "任正" in html and "法定代表人" in html
    assert "110***********002X" in html and "138****5678" in html
    assert "11010519491231002X" not in html and "13812345678" not in html
    assert f"/memberships/{city.memberships[0].pk}/" in html
    assert "党组织" in html and "未建立" in html


def test_chamber_detail_counts_members_and_lists_commitments(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get(f"/organisations/{city.chamber.pk}/")
    html = text(response)
    assert response.context["member_counts"] == {"active": 2, "applied": 0}
    assert f"/organisations/?chamber={city.chamber.pk}" in html
    assert f"/commitments/{city.commitment.pk}/" in html
    assert "第 1 版" in html


def test_detail_offers_edit_only_to_those_who_may(city: City) -> None:
    huawei = city.enterprises[0]
    for role, editable in [(Role.FEDERATION_OFFICER, True), (Role.CHAMBER_OFFICER, True),
                           (Role.ENTERPRISE_USER, True), (Role.AUDITOR, False)]:
        html = text(city.client(role).get(f"/organisations/{huawei.pk}/"))
        assert (f"/organisations/{huawei.pk}/edit/" in html) is editable, role
    chamber_page = text(city.client(Role.ENTERPRISE_USER).get(f"/organisations/{city.chamber.pk}/"))
    assert f"/organisations/{city.chamber.pk}/edit/" not in chamber_page


# --- registration --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMIN, 200), (Role.FEDERATION_OFFICER, 200), (Role.CHAMBER_OFFICER, 200),
    (Role.ENTERPRISE_USER, 403), (Role.DEPARTMENT_HANDLER, 403), (Role.AUDITOR, 403),
])
def test_create_page_by_role(city: City, role: str, status: int) -> None:
    assert city.client(role).get("/organisations/new/?kind=enterprise").status_code == status


def test_kind_limits_per_role(city: City) -> None:
    assert city.client(Role.CHAMBER_OFFICER).get("/organisations/new/?kind=chamber").status_code == 403
    assert city.client(Role.FEDERATION_OFFICER).get(
        "/organisations/new/?kind=federation").status_code == 403
    assert city.client(Role.ADMIN).get("/organisations/new/?kind=federation").status_code == 200
    assert city.client(Role.ADMIN).get("/organisations/new/?kind=castle").status_code == 404


def test_enterprise_form_has_its_sections_and_defaults_to_the_jurisdiction(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get("/organisations/new/?kind=enterprise")
    form = response.context["form"]
    assert form["federation"].value() == city.federation.pk
    assert form.fields["federation"].disabled
    assert {"uscc", "industry", "ownership", "size", "tags", "party_org_form"} <= set(form.fields)
    assert "chamber_kind" not in form.fields
    html = text(response)
    assert 'hx-get="/organisations/check-uscc/"' in html
    assert "国家高新技术企业" in html  # tag checkboxes
    chamber_form = city.client(Role.FEDERATION_OFFICER).get(
        "/organisations/new/?kind=chamber").context["form"]
    assert {"chamber_kind", "hometown_region"} <= set(chamber_form.fields)
    assert "tags" not in chamber_form.fields and "ownership" not in chamber_form.fields


def test_federation_officer_registers_an_enterprise(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/organisations/new/?kind=enterprise", enterprise_post())
    assert response.status_code == 302
    org = Organisation.objects.get(name="杭州明镜科技有限公司")
    assert response["Location"] == f"/organisations/{org.pk}/"
    assert org.federation_id == city.federation.pk
    assert org.industry_section == "I"
    assert sorted(org.tags.values_list("code", flat=True)) == ["gazelle", "high_tech"]
    assert str(org.established_on) == "2018-05-20"
    record = AuditRecord.objects.get(object_type="registry.organisation", object_id=str(org.pk))
    assert record.action == "create" and record.actor_name == "fed"
    assert "已登记：杭州明镜科技有限公司" in text(client.get(response["Location"]))


def test_invalid_uscc_is_explained_and_nothing_is_lost(city: City) -> None:
    bad = make_uscc(77)[:-1] + ("0" if make_uscc(77)[-1] != "0" else "1")
    response = city.client(Role.FEDERATION_OFFICER).post(
        "/organisations/new/?kind=enterprise", enterprise_post(uscc=bad))
    assert response.status_code == 200
    html = text(response)
    assert "统一社会信用代码校验位错误" in html
    assert "is-invalid" in html
    assert 'value="杭州明镜科技有限公司"' in html and 'value="杭州市西湖区文三路 1 号"' in html
    assert not Organisation.objects.filter(name="杭州明镜科技有限公司").exists()


def test_duplicate_uscc_and_missing_uscc_are_refused(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    html = text(client.post("/organisations/new/?kind=enterprise",
                            enterprise_post(uscc=USCC_HUAWEI)))
    assert "该统一社会信用代码已登记" in html
    html = text(client.post("/organisations/new/?kind=enterprise", enterprise_post(uscc="")))
    assert "企业必须填写统一社会信用代码" in html
    assert not Organisation.objects.filter(name="杭州明镜科技有限公司").exists()


def test_action_rules_come_back_onto_the_form(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).post(
        "/organisations/new/?kind=enterprise",
        enterprise_post(party_org_form="own", party_member_count="1"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "不能单独组建党组织" in form.errors["party_org_form"][0]
    assert not Organisation.objects.filter(name="杭州明镜科技有限公司").exists()


def test_federation_officer_registers_a_hometown_chamber(city: City) -> None:
    response = city.client(Role.FEDERATION_OFFICER).post("/organisations/new/?kind=chamber", {
        "name": "杭州市福建商会", "region": "330100", "chamber_kind": "hometown",
        "hometown_region": "350000", "party_org_form": "none", "party_member_count": "0",
        "is_group_member": "on",
    })
    assert response.status_code == 302
    chamber = Organisation.objects.get(name="杭州市福建商会")
    assert chamber.hometown_region == "350000" and chamber.is_group_member
    html = text(city.client(Role.FEDERATION_OFFICER).get(response["Location"]))
    assert "福建省" in html


def test_chamber_officer_registration_leads_to_the_application(city: City) -> None:
    response = city.client(Role.CHAMBER_OFFICER).post(
        "/organisations/new/?kind=enterprise", enterprise_post())
    assert response.status_code == 302
    org = Organisation.objects.get(name="杭州明镜科技有限公司")
    assert response["Location"] == f"/memberships/apply/?member={org.pk}"
    assert org.federation_id == city.federation.pk


# --- editing -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMIN, 200), (Role.FEDERATION_OFFICER, 200), (Role.CHAMBER_OFFICER, 200),
    (Role.ENTERPRISE_USER, 200), (Role.DEPARTMENT_HANDLER, 403), (Role.AUDITOR, 403),
])
def test_edit_page_by_role(city: City, role: str, status: int) -> None:
    huawei = city.enterprises[0]
    assert city.client(role).get(f"/organisations/{huawei.pk}/edit/").status_code == status


def test_edit_out_of_scope_is_404(city: City) -> None:
    assert city.client(Role.ENTERPRISE_USER).get(
        f"/organisations/{city.enterprises[1].pk}/edit/").status_code == 404
    assert city.client(Role.ENTERPRISE_USER).get(
        f"/organisations/{city.chamber.pk}/edit/").status_code == 404
    assert city.client(Role.CHAMBER_OFFICER).get(
        f"/organisations/{city.enterprises[2].pk}/edit/").status_code == 404
    assert city.client(Role.CHAMBER_OFFICER).get(
        f"/organisations/{city.federation.pk}/edit/").status_code == 404
    assert city.client(Role.FEDERATION_OFFICER).get(
        f"/organisations/{city.outsider.pk}/edit/").status_code == 404


def test_enterprise_user_edits_its_own_enterprise(city: City) -> None:
    huawei = city.enterprises[0]
    client = city.client(Role.ENTERPRISE_USER)
    form = client.get(f"/organisations/{huawei.pk}/edit/").context["form"]
    assert form["name"].value() == "华为技术有限公司"
    assert sorted(form["tags"].value()) == ["key", "listed"]
    response = client.post(f"/organisations/{huawei.pk}/edit/", {
        "name": "华为技术有限公司", "uscc": USCC_HUAWEI, "region": "330106", "industry": "39",
        "ownership": "private", "size": "large", "tags": ["listed", "key"],
        "employee_count": "207000", "party_org_form": "own", "party_member_count": "30",
        "contact_phone": "0755-28780808",
    })
    assert response.status_code == 302
    huawei.refresh_from_db()
    assert huawei.employee_count == 207000 and huawei.party_org_form == "own"
    update = AuditRecord.objects.filter(object_type="registry.organisation",
                                        object_id=str(huawei.pk), action="update").get()
    assert update.actor_name == "enterprise"
    assert update.after["party_org_form"] == "own"


def test_edit_shows_action_errors_and_keeps_the_input(city: City) -> None:
    huawei = city.enterprises[0]
    response = city.client(Role.FEDERATION_OFFICER).post(f"/organisations/{huawei.pk}/edit/", {
        "name": "华为技术（杭州）有限公司", "uscc": USCC_HUAWEI, "region": "330106",
        "industry": "39", "party_org_form": "own", "party_member_count": "2",
    })
    assert response.status_code == 200
    html = text(response)
    assert "不能单独组建党组织" in html
    assert 'value="华为技术（杭州）有限公司"' in html
    huawei.refresh_from_db()
    assert huawei.name == "华为技术有限公司"


def test_edit_keeps_its_own_uscc(city: City) -> None:
    huawei = city.enterprises[0]
    response = city.client(Role.FEDERATION_OFFICER).post(f"/organisations/{huawei.pk}/edit/", {
        "name": "华为技术有限公司", "uscc": USCC_HUAWEI.lower(), "region": "330108",
        "industry": "39", "party_org_form": "none", "party_member_count": "0",
    })
    assert response.status_code == 302
    huawei.refresh_from_db()
    assert huawei.region == "330108" and huawei.uscc == USCC_HUAWEI


# --- inline USCC check ---------------------------------------------------------------------


def test_uscc_check_fragment(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    ok = text(client.get("/organisations/check-uscc/", {"uscc": make_uscc(90)}))
    assert "校验位正确" in ok and "<html" not in ok
    code = make_uscc(90)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    bad = text(client.get("/organisations/check-uscc/", {"uscc": wrong}))
    assert f"末位应为“{code[-1]}”" in bad
    short = text(client.get("/organisations/check-uscc/", {"uscc": "91330100"}))
    assert "应为 18 位" in short
    taken = text(client.get("/organisations/check-uscc/", {"uscc": USCC_HUAWEI}))
    assert "已登记" in taken
    mine = text(client.get("/organisations/check-uscc/",
                           {"uscc": USCC_HUAWEI, "pk": city.enterprises[0].pk}))
    assert "已登记" not in mine and "校验位正确" in mine


@pytest.mark.parametrize(("role", "status"), [
    (Role.FEDERATION_OFFICER, 200), (Role.ENTERPRISE_USER, 200),
    (Role.DEPARTMENT_HANDLER, 403), (Role.AUDITOR, 403),
])
def test_uscc_check_permission(city: City, role: str, status: int) -> None:
    response = city.client(role).get("/organisations/check-uscc/", {"uscc": USCC_HUAWEI})
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    for url in ("/organisations/", "/organisations/new/", "/organisations/1/",
                "/organisations/1/edit/", "/organisations/check-uscc/"):
        assert client.get(url).status_code == 302
