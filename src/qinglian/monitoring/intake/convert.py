"""Convert and validate a ledger set-wise in DuckDB, then write its canonical Parquet.

One statement reads the source (all text), converts every mapped column with the expressions
of ``sql.py`` and keeps, per row, the list of its bad cells (column, value, reason). Duplicate
keys are found by one GROUP BY. If any row is bad nothing is written but the error report (a
CSV of every error, in source order); otherwise the canonical table is copied to Parquet and
profiled. Python never holds the rows: DuckDB streams and spills to ``workdir``.
"""

# SQL here is built from our own identifiers and quoted literals (paths, labels).
# ruff: noqa: S608
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ..schemas import Schema
from . import sql
from .privacy import mask_column_profile
from .sources import Source

#: How many errors a load keeps inline (the page shows them; the report file has all).
FIRST_ERRORS = 200
EMPTY = "文件中没有数据行"

Step = Callable[[str, float], None]


@dataclass
class Outcome:
    rows: int = 0
    bad_rows: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    parquet: Path | None = None
    profile: dict[str, Any] = field(default_factory=dict)
    date_min: dt.date | None = None
    date_max: dt.date | None = None

    @property
    def ok(self) -> bool:
        return self.parquet is not None


def connect(workdir: Path, *, memory_limit: str = "4GB", threads: int | None = None
            ) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    spill = workdir / "duckdb-spill"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute(f"SET temp_directory = {sql.quote_literal(str(spill))}")
    con.execute(f"SET memory_limit = {sql.quote_literal(memory_limit)}")
    con.execute("SET preserve_insertion_order = true")
    # progress is estimated (query_progress, read by the load's watcher) but never printed
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _conversion_sql(source: Source, schema: Schema, mapping: dict[str, str]) -> str:
    """Three projections, so each value is computed once: the trimmed raw text, the converted
    value, and the row's bad cells."""
    positions = {header: i for i, header in enumerate(source.headers)}
    raws, values, keep, checks, bad = ["_row"], ["_row"], ["_row"], [], []
    for column in schema.columns:
        name = sql.quote_identifier(column.name)
        raw_name = sql.quote_identifier("raw__" + column.name)
        header = mapping.get(column.name)
        label = sql.quote_literal(f"{column.label}（{header}）" if header else column.label)
        keep.append(name)
        if header is None or header not in positions:
            values.append(f"CAST(NULL AS {sql.SQL_TYPES[column.type]}) AS {name}")
            if column.required:
                checks.append(f"{{'col': {label}, 'value': '', 'reason': "
                              f"{sql.quote_literal(sql.REASONS['required'])}}}")
                bad.append("true")
            continue
        raws.append(f"{sql.raw(f'c{positions[header]}')} AS {raw_name}")
        values += [raw_name, f"{sql.CONVERTERS[column.type](raw_name)} AS {name}"]
        reason = sql.reason(column.type, raw_name)
        bad.append(f"({raw_name} IS NOT NULL AND {name} IS NULL)")
        cases = [f"WHEN {raw_name} IS NOT NULL AND {name} IS NULL THEN "
                 f"{{'col': {label}, 'value': {raw_name}, 'reason': {reason}}}"]
        if column.type == "date":
            bad.append(f"NOT {sql.date_in_range(name)}")
            cases.append(f"WHEN NOT {sql.date_in_range(name)} THEN {{'col': {label}, "
                         f"'value': {raw_name}, 'reason': "
                         f"{sql.quote_literal(sql.REASONS['date_range'])}}}")
        if column.required:
            bad.append(f"{raw_name} IS NULL")
            cases.append(f"WHEN {raw_name} IS NULL THEN {{'col': {label}, 'value': '', "
                         f"'reason': {sql.quote_literal(sql.REASONS['required'])}}}")
        checks.append("CASE " + " ".join(cases) + " END")
    # The list of bad cells is built only for rows with one (CASE is lazy): most rows are fine.
    errors = (f"CASE WHEN {' OR '.join(bad) or 'false'} THEN list_filter([{', '.join(checks)}], "
              "lambda x: x IS NOT NULL) ELSE [] END AS _errors")
    return (f"SELECT {', '.join(keep)}, {errors} FROM ("
            f"SELECT {', '.join(values)} FROM ("
            f"SELECT {', '.join(raws)} FROM ({source.query})))")


def _duplicates_sql(schema: Schema, mapping: dict[str, str]) -> str | None:
    if not schema.key or any(k not in mapping for k in schema.key):
        return None
    keys = ", ".join(sql.quote_identifier(k) for k in schema.key)
    value = " || '/' || ".join(sql.quote_identifier(k) for k in schema.key)
    labels = "/".join(schema.column(k).label for k in schema.key)
    not_null = " AND ".join(f"{sql.quote_identifier(k)} IS NOT NULL" for k in schema.key)
    return (
        f"SELECT unnest(rows) AS _row, {sql.quote_literal(labels)} AS col, value, "
        f"'{labels}重复：共 ' || n || ' 行（第 ' || array_to_string(rows[1:20], '、') || "
        f"CASE WHEN n > 20 THEN '…' ELSE '' END || ' 行）' AS reason FROM ("
        f"SELECT {value} AS value, count(*) AS n, list(_row ORDER BY _row) AS rows "
        f"FROM conv WHERE {not_null} GROUP BY {keys} HAVING count(*) > 1)"
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def profile_parquet(con: duckdb.DuckDBPyConnection, path: Path, schema: Schema
                    ) -> tuple[int, dict[str, Any]]:
    """Row count and, per canonical column: non-null, approximate distinct, min, max, and the
    most frequent values of text columns — in one scan. Personal data is stored masked."""
    parts = ["count(*)"]
    for column in schema.columns:
        name = sql.quote_identifier(column.name)
        parts += [f"count({name})", f"approx_count_distinct({name})"]
        if column.type in ("amount", "date", "integer", "code"):
            parts += [f"min({name})", f"max({name})"]
        else:
            parts += ["NULL", "NULL"]
        parts.append(f"approx_top_k({name}, 5)" if column.type == "text" else "NULL")
        parts.append(f"sum({name})" if column.type == "amount" else "NULL")
    row = con.execute(
        f"SELECT {', '.join(parts)} FROM read_parquet({sql.quote_literal(str(path))})"
    ).fetchone()
    assert row is not None
    rows = int(row[0])
    profile: dict[str, Any] = {}
    for index, column in enumerate(schema.columns):
        non_null, distinct, low, high, top, total = row[1 + index * 6: 7 + index * 6]
        # personal data (phones, bank accounts, ID numbers) is masked before it is stored
        profile[column.name] = mask_column_profile(column.name, {
            "label": column.label, "type": column.type, "non_null": int(non_null),
            "nulls": rows - int(non_null), "distinct": int(distinct or 0),
            "min": _jsonable(low), "max": _jsonable(high),
            "top": [v for v in (_jsonable(top) or []) if v is not None],
            "sum": _jsonable(total),
        })
    return rows, profile


def convert(con: duckdb.DuckDBPyConnection, source: Source, schema: Schema,
            mapping: dict[str, str], *, target: Path, report: Path, step: Step) -> Outcome:
    """Validate and (if clean) write ``target``; every error goes to ``report`` (CSV)."""
    outcome = Outcome()
    step("转换与校验", 0.05)
    con.execute(f"CREATE OR REPLACE TEMP TABLE conv AS {_conversion_sql(source, schema, mapping)}")
    outcome.rows = _scalar(con, "SELECT count(*) FROM conv")
    if outcome.rows == 0:
        outcome.message = EMPTY
        return outcome
    step("检查重复编号", 0.55)
    con.execute("CREATE OR REPLACE TEMP TABLE errs AS SELECT _row, e.col AS col, e.value AS value, "
                "e.reason AS reason FROM (SELECT _row, unnest(_errors) AS e FROM conv "
                "WHERE len(_errors) > 0)")
    duplicates = _duplicates_sql(schema, mapping)
    if duplicates:
        con.execute(f"INSERT INTO errs {duplicates}")
    outcome.error_count = _scalar(con, "SELECT count(*) FROM errs")
    if outcome.error_count:
        outcome.bad_rows = _scalar(con, "SELECT count(DISTINCT _row) FROM errs")
        ordered = "SELECT _row, col, value, reason FROM errs ORDER BY _row, col"
        outcome.errors = [
            {"row": r, "column": c, "value": v, "reason": why}
            for r, c, v, why in con.execute(f"{ordered} LIMIT {FIRST_ERRORS}").fetchall()
        ]
        report.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"COPY (SELECT _row AS 行号, col AS 列, value AS 值, reason AS 原因 FROM ({ordered})) "
            f"TO {sql.quote_literal(str(report))} (HEADER, DELIMITER ',')"
        )
        outcome.message = (f"校验未通过：{outcome.bad_rows} 行有问题（共 {outcome.error_count} 处），"
                           "本次未入库")
        return outcome
    step("写入 Parquet", 0.7)
    columns = ", ".join(sql.quote_identifier(c.name) for c in schema.columns)
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY (SELECT {columns} FROM conv) TO {sql.quote_literal(str(target))} "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 500000)")
    con.execute("DROP TABLE conv")
    con.execute("DROP TABLE errs")
    step("计算列概况", 0.9)
    outcome.rows, outcome.profile = profile_parquet(con, target, schema)
    if schema.date_column:
        column = outcome.profile[schema.date_column]
        outcome.date_min = dt.date.fromisoformat(column["min"]) if column["min"] else None
        outcome.date_max = dt.date.fromisoformat(column["max"]) if column["max"] else None
    outcome.parquet = target
    return outcome


def _scalar(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    return int(row[0]) if row and row[0] is not None else 0
