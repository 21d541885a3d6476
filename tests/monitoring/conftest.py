"""Fixtures for the rule engine tests: golden cases, imported once; one Spark session."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qinglian.monitoring.engine import get_rule
from qinglian.monitoring.ocds import OcdsDataset, import_compiled_releases

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ocds"
GOLDEN_STEMS = sorted(path.stem for path in FIXTURES.glob("*.jsonl"))


@dataclass(frozen=True)
class GoldenCase:
    stem: str
    code: str
    settings: dict[str, Any]
    expected: dict[str, Any]
    source: Path


def golden_case(stem: str) -> GoldenCase:
    """Settings from the file name, as Cardinal's build.rs derives them, plus its test defaults."""
    parts = stem.replace("+", "|").split("-")
    code = parts.pop(0)
    settings: dict[str, Any] = {}
    if len(parts) == 2:
        field, value = parts
        settings[field] = int(value) if value.isdigit() else value
    elif len(parts) > 2:
        field = parts.pop(0)
        settings[field] = {key: int(value) for key, value in zip(parts[::2], parts[1::2], strict=True)}
    names = {parameter.name for parameter in get_rule(code).parameters}
    settings["excluded_procurement_method_details"] = "EXC"
    if "no_price_comparison_procurement_methods" in names:
        settings["no_price_comparison_procurement_methods"] = "NPC"
    text = (FIXTURES / f"{stem}.expected").read_text(encoding="utf-8").strip()
    return GoldenCase(stem, code, settings, json.loads(text or "{}"), FIXTURES / f"{stem}.jsonl")


@pytest.fixture(scope="session")
def golden_datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, OcdsDataset]:
    root = tmp_path_factory.mktemp("ocds-golden")
    return {
        stem: import_compiled_releases(FIXTURES / f"{stem}.jsonl", root / stem) for stem in GOLDEN_STEMS
    }


@pytest.fixture(scope="session")
def spark():
    from qinglian.monitoring.engine.spark_runner import local_spark_session, spark_available

    available, reason = spark_available()
    if not available:
        pytest.skip(f"Spark 测试跳过：{reason}")
    session = local_spark_session(cores=2, app_name="qinglian-tests")
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    yield session
    session.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start Spark are marked ``spark``: they do not touch the application database,
    so ``make test`` runs them once (with SQLite), not again with PostgreSQL."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)
