"""The JSON API, endpoint by endpoint and role by role: scope, permissions, masking, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinglian.core.actions import do_create_api_token
from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord, User
from qinglian.registry import actions
from qinglian.registry.choices import MembershipStatus
from qinglian.registry.models import Commitment, Membership, Organisation, Person
from qinglian.registry.queries import OrganisationFilter, list_organisations

from .conftest import City, make_uscc

pytestmark = pytest.mark.django_db

ID_NUMBER = "110105198001011238"
PHONE = "13905710001"
NOT_FOUND = {"detail": "未找到该记录"}


class Api:
    """A client that calls /api/v1/ with a bearer token of one user."""

    def __init__(self, user: User) -> None:
        _, secret = do_create_api_token(user, "测试", actor=None)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", json.dumps(body or {}),
                                content_type="application/json")

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(f"/api/v1{path}", json.dumps(body),
                                 content_type="application/json")


def api(city: City, role: str) -> Api:
    return Api(city.users[role])


def names(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item.get("name") or item.get("member_name") for item in body["items"]}


def errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["detail"]}


# --- input bounds --------------------------------------------------------------------------


def test_out_of_range_input_is_422_never_500(city: City) -> None:
    client = api(city, Role.ADMIN)
    huge = 10**25
    assert errors(client.get("/organisations", chamber=huge)) == {
        "chamber": "不能大于 9223372036854775807"}
    assert errors(client.get("/organisations", page=huge)) == {"page": "不能大于 1000000"}
    assert errors(client.get("/organisations", page_size=1000)) == {"page_size": "不能大于 100"}
    assert errors(client.get("/people", q="a\x00b")) == {"q": "不能包含 NUL 控制字符"}
    assert errors(client.post("/memberships", {"member": huge, "organisation": 1}))["member"]
    assert errors(client.post("/organisations", {"kind": "chamber", "name": "a\x00"})) == {
        "name": "不能包含 NUL 控制字符"}
    response = client.client.post("/api/v1/organisations", "", content_type="application/json")
    assert errors(response) == {"__all__": "请求体不能为空，应为 JSON 对象"}
    assert client.get(f"/organisations/{huge}").json() == NOT_FOUND


# --- organisations -------------------------------------------------------------------------

JURISDICTION = {
    "杭州市工商业联合会", "杭州市互联网商会", "杭州市温州商会", "杭州市市场监督管理局",
    "华为技术有限公司", "杭州清风软件有限公司", "杭州瓯江贸易有限公司",
}
VISIBLE_ORGANISATIONS = {
    Role.ADMIN: JURISDICTION | {"宁波市工商业联合会", "宁波港湾物流有限公司"},
    Role.FEDERATION_OFFICER: JURISDICTION,
    Role.AUDITOR: JURISDICTION,
    Role.CHAMBER_OFFICER: {"杭州市互联网商会", "华为技术有限公司", "杭州清风软件有限公司"},
    Role.ENTERPRISE_USER: {"华为技术有限公司", "杭州市互联网商会"},
    Role.DEPARTMENT_HANDLER: {"杭州市市场监督管理局"},
}


@pytest.mark.parametrize("role", list(VISIBLE_ORGANISATIONS))
def test_organisation_list_is_scoped_per_role(city: City, role: str) -> None:
    assert names(api(city, role).get("/organisations")) == VISIBLE_ORGANISATIONS[role]


def test_organisation_filters_match_the_list_page(city: City) -> None:
    client = api(city, Role.FEDERATION_OFFICER)
    officer = city.users[Role.FEDERATION_OFFICER]
    cases = [
        {"q": "hwjs"}, {"q": "9144030019"}, {"kind": "enterprise"},
        {"chamber": city.chamber.pk}, {"industry": "65"}, {"section": "I"},
        {"region": "330100"}, {"ownership": "private"}, {"tag": "listed"},
        {"party_org_form": "none", "kind": "chamber"}, {"order": "-name"},
    ]
    for params in cases:
        response = client.get("/organisations", **params)
        expected = list_organisations(officer, OrganisationFilter(**params))
        assert [o["id"] for o in response.json()["items"]] == [o.pk for o in expected], params
    assert names(client.get("/organisations", q="hwjs")) == {"华为技术有限公司"}


def test_organisation_list_is_paginated_with_total_and_constant_queries(city: City) -> None:
    client = api(city, Role.ADMIN)
    body = client.get("/organisations", page_size=2, page=2).json()
    assert body["count"] == 9 and len(body["items"]) == 2
    with CaptureQueriesContext(connection) as one:
        client.get("/organisations", page_size=1)
    with CaptureQueriesContext(connection) as all_rows:
        client.get("/organisations", page_size=50)
    assert len(one) == len(all_rows)


def test_organisation_detail_out_of_scope_is_404_like_missing(city: City) -> None:
    chamber = api(city, Role.CHAMBER_OFFICER)
    other_member = city.enterprises[2]  # a member of the other chamber
    assert chamber.get(f"/organisations/{other_member.pk}").json() == NOT_FOUND
    assert chamber.get(f"/organisations/{other_member.pk}").status_code == 404
    assert chamber.get("/organisations/999999").json() == NOT_FOUND
    own = chamber.get(f"/organisations/{city.enterprises[0].pk}").json()
    assert own["uscc"] == "914403001922038216"
    assert own["tags"] == ["key", "listed"]
    assert own["federation_name"] == "杭州市工商业联合会"
    assert own["region_name"].endswith("西湖区")


def test_chamber_officer_registers_enterprise_in_own_federation(city: City) -> None:
    response = api(city, Role.CHAMBER_OFFICER).post("/organisations", {
        "kind": "enterprise", "name": "杭州新芽科技有限公司", "uscc": make_uscc(60),
        "industry": "65", "region": "330106", "ownership": "private", "tags": ["gazelle"],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["federation_id"] == city.federation.pk and body["tags"] == ["gazelle"]
    record = AuditRecord.objects.filter(object_type="registry.organisation",
                                        object_id=str(body["id"])).get()
    assert record.actor == city.users[Role.CHAMBER_OFFICER]
    assert record.request_id  # the API call's request id is in the audit trail


def test_organisation_create_permissions(city: City) -> None:
    payload = {"kind": "enterprise", "name": "杭州某某有限公司", "uscc": make_uscc(61)}
    for role in (Role.AUDITOR, Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER):
        response = api(city, role).post("/organisations", payload)
        assert response.status_code == 403, role
        assert response.json()["detail"] == "您没有执行此操作的权限"
    response = api(city, Role.CHAMBER_OFFICER).post(
        "/organisations", {"kind": "chamber", "name": "杭州市新商会"})
    assert response.status_code == 403
    assert "商会" in response.json()["detail"]
    response = api(city, Role.FEDERATION_OFFICER).post(
        "/organisations", {**payload, "federation": city.other_federation.pk})
    assert errors(response) == {"federation": "只能在本工商联辖区内登记"}
    assert not Organisation.objects.filter(name="杭州某某有限公司").exists()


def test_organisation_validation_errors_are_chinese_with_field_names(city: City) -> None:
    client = api(city, Role.FEDERATION_OFFICER)
    wrong_check = make_uscc(62)[:-1] + ("0" if make_uscc(62)[-1] != "0" else "1")
    assert "校验位错误" in errors(client.post("/organisations", {
        "kind": "enterprise", "name": "杭州校验有限公司", "uscc": wrong_check}))["uscc"]
    assert errors(client.post("/organisations", {"kind": "enterprise"})) == {"name": "此项必填"}
    assert errors(client.post("/organisations", {"kind": "enterprise", "name": "杭州无码公司"})) == {
        "uscc": "企业必须填写统一社会信用代码"}
    bad = errors(client.post("/organisations", {
        "kind": "company", "name": "x", "employee_count": -1, "established_on": "2026/1/1"}))
    assert bad["kind"].startswith("取值无效，可选值：federation、chamber")
    assert bad["employee_count"] == "不能小于 0"
    assert bad["established_on"].startswith("日期格式应为 YYYY-MM-DD")
    assert errors(client.post("/organisations", {
        "kind": "enterprise", "name": "杭州标签公司", "uscc": make_uscc(63), "tags": ["nope"]})) == {
        "tags": "未知的企业标签：nope"}
    response = client.client.post("/api/v1/organisations", "{not json",
                                  content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("请求体无法解析")


def test_organisation_patch_changes_only_sent_fields(city: City) -> None:
    ent = city.enterprises[0]
    own = api(city, Role.ENTERPRISE_USER)
    response = own.patch(f"/organisations/{ent.pk}", {"short_name": "华为", "employee_count": 200})
    assert response.status_code == 200, response.content
    ent.refresh_from_db()
    assert (ent.short_name, ent.employee_count, ent.industry) == ("华为", 200, "39")
    assert {t.code for t in ent.tags.all()} == {"listed", "key"}
    update = AuditRecord.objects.filter(object_type="registry.organisation",
                                        object_id=str(ent.pk), action="update").get()
    assert set(update.after) == {"short_name", "employee_count"}
    # The enterprise user sees its chamber but may not change it, nor its own federation.
    assert own.patch(f"/organisations/{city.chamber.pk}", {"short_name": "x"}).status_code == 404
    assert errors(own.patch(f"/organisations/{ent.pk}", {
        "federation": city.other_federation.pk})) == {"federation": "不能变更所属工商联"}
    assert api(city, Role.AUDITOR).patch(
        f"/organisations/{ent.pk}", {"short_name": "x"}).status_code == 403
    fed = api(city, Role.FEDERATION_OFFICER)
    response = fed.patch(f"/organisations/{ent.pk}", {"party_org_form": "own",
                                                       "party_member_count": 1})
    assert "不能单独组建党组织" in errors(response)["party_org_form"]
    response = fed.patch(f"/organisations/{ent.pk}", {"tags": [], "ownership": None})
    assert response.json()["tags"] == [] and response.json()["ownership"] == ""


# --- people --------------------------------------------------------------------------------


def test_people_are_answered_masked_only(city: City) -> None:
    fed = api(city, Role.FEDERATION_OFFICER)
    response = fed.post("/people", {"name": "张三", "id_number": ID_NUMBER, "phone": PHONE,
                                    "gender": "male", "is_party_member": True})
    assert response.status_code == 201, response.content
    person = response.json()
    assert person["id_number_masked"] == "110***********1238"
    assert person["phone_masked"].startswith("139") and person["phone_masked"].endswith("0001")
    assert person["federation_id"] == city.federation.pk
    for reply in (response, fed.get(f"/people/{person['id']}"), fed.get("/people")):
        text = reply.content.decode()
        assert ID_NUMBER not in text and PHONE not in text
        assert "cipher" not in text and "_hash" not in text
    found = fed.get("/people", q=ID_NUMBER).json()
    assert [p["id"] for p in found["items"]] == [person["id"]]
    assert fed.get("/people", q="zs").json()["count"] == 1
    assert fed.get("/people", q="110105198001011").json()["count"] == 0  # exact match only


def test_person_detail_scope_positions_and_update(city: City) -> None:
    person = actions.do_create_person(actor=None, name="李四", federation=city.federation,
                                      id_number=ID_NUMBER)
    chamber = api(city, Role.CHAMBER_OFFICER)
    assert chamber.get(f"/people/{person.pk}").json() == NOT_FOUND
    actions.do_add_position(actor=None, person=person, organisation=city.enterprises[0],
                            title="legal_representative")
    detail = chamber.get(f"/people/{person.pk}").json()
    assert [(p["organisation_name"], p["title_label"]) for p in detail["positions"]] == [
        ("华为技术有限公司", "法定代表人")]
    response = chamber.patch(f"/people/{person.pk}", {"phone": PHONE, "notes": "已核实"})
    assert response.status_code == 200, response.content
    assert response.json()["phone_masked"].endswith("0001")
    assert response.json()["id_number_masked"].endswith("1238")  # untouched
    assert "身份证号" in errors(chamber.patch(f"/people/{person.pk}", {"id_number": "123"}))[
        "id_number"]
    assert api(city, Role.AUDITOR).patch(f"/people/{person.pk}", {"notes": "x"}).status_code == 403
    assert api(city, Role.ENTERPRISE_USER).post("/people", {"name": "王五"}).status_code == 403
    assert api(city, Role.ADMIN).post("/people", {"name": "王五"}).json()["detail"] == [
        {"field": "federation", "message": "请选择所属工商联"}]


# --- memberships ---------------------------------------------------------------------------


def test_membership_scope(city: City) -> None:
    assert names(api(city, Role.ENTERPRISE_USER).get("/memberships")) == {"华为技术有限公司"}
    assert names(api(city, Role.CHAMBER_OFFICER).get("/memberships")) == {
        "华为技术有限公司", "杭州清风软件有限公司"}
    assert len(names(api(city, Role.FEDERATION_OFFICER).get("/memberships"))) == 3
    other = city.memberships[2]  # the other chamber's member
    assert api(city, Role.CHAMBER_OFFICER).get(f"/memberships/{other.pk}").json() == NOT_FOUND
    assert api(city, Role.ENTERPRISE_USER).get(
        f"/memberships/{city.memberships[1].pk}").json() == NOT_FOUND
    detail = api(city, Role.CHAMBER_OFFICER).get(f"/memberships/{city.memberships[0].pk}").json()
    assert detail["status"] == "admitted" and detail["signed_current_commitment"] is True
    assert set(detail["allowed_transitions"]) == {"suspended", "withdrawn", "revoked"}
    filtered = api(city, Role.FEDERATION_OFFICER).get(
        "/memberships", organisation=city.other_chamber.pk, status="admitted")
    assert names(filtered) == {"杭州瓯江贸易有限公司"}


def test_admission_flow_through_the_api(city: City) -> None:
    newcomer = actions.do_create_organisation(
        actor=None, kind="enterprise", name="杭州入会科技有限公司", uscc=make_uscc(70),
        federation=city.federation, region="330106")
    officer = api(city, Role.CHAMBER_OFFICER)
    response = officer.post("/memberships", {"member": newcomer.pk,
                                             "organisation": city.chamber.pk})
    assert response.status_code == 201, response.content
    applied = response.json()
    assert applied["status"] == "applied" and applied["signed_current_commitment"] is False
    path = f"/memberships/{applied['id']}/transition"
    # 告知承诺制: no admission before the commitment is signed.
    assert "尚未签署现行承诺书" in errors(officer.post(path, {"to": "admitted"}))["commitment"]
    # A signature cannot predate the version it signs.
    backdated = officer.post("/signatures", {"commitment": city.commitment.pk,
                                             "member": newcomer.pk, "signer_name": "赵六",
                                             "signed_at": "2001-01-01T10:00:00"})
    assert "早于" in errors(backdated)["signed_at"]
    signed = officer.post("/signatures", {"commitment": city.commitment.pk,
                                          "member": newcomer.pk, "signer_name": "赵六"})
    assert signed.status_code == 201, signed.content
    assert signed.json()["text_sha256"] == city.commitment.text_sha256
    admitted = officer.post(path, {"to": "admitted", "note": "理事会审议通过"})
    assert admitted.status_code == 200, admitted.content
    assert admitted.json()["status"] == "admitted" and admitted.json()["joined_on"]
    conflict = officer.post(path, {"to": "applied"})
    assert conflict.status_code == 409
    assert conflict.json() == {"detail": "不允许从“已入会”变为“申请中”"}
    assert errors(officer.post(path, {"to": "revoked"})) == {"note": "取消会员资格必须写明原因"}
    assert errors(officer.post(path, {"to": "expelled"}))["to"].startswith("取值无效")
    assert officer.post(path, {"to": "suspended"}).json()["status"] == "suspended"


def test_membership_write_permissions(city: City) -> None:
    path = f"/memberships/{city.memberships[0].pk}/transition"
    assert api(city, Role.AUDITOR).post(path, {"to": "suspended"}).status_code == 403
    assert api(city, Role.ENTERPRISE_USER).post(path, {"to": "withdrawn"}).status_code == 403
    assert api(city, Role.CHAMBER_OFFICER).post(
        f"/memberships/{city.memberships[2].pk}/transition", {"to": "suspended"}
    ).status_code == 404
    assert Membership.objects.get(pk=city.memberships[0].pk).status == MembershipStatus.ADMITTED
    officer = api(city, Role.CHAMBER_OFFICER)
    newcomer = actions.do_create_organisation(
        actor=None, kind="enterprise", name="杭州候选科技有限公司", uscc=make_uscc(71),
        federation=city.federation)
    # A chamber recruits within its federation, and only into itself.
    assert errors(officer.post("/memberships", {"member": city.outsider.pk,
                                                "organisation": city.chamber.pk})) == {
        "member": "未找到该记录，或不在您的权限范围内"}
    assert errors(officer.post("/memberships", {"member": newcomer.pk,
                                                "organisation": city.other_chamber.pk})) == {
        "organisation": "未找到该记录，或不在您的权限范围内"}


def test_enterprise_user_applies_for_its_own_enterprise_only(city: City) -> None:
    own = api(city, Role.ENTERPRISE_USER)
    response = own.post("/memberships", {"member": city.enterprises[0].pk,
                                         "organisation": city.other_chamber.pk})
    assert response.status_code == 201, response.content
    assert response.json()["organisation_name"] == "杭州市温州商会"
    assert errors(own.post("/memberships", {"member": city.enterprises[1].pk,
                                            "organisation": city.other_chamber.pk})) == {
        "member": "未找到该记录，或不在您的权限范围内"}
    assert "organisation" in errors(own.post("/memberships", {
        "member": city.enterprises[0].pk, "organisation": city.other_federation.pk}))
    assert api(city, Role.AUDITOR).post("/memberships", {
        "member": city.enterprises[1].pk, "organisation": city.other_chamber.pk,
    }).status_code == 403


# --- commitments and signatures ------------------------------------------------------------


def test_commitment_draft_publish_and_read(city: City) -> None:
    officer = api(city, Role.CHAMBER_OFFICER)
    response = officer.post("/commitments", {"organisation": city.chamber.pk,
                                             "body": "第二版：不行贿、不受贿、不欠薪。"})
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["version"], draft["status"]) == (2, "draft")
    assert draft["text_sha256"] == Commitment.digest(draft["title"], draft["body"])
    published = officer.post(f"/commitments/{draft['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert officer.get(f"/commitments/{city.commitment.pk}").json()["status"] == "superseded"
    assert errors(officer.post(f"/commitments/{draft['id']}/publish")) == {
        "status": "只能发布草稿状态的承诺书"}
    member = api(city, Role.ENTERPRISE_USER)
    detail = member.get(f"/commitments/{draft['id']}").json()
    assert detail["body"] == "第二版：不行贿、不受贿、不欠薪。"
    other = Commitment.objects.get(organisation=city.other_chamber)
    assert member.get(f"/commitments/{other.pk}").json() == NOT_FOUND
    listed = officer.get("/commitments", status="published").json()
    assert [c["id"] for c in listed["items"]] == [draft["id"]]


def test_commitment_write_permissions(city: City) -> None:
    body = {"organisation": city.chamber.pk, "body": "正文"}
    assert api(city, Role.ENTERPRISE_USER).post("/commitments", body).status_code == 403
    assert api(city, Role.AUDITOR).post("/commitments", body).status_code == 403
    other = Commitment.objects.get(organisation=city.other_chamber)
    chamber = api(city, Role.CHAMBER_OFFICER)
    assert chamber.post(f"/commitments/{other.pk}/publish").status_code == 404
    assert errors(chamber.post("/commitments", {"organisation": city.other_chamber.pk,
                                                "body": "正文"})) == {
        "organisation": "未找到该记录，或不在您的权限范围内"}
    assert errors(chamber.post("/commitments", {"organisation": city.chamber.pk,
                                                "body": "  "})) == {"body": "承诺书正文不能为空"}


def test_signatures_scope_and_enterprise_signing(city: City) -> None:
    own = api(city, Role.ENTERPRISE_USER)
    listed = own.get("/signatures").json()
    assert {s["member_name"] for s in listed["items"]} == {"华为技术有限公司"}
    assert names(api(city, Role.CHAMBER_OFFICER).get(
        "/signatures", commitment=city.commitment.pk)) == {"华为技术有限公司", "杭州清风软件有限公司"}
    v2 = actions.do_draft_commitment(actor=None, organisation=city.chamber, body="第二版")
    actions.do_publish_commitment(v2, actor=None)
    response = own.post("/signatures", {"commitment": v2.pk, "member": city.enterprises[0].pk,
                                        "signer_name": "法人代表", "signer_title": "董事长"})
    assert response.status_code == 201, response.content
    assert response.json()["commitment_version"] == 2
    assert errors(own.post("/signatures", {"commitment": v2.pk,
                                           "member": city.enterprises[0].pk,
                                           "signer_name": "法人代表"})) == {
        "commitment": "华为技术有限公司 已签署该版本承诺书"}
    assert errors(own.post("/signatures", {"commitment": v2.pk, "member": city.enterprises[1].pk,
                                           "signer_name": "x"})) == {
        "member": "未找到该记录，或不在您的权限范围内"}
    assert api(city, Role.AUDITOR).post("/signatures", {
        "commitment": v2.pk, "member": city.enterprises[1].pk, "signer_name": "x",
    }).status_code == 403


# --- the OpenAPI document ------------------------------------------------------------------


def test_openapi_schema_lists_the_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in ("/api/v1/organisations", "/api/v1/organisations/{pk}", "/api/v1/people",
                 "/api/v1/people/{pk}", "/api/v1/memberships", "/api/v1/memberships/{pk}",
                 "/api/v1/memberships/{pk}/transition", "/api/v1/commitments",
                 "/api/v1/commitments/{pk}", "/api/v1/commitments/{pk}/publish",
                 "/api/v1/signatures", "/api/v1/me"):
        assert path in paths, path
    assert set(paths["/api/v1/organisations/{pk}"]) == {"get", "patch"}
    assert "409" in paths["/api/v1/memberships/{pk}/transition"]["post"]["responses"]
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    person = schema["components"]["schemas"]["PersonOut"]["properties"]
    assert "id_number" not in person and person["id_number_masked"]["description"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content


def test_people_created_through_the_api_are_audited_without_clear_values(city: City) -> None:
    api(city, Role.FEDERATION_OFFICER).post("/people", {"name": "钱七", "id_number": ID_NUMBER})
    person = Person.objects.get(name="钱七")
    record = AuditRecord.objects.get(object_type="registry.person", object_id=str(person.pk))
    assert ID_NUMBER not in json.dumps(record.after, ensure_ascii=False)
