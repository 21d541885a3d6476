"""Reading tabular imports (.xlsx, .csv) and describing their columns; no business nouns.

A ``TableSpec`` names the columns of one kind of import (Chinese template header, English
aliases, required or not, allowed values). ``read_table`` turns an uploaded file into
``SourceRow``s keyed by column, or raises ``TableError`` with every problem that stops the
whole file (wrong type, empty, no header, unknown or missing columns, too many rows);
``duplicate_key_errors`` names rows that repeat a key. Row numbers are those the user sees in Excel: the header is row 1.

Cell parsers (``cell_text``, ``cell_code``, ``cell_int``, ``cell_date``) accept what Excel
and people produce — full-width digits, integers stored as ``3.0``, dates as date cells or as
2026-01-05, 2026/1/5, 2026年1月5日 — and raise ``ValueError`` with a Chinese reason otherwise.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

Cell = str | int | float | bool | dt.date | dt.datetime | None

#: Rows above this are refused (override with settings.QINGLIAN_IMPORT_MAX_ROWS).
DEFAULT_MAX_ROWS = 100_000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other OLE compound files)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class RowError:
    """One problem: the row as numbered in Excel (0 = the whole file), column header, value, reason."""

    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowError:
        return cls(int(data.get("row") or 0), str(data.get("column", "")),
                   str(data.get("value", "")), str(data.get("reason", "")))


class TableError(Exception):
    """The file cannot be imported at all; ``errors`` says why, in Chinese."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("；".join(e.reason for e in errors))
        self.errors = errors


def file_error(reason: str) -> TableError:
    return TableError([RowError(0, "", "", reason)])


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an import: its template header, English aliases and what it accepts."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    multiple: bool = False  # several choices in one cell, separated by 、 or commas
    help: str = ""
    example: str = ""
    width: int = 16
    as_text: bool = False  # kept as text in the template so Excel never turns codes into numbers

    @property
    def title(self) -> str:
        """The header as written in the template: required columns end with *."""
        return f"{self.header}*" if self.required else self.header


@dataclass(frozen=True)
class TableSpec:
    """The columns of one kind of import, in template order, and the column that must be unique."""

    title: str
    sheet_title: str
    columns: tuple[ColumnSpec, ...]
    unique_key: str = ""
    notes: tuple[str, ...] = ()
    max_rows: int = DEFAULT_MAX_ROWS

    def column(self, key: str) -> ColumnSpec:
        return next(c for c in self.columns if c.key == key)

    def header_index(self) -> dict[str, ColumnSpec]:
        index: dict[str, ColumnSpec] = {}
        for column in self.columns:
            for name in (column.header, column.title, column.key, *column.aliases):
                index[header_key(name)] = column
        return index


@dataclass
class SourceRow:
    """A data row as read from the file: its Excel row number and raw cells by column key."""

    number: int
    cells: dict[str, Cell] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Cell:
        return self.cells.get(key)

    def shown(self, key: str) -> str:
        """The cell as the user typed it, for error reports."""
        return display(self.cells.get(key))


# --- cell parsers ----------------------------------------------------------------------------


#: C0 control characters (and DEL) other than tab and line breaks: never meaningful in a
#: cell, and PostgreSQL refuses NUL in text and JSON. Removed before anything else sees them.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])
#: The largest whole number a database integer column holds.
MAX_INT = 2_147_483_647


def display(value: Cell) -> str:
    if isinstance(value, str):
        value = value.translate(_CONTROL)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_text(value: Cell) -> str:
    """Text with surrounding (also full-width) spaces and invisible characters removed."""
    return display(value).translate(_INVISIBLE).strip()


def halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation (ＡＢ１２－) as their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def cell_code(value: Cell) -> str:
    """A code: half-width, upper case, without spaces or dashes (USCC, region, industry)."""
    text = halfwidth(cell_text(value)).upper()
    return re.sub(r"[\s\-]", "", text)


class NumberTooLarge(ValueError):
    pass


def _bounded(number: int) -> int:
    if abs(number) > MAX_INT:
        raise NumberTooLarge(f"数值 {number} 过大")
    return number


def cell_int(value: Cell) -> int | None:
    """An integer from 3, 3.0, "3", "3.0", "３" or "1,200"; None for a blank cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        return _bounded(value)
    if isinstance(value, float):
        if value.is_integer():
            return _bounded(int(value))
        raise ValueError(f"“{display(value)}”不是整数")
    if isinstance(value, dt.date):
        raise ValueError(f"“{display(value)}”是日期，应为整数")
    text = halfwidth(cell_text(value)).replace(",", "").replace(" ", "")
    if not text:
        return None
    try:
        return _bounded(int(text))
    except NumberTooLarge:
        raise
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"“{cell_text(value)}”不是整数") from None
    if not number.is_integer():
        raise ValueError(f"“{cell_text(value)}”不是整数")
    return _bounded(int(number))


def cell_date(value: Cell) -> dt.date | None:
    """A date from a date cell, an Excel serial number, 2026-01-05, 2026/1/5, 2026.1.5,
    2026年1月5日 or 20260105; None for a blank cell."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial day numbers up to 9999-12-31
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"“{display(value)}”不是日期")
    text = halfwidth(cell_text(value))
    if not text:
        return None
    match = _DATE_TEXT.match(text)
    parts = match.groups() if match else None
    if parts is None and re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    if parts is None:
        raise ValueError(f"“{cell_text(value)}”不是日期，请按 2026-01-05 或 2026年1月5日 的格式填写")
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValueError(f"“{cell_text(value)}”不是有效日期") from None


def header_key(name: Cell) -> str:
    """Header text compared loosely: no spaces, no required-mark, half-width, lower case."""
    text = halfwidth(cell_text(name)).lower()
    return re.sub(r"[\s*（）()_]", "", text)


# --- reading files ---------------------------------------------------------------------------


def max_rows_setting(spec: TableSpec) -> int:
    return int(getattr(settings, "QINGLIAN_IMPORT_MAX_ROWS", spec.max_rows))


def read_table(spec: TableSpec, content: bytes, filename: str,
               max_rows: int | None = None) -> list[SourceRow]:
    """Every data row of the file's first sheet, or TableError naming what is wrong."""
    limit = max_rows if max_rows is not None else max_rows_setting(spec)
    lines = _raw_rows(content, filename)
    header_number, header = _first_filled(lines)
    if header is None:
        raise file_error("文件中没有表头行，请使用导入模板")
    columns = _map_header(spec, header, header_number)
    rows: list[SourceRow] = []
    for number, values in lines:
        if not any(cell_text(v) for v in values):
            continue
        if len(rows) >= limit:
            raise file_error(f"数据超过 {limit:,} 行的上限，请拆分为多个文件分批导入")
        cells = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        rows.append(SourceRow(number, cells))
    if not rows:
        raise file_error("文件中只有表头，没有数据行")
    return rows


def _raw_rows(content: bytes, filename: str) -> Iterator[tuple[int, list[Cell]]]:
    if not content:
        raise file_error("文件是空的（0 字节）")
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_rows(content)
    if name.endswith(".csv"):
        return _csv_rows(content)
    if name.endswith(".xls"):
        raise file_error("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入")
    raise file_error("只能导入 .xlsx 或 .csv 文件")


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    if content.startswith(OLE_MAGIC):
        raise file_error("文件实际是旧版 Excel（.xls）或其他格式，只是扩展名为 .xlsx；"
                         "请在 Excel 中另存为 .xlsx 后再导入")
    if not content.startswith(XLSX_MAGIC):
        raise file_error("文件扩展名为 .xlsx，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件）；"
                         "请在 Excel 中另存为 .xlsx 后再导入")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise file_error("无法打开该 Excel 工作簿（文件可能已损坏，或不是 .xlsx 格式）") from exc
    if not workbook.worksheets:
        raise file_error("工作簿中没有工作表")
    sheet = workbook.worksheets[0]
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()  # some producers record a wrong used range

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        finally:
            workbook.close()

    return rows()


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030 (a superset of GBK/GB2312)."""
    if b"\x00" in content[:4096] and not content.startswith((codecs.BOM_UTF16_LE,
                                                               codecs.BOM_UTF16_BE)):
        raise file_error("文件不是文本格式的 CSV（可能是改了扩展名的 Excel 或其他文件）")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error("无法识别 CSV 文件的文字编码，请另存为“CSV UTF-8”或 GBK 编码后再导入")


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    if content.startswith(XLSX_MAGIC):
        raise file_error("文件扩展名为 .csv，但内容是 Excel 工作簿；请把扩展名改为 .xlsx，"
                         "或在 Excel 中另存为 CSV")
    text = decode_text(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        try:
            for number, values in enumerate(reader, start=1):
                yield number, list(values)
        except csv.Error as exc:
            raise file_error(f"CSV 文件格式错误（第 {reader.line_num} 行）：{exc}") from exc

    return rows()


def _first_filled(
    lines: Iterator[tuple[int, list[Cell]]],
) -> tuple[int, list[Cell] | None]:
    for number, values in lines:
        if any(cell_text(v) for v in values):
            return number, values
    return 0, None


def _map_header(spec: TableSpec, header: list[Cell], number: int) -> dict[int, str]:
    """Column position → column key; TableError for unknown, repeated or missing columns."""
    index = spec.header_index()
    columns: dict[int, str] = {}
    errors: list[RowError] = []
    for position, name in enumerate(header):
        text = cell_text(name)
        if not text:
            continue
        column = index.get(header_key(text))
        if column is None:
            errors.append(RowError(number, text, text, f"无法识别的列“{text}”，请使用导入模板中的列名"))
        elif column.key in columns.values():
            errors.append(RowError(number, text, text, f"列“{column.header}”出现了多次"))
        else:
            columns[position] = column.key
    missing = [c.header for c in spec.columns if c.required and c.key not in columns.values()]
    if missing:
        errors.append(RowError(number, "、".join(missing), "",
                               f"缺少必填列：{'、'.join(missing)}"))
    if errors:
        raise TableError(errors)
    return columns


def duplicate_key_errors(spec: TableSpec, rows: list[SourceRow]) -> list[RowError]:
    """Rows repeating an earlier row's unique key (compared as codes: full-width, case)."""
    if not spec.unique_key:
        return []
    column = spec.column(spec.unique_key)
    first_seen: dict[str, int] = {}
    errors: list[RowError] = []
    for row in rows:
        key = cell_code(row[spec.unique_key])
        if not key:
            continue
        if key in first_seen:
            errors.append(RowError(
                row.number, column.header, row.shown(spec.unique_key),
                f"与第 {first_seen[key]} 行重复：同一文件中{column.header}不能重复",
            ))
        else:
            first_seen[key] = row.number
    return errors
