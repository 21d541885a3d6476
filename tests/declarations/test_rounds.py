"""Conflict-of-interest rounds through the actions: roster, declarations, progress, closing,
and roster files that are refused whole."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from qinglian.core.audit import verify_chain
from qinglian.core.choices import Role
from qinglian.core.imports import TableError
from qinglian.core.models import AuditRecord
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.declarations import round_actions
from qinglian.declarations.choices import RoundStatus
from qinglian.declarations.models import ConflictRound, Interest, RosterEntry
from qinglian.declarations.queries import RosterFilter, list_rounds, roster
from qinglian.declarations.roster import read_roster
from tests.conftest import City

from .conftest import interest, open_round

pytestmark = pytest.mark.django_db

ADMIN, FED, CH, ENT, DEPT, AUDITOR = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                      Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER, Role.AUDITOR)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_one_round_per_organisation_and_year(city: City) -> None:
    first = open_round(city.enterprises[0], city.users[ENT])
    assert first.title == "2026 年度利益冲突申报" and first.status == RoundStatus.OPEN
    with pytest.raises(ValidationError, match="已经发起"):
        open_round(city.enterprises[0], city.users[ENT], people=())
    assert open_round(city.enterprises[1], people=()).pk


@pytest.mark.parametrize(("role", "allowed"), [(ENT, True), (CH, False), (FED, False),
                                               (AUDITOR, False), (DEPT, False), (ADMIN, True)])
def test_who_opens_an_enterprises_round(city: City, role: str, allowed: bool) -> None:
    if allowed:
        assert open_round(city.enterprises[0], city.users[role], people=()).pk
    else:
        with pytest.raises(PermissionDenied):
            open_round(city.enterprises[0], city.users[role], people=())


def test_progress_counts_who_has_and_has_not_declared(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], city.users[ENT])
    wang, li, _zhang = conflict_round.entries.order_by("pk")
    round_actions.do_declare_conflicts(wang, no_conflict=False, interests=[interest()],
                                       actor=city.users[ENT])
    round_actions.do_declare_conflicts(li, no_conflict=True, interests=[], actor=city.users[ENT])
    row = list_rounds(city.users[ENT]).get(pk=conflict_round.pk)
    assert (row.total, row.declared, row.conflicted) == (3, 2, 1)  # type: ignore[attr-defined]
    user = city.users[ENT]
    pending = roster(conflict_round, user, RosterFilter(state="pending"))
    assert [e.name for e in pending] == ["张伟"]
    assert [e.name for e in roster(conflict_round, user, RosterFilter(state="conflict"))] == ["王建国"]
    assert roster(conflict_round, user, RosterFilter())[0].name == "张伟"  # pending first
    assert not list_rounds(city.users[CH]).exists()  # the enterprise's business
    assert not list_rounds(city.users[FED]).exists()


def test_declaring_again_replaces_the_interests(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], city.users[ENT])
    wang = conflict_round.entries.get(name="王建国")
    round_actions.do_declare_conflicts(
        wang, no_conflict=False, actor=city.users[ENT],
        interests=[interest(), interest(holder="self", holder_name="", relation="",
                                        counterparty="杭州清风软件有限公司",
                                        counterparty_kind="customer", nature="employment")])
    assert wang.interests.count() == 2
    assert set(wang.interests.values_list("holder_name", flat=True)) == {"王小明", ""}
    round_actions.do_declare_conflicts(wang, no_conflict=True, interests=[], actor=city.users[ENT])
    assert not Interest.objects.exists() and wang.no_conflict is True
    assert AuditRecord.objects.filter(event="conflict.declared").count() == 2
    assert verify_chain().ok


@pytest.mark.parametrize(("no_conflict", "interests", "message"), [
    (True, [interest()], "不能同时填写"),
    (False, [], "请填写利益关系"),
    (False, [interest(measures="")], "第 1 项：此项为必填项"),
    (False, [interest(holder_name="")], "第 1 项"),
    (False, [interest(), interest(counterparty_kind="friend")], "第 2 项：请选择单位类型"),
])
def test_bad_declarations_are_refused(city: City, no_conflict: bool,
                                      interests: list[dict[str, object]], message: str) -> None:
    conflict_round = open_round(city.enterprises[0])
    entry = conflict_round.entries.first()
    assert entry is not None
    with pytest.raises(ValidationError, match=message):
        round_actions.do_declare_conflicts(entry, no_conflict=no_conflict, interests=interests,
                                           actor=city.users[ENT])
    entry.refresh_from_db()
    assert entry.declared_at is None


def test_a_closed_round_takes_nothing_until_reopened(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], city.users[ENT])
    entry = conflict_round.entries.first()
    assert entry is not None
    round_actions.do_close_conflict_round(conflict_round, actor=city.users[ENT])
    assert conflict_round.status == RoundStatus.CLOSED and conflict_round.closed_at
    with pytest.raises(TransitionNotAllowed):
        round_actions.do_close_conflict_round(conflict_round, actor=city.users[ENT])
    with pytest.raises(ValidationError, match="已结束"):
        round_actions.do_declare_conflicts(entry, no_conflict=True, interests=[],
                                           actor=city.users[ENT])
    with pytest.raises(ValidationError, match="已结束"):
        round_actions.do_add_roster_entry(conflict_round, name="赵敏", department="行政部",
                                          actor=city.users[ENT])
    round_actions.do_reopen_conflict_round(conflict_round, actor=city.users[ENT])
    assert conflict_round.status == RoundStatus.OPEN and conflict_round.closed_at is None
    round_actions.do_declare_conflicts(entry, no_conflict=True, interests=[], actor=city.users[ENT])


def test_roster_entries_are_unique_however_spelled(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], people=(("王建国", "采购部"),))
    with pytest.raises(ValidationError, match="已在申报人名单中"):
        round_actions.do_add_roster_entry(conflict_round, name="王 建国", department="采购部 ",
                                          actor=None)
    assert round_actions.do_add_roster_entry(conflict_round, name="王建国", department="工程部",
                                             actor=None).pk


def test_a_declared_entry_stays_on_the_roster(city: City) -> None:
    conflict_round = open_round(city.enterprises[0])
    wang, li = conflict_round.entries.order_by("pk")[:2]
    round_actions.do_declare_conflicts(wang, no_conflict=True, interests=[], actor=None)
    with pytest.raises(ValidationError, match="已经申报"):
        round_actions.do_remove_roster_entry(wang, actor=city.users[ENT])
    li_pk = li.pk
    round_actions.do_remove_roster_entry(li, actor=city.users[ENT])
    assert not RosterEntry.objects.filter(pk=li_pk).exists()
    assert AuditRecord.objects.filter(action="delete", object_type="declarations.rosterentry",
                                      object_id=str(li_pk)).exists()


def test_next_year_carries_the_roster_over(city: City) -> None:
    last = open_round(city.enterprises[0], year=2025, due_on=dt.date(2025, 3, 31))
    this = round_actions.do_open_conflict_round(city.enterprises[0], year=2026,
                                                due_on=dt.date(2026, 3, 31), copy_from=last,
                                                actor=city.users[ENT])
    assert sorted(this.entries.values_list("name", flat=True)) == sorted(
        last.entries.values_list("name", flat=True))
    assert not this.entries.filter(declared_at__isnull=False).exists()
    other = open_round(city.enterprises[1], people=())
    with pytest.raises(ValidationError):
        round_actions.do_open_conflict_round(city.enterprises[1], year=2027,
                                             due_on=dt.date(2027, 3, 31), copy_from=last, actor=None)
    assert other.pk


# --- roster files -----------------------------------------------------------------------------


def test_a_good_roster_file_adds_everyone(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], people=(("王建国", "采购部"),))
    content = _xlsx([["姓名*", "部门*", "岗位"], ["李丽", "财务部", "出纳"], ["张伟", "销售部", None]])
    rows = read_roster(content, "名单.xlsx", set(conflict_round.entries.values_list(
        "person_key", flat=True)))
    added = round_actions.do_import_roster(conflict_round, rows, actor=city.users[ENT],
                                           file_name="名单.xlsx")
    assert added == 2 and conflict_round.entries.count() == 3
    event = AuditRecord.objects.get(event="conflict_round.roster_imported")
    assert event.after == {"added": 2, "file": "名单.xlsx"}


def test_a_csv_in_gbk_reads_too(city: City) -> None:
    content = "姓名,部门\n李丽,财务部\n".encode("gb18030")
    assert [r.name for r in read_roster(content, "名单.csv", set())] == ["李丽"]


def test_a_bad_roster_file_names_every_bad_row_and_adds_no_one(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], people=(("王建国", "采购部"),))
    content = _xlsx([["姓名", "部门", "岗位"], ["李丽", "财务部", ""], ["", "销售部", ""],
                     ["李丽", "财务部", ""], ["ＷＡＮＧ", "", ""], ["王建国", "采购部", ""],
                     ["赵" * 70, "行政部", ""]])
    existing = set(conflict_round.entries.values_list("person_key", flat=True))
    with pytest.raises(TableError) as caught:
        read_roster(content, "名单.xlsx", existing)
    reasons = [(e.row, e.reason) for e in caught.value.errors]
    assert reasons == [(3, "姓名不能为空"), (4, "与第 2 行重复：同一部门的同一人只能列一次"),
                       (5, "部门不能为空"), (6, "王建国（采购部）已在申报人名单中"),
                       (7, "姓名不能超过 64 个字符")]
    assert conflict_round.entries.count() == 1


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "a.xlsx", "0 字节"),
    (b"hello", "a.xls", "旧版 Excel"),
    (b"hello", "a.txt", "只能导入"),
    ("单位,电话\n甲,1\n".encode(), "a.csv", "无法识别的列"),
    ("姓名,部门\n".encode(), "a.csv", "只有表头"),
])
def test_unreadable_roster_files(content: bytes, name: str, message: str) -> None:
    with pytest.raises(TableError) as caught:
        read_roster(content, name, set())
    assert message in str(caught.value)


def test_the_action_checks_the_rows_again(city: City) -> None:
    conflict_round = open_round(city.enterprises[0], people=())
    rows = read_roster("姓名,部门\n李丽,财务部\n".encode(), "a.csv", set())
    round_actions.do_add_roster_entry(conflict_round, name="李丽", department="财务部", actor=None)
    with pytest.raises(ValidationError, match="第 2 行"):
        round_actions.do_import_roster(conflict_round, rows, actor=None)
    assert ConflictRound.objects.get(pk=conflict_round.pk).entries.count() == 1
