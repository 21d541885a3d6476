"""End to end over 10,000 real Dominican Republic procurement processes (../shared)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qinglian.monitoring.engine import all_rules
from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner
from qinglian.monitoring.ocds import import_compiled_releases

REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ocds" / "dr-10000.jsonl.gz"


@pytest.mark.slow
def test_import_and_all_indicators_on_real_data(tmp_path):
    if not REAL_DATA.exists():
        pytest.skip(f"真实数据不存在（{REAL_DATA}），跳过端到端测试")
    started = time.perf_counter()
    dataset = import_compiled_releases(REAL_DATA, tmp_path / "dr")
    imported = time.perf_counter()
    runner = DuckDBRunner(dataset.tables)
    try:
        report = runner.run_all(all_rules(tag="ocds"))
    finally:
        runner.close()
    finished = time.perf_counter()

    print(f"\nimport {imported - started:.2f} s, {dataset.row_counts}")
    for run in report.runs:
        groups: dict[str, int] = {}
        for hit in run.hits:
            groups[hit.group] = groups.get(hit.group, 0) + 1
        print(f"{run.rule.code}: {len(run.hits)} hits {groups} in {run.seconds:.2f} s")
    print(f"import + eleven indicators: {finished - started:.2f} s")

    assert dataset.row_counts["ocds_releases"] == 10_000
    assert dataset.row_counts["ocds_bids"] == 24_903
    assert len(report.runs) == 11
    assert report.counts()["R003"] > 0
    assert finished - started <= 10, "import and the eleven indicators must take at most 10 s"
