"""Nominee lists: pasted text and files read line by line, every bad line named, nothing used
until the whole list is clean."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from qinglian.core.imports import TableError
from qinglian.evaluation.choices import NomineeKind
from qinglian.evaluation.eligibility_lists import (
    MAX_NOMINEES,
    NomineeEntry,
    classify,
    clean_entries,
    parse_pasted,
    read_nominee_file,
)
from qinglian.registry.identifiers import IdentifierError
from tests.conftest import USCC_HUAWEI, make_uscc

ID_NUMBER = "330106198501011231"  # the city's legal representative of 华为
OTHER_ID = "11010519491231002X"
#: Valid both as a USCC and as an ID number (both check characters happen to agree).
DOUBLY_VALID = "330106198505136437"


def _bad_check(code: str) -> str:
    last = "0" if code[-1] != "0" else "1"
    return code[:-1] + last


def test_pasted_lines_mix_codes_names_and_separators() -> None:
    text = (
        "证件号码\t名称\n"  # a header copied from a sheet is skipped
        f"{USCC_HUAWEI}\t华为技术有限公司\n"
        "\n"
        f"{ID_NUMBER}，周清源\n"
        f"  {make_uscc(1)} 杭州清风 软件有限公司  \n"
        f"{OTHER_ID}、张三\n"
        f"李四 {make_uscc(2)}\n"  # name first, as some sheets have it
        f"{make_uscc(5)}\n"
        "   \n"
    )
    entries = parse_pasted(text)
    assert [(e.line, e.identifier, e.name) for e in entries] == [
        (2, USCC_HUAWEI, "华为技术有限公司"),
        (4, ID_NUMBER, "周清源"),
        (5, make_uscc(1), "杭州清风 软件有限公司"),
        (6, OTHER_ID, "张三"),
        (7, make_uscc(2), "李四"),
        (8, make_uscc(5), ""),
    ]
    nominees, errors = clean_entries(entries)
    assert errors == []
    assert [n.kind for n in nominees] == [
        NomineeKind.ENTERPRISE, NomineeKind.PERSON, NomineeKind.ENTERPRISE, NomineeKind.PERSON,
        NomineeKind.ENTERPRISE, NomineeKind.ENTERPRISE,
    ]


def test_codes_are_compacted_and_told_apart() -> None:
    assert classify(f" {USCC_HUAWEI.lower()[:9]} {USCC_HUAWEI[9:]} ") == (
        NomineeKind.ENTERPRISE, USCC_HUAWEI, False)
    assert classify("１１０１０５１９４９１２３１００２ｘ") == (NomineeKind.PERSON, OTHER_ID, False)
    assert classify(DOUBLY_VALID) == (NomineeKind.ENTERPRISE, DOUBLY_VALID, True)
    with pytest.raises(IdentifierError, match=r"应为 18 位.*实际 15 位"):
        classify("110105491231002")


def test_every_bad_line_is_reported_and_nothing_is_kept() -> None:
    text = "\n".join([
        f"{USCC_HUAWEI}\t华为",                # 1 fine
        f"{_bad_check(make_uscc(1))}\t清风",     # 2 USCC check character
        f"{_bad_check(ID_NUMBER)}\t周清源",      # 3 ID check digit
        f"{USCC_HUAWEI}\t华为（重复）",          # 4 duplicate of line 1
        "",                                       # 5 blank: skipped, not an error
        "，只有名称",                             # 6 no identifier
        "12345\t太短",                            # 7 wrong length
        f"{make_uscc(2)}\t{'名' * 129}",          # 8 name too long
    ])
    nominees, errors = clean_entries(parse_pasted(text))
    assert nominees == []
    reasons = {e.line: e.reason for e in errors}
    assert set(reasons) == {2, 3, 4, 6, 7, 8}
    assert "统一社会信用代码校验位错误" in reasons[2]
    assert reasons[3] == "身份证号校验位错误"
    assert reasons[4] == "与第 1 行重复：同一名单中每名人选只能出现一次"
    assert reasons[6] == "缺少证件号码（统一社会信用代码或身份证号）"
    assert reasons[7] == "证件号码应为 18 位（统一社会信用代码或身份证号），实际 5 位"
    assert reasons[8] == "名称/姓名不能超过 128 个字符"
    shown = {e.line: e.value for e in errors}
    assert shown[3] == "330***********1230"  # even a wrong ID number is masked in the report
    assert errors[0].describe() == f"第 2 行：{reasons[2]}"


def test_blank_and_oversized_lists_are_refused_whole() -> None:
    assert clean_entries(parse_pasted("\n  \n"))[1][0].reason == "名单是空的：请至少填写一名人选"
    entries = [NomineeEntry(i, make_uscc(100 + i)) for i in range(1, MAX_NOMINEES + 2)]
    nominees, errors = clean_entries(entries)
    assert nominees == []
    assert [e.describe() for e in errors] == [
        "名单共 2,001 名人选，超过单次 2,000 名的上限，请拆分为多次审核"]
    nominees, errors = clean_entries(entries[:MAX_NOMINEES])
    assert errors == [] and len(nominees) == MAX_NOMINEES


def test_list_positions_can_be_called_items() -> None:
    entries = [NomineeEntry(1, USCC_HUAWEI), NomineeEntry(2, USCC_HUAWEI)]
    _, errors = clean_entries(entries, unit="项")
    assert errors[0].describe("项") == "第 2 项：与第 1 项重复：同一名单中每名人选只能出现一次"


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_list_with_chinese_headers_and_number_cells() -> None:
    content = _xlsx([
        ["序号", "统一社会信用代码", "名称"],
        [1, USCC_HUAWEI, "华为技术有限公司"],
        [2, float(ID_NUMBER), "周清源"],  # a number: Excel has lost its last digits
        [3, OTHER_ID, None],
    ])
    entries = read_nominee_file(content, "人选.xlsx")
    assert [(e.line, e.name) for e in entries] == [(2, "华为技术有限公司"), (3, "周清源"), (4, "")]
    _, errors = clean_entries(entries)
    assert [(e.line, e.reason[:12]) for e in errors] == [(3, "该单元格是数字格式，18")]


def test_csv_list_in_gbk() -> None:
    text = f"姓名,身份证号\n周清源,{ID_NUMBER}\n张三,{OTHER_ID}\n"
    entries = read_nominee_file(text.encode("gb18030"), "人选.csv")
    nominees, errors = clean_entries(entries)
    assert errors == [] and [(n.line, n.name, n.kind) for n in nominees] == [
        (2, "周清源", NomineeKind.PERSON), (3, "张三", NomineeKind.PERSON)]


def test_unreadable_files_say_why() -> None:
    with pytest.raises(TableError, match="缺少必填列：证件号码"):
        read_nominee_file("名称\n华为\n".encode(), "人选.csv")
    with pytest.raises(TableError, match=r"只能导入 \.xlsx 或 \.csv"):
        read_nominee_file(b"x", "人选.pdf")
    rows = "证件号码\n" + "\n".join(make_uscc(i) for i in range(MAX_NOMINEES + 1))
    with pytest.raises(TableError, match="超过 2,000 行"):
        read_nominee_file(rows.encode(), "人选.csv")
