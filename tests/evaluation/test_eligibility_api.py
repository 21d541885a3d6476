"""The eligibility check through the API: happy path, per-item 422, scope and permissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from qinglian.core.actions import do_create_api_token
from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.evaluation.eligibility import NOT_FOUND
from qinglian.evaluation.models import EligibilityCheck
from tests.conftest import USCC_HUAWEI, City, make_uscc

from .world import World, publish

pytestmark = pytest.mark.django_db

ADMIN, FED, CH, ENT, DEPT, AUDITOR = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                      Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER, Role.AUDITOR)
PERSON_ID = "330106198501011231"
STRANGER_ID = "11010519491231002X"
PATH = "/api/v1/evaluation/eligibility-checks"


class Api:
    def __init__(self, user: User) -> None:
        _, secret = do_create_api_token(user, "测试", actor=None)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def get(self, path: str = "", **params: Any) -> Any:
        return self.client.get(f"{PATH}{path}", params)

    def post(self, body: dict[str, Any]) -> Any:
        return self.client.post(PATH, json.dumps(body), content_type="application/json")


def api(city: City, role: str) -> Api:
    return Api(city.users[role])


def body(*nominees: Any, **extra: Any) -> dict[str, Any]:
    listed = [n if isinstance(n, dict) else {"identifier": n} for n in nominees]
    return {"purpose": "political", "title": "区政协委员推荐人选", "nominees": listed, **extra}


def test_check_returns_the_stored_outcomes(city: City, world: World) -> None:
    publish(city, world, strengths={city.enterprises[1].pk: "poor"})
    response = api(city, FED).post(body(
        {"identifier": USCC_HUAWEI, "name": "华为"}, make_uscc(1),
        {"identifier": PERSON_ID, "name": "周清源"}, STRANGER_ID))
    assert response.status_code == 201, response.content
    answer = response.json()
    check = EligibilityCheck.objects.get()
    assert answer["id"] == check.pk and answer["federation_id"] == city.federation.pk
    assert answer["purpose"] == "political" and answer["purpose_label"].startswith("政治安排")
    assert (answer["nominee_count"], answer["ineligible_count"]) == (4, 2)
    assert answer["submitted_by"] == "fed"
    nominees = answer["nominees"]
    assert [n["line"] for n in nominees] == [1, 2, 3, 4]
    assert nominees[0] == {
        "line": 1, "kind": "enterprise", "kind_label": "企业", "name": "华为",
        "identifier_masked": USCC_HUAWEI, "eligible": True, "reasons": [],
        "organisation_id": city.enterprises[0].pk, "person_id": None}
    assert nominees[1]["name"] == "杭州清风软件有限公司" and not nominees[1]["eligible"]
    assert nominees[1]["reasons"][0].startswith("2026 年度清廉指数等级为不达标")
    assert nominees[2]["identifier_masked"] == "330***********1231"
    assert nominees[2]["person_id"] == city.person.pk and nominees[2]["eligible"]
    assert nominees[3]["reasons"] == [NOT_FOUND]
    assert PERSON_ID not in response.content.decode() and STRANGER_ID not in response.content.decode()
    again = api(city, AUDITOR).get(f"/{check.pk}")
    assert again.status_code == 200 and again.json() == answer


def test_bad_entries_answer_422_item_by_item_and_store_nothing(city: City) -> None:
    bad_id = PERSON_ID[:-1] + "0"
    response = api(city, FED).post(body(USCC_HUAWEI, "12345", USCC_HUAWEI, bad_id, ""))
    assert response.status_code == 422
    detail = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert detail == {
        "nominees.1.identifier": "第 2 项：证件号码应为 18 位（统一社会信用代码或身份证号），实际 5 位",
        "nominees.2.identifier": "第 3 项：与第 1 项重复：同一名单中每名人选只能出现一次",
        "nominees.3.identifier": "第 4 项：身份证号校验位错误",
        "nominees.4.identifier": "第 5 项：缺少证件号码（统一社会信用代码或身份证号）",
    }
    assert bad_id not in response.content.decode()
    assert not EligibilityCheck.objects.exists()


def test_schema_and_list_errors_are_in_chinese(city: City) -> None:
    client = api(city, FED)
    detail = client.post({"purpose": "bogus", "title": "", "nominees": []}).json()["detail"]
    fields = {e["field"]: e["message"] for e in detail}
    assert fields["purpose"].startswith("取值无效，可选值：") and fields["title"] == "至少需要 1 个字符"
    empty = client.post(body()).json()["detail"]
    assert empty == [{"field": "nominees", "message": "名单是空的：请至少填写一名人选"}]
    over = client.post(body(*[make_uscc(i) for i in range(2001)])).json()["detail"]
    assert over == [{"field": "nominees",
                     "message": "名单共 2,001 名人选，超过单次 2,000 名的上限，请拆分为多次审核"}]


def test_federation_is_the_callers_own_or_named_by_the_administrator(city: City) -> None:
    other = {"federation": city.other_federation.pk}
    refused = api(city, FED).post(body(USCC_HUAWEI, **other))
    assert refused.status_code == 422
    assert refused.json()["detail"] == [{"field": "federation", "message": "只能在本工商联辖区内开展资格联审"}]
    admin = api(city, ADMIN)
    assert admin.post(body(USCC_HUAWEI)).json()["detail"] == [
        {"field": "federation", "message": "请填写工商联编号"}]
    done = admin.post(body(make_uscc(3), **other))
    assert done.status_code == 201 and done.json()["nominees"][0]["organisation_id"] == city.outsider.pk


@pytest.mark.parametrize("role", [ENT, DEPT, AUDITOR])
def test_only_officers_check(city: City, role: str) -> None:
    assert api(city, role).post(body(USCC_HUAWEI)).status_code == 403


def test_reads_follow_the_pages_scope(city: City) -> None:
    assert api(city, CH).post(body(USCC_HUAWEI, title="商会推荐")).status_code == 201
    assert api(city, FED).post(body(USCC_HUAWEI, title="工商联推荐")).status_code == 201
    mine, theirs = EligibilityCheck.objects.order_by("id")
    chamber = api(city, CH)
    assert [c["title"] for c in chamber.get().json()["items"]] == ["商会推荐"]
    assert chamber.get(f"/{theirs.pk}").status_code == 404
    assert {c["title"] for c in api(city, FED).get().json()["items"]} == {"商会推荐", "工商联推荐"}
    assert api(city, FED).get(purpose="award").json()["count"] == 0
    year = mine.submitted_at.year
    assert api(city, AUDITOR).get(year=year).json()["count"] == 2
    assert api(city, AUDITOR).get(year=year - 1).json()["count"] == 0
    assert api(city, ENT).get().status_code == 403
    assert Client().get(PATH).status_code == 401
