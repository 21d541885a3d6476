"""``qinglian monitor load``, and a 1-million-row load through the real path (slow)."""

from __future__ import annotations

import io
import resource
import sys
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qinglian.monitoring.choices import LoadStatus
from qinglian.monitoring.intake import store
from qinglian.monitoring.models import ColumnMapping, DatasetVersion

from .test_intake import PAYMENTS

pytestmark = pytest.mark.django_db

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.QINGLIAN_HOME = tmp_path
    settings.QINGLIAN_JOBS_SYNC = True


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("monitor", "load", *args, "--no-progress", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_cli_load_by_uscc_with_mapping(city, tmp_path):
    source = tmp_path / "付款.csv"
    source.write_bytes(PAYMENTS.encode("gbk"))
    code, out = run("--org", city.enterprises[0].uscc, "--kind", "payments", str(source))
    assert code == 0, out
    assert "已入库" in out and "5 行" in out
    version = DatasetVersion.objects.get()
    assert version.status == LoadStatus.READY and version.source_encoding == "GBK/GB18030"
    assert ColumnMapping.objects.filter(organisation=city.enterprises[0]).exists()

    bad = tmp_path / "坏.csv"
    bad.write_text("编号,科室,对方,钱,哪天\nP1,财务部,V1,五块,2026-01-05\n", encoding="utf-8")
    mapping = ('{"payment_id": "编号", "unit": "科室", "vendor_id": "对方", "amount": "钱", '
               '"paid_on": "哪天"}')
    code, out = run("--org", str(city.enterprises[0].pk), "--kind", "payments", str(bad),
                    "--mapping", mapping)
    assert code == 1 and "校验未通过" in out and "第 2 行" in out and "五块" in out
    with pytest.raises(CommandError, match="文件中没有这些列"):
        run("--org", str(city.enterprises[0].pk), "--kind", "payments", str(bad),
            "--mapping", '{"payment_id": "不存在"}')
    with pytest.raises(CommandError, match="找不到单位"):
        run("--org", "999999", "--kind", "payments", str(bad))


@pytest.mark.slow
def test_one_million_rows_load_streaming(city, tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    from _monitoring_data import generate_ledgers

    planted = generate_ledgers(tmp_path / "ledgers", payments=1_000_000, seed=1)
    code, out = run("--org", str(city.enterprises[0].pk), "--kind", "payments",
                    str(tmp_path / "ledgers" / "payments.csv"))
    assert code == 0, out
    version = DatasetVersion.objects.get()
    assert version.rows == planted["rows"]["payments"]
    path = store.version_files(version)["payments"]
    con = duckdb.connect()
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["amount"] == "DECIMAL(18,2)" and types["paid_on"] == "DATE"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 8 * 1024**2  # KB: < 8 GiB
