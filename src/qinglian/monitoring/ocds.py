"""Flatten OCDS compiled releases (JSON Lines) into columnar tables, with DuckDB.

One compiled release per line becomes one row of ``ocds_releases``; its bids, awards and their
nested arrays become rows of child tables keyed by ``release_row`` (the release's position in
the file, from 0) and the array positions. Every table is written as one Parquet file, so the
same files feed the DuckDB runner and the Spark runner.

The columns keep the distinctions the Open Contracting Partnership's reference tool (Cardinal)
makes when it reads raw JSON: a field is taken only when it has the JSON type the standard
gives it. An ``id`` written as a JSON number, an ``amount`` written as a string, a
``numberOfTenderers`` of ``1.0`` are left NULL, exactly as Cardinal ignores them; this is what
makes the red-flag rules give the reference results on real, imperfect data. Timestamps are
parsed only when they are strict RFC 3339 (what Cardinal accepts) and kept as epoch
microseconds, so both engines compare plain integers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

#: Table name → the file it is written to inside a dataset directory.
OCDS_TABLES = (
    "ocds_releases",
    "ocds_bids",
    "ocds_bid_tenderers",
    "ocds_awards",
    "ocds_award_suppliers",
    "ocds_award_items",
)

# An RFC 3339 date-time (chrono's parse_from_rfc3339 also accepts a lower-case t/z or a space).
_RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"

_NUMBER_TYPES = "('BIGINT', 'UBIGINT', 'DOUBLE')"


def _string(json_expr: str, path: str) -> str:
    """SQL for the string at ``path``, NULL when absent or not a JSON string."""
    return (
        f"CASE WHEN json_type({json_expr}, '{path}') = 'VARCHAR' "
        f"THEN json_extract_string({json_expr}, '{path}') END"
    )


def _is(json_expr: str, path: str, json_type: str) -> str:
    return f"coalesce(json_type({json_expr}, '{path}') = '{json_type}', false)"


def _epoch_us(json_expr: str, path: str) -> str:
    text = _string(json_expr, path)
    return (
        f"CASE WHEN regexp_matches({text}, '{_RFC3339}') "
        f"THEN epoch_us(try_cast(upper({text}) AS TIMESTAMPTZ)) END"
    )


# The file's lines, in order (the source path is a prepared parameter).
_LINES = """
CREATE OR REPLACE TEMP TABLE ocds_lines AS
SELECT row_number() OVER () - 1 AS release_row, json
FROM read_json_objects(?, format = 'newline_delimited', ignore_errors = true)
"""

# Each document is parsed once: its parts are split off, and later steps read only the parts.
_RAW = """
CREATE OR REPLACE TEMP TABLE ocds_raw AS
SELECT release_row, p[1] AS ocid, p[2] AS tender, p[3] AS buyer, p[4] AS bid_details,
       p[5] AS awards
FROM (
  SELECT release_row,
         json_extract(json, ['$.ocid', '$.tender', '$.buyer', '$.bids.details', '$.awards']) AS p
  FROM ocds_lines
  WHERE json_type(json) = 'OBJECT'
)
"""

# The statements below are built only from constant fragments (no outside value).
_RELEASES = f"""
CREATE OR REPLACE TEMP TABLE ocds_releases AS
SELECT
  release_row,
  json_extract_string(ocid, '$') AS ocid,
  {_string('tender', '$.status')} AS tender_status,
  {_string('tender', '$.procurementMethod')} AS procurement_method,
  {_string('tender', '$.procurementMethodDetails')} AS procurement_method_details,
  {_string('tender', '$.tenderPeriod.startDate')} AS tender_period_start,
  {_string('tender', '$.tenderPeriod.endDate')} AS tender_period_end,
  {_epoch_us('tender', '$.tenderPeriod.startDate')} AS tender_period_start_us,
  {_epoch_us('tender', '$.tenderPeriod.endDate')} AS tender_period_end_us,
  CASE WHEN json_type(tender, '$.numberOfTenderers') IN ('BIGINT', 'UBIGINT')
       THEN try_cast(json_extract_string(tender, '$.numberOfTenderers') AS BIGINT)
  END AS number_of_tenderers,
  {_string('buyer', '$.id')} AS buyer_id,
  {_string('tender', '$.procuringEntity.id')} AS procuring_entity_id,
  coalesce(json_type(awards) = 'ARRAY', false) AS has_awards,
  coalesce(json_type(bid_details) = 'ARRAY', false) AS has_bid_details,
  {_string('buyer', '$.name')} AS buyer_name,
  {_string('tender', '$.procuringEntity.name')} AS procuring_entity_name
FROM ocds_raw
WHERE json_type(ocid) = 'VARCHAR'
"""  # noqa: S608

_BIDS = f"""
CREATE OR REPLACE TEMP TABLE ocds_bid_json AS
SELECT r.release_row, b.bid_index, b.bid
FROM ocds_raw AS r
JOIN ocds_releases USING (release_row),
LATERAL (
  SELECT unnest(l) AS bid, generate_subscripts(l, 1) - 1 AS bid_index
  FROM (SELECT CAST(r.bid_details AS JSON[]) AS l)
) AS b
WHERE json_type(r.bid_details) = 'ARRAY';

CREATE OR REPLACE TEMP TABLE ocds_bid_tenderers AS
SELECT b.release_row, b.bid_index, t.tenderer_index,
       json_extract_string(t.tenderer, '$.id') AS tenderer_id,
       {_string('t.tenderer', '$.name')} AS tenderer_name
FROM ocds_bid_json AS b,
LATERAL (
  SELECT unnest(l) AS tenderer, generate_subscripts(l, 1) - 1 AS tenderer_index
  FROM (SELECT CAST(json_extract(b.bid, '$.tenderers') AS JSON[]) AS l)
) AS t
WHERE json_type(b.bid, '$.tenderers') = 'ARRAY'
  AND json_type(t.tenderer, '$.id') = 'VARCHAR';

CREATE OR REPLACE TEMP TABLE ocds_bids AS
SELECT
  b.release_row,
  b.bid_index,
  {_string('b.bid', '$.status')} AS status,
  {_string('b.bid', '$.date')} AS bid_date,
  CASE WHEN json_type(b.bid, '$.value.amount') IN {_NUMBER_TYPES}
       THEN CAST(json_extract_string(b.bid, '$.value.amount') AS DOUBLE) END AS amount,
  {_string('b.bid', '$.value.currency')} AS currency,
  {_is('b.bid', '$.tenderers', 'ARRAY')} AS has_tenderers,
  CASE WHEN json_type(b.bid, '$.tenderers') = 'ARRAY'
       THEN CAST(json_array_length(b.bid, '$.tenderers') AS BIGINT) END AS tenderer_count,
  {_string('b.bid', '$.tenderers[0].id')} AS first_tenderer_id,
  (SELECT string_agg(DISTINCT t.tenderer_id, chr(31) ORDER BY t.tenderer_id)
     FROM ocds_bid_tenderers AS t
    WHERE t.release_row = b.release_row AND t.bid_index = b.bid_index) AS tenderer_ids_key
FROM ocds_bid_json AS b
"""  # noqa: S608

_AWARDS = f"""
CREATE OR REPLACE TEMP TABLE ocds_award_json AS
SELECT r.release_row, a.award_index, a.award
FROM ocds_raw AS r
JOIN ocds_releases USING (release_row),
LATERAL (
  SELECT unnest(l) AS award, generate_subscripts(l, 1) - 1 AS award_index
  FROM (SELECT CAST(r.awards AS JSON[]) AS l)
) AS a
WHERE json_type(r.awards) = 'ARRAY';

CREATE OR REPLACE TEMP TABLE ocds_awards AS
SELECT
  release_row,
  award_index,
  {_string('award', '$.status')} AS status,
  {_is('award', '$.suppliers', 'ARRAY')} AS has_suppliers,
  CASE WHEN json_type(award, '$.suppliers') = 'ARRAY'
       THEN CAST(json_array_length(award, '$.suppliers') AS BIGINT) END AS supplier_count,
  {_string('award', '$.suppliers[0].id')} AS first_supplier_id,
  {_is('award', '$.items', 'ARRAY')} AS has_items
FROM ocds_award_json;

CREATE OR REPLACE TEMP TABLE ocds_award_suppliers AS
SELECT a.release_row, a.award_index, s.supplier_index,
       json_extract_string(s.supplier, '$.id') AS supplier_id,
       {_string('s.supplier', '$.name')} AS supplier_name
FROM ocds_award_json AS a,
LATERAL (
  SELECT unnest(l) AS supplier, generate_subscripts(l, 1) - 1 AS supplier_index
  FROM (SELECT CAST(json_extract(a.award, '$.suppliers') AS JSON[]) AS l)
) AS s
WHERE json_type(a.award, '$.suppliers') = 'ARRAY'
  AND json_type(s.supplier, '$.id') = 'VARCHAR';

CREATE OR REPLACE TEMP TABLE ocds_award_items AS
SELECT a.release_row, a.award_index, i.item_index,
       json_extract_string(i.item, '$.classification.id') AS classification_id
FROM ocds_award_json AS a,
LATERAL (
  SELECT unnest(l) AS item, generate_subscripts(l, 1) - 1 AS item_index
  FROM (SELECT CAST(json_extract(a.award, '$.items') AS JSON[]) AS l)
) AS i
WHERE json_type(a.award, '$.items') = 'ARRAY'
  AND json_type(i.item, '$.classification.id') = 'VARCHAR'
"""  # noqa: S608


@dataclass(frozen=True)
class OcdsDataset:
    """The Parquet files of one imported OCDS file, and what the import found."""

    directory: Path
    row_counts: dict[str, int]
    lines: int
    skipped_lines: int
    seconds: float
    tables: dict[str, Path] = field(default_factory=dict)


def _execute_script(connection: duckdb.DuckDBPyConnection, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            connection.execute(statement)


def import_compiled_releases(
    source: Path, directory: Path, *, connection: duckdb.DuckDBPyConnection | None = None
) -> OcdsDataset:
    """Read ``source`` (``.jsonl`` or ``.jsonl.gz``) and write one Parquet file per table.

    Lines that are not JSON objects with a string ``ocid`` are skipped and counted, as the
    reference tool skips them.
    """
    started = time.perf_counter()
    own_connection = connection is None
    con = duckdb.connect() if connection is None else connection
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(_LINES, [str(source)])
        _execute_script(con, _RAW)
        _execute_script(con, _RELEASES)
        _execute_script(con, _BIDS)
        _execute_script(con, _AWARDS)
        directory.mkdir(parents=True, exist_ok=True)
        tables: dict[str, Path] = {}
        counts: dict[str, int] = {}
        for table in OCDS_TABLES:
            path = directory / f"{table}.parquet"
            # COPY takes no prepared parameter for its target: the table name is one of ours
            # and the path is quoted as a SQL string literal.
            con.execute(
                f"COPY (SELECT * FROM {table} ORDER BY ALL) TO {_quote(str(path))} "  # noqa: S608
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            tables[table] = path
            counts[table] = _scalar_int(con, f"SELECT count(*) FROM {table}")  # noqa: S608
        lines = _scalar_int(con, "SELECT count(*) FROM ocds_lines")
        for table in ("ocds_lines", "ocds_raw", "ocds_bid_json", "ocds_award_json", *OCDS_TABLES):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        if own_connection:
            con.close()
    return OcdsDataset(
        directory=directory,
        row_counts=counts,
        lines=lines,
        skipped_lines=lines - counts["ocds_releases"],
        seconds=time.perf_counter() - started,
        tables=tables,
    )


def _scalar_int(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _quote(text: str) -> str:
    """A SQL string literal (paths are ours, but quote them properly all the same)."""
    return "'" + text.replace("'", "''") + "'"
