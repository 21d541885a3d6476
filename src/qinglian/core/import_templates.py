"""Downloadable import templates: .xlsx (styled header, an example row, code columns as text,
dropdowns for choice columns, a 填写说明 sheet) and .csv (UTF-8 with BOM), built from a
``TableSpec`` so the template and the reader can never disagree about the columns."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

from .imports import TableSpec, max_rows_setting

#: Longer choice lists are left to the dropdown rather than spelled out in the instructions.
LISTED_CHOICES = 12


GENERAL_NOTES = (
    "第 1 行是表头，请勿修改列名；带 * 的列必须填写。第 2 行是示例，导入前请删除或改为真实数据。",
    "导入前会逐行校验全部数据：只要有一行不合格，就不会导入任何数据，并列出每个错误所在的行号、列和原因。",
    "导入在一个事务中完成，中途中断不会留下部分数据；同一文件重复导入不会产生重复记录。",
    "日期可填写为 2026-01-05、2026/1/5 或 2026年1月5日；代码中的全角字符和首尾空格会自动处理。",
)


def template_csv(spec: TableSpec) -> bytes:
    """The template as CSV: UTF-8 with BOM so Excel opens the Chinese headers correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in spec.columns])
    writer.writerow([c.example for c in spec.columns])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_xlsx(spec: TableSpec) -> bytes:
    """The template workbook: styled header, an example row, dropdowns for choice columns,
    a 填写说明 sheet with the rules and the allowed values."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spec.sheet_title[:31]
    _write_data_sheet(sheet, spec)
    _write_choice_lists(workbook, sheet, spec)
    _write_instructions(workbook.create_sheet("填写说明"), spec)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_data_sheet(sheet: Any, spec: TableSpec) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="C9CDD2")
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.as_text:
            sheet.column_dimensions[letter].number_format = "@"
        head = sheet.cell(row=1, column=index, value=column.title)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = PatternFill("solid", fgColor="9E1B1B" if column.required else "1F2D3D")
        head.alignment = Alignment(horizontal="center", vertical="center")
        head.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        if column.help:
            head.comment = Comment(column.help, "清廉企业建设开放平台", width=260, height=120)
        sample = sheet.cell(row=2, column=index, value=column.example or None)
        sample.font = Font(italic=True, color="6B7480")
        if column.as_text:
            sample.number_format = "@"
    sheet.row_dimensions[1].height = 24
    sheet.freeze_panes = "A2"


def _write_choice_lists(workbook: Any, sheet: Any, spec: TableSpec) -> None:
    """Dropdowns for single-choice columns, fed from a hidden 可选值 sheet (no 255-char limit)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = workbook.create_sheet("可选值")
    lists.sheet_state = "hidden"
    last_row = max_rows_setting(spec) + 1
    list_column = 0
    for index, column in enumerate(spec.columns, start=1):
        if not column.choices or column.multiple:
            continue
        list_column += 1
        list_letter = get_column_letter(list_column)
        lists.cell(row=1, column=list_column, value=column.header)
        for offset, choice in enumerate(column.choices, start=2):
            lists.cell(row=offset, column=list_column, value=choice)
        end = len(column.choices) + 1
        validation = DataValidation(
            type="list", formula1=f"'可选值'!${list_letter}$2:${list_letter}${end}",
            allow_blank=True, showErrorMessage=True, errorTitle="不是可选值",
            error=f"“{column.header}”请从下拉列表中选择", promptTitle=column.header,
            prompt="请从下拉列表中选择", showInputMessage=True,
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)


def _write_instructions(sheet: Any, spec: TableSpec) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 48
    sheet.cell(row=1, column=1, value=f"{spec.title} · 填写说明").font = Font(bold=True, size=14)
    row = 3
    for number, note in enumerate((*GENERAL_NOTES, *spec.notes), start=1):
        sheet.cell(row=row, column=1, value=f"{number}.").alignment = wrap
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        sheet.cell(row=row, column=2, value=note).alignment = wrap
        sheet.row_dimensions[row].height = 32
        row += 1
    row += 1
    for index, title in enumerate(("列名", "必填", "填写要求", "可选值"), start=1):
        cell = sheet.cell(row=row, column=index, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="9E1B1B")
    for column in spec.columns:
        row += 1
        allowed = ("、".join(column.choices) if len(column.choices) <= LISTED_CHOICES
                   else f"共 {len(column.choices)} 项，见该列的下拉列表")
        values = (column.header, "是" if column.required else "", column.help, allowed)
        for index, value in enumerate(values, start=1):
            sheet.cell(row=row, column=index, value=value).alignment = wrap
