"""Each accepted format as one DuckDB query of text columns ``c0 … cN`` plus ``_row``.

``_row`` is the row number a person finds the record at: in a CSV or a worksheet the header is
row 1 and the first record row 2; in a Parquet file the first record is row 1. An Excel
workbook is first streamed (openpyxl read-only) into a UTF-8 CSV staging file, so every
format but Parquet is read by DuckDB's CSV reader with all columns as VARCHAR.
"""

# SQL here is built from our own identifiers and quoted literals (paths, labels).
# ruff: noqa: S608
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from django.core.exceptions import ValidationError

from .files import csv_header, unique_headers, utf8_copy
from .sql import quote_identifier, quote_literal

#: How often (rows) streaming a worksheet reports its progress.
ROWS_EVERY = 10_000


@dataclass(frozen=True)
class Source:
    headers: list[str]
    #: SELECT _row, c0, c1, … (all VARCHAR)
    query: str
    #: records, when known before conversion (Parquet, Excel)
    rows: int | None = None


def read_headers(path: Path, file_format: str, encoding: str, *, sheet: str = "") -> list[str]:
    """The header labels of a stored upload (cheap: first row only; of an Excel workbook, the
    first row of ``sheet`` or of its first non-empty worksheet)."""
    if file_format == "csv":
        cells, _ = csv_header(path, encoding)
    elif file_format == "xlsx":
        sheets = xlsx_sheets(path)
        cells = sheets.get(sheet, []) if sheet else next(iter(sheets.values()), [])
    elif file_format == "parquet":
        con = duckdb.connect()
        try:
            cells = [row[0] for row in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({quote_literal(str(path))})").fetchall()]
        finally:
            con.close()
    else:
        return []
    return header_labels(cells)


def header_labels(cells: list[Any]) -> list[str]:
    """A header row's cells as distinct labels; a Chinese error when the row is empty."""
    if not any(cells):
        raise ValidationError("文件中没有数据行（连表头也没有）", code="empty")
    return unique_headers([str(c) if c is not None else "" for c in cells])


def _filled(row: tuple[Any, ...]) -> bool:
    return any(cell not in (None, "") for cell in row)


def xlsx_sheets(path: Path) -> dict[str, list[Any]]:
    """Name → first non-empty row of every worksheet that has one, in workbook order
    (streamed, read-only: each sheet is read only up to its first non-empty row)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    found: dict[str, list[Any]] = {}
    try:
        for sheet in workbook.worksheets:
            first = next((row for row in sheet.iter_rows(values_only=True) if _filled(row)), None)
            if first is not None:
                found[sheet.title] = list(first)
        return found
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    return str(value)


def xlsx_to_csv(path: Path, target: Path, *, sheet_name: str = "", on_row: Any = None) -> int:
    """Stream a worksheet (``sheet_name``, else the first non-empty one) into a UTF-8 CSV
    (header row first); returns data rows. ``on_row(done, total)`` is told every ROWS_EVERY rows
    (``total``: the rows the sheet declares, or 0 when it does not)."""
    from openpyxl import load_workbook

    if not sheet_name:
        sheet_name = next(iter(xlsx_sheets(path)), "")
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = 0
    try:
        if sheet_name not in workbook.sheetnames:
            raise ValidationError(f"工作簿中没有工作表“{sheet_name}”", code="no_sheet")
        sheet = workbook[sheet_name]
        total = max(int(sheet.max_row or 0) - 1, 0)
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            started = False
            for row in sheet.iter_rows(values_only=True):
                if not started:
                    if not _filled(row):
                        continue
                    started = True
                    width = len(row)
                    writer.writerow([_cell_text(c) for c in row])
                    continue
                cells = [_cell_text(c) for c in row[:width]]
                writer.writerow(cells + [""] * (width - len(cells)))
                count += 1
                if on_row is not None and count % ROWS_EVERY == 0:
                    on_row(count, total)
    finally:
        workbook.close()
    return count


def csv_query(path: Path, width: int, delimiter: str) -> str:
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    return (
        "SELECT CAST(row_number() OVER () AS BIGINT) + 1 AS _row, * "
        f"FROM read_csv({quote_literal(str(path))}, header = false, skip = 1, "
        f"delim = {quote_literal(delimiter)}, quote = '\"', escape = '\"', "
        f"columns = {columns}, auto_detect = false, null_padding = true, "
        "parallel = true, encoding = 'utf-8')"
    )


def prepare_source(path: Path, file_format: str, encoding: str, workdir: Path,
                   *, sheet: str = "", on_row: Any = None, on_bytes: Any = None) -> Source:
    """The query that reads the upload as text, converting or staging it first if needed
    (``sheet``: the worksheet of a workbook; ``on_row(done, total)``: its progress;
    ``on_bytes(done, total)``: the progress of converting a CSV to UTF-8)."""
    if file_format == "csv":
        utf8 = utf8_copy(path, encoding, on_bytes=on_bytes)
        if utf8 != path:
            utf8 = utf8.rename(workdir / "source.utf8.csv")
        cells, delimiter = csv_header(utf8)
        headers = unique_headers(cells)
        return Source(headers, csv_query(utf8, len(headers), delimiter))
    if file_format == "xlsx":
        staging = workdir / "staging.csv"
        rows = xlsx_to_csv(path, staging, sheet_name=sheet, on_row=on_row)
        cells, _ = csv_header(staging)
        headers = unique_headers(cells)
        return Source(headers, csv_query(staging, len(headers), ","), rows)
    if file_format == "parquet":
        headers = read_headers(path, "parquet", "")
        con = duckdb.connect()
        try:
            names = [row[0] for row in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({quote_literal(str(path))})").fetchall()]
            row = con.execute(
                f"SELECT count(*) FROM read_parquet({quote_literal(str(path))})").fetchone()
        finally:
            con.close()
        casts = ", ".join(f"CAST({quote_identifier(n)} AS VARCHAR) AS c{i}"
                          for i, n in enumerate(names))
        query = (f"SELECT CAST(file_row_number AS BIGINT) + 1 AS _row, {casts} "
                 f"FROM read_parquet({quote_literal(str(path))}, file_row_number = true)")
        return Source(headers, query, int(row[0]) if row else 0)
    raise ValueError(file_format)
