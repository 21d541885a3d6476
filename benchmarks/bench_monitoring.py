"""Ledger red-flag rules: the engine (rule SQL through the DuckDB runner) beside a hand-written
DuckDB query and an idiomatic pandas implementation, same run, same data, checked to agree.

    .venv/bin/python benchmarks/bench_monitoring.py --payments 10000000 --skip-ocds
    .venv/bin/python benchmarks/bench_monitoring.py --payments 1000000 --repeat 3

Data: benchmarks/_monitoring_data.py (CSV, reproducible by seed) converted to canonical
Parquet, plus tenders, bids, contracts and amendments made here by DuckDB from hashes (with a
planted rotation ring). The Parquet files are kept under ``--data-dir`` (one directory per size
and seed, reused by later runs; the CSV is deleted once converted).

Baselines: benchmarks/_monitoring_hand.py (hand-written DuckDB SQL, independent of the rule
files) and benchmarks/_monitoring_pandas.py (idiomatic pandas).

Fairness: all three produce the same thing — per hit the subject, the value, the unit, the
vendor, the date (occurred_on) and the evidence keys — and all of it is compared (values to
1e-6 relative). All three start from the same Parquet files. The engine and the hand SQL share
one DuckDB connection (same threads and memory_limit) and each is timed as the best of
``--repeat`` runs in alternating order; the engine's time is a whole ``DuckDBRunner.run``
(parameter check, binding, reading the Parquet, query, fetching and building the Hit objects;
"其中查询" is the query to an Arrow table alone), the hand SQL's is the query and ``fetchall``.
pandas runs each rule in a fresh subprocess that reads only the tables and columns the rule
needs; its reading and its computing are timed apart, and the ratio to the engine is given for
both together (from Parquet to result, like the engine) and for computing alone. The child
reports its own peak RSS; one that grows past ``--memory-limit`` is stopped and reported as
such. The engine's peak RSS is this process's (pandas is never imported here).

Each rule's row is printed (and flushed) as soon as its three timings exist. A last section
imports the 10,000 real OCDS processes and runs the eleven OCDS indicators (skipped with a
message when ../shared is absent).
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _monitoring_data import generate_ledgers  # noqa: E402
from _monitoring_hand import HAND  # noqa: E402
from _monitoring_pandas import PANDAS_INPUTS, load_pandas, pd_rules  # noqa: E402

OCDS_REAL = HERE.parent.parent / "shared" / "data" / "ocds" / "dr-10000.jsonl.gz"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "qinglian-bench-monitoring-data"
GIB = 2**30
TYPES = {"code": "VARCHAR", "text": "VARCHAR", "amount": "DECIMAL(18,2)", "date": "DATE",
         "integer": "BIGINT", "boolean": "BOOLEAN"}
KINDS = ("vendors", "employees", "purchase_orders", "payments", "tenders", "bids", "contracts",
         "contract_amendments", "non_working_days")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say(text: str = "") -> None:
    print(text, flush=True)


# -- data --------------------------------------------------------------------------------------

def ensure_data(root: Path, payments: int, seed: int) -> tuple[dict[str, Path], float | None]:
    """The Parquet tables for ``payments`` and ``seed`` under ``root`` (built once: a directory
    counts only once its ``complete`` marker is written); the build time, or None if reused."""
    directory = root / f"p{payments}-s{seed}"
    tables = {kind: directory / f"{kind}.parquet" for kind in KINDS}
    if (directory / "complete").exists() and all(path.exists() for path in tables.values()):
        return tables, None
    started = time.perf_counter()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    build_parquet(directory, payments, seed)
    shutil.move(str(directory / "csv" / "planted.json"), directory / "planted.json")
    shutil.rmtree(directory / "csv")
    (directory / "complete").write_text(f"{payments} {seed}\n", encoding="utf-8")
    return tables, time.perf_counter() - started


def build_parquet(directory: Path, payments: int, seed: int) -> dict[str, Path]:
    from qinglian.monitoring.calendar import write_calendar
    from qinglian.monitoring.schemas import SCHEMAS

    csv_dir = directory / "csv"
    generate_ledgers(csv_dir, payments=payments, seed=seed)
    con = duckdb.connect()
    out: dict[str, Path] = {}
    for kind in ("vendors", "employees", "purchase_orders", "payments"):
        columns = {c.name: TYPES[c.type] for c in SCHEMAS[kind].columns}
        spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"
        path = directory / f"{kind}.parquet"
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_dir / (kind + '.csv')}', header = true, "
                    f"columns = {spec})) TO '{path}' (FORMAT parquet)")
        out[kind] = path
    n_tenders = max(100, payments // 100)
    h = "((hash(i, {seed}, '{c}') % 1000000) / 1e6)"
    u = lambda c: h.format(seed=seed, c=c)  # noqa: E731
    con.execute(f"""COPY (
        SELECT 'T' || lpad(CAST(i AS VARCHAR), 8, '0') AS tender_id,
               'U' || CAST(CAST(floor({u('unit')} * 20) AS BIGINT) AS VARCHAR) AS unit,
               'tender ' || CAST(i AS VARCHAR) AS title,
               CASE WHEN {u('m')} < 0.8 THEN '公开招标' WHEN {u('m')} < 0.9 THEN '竞争性磋商'
                    ELSE '单一来源' END AS method,
               DATE '2023-01-01' + CAST(floor({u('pub')} * 1000) AS INTEGER) AS published_on,
               DATE '2023-01-01' + CAST(floor({u('pub')} * 1000) AS INTEGER)
                 + CAST(5 + floor({u('len')} * 40) AS INTEGER) AS deadline_on,
               CAST(100000 AS DECIMAL(18,2)) AS budget,
               CAST(NULL AS VARCHAR) AS awarded_vendor_id,
               CAST(NULL AS DECIMAL(18,2)) AS awarded_amount
        FROM range(1, {n_tenders + 1}) t(i)) TO '{directory / 'tenders.parquet'}' (FORMAT parquet)""")
    # 1–6 bids per tender from 2,000 vendors; the first bidder wins; tenders 1–9 are a ring
    con.execute(f"""COPY (
        WITH b AS (
          SELECT i, k FROM range(1, {n_tenders + 1}) t(i),
               range(0, 1 + CAST(floor({u('nb')} * 6) AS BIGINT)) s(k))
        SELECT 'T' || lpad(CAST(i AS VARCHAR), 8, '0') || '-' || CAST(k AS VARCHAR) AS bid_id,
               'T' || lpad(CAST(i AS VARCHAR), 8, '0') AS tender_id,
               CASE WHEN i <= 9 THEN 'RING' || CAST(k % 3 AS VARCHAR)
                    ELSE 'V' || lpad(CAST(1 + (hash(i, k, {seed}) % 2000) AS VARCHAR), 6, '0') END
                 AS vendor_id,
               CAST(100000 - k AS DECIMAL(18,2)) AS amount,
               CAST(NULL AS DATE) AS submitted_on,
               CASE WHEN i <= 9 THEN k = i % 3 ELSE k = 0 END AS won
        FROM b WHERE i > 9 OR k < 3
        ) TO '{directory / 'bids.parquet'}' (FORMAT parquet)""")
    n_contracts = max(100, payments // 50)
    con.execute(f"""COPY (
        SELECT 'K' || lpad(CAST(i AS VARCHAR), 8, '0') AS contract_id,
               'U' || CAST(CAST(floor({u('cu')} * 20) AS BIGINT) AS VARCHAR) AS unit,
               'V' || lpad(CAST(1 + (hash(i, {seed}, 'cv') % 2000) AS VARCHAR), 6, '0') AS vendor_id,
               CAST(round(1000 + {u('ca')} * 1000000, 2) AS DECIMAL(18,2)) AS amount,
               DATE '2023-01-01' + CAST(floor({u('cd')} * 1000) AS INTEGER) AS signed_on,
               CAST(NULL AS VARCHAR) AS tender_id, CAST(NULL AS VARCHAR) AS title
        FROM range(1, {n_contracts + 1}) t(i)) TO '{directory / 'contracts.parquet'}' (FORMAT parquet)""")
    con.execute(f"""COPY (
        SELECT 'M' || lpad(CAST(i AS VARCHAR), 9, '0') AS amendment_id,
               'K' || lpad(CAST(1 + (hash(i, {seed}, 'ak') % {n_contracts}) AS VARCHAR), 8, '0')
                 AS contract_id,
               CAST(round(({u('aa')} - 0.3) * 200000, 2) AS DECIMAL(18,2)) AS amount_change,
               DATE '2025-01-01' + CAST(floor({u('ad')} * 300) AS INTEGER) AS amended_on,
               CAST(NULL AS VARCHAR) AS reason
        FROM range(1, {n_contracts // 2 + 1}) t(i)) TO '{directory / 'contract_amendments.parquet'}' (FORMAT parquet)""")
    con.close()
    for kind in ("tenders", "bids", "contracts", "contract_amendments"):
        out[kind] = directory / f"{kind}.parquet"
    out["non_working_days"] = write_calendar(directory / "non_working_days.parquet",
                                             range(2015, 2027), overrides=False)
    return out




def pandas_child(code: str, inputs: dict[str, Path], result: Path) -> None:
    """One rule in pandas (this process does nothing else): read, run, write the rows."""
    import pandas  # noqa: F401  (imported before the clock starts: reading is timed, importing not)
    import pyarrow.parquet  # noqa: F401

    began = time.perf_counter()
    frames = load_pandas(inputs, PANDAS_INPUTS[code])
    loaded = time.perf_counter() - began
    function = pd_rules()[code]
    began = time.perf_counter()
    rows = function(frames)
    seconds = time.perf_counter() - began
    # This process's own peak (VmHWM: since exec; ru_maxrss would include the parent's RSS at fork).
    peak = next(int(line.split()[1]) * 1024 for line in
                Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
    partial = result.with_suffix(".partial")
    with partial.open("wb") as handle:
        pickle.dump({"load": loaded, "seconds": seconds, "rows": canonical(rows), "peak": peak},
                    handle)
    partial.rename(result)


def run_pandas(code: str, data: Path, payments: int, seed: int, limit: int) -> dict[str, Any]:
    """``code`` in pandas in a fresh process; its peak RSS (wait4), stopped past ``limit`` bytes."""
    with tempfile.TemporaryDirectory(prefix="qinglian-bench-pd-") as scratch:
        result = Path(scratch) / "result.pickle"
        command = [sys.executable, __file__, "--pandas-rule", code, "--data-dir", str(data),
                   "--payments", str(payments), "--seed", str(seed), "--result", str(result)]
        child = subprocess.Popen(command)
        stopped, peak = False, 0
        while child.poll() is None:
            try:
                rss = next(int(line.split()[1]) * 1024 for line in
                           Path(f"/proc/{child.pid}/status").read_text().splitlines()
                           if line.startswith("VmRSS:"))
            except (OSError, StopIteration):
                rss = 0
            peak = max(peak, rss)
            if rss > limit and not stopped:
                stopped = True
                child.kill()
            time.sleep(0.05)
        if stopped or not result.exists():
            return {"stopped": stopped, "peak": peak or None, "seconds": None, "load": None,
                    "rows": None}
        with result.open("rb") as handle:
            outcome: dict[str, Any] = pickle.load(handle)
        return outcome | {"stopped": False}


# -- comparing and running ----------------------------------------------------------------------

Canonical = dict[str, tuple[float, str, str, str | None, tuple[str, ...]]]


def canonical(rows: Iterable[Any]) -> Canonical:
    """subject → (value, unit, vendor_id, occurred_on as ISO text, sorted evidence keys)."""
    out: Canonical = {}
    for subject, value, unit, vendor, occurred, keys in rows:
        if keys is None:
            evidence: tuple[str, ...] = ()
        elif isinstance(keys, str):
            evidence = (keys,)
        else:
            evidence = tuple(sorted(str(k) for k in keys if k is not None))
        if occurred is not None and hasattr(occurred, "date") and callable(occurred.date):
            occurred = occurred.date()
        out[str(subject)] = (float(value), "" if unit is None else str(unit),
                             "" if vendor is None else str(vendor),
                             None if occurred is None else occurred.isoformat(), evidence)
    return out


def differences(a: Canonical, b: Canonical) -> list[str]:
    """What differs between two results (empty when they agree)."""
    found = [f"只在一方：{subject}" for subject in sorted(set(a) ^ set(b))]
    for subject in sorted(set(a) & set(b)):
        (va, *ra), (vb, *rb) = a[subject], b[subject]
        if not math.isclose(va, vb, rel_tol=1e-6, abs_tol=1e-6):
            found.append(f"{subject}: 值 {va!r} ≠ {vb!r}")
        for name, x, y in zip(("单位", "供应商", "日期", "证据"), ra, rb, strict=True):
            if x != y:
                found.append(f"{subject}: {name} {str(x)[:60]} ≠ {str(y)[:60]}")
    return found


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = function()
    return time.perf_counter() - began, result


def run_ledgers(args: argparse.Namespace) -> bool:
    from qinglian.monitoring.engine import all_rules
    from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner

    inputs, built = ensure_data(args.data_dir, args.payments, args.seed)
    directory = inputs["payments"].parent
    with duckdb.connect() as counter:
        payments = counter.execute("SELECT count(*) FROM read_parquet(?)",
                                   [str(inputs["payments"])]).fetchall()[0][0]
    say(f"数据：{payments:,} 笔付款（{args.payments:,} 笔批量 + 植入，种子 {args.seed}），"
        + (f"生成并转为 Parquet 用时 {built:.1f} s" if built is not None else "沿用已生成的 Parquet")
        + f"，目录 {directory}")
    limit = int(args.memory_limit * GIB)
    connection = duckdb.connect()
    connection.execute(f"SET threads = {int(args.threads)}")
    connection.execute(f"SET memory_limit = '{int(limit * 0.75) // 2**20}MB'")
    settings = connection.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')").fetchall()[0]
    say(f"DuckDB：threads = {settings[0]}，memory_limit = {settings[1]}（引擎与手写 SQL 同一连接）；"
        f"每项取 {args.repeat} 次中最快；pandas 每条规则一个新进程，超过 {args.memory_limit:g} GiB 即停止")
    say("基线：同一数据上独立手写的 DuckDB SQL 与惯用写法的 pandas，三者逐字段比对结果")
    runner = DuckDBRunner(inputs, connection=connection)
    rules = [rule for rule in all_rules(tag="ledger") if not args.rules or rule.code in args.rules]
    say(f"\n{'规则':<7}{'命中':>8}{'引擎 s':>9}{'其中查询':>9}{'手写SQL s':>11}{'pandas读入':>11}"
        f"{'pandas计算':>11}{'引擎/手写':>10}{'pandas/引擎':>12}{'仅计算':>8}{'pandas峰值':>12}"
        f"{'引擎RSS':>10}  一致")
    ok = True
    totals = {"engine": 0.0, "hand": 0.0, "pandas": 0.0, "pandas_compute": 0.0}
    pandas_complete = True
    for rule in rules:
        code = rule.code
        sql = runner_sql(rule)
        engine_best = hand_best = query_best = math.inf
        run = rows = None
        for attempt in range(args.repeat):
            order = ("engine", "hand") if attempt % 2 == 0 else ("hand", "engine")
            for which in order:
                if which == "engine":
                    seconds, run = timed(lambda: runner.run(rule))  # noqa: B023
                    engine_best = min(engine_best, seconds)
                else:
                    seconds, rows = timed(lambda: connection.execute(HAND[code]).fetchall())  # noqa: B023
                    hand_best = min(hand_best, seconds)
            # The rule's query alone (what the engine runs before making hits).
            seconds, _ = timed(lambda: connection.sql(sql).to_arrow_table())  # noqa: B023
            query_best = min(query_best, seconds)
        assert run is not None and rows is not None
        engine_rows = canonical((h.subject, h.value, h.unit, h.vendor_id, h.occurred_on, h.evidence)
                                for h in run.hits)
        hand_rows = canonical(rows)
        pandas = run_pandas(code, args.data_dir, args.payments, args.seed, limit)
        problems = differences(engine_rows, hand_rows)
        problems_pd = differences(engine_rows, pandas["rows"]) if pandas["rows"] is not None else []
        same = not problems and not problems_pd
        ok &= same
        engine_rss = rss_mib()
        peak = "—" if pandas["peak"] is None else f"{pandas['peak'] / 2**20:,.0f} MiB"
        if pandas["seconds"] is None:
            pandas_complete = False
            read_text = "—"
            pd_text, ratio_pd, ratio_compute = ("> 限额" if pandas["stopped"] else "失败"), "—", "—"
        else:
            whole = pandas["load"] + pandas["seconds"]
            totals["pandas"] += whole
            totals["pandas_compute"] += pandas["seconds"]
            read_text, pd_text = f"{pandas['load']:.3f}", f"{pandas['seconds']:.3f}"
            ratio_pd = f"{whole / max(engine_best, 1e-9):.1f}"
            ratio_compute = f"{pandas['seconds'] / max(engine_best, 1e-9):.1f}"
        totals["engine"] += engine_best
        totals["hand"] += hand_best
        say(f"{code:<7}{len(run.hits):>8}{engine_best:>9.3f}{query_best:>9.3f}{hand_best:>11.3f}"
            f"{read_text:>11}{pd_text:>11}{engine_best / max(hand_best, 1e-9):>10.2f}{ratio_pd:>12}"
            f"{ratio_compute:>8}{peak:>12}{engine_rss:>8,.0f}Mi  {'是' if same else '否 ← 不一致'}")
        for name, found in (("手写SQL", problems), ("pandas", problems_pd)):
            if found:
                say(f"        {name}：{len(found)} 处不同，例 {found[:3]}")
        if pandas["rows"] is None:
            say(f"        pandas：{'内存超过限额被停止' if pandas['stopped'] else '未完成'}"
                f"（峰值 {peak}）")
    runner.close()
    te, th = totals["engine"], totals["hand"]
    tp, tc = totals["pandas"], totals["pandas_compute"]
    say(f"{'合计':<7}{'':>8}{te:>9.2f}{'':>9}{th:>11.2f}{tp - tc:>11.2f}{tc:>11.2f}"
        f"{te / max(th, 1e-9):>10.2f}{tp / max(te, 1e-9):>12.1f}{tc / max(te, 1e-9):>8.1f}"
        + ("" if pandas_complete else "  （pandas 合计不含被停止的规则）"))
    say(f"\n引擎进程峰值 RSS {rss_mib():,.0f} MiB（pandas 不在本进程）。"
        "“引擎”与“手写SQL”都从 Parquet 文件读起，时间含读入；“pandas/引擎”同样比较从 Parquet 到结果"
        "（pandas 读入 + 计算），“仅计算”不含 pandas 的读入。pandas 峰值是各自子进程的 VmHWM"
        "（含 Python、pandas 与读入的表）。")
    return ok


def runner_sql(rule: Any) -> str:
    from qinglian.monitoring.engine import bind_sql, resolve_parameters

    return bind_sql(rule, resolve_parameters(rule), "duckdb")


def run_ocds() -> None:
    say("\n== 10,000 个真实 OCDS 采购项目：导入 + 十一项指标 ==")
    if not OCDS_REAL.exists():
        say(f"跳过：找不到 {OCDS_REAL}（../shared 不存在）")
        return
    from qinglian.monitoring.engine import all_rules
    from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner
    from qinglian.monitoring.ocds import import_compiled_releases

    began = time.perf_counter()
    dataset = import_compiled_releases(OCDS_REAL, Path(tempfile.mkdtemp(prefix="qinglian-ocds-")))
    imported = time.perf_counter() - began
    runner = DuckDBRunner(dataset.tables)
    report = runner.run_all(all_rules(tag="ocds"))
    runner.close()
    total = time.perf_counter() - began
    say(f"导入 {imported:.2f} s，指标 {report.seconds:.2f} s，合计 {total:.2f} s（目标 ≤ 10 s）；"
        f"峰值 RSS {rss_mib():,.0f} MiB")
    say("各指标命中：" + "，".join(f"{k} {v}" for k, v in report.counts().items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"生成的 Parquet 保存在此（按规模和种子分目录，下次沿用；默认 {DEFAULT_DATA_DIR}）")
    parser.add_argument("--repeat", type=int, default=2, help="引擎与手写 SQL 各跑几次取最快")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-limit", type=float, default=8.0, help="内存上限（GiB）")
    parser.add_argument("--rules", nargs="*", help="只跑这些规则")
    parser.add_argument("--skip-ocds", action="store_true")
    parser.add_argument("--pandas-rule", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pandas_rule:
        directory = args.data_dir / f"p{args.payments}-s{args.seed}"
        pandas_child(args.pandas_rule, {kind: directory / f"{kind}.parquet" for kind in KINDS},
                     args.result)
        return
    ok = run_ledgers(args)
    if not args.skip_ocds:
        run_ocds()
    if not ok:
        sys.exit("三种实现的结果不一致")


if __name__ == "__main__":
    main()
