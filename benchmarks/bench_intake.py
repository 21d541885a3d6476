"""Ledger intake at scale: a 10-million-row payments CSV loaded without holding it in Python.

The file (``_monitoring_data.generate_ledgers``, reproducible by seed; generated in a child
process so its memory is not counted) goes through exactly what a user's upload goes through:
``do_upload_dataset`` (streamed copy, SHA-256, UTF-8 check, header sniffing, mapping
suggestion), ``do_confirm_mapping`` and the load job (DuckDB conversion and validation of
every cell, duplicate-key check, Parquet, profile, version published). Peak memory is the
process's maximum resident set size (``resource.getrusage``); the requirement is ≤ 8 GiB.

Baseline, same process, same file: the naive way — Python's ``csv`` module, converting every
cell in Python (Decimal amounts with separators and 万/亿, dates, codes) and keeping a set of
payment ids for the duplicate check, on the first ``--baseline-rows`` rows, extrapolated to
the whole file. It is not charged for keeping the rows, reporting errors, writing Parquet or
profiling, which the measured path does; the measured path holds no row in Python.

    python benchmarks/bench_intake.py                       # 10 M payments
    python benchmarks/bench_intake.py --payments 20000      # smoke
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import resource
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import _setup

LIMIT_MB = 8 * 1024
HERE = Path(__file__).resolve().parent


def generate(directory: Path, payments: int, seed: int) -> float:
    planted = directory / "planted.json"
    if planted.exists():
        known = json.loads(planted.read_text(encoding="utf-8"))
        if known.get("payments") == payments and known.get("seed") == seed:
            return 0.0
    started = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "_monitoring_data.py"), str(directory),
                    "--payments", str(payments), "--seed", str(seed)], check=True,
                   capture_output=True)
    return time.perf_counter() - started


_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}


def naive_amount(text: str) -> Decimal | None:
    text = text.strip().replace(",", "").replace("￥", "").replace("¥", "").replace("元", "")
    factor = _MULTIPLIERS.get(text[-1:], Decimal(1))
    if text[-1:] in _MULTIPLIERS:
        text = text[:-1]
    negative = text.startswith("(") and text.endswith(")")
    try:
        value = Decimal(text.strip("()")) * factor
    except InvalidOperation:
        return None
    return (-value if negative else value).quantize(Decimal("0.01"))


def naive_date(text: str) -> dt.date | None:
    text = re.sub(r"[年月/.]", "-", text.strip()).rstrip("日")
    try:
        return dt.date.fromisoformat(text) if "-" in text else dt.datetime.strptime(
            text, "%Y%m%d").date()
    except ValueError:
        return None


def baseline(path: Path, rows: int) -> float:
    """Rows per second of the naive Python conversion."""
    started = time.perf_counter()
    count = 0
    keys: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            converted = (row[0].strip().upper(), row[1].strip(), row[2].strip().upper(),
                         naive_amount(row[3]), naive_date(row[4]), row[5].strip().upper(),
                         row[6].strip().upper(), row[7].strip())
            if converted[3] is None or converted[4] is None or converted[0] in keys:
                raise AssertionError(row)
            keys.add(converted[0])
            count += 1
            if count >= rows:
                break
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=None,
                        help="台账目录（已生成且规模相同则复用；默认临时目录）")
    parser.add_argument("--baseline-rows", type=int, default=300_000)
    args = parser.parse_args()

    home = _setup.configure()
    directory = args.data or home / "ledgers"
    directory.mkdir(parents=True, exist_ok=True)
    generated = generate(directory, args.payments, args.seed)
    source = directory / "payments.csv"
    size_mb = source.stat().st_size / 1024**2

    from django.conf import settings

    from qinglian.monitoring import intake_actions
    from qinglian.monitoring.choices import LoadStatus
    from qinglian.monitoring.intake.files import file_chunks
    from qinglian.monitoring.intake.load import perform_load
    from qinglian.monitoring.models import DatasetVersion
    from qinglian.registry import actions

    settings.QINGLIAN_INTAKE_LIMITS = {"csv": 8 * 1024**3}
    organisation = actions.do_create_organisation(actor=None, kind="federation",
                                                  name="基准测试市工商业联合会", region="330100")
    started = time.perf_counter()
    version = intake_actions.do_upload_dataset(organisation, "payments", name=source.name,
                                               chunks=file_chunks(source), actor=None)
    uploaded = time.perf_counter() - started
    intake_actions.do_confirm_mapping(version, version.mapping, actor=None, queue=False)
    started = time.perf_counter()
    status = perform_load(version.pk)
    loaded = time.perf_counter() - started
    version = DatasetVersion.objects.get(pk=version.pk)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if status != LoadStatus.READY:
        print(f"导入失败：{version.message}")
        return 1

    rate = baseline(source, min(args.baseline_rows, version.rows))
    naive = version.rows / rate
    total = uploaded + loaded
    print(f"台账导入基准：付款记录 {version.rows:,} 行，CSV {size_mb:,.0f} MB"
          + (f"（生成 {generated:.1f} 秒，子进程）" if generated else "（复用已生成数据）"))
    print(f"{'步骤':<28}{'秒':>10}{'行/秒':>14}")
    print(f"{'上传（流式复制、摘要、编码检查）':<22}{uploaded:>10.2f}{version.rows / uploaded:>14,.0f}")
    print(f"{'校验、转换、写 Parquet、概况':<23}{loaded:>10.2f}{version.rows / loaded:>14,.0f}")
    print(f"{'合计':<28}{total:>10.2f}{version.rows / total:>14,.0f}")
    print(f"{'基线：Python csv 逐行转换（推算）':<21}{naive:>10.2f}{rate:>14,.0f}")
    print(f"倍数：{naive / total:.1f}×（基线只转换和查重，不写 Parquet、不算概况）")
    print(f"峰值内存（进程 RSS）：{peak_mb:,.0f} MB（上限 {LIMIT_MB:,} MB）"
          f"{'，达标' if peak_mb <= LIMIT_MB else '，超限！'}")
    print(f"第 {version.version} 版 · {version.date_min} 至 {version.date_max} · "
          f"Parquet {sum(p.stat().st_size for p in (home / version.path).glob('*.parquet')) / 1024**2:,.0f} MB")
    return 0 if peak_mb <= LIMIT_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
