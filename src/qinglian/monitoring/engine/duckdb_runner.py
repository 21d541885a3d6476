"""Run rules on DuckDB (the embedded default engine) over registered Parquet files."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from .binding import bind_sql, resolve_parameters
from .definitions import Rule
from .results import RuleRun, RunReport, normalise_hits

_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_table_name(name: str) -> str:
    if not _TABLE_NAME.match(name):
        raise ValueError(f"input table name {name!r} is not a lower-case identifier")
    return name


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
        cursor = self.connection.execute(sql)
        columns = [column[0] for column in cursor.description or ()]
        hits = normalise_hits(rule.code, cursor.fetchall(), columns)
        return RuleRun(rule, values, hits, time.perf_counter() - started)

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
