"""Run the same rules on Apache Spark (optional extra ``spark``) over the same Parquet files.

The rule's DuckDB SQL is bound (see :mod:`.binding`) and transpiled by sqlglot to Spark SQL.
Spark runs with ANSI mode off only where DuckDB is lenient in the same way; the rules avoid
operations whose results differ between the two (division by zero, implicit casts).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .binding import bind_sql, resolve_parameters
from .definitions import Rule
from .duckdb_runner import check_table_name
from .results import RuleRun, RunReport, normalise_hits

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def spark_available() -> tuple[bool, str]:
    """Whether pyspark is installed and a Java runtime can be found (with the reason if not)."""
    import shutil

    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False, "pyspark 未安装（pip install qinglian[spark]）"
    import os

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return False, "找不到 Java 运行环境（Spark 需要 Java 17 或更新版本）"
    return True, ""


def local_spark_session(*, cores: int = 2, app_name: str = "qinglian-monitoring") -> SparkSession:
    """A local-mode session sized for rule runs on one machine (and for the test suite)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{int(cores)}]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(max(1, int(cores))))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.adaptive.enabled", "true")
        .getOrCreate()
    )


class SparkRunner:
    engine = "spark"

    def __init__(self, session: SparkSession, inputs: Mapping[str, Path | list[Path]]) -> None:
        self.session = session
        self.inputs = dict(inputs)
        for name, paths in self.inputs.items():
            files = [str(p) for p in (paths if isinstance(paths, list) else [paths])]
            session.read.parquet(*files).createOrReplaceTempView(check_table_name(name))

    def sql(self, rule: Rule, parameters: Mapping[str, Any] | None = None) -> str:
        return bind_sql(rule, resolve_parameters(rule, parameters), "spark")

    def run(self, rule: Rule, parameters: Mapping[str, Any] | None = None) -> RuleRun:
        missing = [name for name in rule.inputs if name not in self.inputs]
        if missing:
            raise ValueError(f"rule {rule.code} needs input tables {', '.join(missing)}")
        values = resolve_parameters(rule, parameters)
        sql = bind_sql(rule, values, "spark")
        started = time.perf_counter()
        rows = [row.asDict() for row in self.session.sql(sql).collect()]
        hits = normalise_hits(rule.code, rows)
        return RuleRun(rule, values, hits, time.perf_counter() - started)

    def run_all(
        self, rules: Iterable[Rule], parameters: Mapping[str, Mapping[str, Any]] | None = None
    ) -> RunReport:
        parameters = parameters or {}
        report = RunReport(self.engine)
        for rule in rules:
            report.runs.append(self.run(rule, parameters.get(rule.code)))
        return report
