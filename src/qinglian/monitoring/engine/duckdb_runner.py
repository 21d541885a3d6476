"""Run rules on DuckDB (the embedded default engine) over registered Parquet files."""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .binding import bind_sql, resolve_parameters
from .definitions import Rule
from .results import (
    GROUP_ORDER,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Hit,
    RuleRun,
    RunReport,
    hits_from_columns,
)

_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_table_name(name: str) -> str:
    if not _TABLE_NAME.match(name):
        raise ValueError(f"input table name {name!r} is not a lower-case identifier")
    return name


#: normalise_hits's order: by group (GROUP_ORDER, then name), then subject — byte order of UTF-8
#: text, which is Python's code-point order.
_HIT_ORDER = ("CASE group_name " + " ".join(f"WHEN '{g}' THEN {n}" for g, n in GROUP_ORDER.items())
              + " ELSE 9 END, group_name, subject_id")


def _normalised(name: str, kind: str) -> str:
    """The SQL that brings a result column to its hit field's form (see normalise_hits)."""
    if name in ("group_name", "subject_id"):
        return name if kind == "VARCHAR" else f"CAST({name} AS VARCHAR) AS {name}"
    if name in ("unit", "vendor_id"):
        return f"coalesce(CAST({name} AS VARCHAR), '') AS {name}"
    if name == "occurred_on" and kind.startswith("TIMESTAMP"):
        return f"CAST({name} AS DATE) AS {name}"
    if name == "evidence_keys":
        if kind.endswith("[]"):  # sorted, without NULLs, in _key_tuples
            return name if kind == "VARCHAR[]" else f"CAST({name} AS VARCHAR[]) AS {name}"
        return (f"CASE WHEN {name} IS NULL OR CAST({name} AS VARCHAR) = '' THEN []"
                f" ELSE [CAST({name} AS VARCHAR)] END AS {name}")
    return name


@contextmanager
def _no_gc() -> Iterator[None]:
    """Without the cyclic garbage collector while the hits are made: they are acyclic (tuples
    of text, floats and dates), yet every 700 new objects would start a collection that walks
    the heap — more than half the cost of making 10^5 hits."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _objects(column: pa.ChunkedArray) -> list[Any]:
    """An Arrow column as a list of Python objects: through NumPy, which makes the str, float
    and date objects in C (``to_pylist`` costs about ten times as much per value)."""
    return column.to_numpy(zero_copy_only=False).tolist()  # type: ignore[no-any-return]


def _key_tuples(column: pa.ChunkedArray) -> Iterable[tuple[str, ...]]:
    """A LIST(VARCHAR) column as tuples of keys, each sorted and without NULLs (a NULL list is
    empty). Sorting and dropping happen on the flattened keys in Arrow (text in byte order of
    UTF-8, which is Python's code-point order) and only when some list needs it."""
    array = column.combine_chunks()
    keys = array.flatten()  # the values of non-NULL lists, in order
    owners = pc.list_parent_indices(array)
    if keys.null_count:
        valid = keys.is_valid()
        keys, owners = keys.filter(valid), owners.filter(valid)
    sizes = np.bincount(owners.to_numpy(), minlength=len(array))
    if len(keys) == len(array) and bool((sizes == 1).all()):
        # One key each (the common case): 1-tuples, made in C.
        return zip(keys.to_numpy(zero_copy_only=False).tolist())
    if len(keys) > len(array) or not bool((sizes <= 1).all()):
        order = pc.sort_indices(pa.table({"owner": owners, "key": keys}),
                                sort_keys=[("owner", "ascending"), ("key", "ascending")])
        keys = keys.take(order)
    values = keys.to_numpy(zero_copy_only=False).tolist()
    bounds = [0, *np.cumsum(sizes).tolist()]
    return map(tuple, map(values.__getitem__, map(slice, bounds, islice(bounds, 1, None))))


class DuckDBRunner:
    """Rules over named input tables; each table is a view over a Parquet file (or files)."""

    engine = "duckdb"

    def __init__(
        self,
        inputs: Mapping[str, Path | list[Path]],
        *,
        connection: duckdb.DuckDBPyConnection | None = None,
        threads: int | None = None,
    ) -> None:
        self.connection = connection or duckdb.connect()
        self.connection.execute("SET enable_progress_bar = false")
        if threads:
            self.connection.execute(f"SET threads = {int(threads)}")
        self.inputs = dict(inputs)
        for name, paths in self.inputs.items():
            files = [str(p) for p in (paths if isinstance(paths, list) else [paths])]
            # A view can't take prepared parameters; the file list is built as a relation
            # from Python values instead of being formatted into SQL.
            relation = self.connection.read_parquet(files)
            relation.create_view(check_table_name(name), replace=True)

    def close(self) -> None:
        self.connection.close()

    def run(self, rule: Rule, parameters: Mapping[str, Any] | None = None) -> RuleRun:
        started = time.perf_counter()
        self._check_inputs(rule)
        values = resolve_parameters(rule, parameters)
        sql = bind_sql(rule, values, "duckdb")
        hits = self._hits(rule.code, sql)
        return RuleRun(rule, values, hits, time.perf_counter() - started)

    def _hits(self, code: str, sql: str) -> list[Hit]:
        """The rule's result as hits. DuckDB normalises the columns (text, sorted key lists, dates)
        and sorts the rows in hit order; the result comes back as Arrow columns, and the hits
        are zipped from them — no Python work per value beyond making the objects."""
        relation = self.connection.sql(sql)
        types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
        missing = [name for name in REQUIRED_COLUMNS if name not in types]
        if missing:
            raise ValueError(f"{code}: the result has no column {', '.join(missing)}")
        present = [name for name in OPTIONAL_COLUMNS if name in types]
        table = (relation.project(", ".join(_normalised(name, types[name])
                                            for name in (*REQUIRED_COLUMNS, *present)))
                 .order(_HIT_ORDER).to_arrow_table())
        with _no_gc():
            columns = {name: _objects(table.column(name)) for name in table.column_names
                       if name != "evidence_keys"}
            value = columns["value"]
            if types["value"] != "DOUBLE":
                value = [float(v) for v in value]
            return hits_from_columns(
                code, columns["group_name"], columns["subject_id"], value,
                columns.get("unit"), columns.get("vendor_id"), columns.get("occurred_on"),
                _key_tuples(table.column("evidence_keys")) if "evidence_keys" in types else None,
            )

    def evidence_rows(self, rule: Rule, keys: Iterable[str], *, limit: int | None = None) -> list[dict[str, Any]]:
        """The rows of the rule's evidence table whose key is in ``keys`` (a hit's evidence),
        as dicts of canonical columns, ordered by key; at most ``limit`` rows."""
        if not rule.evidence_table:
            return []
        table = self.connection.table(check_table_name(rule.evidence_table))
        key = check_table_name(rule.evidence_key)
        wanted = sorted(set(keys))
        if limit is not None:
            wanted = wanted[: max(0, int(limit))]
        if not wanted:
            return []
        keys_relation = self.connection.values([wanted]).select("unnest(col0) AS evidence_key")
        relation = table.join(keys_relation, f"{key} = evidence_key", how="semi").order(key)
        columns = relation.columns
        return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]

    def run_all(
        self, rules: Iterable[Rule], parameters: Mapping[str, Mapping[str, Any]] | None = None
    ) -> RunReport:
        parameters = parameters or {}
        report = RunReport(self.engine)
        for rule in rules:
            report.runs.append(self.run(rule, parameters.get(rule.code)))
        return report

    def _check_inputs(self, rule: Rule) -> None:
        missing = [name for name in rule.inputs if name not in self.inputs]
        if missing:
            raise ValueError(f"rule {rule.code} needs input tables {', '.join(missing)}")
