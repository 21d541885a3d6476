"""Frameworks (指标体系): the shipped default, the actions' rules, the .xlsx round trip and
the import's error report (every problem, with sheet and row, and nothing written)."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.evaluation.choices import FAIL_GRADE, FrameworkStatus, ScoringMethod
from qinglian.evaluation.computed import SOURCES
from qinglian.evaluation.defaults import DEFAULT_FRAMEWORK, install_default_framework
from qinglian.evaluation.framework_actions import (
    do_copy_framework,
    do_freeze_framework,
    do_update_framework,
    framework_spec,
    validate_spec,
)
from qinglian.evaluation.framework_io import (
    FrameworkFileError,
    framework_workbook,
    import_framework,
    normalised_spec,
    read_framework,
    spec_workbook,
)
from qinglian.evaluation.framework_rows import (
    format_levels,
    parse_levels,
    parse_thresholds,
    plain_number,
)
from qinglian.evaluation.models import Framework

INDICATORS = [i for d in DEFAULT_FRAMEWORK["dimensions"] for i in d["indicators"]]


# --- the shipped default ---------------------------------------------------------------------

def test_default_framework_validates() -> None:
    assert validate_spec(DEFAULT_FRAMEWORK) == []


def test_default_framework_is_on_a_1000_point_scale() -> None:
    assert sum(Decimal(i["max_points"]) for i in INDICATORS) == 1000
    assert 30 <= len(INDICATORS) <= 40
    assert [d["name"] for d in DEFAULT_FRAMEWORK["dimensions"]] == [
        "清廉政治", "清廉经营", "清廉文化", "清廉监管"]


def test_default_framework_uses_every_method_and_source() -> None:
    assert {i["method"] for i in INDICATORS} == set(ScoringMethod.values)
    assert {i["computed_source"] for i in INDICATORS if i["method"] == "computed"} == set(SOURCES)
    assert all(i["evidence_required"] for i in INDICATORS if i["method"] == "boolean")
    assert all(len(i["guidance"]) >= 20 for i in INDICATORS)
    efficacy = [i["name"] for i in INDICATORS if i["method"] == "efficacy"]
    assert "廉洁风险点防控措施完成率" in efficacy and "合同廉洁条款签订率" in efficacy


def test_default_bands_and_negative_list() -> None:
    assert DEFAULT_FRAMEWORK["bands"] == [("标杆", 800), ("优秀", 600), ("达标", 400),
                                          (FAIL_GRADE, 0)]
    names = [n["name"] for n in DEFAULT_FRAMEWORK["negative_items"]]
    for wanted in ("行贿受贿", "拖欠农民工工资", "偷税漏税", "侵犯知识产权、制售假冒伪劣",
                   "严重失信（被列入黑名单）", "法定代表人受刑事处罚", "重大安全生产或生态环境事故"):
        assert wanted in names
    assert len(names) >= 8
    assert all(len(n["description"]) >= 20 for n in DEFAULT_FRAMEWORK["negative_items"])


@pytest.mark.django_db
def test_install_default_makes_successive_drafts(city: Any) -> None:
    first = install_default_framework(city.federation, actor=city.users[Role.FEDERATION_OFFICER])
    second = install_default_framework(city.federation, actor=None)
    assert (first.version, second.version) == (1, 2)
    assert first.status == FrameworkStatus.DRAFT
    assert first.indicators.count() == len(INDICATORS)
    assert normalised_spec(framework_spec(first)) == DEFAULT_FRAMEWORK


# --- the actions' rules ----------------------------------------------------------------------

@pytest.fixture
def draft(city: Any) -> Framework:
    return install_default_framework(city.federation, actor=None)


@pytest.mark.django_db
def test_frozen_framework_refuses_update(draft: Framework, city: Any) -> None:
    do_freeze_framework(draft, actor=None)
    spec = framework_spec(draft)
    spec["name"] = "改名"
    with pytest.raises(ValidationError, match="已启用并冻结"):
        do_update_framework(draft, spec, actor=city.users[Role.FEDERATION_OFFICER])
    draft.refresh_from_db()
    assert draft.name == DEFAULT_FRAMEWORK["name"]


@pytest.mark.django_db
def test_copy_makes_next_version_as_draft(draft: Framework) -> None:
    do_freeze_framework(draft, actor=None)
    copy_ = do_copy_framework(draft, actor=None)
    assert copy_.version == draft.version + 1
    assert copy_.status == FrameworkStatus.DRAFT and copy_.based_on == draft
    assert framework_spec(copy_) == framework_spec(draft)


@pytest.mark.django_db
def test_a_draft_may_be_off_scale_between_edits_but_not_frozen(draft: Framework) -> None:
    spec = framework_spec(draft)
    spec["dimensions"][0]["indicators"][0]["max_points"] = "31"
    do_update_framework(draft, spec, actor=None)
    with pytest.raises(ValidationError, match=r"合计为 1001\.00 分，应为 1000 分"):
        do_freeze_framework(draft, actor=None)
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.DRAFT


@pytest.mark.django_db
def test_saving_an_unchanged_spec_writes_no_audit_record(draft: Framework) -> None:
    before = AuditRecord.objects.count()
    do_update_framework(draft, framework_spec(draft), actor=None)
    assert AuditRecord.objects.count() == before


def test_validate_spec_reports_bad_parameters_instead_of_raising() -> None:
    spec = copy.deepcopy(DEFAULT_FRAMEWORK)
    spec["dimensions"][1]["indicators"][4]["floor"] = "六十"
    assert any("JY05" in e and "不允许值" in e for e in validate_spec(spec))


# --- cells -----------------------------------------------------------------------------------

def test_levels_and_thresholds_notation() -> None:
    assert parse_levels("完全落实=1；基本落实=0.60\n未落实＝0") == [
        {"label": "完全落实", "share": "1"}, {"label": "基本落实", "share": "0.6"},
        {"label": "未落实", "share": "0"}]
    assert parse_thresholds("≥90=1; 60=0.6") == [{"min": "90", "share": "1"},
                                                 {"min": "60", "share": "0.6"}]
    assert format_levels([{"label": "A 级", "share": "0.80"}]) == "A 级=0.8"
    assert plain_number("1E+3") == "1000" and plain_number("30.00") == "30"
    with pytest.raises(ValueError, match="应写成“完全落实=1”"):
        parse_levels("完全落实")
    with pytest.raises(ValueError, match="不是有效的数字"):
        parse_thresholds("九十=1")


# --- the workbook both ways ------------------------------------------------------------------

def test_default_spec_round_trips_through_xlsx() -> None:
    assert read_framework(spec_workbook(DEFAULT_FRAMEWORK)) == DEFAULT_FRAMEWORK


@pytest.mark.django_db
def test_framework_round_trips_through_xlsx(draft: Framework, city: Any) -> None:
    content = framework_workbook(draft)
    assert read_framework(content) == normalised_spec(framework_spec(draft))
    outcome = import_framework(content, federation=city.federation, actor=None)
    assert outcome.ok and outcome.framework is not None
    assert outcome.framework.version == draft.version + 1
    assert framework_spec(outcome.framework) == framework_spec(draft)


@pytest.mark.django_db
def test_import_replaces_a_draft(draft: Framework, city: Any) -> None:
    spec = copy.deepcopy(DEFAULT_FRAMEWORK)
    spec["name"] = "修订稿"
    spec["dimensions"][0]["indicators"][0]["guidance"] = "新的指引"
    outcome = import_framework(spec_workbook(spec), federation=city.federation, actor=None,
                               draft=draft)
    assert outcome.ok
    draft.refresh_from_db()
    assert draft.name == "修订稿" and Framework.objects.count() == 1
    assert draft.indicators.get(code="ZZ01").guidance == "新的指引"


@pytest.mark.django_db
def test_import_refuses_to_replace_a_frozen_framework(draft: Framework, city: Any) -> None:
    do_freeze_framework(draft, actor=None)
    outcome = import_framework(spec_workbook(DEFAULT_FRAMEWORK), federation=city.federation,
                               actor=None, draft=draft)
    assert not outcome.ok
    assert "已启用并冻结" in str(outcome.errors[0])


def _edited(change: Callable[[Any], None]) -> bytes:
    book = load_workbook(io.BytesIO(spec_workbook(DEFAULT_FRAMEWORK)))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set(sheet: str, cell: str, value: Any) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[sheet][cell] = value
    return change


def _zip_of_nothing() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "不是工作簿")
    return out.getvalue()


BAD_FILES: list[tuple[str, Callable[[], bytes], str]] = [
    ("bad method", lambda: _edited(_set("维度与指标", "F2", "打分")),
     "工作表“维度与指标”第 2 行“评分方法”列：评分方法“打分”无法识别"),
    ("sum", lambda: _edited(_set("维度与指标", "E2", 31)),
     "工作表“维度与指标”“分值”列：各指标分值合计为 1001 分，应为 1000 分"),
    ("duplicate code", lambda: _edited(_set("维度与指标", "C3", "ZZ01")),
     "工作表“维度与指标”第 3 行“指标代码”列：指标代码 ZZ01 与第 2 行重复"),
    ("non-numeric points", lambda: _edited(_set("维度与指标", "E2", "三十")),
     "工作表“维度与指标”第 2 行“分值”列：分值“三十”不是有效的数字"),
    ("missing sheet", lambda: _edited(lambda book: book.remove(book["等级"])),
     "文件：缺少工作表“等级”"),
    ("levels without share", lambda: _edited(_set("维度与指标", "H4", "完全落实；未落实=0")),
     "工作表“维度与指标”第 4 行“分档”列：分档“完全落实”应写成“完全落实=1”的形式"),
    ("band floor", lambda: _edited(_set("等级", "B3", "六百")),
     "工作表“等级”第 3 行“最低分”列：“六百”不是整数"),
    ("duplicate negative item", lambda: _edited(_set("负面清单", "A3", "FM01")),
     "工作表“负面清单”第 3 行“代码”列：代码 FM01 与第 2 行重复"),
    ("unknown column", lambda: _edited(_set("维度与指标", "O1", "备注")),
     "工作表“维度与指标”第 1 行“备注”列：无法识别的列“备注”"),
    ("not xlsx", lambda: b"%PDF-1.4 not a workbook",
     "文件：文件不是 Excel 工作簿（.xlsx）"),
    ("legacy xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
     "文件：文件是旧版 Excel（.xls）"),
    ("zip that is no workbook", _zip_of_nothing, "文件：无法打开该 Excel 工作簿"),
    ("empty", lambda: b"", "文件：文件是空的"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "content", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_import_errors_are_reported_and_nothing_is_written(
        city: Any, case: str, content: Callable[[], bytes], message: str) -> None:
    before = (Framework.objects.count(), AuditRecord.objects.count())
    outcome = import_framework(content(), federation=city.federation, actor=None)
    assert not outcome.ok
    assert any(str(e).startswith(message) for e in outcome.errors), [str(e) for e in outcome.errors]
    assert (Framework.objects.count(), AuditRecord.objects.count()) == before


def test_every_problem_is_reported_at_once() -> None:
    def change(book: Any) -> None:
        sheet = book["维度与指标"]
        sheet["F2"], sheet["E5"], sheet["K16"] = "打分", "-3", None
    with pytest.raises(FrameworkFileError) as caught:
        read_framework(_edited(change))
    rows = sorted((e.row, e.column) for e in caught.value.errors)
    assert (2, "评分方法") in rows and (5, "分值") in rows and (16, "不允许值") in rows
