"""Export any filtered list to .xlsx (openpyxl, write-only mode so big lists stream)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

#: Rows above this are refused with a clear message rather than silently cut.
MAX_EXPORT_ROWS = 200_000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int = 16
    #: An Excel number format for numeric cells (e.g. "#,##0.00"), or a function of the row
    #: giving it; cells stay numbers.
    number_format: str | Callable[[Any], str] = ""


class ExportTooLarge(Exception):
    pass


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        value = "、".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # never let a cell become a formula (CSV/formula injection)
    return value


def _cell(ws: Any, column: Column, row: Any) -> Any:
    value = _cell_value(column.value(row))
    if not column.number_format or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    fmt = column.number_format(row) if callable(column.number_format) else column.number_format
    if not fmt:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = fmt
    return cell


def write_xlsx(path: str, sheet_title: str, columns: list[Column], rows: Iterable[Any]) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    for index, column in enumerate(columns):
        ws.column_dimensions[chr(ord("A") + index) if index < 26 else "A"].width = column.width
    ws.freeze_panes = "A2"
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="9E1B1B")
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        count += 1
        if count > MAX_EXPORT_ROWS:
            raise ExportTooLarge(f"导出行数超过 {MAX_EXPORT_ROWS} 行，请缩小筛选范围后再导出")
        ws.append([_cell(ws, column, row) for column in columns])
    wb.save(path)
    return count


def xlsx_response(
    filename: str, sheet_title: str, columns: list[Column], rows: Iterable[Any]
) -> HttpResponse | FileResponse:
    """Stream an .xlsx download; the file name carries the date, e.g. 会员企业_20261124.xlsx."""
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"{filename}_{stamp}.xlsx"
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    try:
        write_xlsx(tmp.name, sheet_title, columns, rows)
    except ExportTooLarge as exc:
        tmp.close()
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    tmp.seek(0)
    response = FileResponse(
        tmp, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
