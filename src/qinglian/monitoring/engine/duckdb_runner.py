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


#: The groups in normalise_hits's order (GROUP_ORDER); other groups after them, by name.
_GROUPS = pa.array(sorted(GROUP_ORDER, key=GROUP_ORDER.__getitem__))


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column if pa.types.is_string(column.type) else column.cast(pa.string())


def _in_hit_order(table: pa.Table) -> pa.Table:
    """The rows sorted as normalise_hits sorts hits: by group (GROUP_ORDER, then name), then
    subject; Arrow compares text in UTF-8 byte order, which is Python's code-point order."""
    group = table.column("group_name")
    if len(table) < 2:
        return table
    keys: list[tuple[str, str]] = [("subject_id", "ascending")]
    if pc.count_distinct(group).as_py() > 1:
        rank = pc.fill_null(pc.index_in(group, value_set=_GROUPS), len(_GROUPS))
        table = table.append_column("group_rank", rank)
        keys = [("group_rank", "ascending"), ("group_name", "ascending"), *keys]
    return table.take(pc.sort_indices(table, sort_keys=keys)).select(
        [name for name in table.column_names if name != "group_rank"])


def _clean(table: pa.Table) -> bool:
    """Whether the sorted result has no NaN value and no repeated (group, subject) — checked in
    Arrow; when it has either, hits_from_columns finds and handles them in Python."""
    value = table.column("value")
    if value.null_count or (pa.types.is_floating(value.type)
                            and pc.any(pc.is_nan(value)).as_py()):
        return False
    if len(table) < 2:
        return True
    subject, group = table.column("subject_id"), table.column("group_name")
    same = pc.and_(pc.equal(subject.slice(1), subject.slice(0, len(table) - 1)),
                   pc.equal(group.slice(1), group.slice(0, len(table) - 1)))
    return not pc.any(same).as_py()


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
    """A column of key lists (or of single keys) as tuples of text keys, each sorted and without
    NULLs (a NULL list, NULL or empty key: no keys). Sorting and dropping happen on the flattened
    keys in Arrow and only when some list needs it."""
    if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
        return [(key,) if key else () for key in _objects(_text(column))]
    array = column.combine_chunks()
    keys = _text(pa.chunked_array([array.flatten()]))  # the values of non-NULL lists, in order
    owners = pc.list_parent_indices(array)
    if keys.null_count:
        valid = keys.is_valid()
        keys, owners = keys.filter(valid), owners.filter(valid)
    sizes = np.bincount(owners.to_numpy(), minlength=len(array))
    if len(keys) == len(array) and bool((sizes == 1).all()):
        # One key each (the common case): 1-tuples, made in C.
        return zip(_objects(keys))
    if len(keys) > len(array) or not bool((sizes <= 1).all()):
        order = pc.sort_indices(pa.table({"owner": owners, "key": keys}),
                                sort_keys=[("owner", "ascending"), ("key", "ascending")])
        keys = keys.take(order)
    values = _objects(keys)
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
        """The rule's result as hits (what normalise_hits makes of its rows): fetched as Arrow
        columns, brought to the hit fields' types and sorted in Arrow, made into Python objects
        through NumPy and zipped into hits in C — no Python work per value beyond the objects."""
        table = self.connection.sql(sql).to_arrow_table()
        names = set(table.column_names)
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            raise ValueError(f"{code}: the result has no column {', '.join(missing)}")
        present = [name for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in names]
        table = _in_hit_order(table.select(present).set_column(
            0, "group_name", _text(table.column("group_name"))).set_column(
            1, "subject_id", _text(table.column("subject_id"))))
        with _no_gc():
            value = table.column("value")
            values = (_objects(value) if pa.types.is_floating(value.type)
                      else [float(v) for v in value.to_pylist()])
            optional: dict[str, Iterable[Any]] = {}
            for name in ("unit", "vendor_id"):
                if name in names:
                    optional[name] = _objects(pc.fill_null(_text(table.column(name)), ""))
            if "occurred_on" in names:
                occurred = table.column("occurred_on")
                if pa.types.is_timestamp(occurred.type):
                    occurred = occurred.cast(pa.date32())
                optional["occurred_on"] = _objects(occurred)
            if "evidence_keys" in names:
                optional["evidence"] = _key_tuples(table.column("evidence_keys"))
            return hits_from_columns(code, _objects(table.column("group_name")),
                                     _objects(table.column("subject_id")), values, **optional,
                                     checked=_clean(table))

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
