"""Conflict-round pages: opening a round, the roster by hand and by file (a bad file adds no
one and says why, row by row), declaring with the interests form, progress and overdue, the
reminder list, closing and reopening, and pages in English."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from qinglian.core.choices import Role
from qinglian.declarations import round_actions
from qinglian.declarations.choices import RoundStatus
from qinglian.declarations.models import ConflictRound, Interest, RosterEntry
from tests.conftest import City

from .conftest import interest, open_round

pytestmark = pytest.mark.django_db

ADMIN, FED, CH, ENT, DEPT, AUDITOR = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                      Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER, Role.AUDITOR)


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def _xlsx(rows: list[list[Any]], name: str = "名单.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _declare_data(no_conflict: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {"no_conflict": no_conflict, "statement": "", "interest-TOTAL_FORMS": str(len(rows)),
            "interest-INITIAL_FORMS": "0", "interest-MIN_NUM_FORMS": "0",
            "interest-MAX_NUM_FORMS": "30"}
    for n, row in enumerate(rows):
        data.update({f"interest-{n}-{k}": v for k, v in row.items()})
    return data


def test_opening_a_round_with_last_years_roster(city: City) -> None:
    today = timezone.localdate()
    last = open_round(city.enterprises[0], year=today.year - 1, due_on=dt.date(today.year - 1, 3, 31))
    client = city.client(ENT)
    html = _text(client.get("/declarations/conflicts/new/"))
    assert str(last.title) in html
    response = client.post("/declarations/conflicts/new/", {
        "year": str(today.year), "due_on": (today + dt.timedelta(days=20)).isoformat(),
        "copy_from": str(last.pk)})
    created = ConflictRound.objects.get(year=today.year)
    assert response.status_code == 302 and created.entries.count() == 3
    html = _text(client.post("/declarations/conflicts/new/", {
        "year": str(today.year), "due_on": today.isoformat()}))
    assert f"本单位 {today.year} 年度的利益冲突申报已经发起" in html


def test_the_round_page_shows_who_has_and_has_not_declared(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], due_on=timezone.localdate() + dt.timedelta(days=5))
    wang = conflict_round.entries.get(name="王建国")
    round_actions.do_declare_conflicts(wang, no_conflict=False, interests=[interest()], actor=None)
    round_actions.do_declare_conflicts(conflict_round.entries.get(name="李丽"), no_conflict=True,
                                       interests=[], actor=None)
    client = city.client(ENT)
    html = _text(client.get(f"/declarations/conflicts/{conflict_round.pk}/"))
    assert re.search(r'data-testid="stat-total">.*?<div class="value mt-1">3<', html)
    assert re.search(r'data-testid="stat-declared">.*?>2<', html)
    assert re.search(r'data-testid="stat-pending">.*?未申报.*?>1<', html)
    assert "申报利益关系 1 项" in html and "无利益冲突" in html
    assert 'data-testid="overdue-alert"' not in html
    pending = _text(client.get(f"/declarations/conflicts/{conflict_round.pk}/?state=pending"))
    assert pending.count('data-testid="roster-row"') == 1 and "张伟" in pending
    listing = _text(client.get("/declarations/conflicts/"))
    assert "2 / 3" in listing


def test_overdue_and_the_reminder_list(city: City) -> None:
    today = timezone.localdate()
    conflict_round = open_round(city.enterprises[0], due_on=today - dt.timedelta(days=3))
    round_actions.do_declare_conflicts(conflict_round.entries.get(name="李丽"), no_conflict=True,
                                       interests=[], actor=None)
    client = city.client(ENT)
    html = _text(client.get(f"/declarations/conflicts/{conflict_round.pk}/"))
    assert 'data-testid="overdue-alert"' in html and "仍有 2 人未申报" in html
    assert html.count("逾期未申报") >= 3  # the card and two rows
    rows = _sheet(client.get(f"/declarations/conflicts/{conflict_round.pk}/?export=reminders"))
    assert rows[0] == ("姓名", "部门", "岗位", "申报截止日期", "逾期天数")
    assert sorted(r[0] for r in rows[1:]) == ["张伟", "王建国"] and rows[1][4] == 3
    everyone = _sheet(client.get(f"/declarations/conflicts/{conflict_round.pk}/?export=xlsx"))
    assert sorted(r[3] for r in everyone[1:]) == ["无利益冲突", "逾期未申报", "逾期未申报"]
    assert "逾期" in _text(client.get("/declarations/conflicts/"))


def test_adding_people_by_hand(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], people=(("王建国", "采购部"),))
    client = city.client(ENT)
    response = client.post(f"/declarations/conflicts/{conflict_round.pk}/roster/add/",
                           {"name": "李丽", "department": "财务部", "another": "1"})
    assert response.status_code == 302 and response["Location"].endswith("/roster/add/")
    html = _text(client.post(f"/declarations/conflicts/{conflict_round.pk}/roster/add/",
                             {"name": "王建国", "department": "采购部"}))
    assert "王建国（采购部）已在申报人名单中" in html and conflict_round.entries.count() == 2


def test_uploading_a_roster(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], people=(("王建国", "采购部"),))
    client = city.client(ENT)
    url = f"/declarations/conflicts/{conflict_round.pk}/roster/upload/"
    bad = _xlsx([["姓名", "部门", "岗位"], ["李丽", "财务部", ""], ["", "销售部", ""],
                 ["王建国", "采购部", ""]])
    html = _text(client.post(url, {"file": bad}))
    assert "名单中有 2 处错误，未导入任何人员" in html
    assert html.count('data-testid="roster-error"') == 2
    assert "姓名不能为空" in html and "王建国（采购部）已在申报人名单中" in html
    assert conflict_round.entries.count() == 1
    html = _text(client.post(url, {"file": SimpleUploadedFile("名单.xls", b"\xd0\xcf\x11\xe0")}))
    assert "只能上传 .xlsx 或 .csv 文件" in html
    good = _xlsx([["姓名", "部门", "岗位"], ["李丽", "财务部", "出纳"], ["张伟", "销售部", ""]])
    response = client.post(url, {"file": good}, follow=True)
    assert "已导入 2 名申报人" in _text(response) and conflict_round.entries.count() == 3


def test_the_roster_template(city: City) -> None:
    client = city.client(ENT)
    response = client.get("/declarations/conflicts/roster-template/")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["姓名*", "部门*", "岗位"]
    csv = client.get("/declarations/conflicts/roster-template/?format=csv")
    assert csv.content.decode("utf-8-sig").startswith("姓名*,部门*,岗位")


def test_declaring_with_the_interests_form(city: City) -> None:
    conflict_round = open_round(city.enterprises[0])
    wang = conflict_round.entries.get(name="王建国")
    client = city.client(ENT)
    url = f"/declarations/conflicts/entries/{wang.pk}/"
    html = _text(client.get(url))
    assert 'data-testid="conflict-form"' in html and html.count('name="interest-') > 10
    row = {"holder": "relative", "holder_name": "王小明", "relation": "子女",
           "counterparty": "杭州瓯江贸易有限公司", "counterparty_kind": "vendor",
           "nature": "shareholding", "detail": "持股 30%", "measures": ""}
    html = _text(client.post(url, _declare_data("no", [row])))
    assert "这个字段是必填项" in html and not Interest.objects.exists()
    html = _text(client.post(url, _declare_data("yes", [row | {"measures": "回避"}])))
    assert "声明“无利益冲突”时不能同时填写利益关系" in html
    blank = dict.fromkeys(row, "")
    response = client.post(url, _declare_data("no", [row | {"measures": "回避采购事项"}, blank]),
                           follow=True)
    assert "已记录 王建国 的利益冲突申报" in _text(response)
    assert Interest.objects.get().measures == "回避采购事项"
    html = _text(client.get(url))
    assert 'data-testid="interest-row"' in html and "重新申报" in html
    client.post(url, _declare_data("yes", []))
    wang.refresh_from_db()
    assert wang.no_conflict is True and not Interest.objects.exists()


def test_closing_reopening_and_removing(city: City) -> None:
    conflict_round = open_round(city.enterprises[0])
    client = city.client(ENT)
    zhang = conflict_round.entries.get(name="张伟")
    html = _text(client.post(f"/declarations/conflicts/entries/{zhang.pk}/remove/", follow=True))
    assert "已将 张伟 移出申报人名单" in html and not RosterEntry.objects.filter(name="张伟").exists()
    client.post(f"/declarations/conflicts/{conflict_round.pk}/close/")
    conflict_round.refresh_from_db()
    assert conflict_round.status == RoundStatus.CLOSED
    html = _text(client.get(f"/declarations/conflicts/{conflict_round.pk}/"))
    assert 'data-testid="round-reopen"' in html and 'data-testid="roster-add"' not in html
    wang = conflict_round.entries.get(name="王建国")
    html = _text(client.get(f"/declarations/conflicts/entries/{wang.pk}/"))
    assert 'data-testid="conflict-form"' not in html and "本轮申报已结束" in html
    html = _text(client.post(f"/declarations/conflicts/entries/{wang.pk}/",
                             _declare_data("yes", []), follow=True))
    assert "该轮利益冲突申报已结束" in html
    html = _text(client.post(f"/declarations/conflicts/{conflict_round.pk}/close/", follow=True))
    assert "不允许从“已结束”变为“已结束”" in html
    client.post(f"/declarations/conflicts/{conflict_round.pk}/reopen/")
    conflict_round.refresh_from_db()
    assert conflict_round.status == RoundStatus.OPEN


def test_other_organisations_see_no_round(city: City) -> None:
    conflict_round = open_round(city.enterprises[0])
    for role in (CH, FED, AUDITOR):
        assert city.client(role).get(f"/declarations/conflicts/{conflict_round.pk}/").status_code == 404
        assert 'data-testid="round-row"' not in _text(city.client(role).get("/declarations/conflicts/"))
    chamber_round = open_round(city.chamber, people=(("秘书长", "秘书处"),))
    assert city.client(CH).get(f"/declarations/conflicts/{chamber_round.pk}/").status_code == 200
