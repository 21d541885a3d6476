"""Ready OCDS dataset versions for the run, alert, CLI and dashboard tests.

The datasets are made the way a load leaves them (a ready version whose directory under
QINGLIAN_HOME holds one Parquet file per input table), from the golden OCDS fixtures; the
runs and alerts are then made through the real actions.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from qinglian.monitoring.choices import DatasetKind, LoadStatus
from qinglian.monitoring.models import Dataset, DatasetVersion
from qinglian.monitoring.ocds import import_compiled_releases

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ocds"
_versions = itertools.count(1)


def ocds_version(organisation: Any, lines: list[str] | None = None, *,
                 fixture: str = "R018") -> DatasetVersion:
    """A ready OCDS version of ``organisation`` from a fixture (or the given lines of it)."""
    dataset, _ = Dataset.objects.get_or_create(organisation=organisation, kind=DatasetKind.OCDS)
    number = (dataset.versions.filter(version__isnull=False).count()) + 1
    relative = f"datasets/{organisation.pk}/ocds/v{number}-{next(_versions)}"
    home = Path(settings.QINGLIAN_HOME)
    source = FIXTURES / f"{fixture}.jsonl"
    if lines is not None:
        source = home / f"{relative}.jsonl"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = import_compiled_releases(source, home / relative)
    return DatasetVersion.objects.create(
        dataset=dataset, version=number, status=LoadStatus.READY, source_name=source.name,
        source_sha256="0" * 64, source_size=source.stat().st_size, path=relative,
        rows=imported.row_counts["ocds_releases"], created_at=timezone.now(),
        finished_at=timezone.now())


def fixture_lines(name: str = "R018", *, without: tuple[str, ...] = ()) -> list[str]:
    lines = (FIXTURES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if not any(f'"ocid":"{o}"' in line for o in without)]


#: A test rule with evidence rows: every competitive single-tenderer process is evidence of
#: one hit per buyer group, so one hit has several evidence rows.
EVIDENCE_SQL = """
SELECT 'Buyer' AS group_name, 'single-tenderer' AS subject_id, count(*)::DOUBLE AS value,
       '采购一部' AS unit, 'V-001' AS vendor_id, DATE '2026-03-02' AS occurred_on,
       list(ocid) AS evidence_keys
FROM ocds_releases WHERE number_of_tenderers = 1
"""


def evidence_rule(tmp_path: Path) -> Any:
    from qinglian.monitoring.engine.definitions import Rule, Severity

    sql = tmp_path / "T901.sql"
    sql.write_text(EVIDENCE_SQL, encoding="utf-8")
    return Rule(code="T901", name_zh="测试：单一投标", name_en="Test: single tenderer",
                catches="测试用规则", severity=Severity.HIGH,
                explanation="{group}“{subject}”有 {value} 个项目仅一家投标。",
                groups=("Buyer",), inputs=("ocds_releases",), sql_path=sql,
                evidence_table="ocds_releases", evidence_key="ocid")
