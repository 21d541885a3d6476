"""Tiny-size runs of every benchmark so they never rot (the figures come from `make bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"

SMOKE_ARGS = {
    "bench_member_list.py": ["--enterprises", "300", "--requests", "3"],
    "bench_import.py": ["--rows", "50"],
    "bench_results.py": ["--enterprises", "200"],
    "bench_screening.py": ["--entries", "2000", "--parties", "5000", "--sample", "200"],
    "bench_credit_ratings.py": ["--enterprises", "300", "--records", "3000"],
    "bench_portal.py": ["--enterprises", "300", "--records", "3000", "--duration", "1", "--profiles", "30"],
    "bench_monitoring.py": ["--payments", "20000", "--skip-ocds"],
    "bench_intake.py": ["--payments", "20000", "--baseline-rows", "5000"],
}

pytestmark = pytest.mark.slow


def test_every_benchmark_has_a_smoke_size() -> None:
    assert {p.name for p in BENCH.glob("bench_*.py")} == set(SMOKE_ARGS)


@pytest.mark.parametrize("script", sorted(SMOKE_ARGS))
def test_benchmark_runs_at_tiny_size(script: str) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *SMOKE_ARGS[script]],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "基线" in result.stdout, result.stdout
