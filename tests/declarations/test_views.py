"""Declaration pages role by role: entering a declaration (recorded or sent for approval),
approving and refusing, the declarant's own declaration, disposal, the registers per person and
per counterparty, exports, thresholds, the overview's counts without names, and query counts."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.declarations import round_actions
from qinglian.declarations.choices import DeclarationStatus as S
from qinglian.declarations.models import Declaration, Threshold
from tests.conftest import City

from .conftest import DAY, declare, interest, open_round

pytestmark = pytest.mark.django_db

ADMIN, FED, CH, ENT, DEPT, AUDITOR = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                      Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER, Role.AUDITOR)


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _form(**overrides: Any) -> dict[str, Any]:
    data = {"declarant_name": "李丽", "declarant_department": "财务部", "declarant_post": "出纳",
            "direction": "received", "kind": "gift", "occurred_on": DAY.isoformat(),
            "amount": "150", "description": "月饼一盒", "counterparty": "杭州瓯江贸易有限公司",
            "purpose": "中秋节走访"}
    data.update(overrides)
    return data


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


# --- entering ---------------------------------------------------------------------------------


def test_below_the_threshold_is_recorded_at_once(city: City) -> None:
    client = city.client(ENT)
    response = client.post("/declarations/new/", _form(), follow=True)
    html = _text(response)
    declaration = Declaration.objects.get()
    assert declaration.status == S.RECORDED and declaration.organisation == city.enterprises[0]
    assert declaration.entered_by == city.users[ENT]
    assert "已登记：价值低于审批门槛，无需审批" in html and "已登记" in html
    assert 'data-testid="decision-card"' not in html


def test_at_the_threshold_goes_for_approval(city: City) -> None:
    response = city.client(ENT).post("/declarations/new/", _form(amount="200"), follow=True)
    html = _text(response)
    assert Declaration.objects.get().status == S.SUBMITTED
    assert "价值达到审批门槛（200 元），已提交审批" in html
    # Whoever entered it does not decide it (segregation of duties); the disposal is theirs.
    assert 'data-testid="own-declaration"' in html and 'data-testid="approve"' not in html
    assert 'data-testid="disposal-form"' in html


def test_bad_input_is_reported_on_the_fields(city: City) -> None:
    response = city.client(ENT).post("/declarations/new/", _form(
        amount="-3", counterparty="", occurred_on="2099-01-01"))
    html = _text(response)
    assert response.status_code == 200 and not Declaration.objects.exists()
    assert "金额不能为负数" in html and "这个字段是必填项" in html


def test_a_future_date_is_refused_by_the_action(city: City) -> None:
    response = city.client(ENT).post("/declarations/new/", _form(occurred_on="2099-01-01"))
    assert "日期不能晚于今天" in _text(response) and not Declaration.objects.exists()


def test_declarant_links_are_offered_from_the_organisation(city: City) -> None:
    html = _text(city.client(ENT).get("/declarations/new/"))
    assert "enterprise（enterprise）" in html and "周清源" in html  # its user and its legal rep
    assert "chamber（chamber）" not in html
    response = city.client(ENT).post("/declarations/new/", _form(
        declarant_user=str(city.users[ENT].pk), declarant_person=str(city.person.pk)))
    declaration = Declaration.objects.get()
    assert response.status_code == 302
    assert declaration.declarant_user == city.users[ENT] and declaration.declarant_person == city.person


def test_the_create_page_shows_the_thresholds_in_force(city: City) -> None:
    Threshold.objects.create(organisation=city.enterprises[0], kind="gift", direction="received",
                             amount=Decimal(300))
    html = _text(city.client(ENT).get("/declarations/new/"))
    assert "收受礼品礼金</td><td class=\"text-end pe-3\">≥ 300 元" in html


# --- deciding ---------------------------------------------------------------------------------


def test_approving_and_refusing_from_the_page(city: City) -> None:
    client = city.client(ENT)
    first = declare(city.enterprises[0], amount=Decimal(600))
    second = declare(city.enterprises[0], amount=Decimal(600))
    html = _text(client.post(f"/declarations/{first.pk}/approve/", {"note": "同意"}, follow=True))
    assert "已批准" in html and 'data-testid="decision"' in html and "同意" in html
    html = _text(client.post(f"/declarations/{second.pk}/reject/", {"note": ""}, follow=True))
    assert "此项为必填项" in html
    second.refresh_from_db()
    assert second.status == S.SUBMITTED
    client.post(f"/declarations/{second.pk}/reject/", {"note": "价值过高，应予退还"})
    second.refresh_from_db()
    assert second.status == S.REJECTED and second.decision_note == "价值过高，应予退还"


def test_the_declarant_sees_why_they_cannot_decide(city: City, second_enterprise_user: User) -> None:
    declaration = declare(city.enterprises[0], amount=Decimal(600), declarant_user=city.users[ENT])
    html = _text(city.client(ENT).get(f"/declarations/{declaration.pk}/"))
    assert 'data-testid="own-declaration"' in html and 'data-testid="approve"' not in html
    html = _text(city.client(ENT).post(f"/declarations/{declaration.pk}/approve/", follow=True))
    assert "不能审批本人申报" in html
    other = city.client(ENT)
    other.force_login(second_enterprise_user)
    assert 'data-testid="approve"' in _text(other.get(f"/declarations/{declaration.pk}/"))


def test_auditor_reads_the_federations_declarations_without_buttons(city: City) -> None:
    declaration = declare(city.federation, amount=Decimal(600), declarant_department="办公室")
    html = _text(city.client(AUDITOR).get(f"/declarations/{declaration.pk}/"))
    assert "办公室" in html
    for testid in ("approve", "declaration-edit", "declaration-withdraw", "disposal-form"):
        assert f'data-testid="{testid}"' not in html
    assert city.client(AUDITOR).post(f"/declarations/{declaration.pk}/approve/").status_code == 403


def test_withdrawal_and_editing(city: City) -> None:
    client = city.client(ENT)
    declaration = declare(city.enterprises[0], amount=Decimal(100))
    response = client.post(f"/declarations/{declaration.pk}/edit/", _form(amount="900"),
                           follow=True)
    declaration.refresh_from_db()
    assert declaration.status == S.SUBMITTED and declaration.declarant_name == "李丽"
    assert "已保存修改" in _text(response)
    client.post(f"/declarations/{declaration.pk}/withdraw/", {"reason": "重复录入"})
    declaration.refresh_from_db()
    assert declaration.status == S.WITHDRAWN
    html = _text(client.get(f"/declarations/{declaration.pk}/edit/", follow=True))
    assert "已审批或已撤回的申报不能修改" in html
    assert 'data-testid="declaration-row"' not in _text(client.get("/declarations/"))
    assert 'data-testid="declaration-row"' in _text(client.get("/declarations/?status=withdrawn"))


def test_disposal_from_the_page(city: City) -> None:
    client = city.client(ENT)
    gift = declare(city.enterprises[0], amount=Decimal(800))
    html = _text(client.post(f"/declarations/{gift.pk}/dispose/", {
        "disposal": "purchased", "disposed_on": DAY.isoformat()}))
    assert "请填写金额" in html
    client.post(f"/declarations/{gift.pk}/dispose/", {
        "disposal": "purchased", "disposed_on": DAY.isoformat(), "amount": "800"})
    gift.refresh_from_db()
    assert gift.disposal == "purchased" and gift.disposal_amount == Decimal(800)
    html = _text(client.get(f"/declarations/{gift.pk}/"))
    assert 'data-testid="disposal">折价购买' in html


# --- list, registers, exports -----------------------------------------------------------------


def test_list_filters_and_stat_cards(city: City) -> None:
    ent = city.enterprises[0]
    declare(ent, amount=Decimal(50))
    declare(ent, amount=Decimal(800))
    declare(ent, kind="hospitality", direction="given", amount=Decimal(600), counterparty="某客户")
    client = city.client(ENT)
    html = _text(client.get("/declarations/"))
    assert html.count('data-testid="declaration-row"') == 3
    assert re.search(r'data-testid="stat-pending">.*?<div class="value mt-1 text-warning">2<', html)
    assert re.search(r'data-testid="stat-disposal">.*?<div class="value mt-1 text-danger">1<', html)
    for query, rows in (("kind=hospitality", 1), ("direction=received", 2), ("above=no", 1),
                        ("disposal=pending", 1), ("q=某客户", 1), (f"year={DAY.year - 1}", 0),
                        ("status=approved", 0), ("kind=bogus&year=²⁰", 3)):
        assert _text(client.get(f"/declarations/?{query}")).count(
            'data-testid="declaration-row"') == rows, query


def test_one_organisation_never_lists_anothers_declarations(city: City) -> None:
    declare(city.enterprises[1], declarant_name="外单位人员")
    for role in (ENT, CH, FED, AUDITOR):
        assert "外单位人员" not in _text(city.client(role).get("/declarations/")), role
        assert "外单位人员" not in _text(city.client(role).get("/declarations/people/")), role
    assert "外单位人员" in _text(city.client(ADMIN).get("/declarations/"))


def test_people_register_groups_spellings_and_totals_per_year(city: City) -> None:
    ent = city.enterprises[0]
    declare(ent, amount=Decimal(300))
    declare(ent, declarant_name="王 建国", declarant_department="采购部 ", amount=Decimal(100),
            direction="given")
    declare(ent, declarant_name="王建国", declarant_department="工程部", amount=Decimal(50))
    last_year = DAY.replace(year=DAY.year - 1)
    declare(ent, amount=Decimal(1000), kind="hospitality", occurred_on=last_year)
    client = city.client(ENT)
    html = _text(client.get("/declarations/people/"))
    assert html.count('data-testid="register-row"') == 2  # 采购部 and 工程部
    assert re.search(r"王建国</a></td> <td class=\"small\">采购部</td> <td class=\"text-end\">3</td>"
                     r" <td class=\"text-end text-nowrap\">1300元</td> <td class=\"text-end text-nowrap\">100元</td>",
                     html)
    above = _text(client.get("/declarations/people/?above=yes&status=submitted"))
    assert above.count('data-testid="register-row"') == 1  # only 王建国's 300 元 gift waits
    assert _text(client.get("/declarations/people/?kind=donation")).count(
        'data-testid="register-row"') == 0
    wang = Declaration.objects.filter(declarant_department="采购部").first()
    assert wang is not None
    html = _text(client.get(f"/declarations/people/view/?key={quote(wang.declarant_key)}"))
    assert html.count('data-testid="year-row"') == 2
    assert html.count('data-testid="declaration-row"') == 3
    assert f"<td class=\"ps-3\">{DAY.year}</td><td class=\"text-end\">2</td>" in html
    assert 'data-chart="years"' in html


def test_person_page_shows_their_conflict_declarations(city: City) -> None:
    ent = city.enterprises[0]
    declare(ent)
    conflict_round = open_round(ent)
    wang = conflict_round.entries.get(name="王建国")
    round_actions.do_declare_conflicts(wang, no_conflict=False, interests=[interest()], actor=None)
    html = _text(city.client(ENT).get(
        f"/declarations/people/view/?org={ent.pk}&key={quote(wang.person_key)}"))
    assert 'data-testid="person-conflict"' in html and "王小明" in html and "回避该供应商的采购事项" in html
    li = conflict_round.entries.get(name="李丽")  # on the roster, no gifts
    html = _text(city.client(ENT).get(f"/declarations/people/view/?key={quote(li.person_key)}"))
    assert "李丽" in html and "没有礼品、宴请或捐赠申报" in html
    assert city.client(ENT).get("/declarations/people/view/?key=nobody").status_code == 404


def test_counterparty_register_merges_spellings_and_shows_interests(city: City) -> None:
    ent = city.enterprises[0]
    for name in ("杭州清风软件有限公司", "清风软件（杭州）有限公司", "杭州清風軟件有限公司",
                 "浙江清风软件股份有限公司"):
        declare(ent, counterparty=name, amount=Decimal(100))
    declare(ent, counterparty="清风软件有限公司西湖分公司", amount=Decimal(100))
    declare(ent, counterparty="明风软件有限公司", amount=Decimal(100))
    conflict_round = open_round(ent)
    round_actions.do_declare_conflicts(
        conflict_round.entries.get(name="李丽"), no_conflict=False, actor=None,
        interests=[interest(counterparty="清风软件有限公司", counterparty_kind="customer")])
    client = city.client(ENT)
    html = _text(client.get("/declarations/counterparties/"))
    assert html.count('data-testid="register-row"') == 3  # 清风软件, its branch, 明风软件
    assert re.search(r">4</td> <td class=\"text-end text-nowrap\">400元</td>", html)
    key = Declaration.objects.filter(counterparty="杭州清风软件有限公司").get().counterparty_key
    html = _text(client.get(f"/declarations/counterparties/view/?key={quote(key)}"))
    assert html.count('data-testid="declaration-row"') == 4
    assert "清風軟件" in html and 'data-testid="counterparty-interests"' in html and "李丽" in html


def test_exports(city: City) -> None:
    ent = city.enterprises[0]
    declare(ent, amount=Decimal("1280.50"))
    declare(ent, amount=Decimal(20), declarant_name="李丽", declarant_department="财务部")
    client = city.client(ENT)
    rows = _sheet(client.get("/declarations/?export=xlsx&above=yes"))
    assert rows[0][:3] == ("编号", "申报人", "部门") and len(rows) == 2
    assert rows[1][7] == 1280.5 and rows[1][13] == "待审批" and rows[1][15] == "待处置"
    people = _sheet(client.get("/declarations/people/?export=xlsx"))
    assert [r[0] for r in people[1:]] == ["王建国", "李丽"]
    parties = _sheet(client.get("/declarations/counterparties/?export=xlsx"))
    assert parties[1][0] == "杭州清风软件有限公司" and parties[1][1] == 2
    admin_rows = _sheet(city.client(ADMIN).get("/declarations/?export=xlsx"))
    assert admin_rows[0][0] == "单位"


# --- thresholds and overview ------------------------------------------------------------------


def test_thresholds_page(city: City) -> None:
    client = city.client(ENT)
    html = _text(client.get("/declarations/thresholds/"))
    assert html.count('data-testid="threshold-row"') == 6 and 'data-testid="threshold-save"' in html
    client.post("/declarations/thresholds/", {"received_gift": "500", "given_donation": ""})
    assert Threshold.objects.get().amount == Decimal(500)
    html = _text(client.post("/declarations/thresholds/", {"received_gift": "-1"}))
    assert "金额不能为负数" in html
    html = _text(city.client(AUDITOR).get("/declarations/thresholds/"))
    assert 'data-testid="threshold-save"' not in html and "≥ 200 元" in html


def test_overview_counts_without_names(city: City) -> None:
    declare(city.enterprises[0], declarant_name="王建国", amount=Decimal(800))
    declare(city.enterprises[2], declarant_name="赵敏", amount=Decimal(50))
    declare(city.outsider, declarant_name="外辖区人员", amount=Decimal(50))
    open_round(city.enterprises[0])
    for role in (FED, AUDITOR):
        html = _text(city.client(role).get(f"/declarations/overview/?year={DAY.year}"))
        assert html.count('data-testid="overview-row"') == 2, role
        assert "华为技术有限公司" in html and "杭州瓯江贸易有限公司" in html
        assert "王建国" not in html and "赵敏" not in html and "外辖区人员" not in html
        assert "0 / 3" in html  # the round's progress
    chamber = _text(city.client(CH).get(f"/declarations/overview/?year={DAY.year}"))
    assert chamber.count('data-testid="overview-row"') == 1  # its member 华为, not 瓯江
    assert city.client(ENT).get("/declarations/overview/").status_code == 403


# --- query counts -----------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/declarations/", "/declarations/people/",
                                 "/declarations/counterparties/", "/declarations/overview/"])
def test_list_pages_run_a_fixed_number_of_queries(city: City, url: str) -> None:
    role = FED if "overview" in url else ENT
    owner = city.federation if role == FED else city.enterprises[0]
    client = city.client(role)
    declare(owner, amount=Decimal(800))
    few = _queries(client, url)
    for n in range(8):
        declare(owner, declarant_name=f"员工{n}", counterparty=f"供应商{n}有限公司",
                amount=Decimal(100 + n))
    assert _queries(client, url) == few
