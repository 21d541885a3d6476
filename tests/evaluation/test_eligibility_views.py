"""资格联审 pages role by role: the list with the year's roll-up, the form with its line-by-line
error report, the result page, its export and its filters."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.evaluation.eligibility import NOT_FOUND, do_check_eligibility
from qinglian.evaluation.eligibility_lists import parse_pasted
from qinglian.evaluation.models import EligibilityCheck
from tests.conftest import USCC_HUAWEI, City, make_uscc

from .world import World, publish

pytestmark = pytest.mark.django_db

ADMIN, FED, CH, ENT, DEPT, AUDITOR = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                      Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER, Role.AUDITOR)
PERSON_ID = "330106198501011231"
STRANGER_ID = "11010519491231002X"


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _run(city: City, text: str, role: str = FED, title: str = "2026 年度优秀民营企业评选") -> EligibilityCheck:
    return do_check_eligibility(city.federation, purpose="award", title=title,
                                entries=parse_pasted(text), actor=city.users[role])


@pytest.fixture
def published(city: City, world: World) -> World:
    """2026 published; 清风 (enterprises[1]) is 不达标."""
    return publish(city, world, strengths={city.enterprises[1].pk: "poor"})


def test_list_shows_checks_and_the_years_rollup(city: City, published: World) -> None:
    _run(city, f"{USCC_HUAWEI}\n{make_uscc(1)}\n{STRANGER_ID}")
    _run(city, f"{make_uscc(1)}", title="第十三届区政协委员推荐")
    response = city.client(FED).get("/evaluation/eligibility/")
    html = _text(response)
    assert response.status_code == 200
    assert "本年度累计审核 4 人次，否决 1 人" in html
    assert "共 2 次联审；另有 1 人平台无记录或无法核验，须线下核实" in html
    assert html.count('data-testid="eligibility-row"') == 2
    assert "第十三届区政协委员推荐" in html and 'data-testid="eligibility-new"' in html


def test_list_filters_by_year_and_purpose(city: City, published: World) -> None:
    check = _run(city, USCC_HUAWEI)
    client = city.client(FED)
    year = check.submitted_at.year
    assert 'data-testid="eligibility-row"' in _text(client.get(f"/evaluation/eligibility/?year={year}"))
    past = _text(client.get(f"/evaluation/eligibility/?year={year - 1}"))
    assert "没有符合筛选条件的资格联审记录" in past and f"{year - 1} 年度没有资格联审记录" in past
    assert "没有符合筛选条件" in _text(client.get("/evaluation/eligibility/?purpose=political"))
    assert client.get("/evaluation/eligibility/?year=²⁰²⁶").status_code == 200  # ignored, not a 500


def test_empty_list_invites_a_first_check(city: City) -> None:
    html = _text(city.client(FED).get("/evaluation/eligibility/"))
    assert "还没有资格联审记录" in html and "本年度尚未开展资格联审" in html


@pytest.mark.parametrize(("role", "status"), [(ENT, 403), (DEPT, 403), (AUDITOR, 200), (CH, 200)])
def test_who_may_read_the_list(city: City, role: str, status: int) -> None:
    response = city.client(role).get("/evaluation/eligibility/")
    assert response.status_code == status
    if status == 200:
        assert ('data-testid="eligibility-new"' in _text(response)) == (role == CH)


def test_chamber_sees_only_its_own_checks(city: City) -> None:
    mine = _run(city, USCC_HUAWEI, role=CH, title="商会推荐")
    theirs = _run(city, USCC_HUAWEI, role=FED, title="工商联推荐")
    client = city.client(CH)
    html = _text(client.get("/evaluation/eligibility/"))
    assert "商会推荐" in html and "工商联推荐" not in html
    assert client.get(f"/evaluation/eligibility/{mine.pk}/").status_code == 200
    assert client.get(f"/evaluation/eligibility/{theirs.pk}/").status_code == 404
    assert city.client(AUDITOR).get(f"/evaluation/eligibility/{mine.pk}/").status_code == 200


def test_paste_a_list_and_read_the_result(city: City, published: World) -> None:
    client = city.client(FED)
    text = f"{USCC_HUAWEI}\t华为技术有限公司\n{make_uscc(1)}\n{PERSON_ID}\t周清源\n{STRANGER_ID}\t张三\n"
    response = client.post("/evaluation/eligibility/new/", {
        "purpose": "political", "title": "区人大代表推荐人选", "pasted": text})
    check = EligibilityCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/eligibility/{check.pk}/"
    response = client.get(response["Location"])
    html = _text(response)
    assert (check.nominee_count, check.ineligible_count) == (4, 2)
    assert "资格联审完成：共 4 名人选，2 名不符合条件" in html
    assert html.count('data-testid="nominee-eligible"') == 2
    assert html.count('data-testid="nominee-ineligible"') == 2
    assert "2026 年度清廉指数等级为不达标" in html and NOT_FOUND in html
    assert "330***********1231" in html and PERSON_ID not in html
    assert f'href="/organisations/{city.enterprises[0].pk}/"' in html
    assert f'href="/people/{city.person.pk}/"' in html
    assert 'data-testid="eligibility-offline"' in html
    only_bad = _text(client.get(f"/evaluation/eligibility/{check.pk}/?outcome=ineligible"))
    assert only_bad.count('data-testid="nominee-row"') == 2 and "nominee-eligible" not in only_bad


def test_bad_list_is_reported_line_by_line_and_nothing_is_stored(city: City) -> None:
    text = f"{USCC_HUAWEI}\n{USCC_HUAWEI}\n{PERSON_ID[:-1]}0\n"
    response = city.client(FED).post("/evaluation/eligibility/new/", {
        "purpose": "award", "title": "评优", "pasted": text})
    html = _text(response)
    assert response.status_code == 200
    assert "名单中有 2 处错误，未作审核、未保存任何数据" in html
    assert html.count('data-testid="eligibility-line-error"') == 2
    assert "与第 1 行重复" in html and "身份证号校验位错误" in html
    assert "330***********1230" in html
    assert not EligibilityCheck.objects.exists()


def test_form_asks_for_a_list_and_a_purpose(city: City) -> None:
    response = city.client(FED).post("/evaluation/eligibility/new/", {"title": ""})
    html = _text(response)
    assert "请选择审核用途" in html and "请填写事项名称" in html
    assert "请粘贴人选名单，或上传名单文件" in html
    upload = SimpleUploadedFile("名单.csv", f"证件号码\n{USCC_HUAWEI}\n".encode())
    both = city.client(FED).post("/evaluation/eligibility/new/", {
        "purpose": "award", "title": "评优", "pasted": USCC_HUAWEI, "file": upload})
    assert "请在“粘贴名单”和“上传名单文件”中二选一" in _text(both)
    wrong = SimpleUploadedFile("名单.pdf", b"%PDF-1.4")
    assert "只能上传 .xlsx 或 .csv 文件" in _text(city.client(FED).post(
        "/evaluation/eligibility/new/", {"purpose": "award", "title": "评优", "file": wrong}))


def test_upload_a_file(city: City, world: World) -> None:
    upload = SimpleUploadedFile("名单.csv", f"名称,统一社会信用代码\n华为,{USCC_HUAWEI}\n,{make_uscc(2)}\n".encode())
    response = city.client(CH).post("/evaluation/eligibility/new/", {
        "purpose": "four_goods", "title": "四好商会评选", "file": upload})
    assert response.status_code == 302
    check = EligibilityCheck.objects.get()
    assert list(check.nominees.values_list("line", "name", "eligible")) == [
        (2, "华为", True), (3, "", False)]  # 瓯江 is not a member of the Internet chamber
    headerless = SimpleUploadedFile("名单.csv", "名称\n华为\n".encode())
    html = _text(city.client(CH).post("/evaluation/eligibility/new/", {
        "purpose": "award", "title": "评优", "file": headerless}))
    assert "缺少必填列：证件号码" in html


def test_administrator_chooses_the_federation(city: City) -> None:
    client = city.client(ADMIN)
    assert "请选择工商联" in _text(client.post("/evaluation/eligibility/new/", {
        "purpose": "award", "title": "评优", "pasted": USCC_HUAWEI}))
    response = client.post("/evaluation/eligibility/new/", {
        "federation": city.other_federation.pk, "purpose": "award", "title": "宁波评优",
        "pasted": make_uscc(3)})
    assert response.status_code == 302
    check = EligibilityCheck.objects.get()
    assert check.federation == city.other_federation
    assert check.nominees.get().organisation == city.outsider


@pytest.mark.parametrize("role", [ENT, DEPT, AUDITOR])
def test_only_officers_open_the_form(city: City, role: str) -> None:
    assert city.client(role).get("/evaluation/eligibility/new/").status_code == 403
    assert city.client(role).post("/evaluation/eligibility/new/", {
        "purpose": "award", "title": "评优", "pasted": USCC_HUAWEI}).status_code == 403


def test_export_lists_every_nominee_with_reasons(city: City, published: World) -> None:
    check = _run(city, f"{make_uscc(1)}\t清风\n{PERSON_ID}\t周清源\n{make_uscc(2)}")
    response = city.client(AUDITOR).get(f"/evaluation/eligibility/{check.pk}/?export=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["序号", "类型", "名称/姓名", "证件号码", "结论", "不符合原因"]
    assert rows[1][:5] == [1, "企业", "清风", make_uscc(1), "不符合"]
    assert str(rows[1][5]).startswith("2026 年度清廉指数等级为不达标")
    assert rows[2][3] == "330***********1231" and rows[3][4] == "符合"
    assert PERSON_ID not in content.decode("latin-1")


def test_result_page_paginates(city: City, world: World) -> None:
    from qinglian.registry.identifiers import synthesise_uscc

    check = _run(city, "\n".join(synthesise_uscc("330100", 800_000 + i) for i in range(60)))
    client = city.client(FED)
    first = _text(client.get(f"/evaluation/eligibility/{check.pk}/"))
    assert first.count('data-testid="nominee-row"') == 50 and "共 60 条" in first
    assert _text(client.get(f"/evaluation/eligibility/{check.pk}/?page=2")).count(
        'data-testid="nominee-row"') == 10


def test_list_query_count_is_fixed(city: City, world: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert city.client(FED).get("/evaluation/eligibility/").status_code == 200
        return len(captured)

    _run(city, USCC_HUAWEI)
    few = count()
    for i in range(6):
        _run(city, f"{USCC_HUAWEI}\n{STRANGER_ID}", title=f"评优 {i}")
    assert count() == few
