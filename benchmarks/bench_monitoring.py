"""Ledger red-flag rules: the engine (rule SQL through the DuckDB runner) beside a hand-written
DuckDB query and an idiomatic pandas implementation, same run, same data, checked to agree.

    .venv/bin/python benchmarks/bench_monitoring.py --payments 10000000 --skip-ocds
    .venv/bin/python benchmarks/bench_monitoring.py --payments 1000000 --repeat 3

Data: benchmarks/_monitoring_data.py (CSV, reproducible by seed) converted to canonical
Parquet, plus tenders, bids, contracts and amendments made here by DuckDB from hashes (with a
planted rotation ring). The Parquet files are kept under ``--data-dir`` (one directory per size
and seed, reused by later runs; the CSV is deleted once converted).

Fairness: all three produce the same thing — per hit the subject, the value, the unit, the
vendor, the date (occurred_on) and the evidence keys — and all of it is compared (values to
1e-6 relative). The engine and the hand SQL share one DuckDB connection (same threads and
memory_limit) and each is timed as the best of ``--repeat`` runs in alternating order; the
engine's time is a whole ``DuckDBRunner.run`` (parameter check, binding, query, fetching and
building the Hit objects), the hand SQL's is the query and ``fetchall``. pandas runs each rule in
a fresh subprocess that reads only the tables the rule needs (read time reported apart) and
reports its own peak RSS; one that grows past ``--memory-limit`` is stopped and reported as
such. The engine's peak RSS is this process's (pandas is never imported here).

Each rule's row is printed (and flushed) as soon as its three timings exist. A last section
imports the 10,000 real OCDS processes and runs the eleven OCDS indicators (skipped with a
message when ../shared is absent).
"""

from __future__ import annotations

import argparse
import datetime as dt
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

OCDS_REAL = HERE.parent.parent / "shared" / "data" / "ocds" / "dr-10000.jsonl.gz"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "qinglian-bench-monitoring-data"
GIB = 2**30
TYPES = {"code": "VARCHAR", "text": "VARCHAR", "amount": "DECIMAL(18,2)", "date": "DATE",
         "integer": "BIGINT", "boolean": "BOOLEAN"}
KINDS = ("vendors", "employees", "purchase_orders", "payments", "tenders", "bids", "contracts",
         "contract_amendments", "non_working_days")
#: The tables (and columns) each pandas implementation reads.
PANDAS_INPUTS: dict[str, dict[str, list[str]]] = {
    "L001": {"purchase_orders": ["order_id", "unit", "vendor_id", "amount", "ordered_on"]},
    "L001P": {"payments": ["payment_id", "unit", "vendor_id", "amount", "paid_on"]},
    "L002": {"payments": ["payment_id", "unit", "vendor_id", "amount", "paid_on", "invoice_no"]},
    "L003": {"payments": ["payment_id", "vendor_id", "amount", "paid_on"]},
    "L004": {"payments": ["vendor_id", "amount"]},
    "L005": {"payments": ["payment_id", "unit", "vendor_id", "amount", "paid_on"],
             "non_working_days": ["day"]},
    "L006": {"payments": ["unit", "vendor_id", "amount", "paid_on"]},
    "L007": {"payments": ["payment_id", "unit", "vendor_id", "amount", "paid_on"],
             "vendors": ["vendor_id", "registered_on"]},
    "L008": {"vendors": ["vendor_id", "phone", "bank_account", "address", "legal_representative"],
             "employees": ["employee_id", "name", "department", "phone", "bank_account", "address"]},
    "L009": {"tenders": ["tender_id", "unit", "method", "published_on"],
             "bids": ["bid_id", "tender_id", "vendor_id"]},
    "L010": {"tenders": ["tender_id", "published_on", "awarded_vendor_id"],
             "bids": ["tender_id", "vendor_id", "won"]},
    "L011": {"tenders": ["tender_id", "unit", "method", "published_on", "deadline_on",
                         "awarded_vendor_id"]},
    "L012": {"contracts": ["contract_id", "unit", "vendor_id", "amount"],
             "contract_amendments": ["amendment_id", "contract_id", "amount_change", "amended_on"]},
}


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




# -- hand-written DuckDB SQL (independent of the rule files) -----------------------------------
# Each returns (subject, value, unit, vendor_id, occurred_on, evidence keys) — what the engine
# returns — with the rules' default parameters written in.

def hand_split(table: str, key: str, day: str) -> str:
    return f"""
    WITH s AS (SELECT {key} k, unit, vendor_id v, amount, {day} d, {day} - DATE '1970-01-01' AS dn
               FROM {table} WHERE amount > 0 AND amount < 50000 AND unit IS NOT NULL
                 AND vendor_id IS NOT NULL AND {day} IS NOT NULL),
    w AS (SELECT unit, v, dn, count(*) OVER f c, sum(amount) OVER f t, max(dn) OVER f e
          FROM s WINDOW f AS (PARTITION BY unit, v ORDER BY dn RANGE BETWEEN CURRENT ROW AND 29 FOLLOWING)),
    fl AS (SELECT DISTINCT unit, v, dn, e FROM w WHERE c >= 2 AND t >= 50000),
    isl AS (SELECT *, sum(CASE WHEN dn <= pm THEN 0 ELSE 1 END) OVER (PARTITION BY unit, v ORDER BY dn) g
            FROM (SELECT *, max(e) OVER (PARTITION BY unit, v ORDER BY dn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) pm FROM fl)),
    sp AS (SELECT unit, v, min(dn) a, max(e) b FROM isl GROUP BY unit, v, g)
    SELECT sp.unit || '|' || sp.v || '|' || CAST(min(s.d) AS VARCHAR), CAST(sum(s.amount) AS DOUBLE),
           sp.unit, sp.v, min(s.d), list(s.k)
    FROM sp JOIN s ON s.unit = sp.unit AND s.v = sp.v AND s.dn BETWEEN sp.a AND sp.b
    GROUP BY sp.unit, sp.v, sp.a"""


BENFORD_P = [math.log10(1 + 1 / k) for k in range(1, 10)]
HAND = {
    "L001": hand_split("purchase_orders", "order_id", "ordered_on"),
    "L001P": hand_split("payments", "payment_id", "paid_on"),
    "L002": """
    SELECT vendor_id || '|' || invoice_no || '|' || CAST(amount AS VARCHAR),
           CAST(amount AS DOUBLE) * (count(*) - 1), min(unit), vendor_id, min(paid_on), list(payment_id)
    FROM payments WHERE invoice_no IS NOT NULL AND vendor_id IS NOT NULL AND amount IS NOT NULL
    GROUP BY vendor_id, invoice_no, amount HAVING count(*) > 1
    UNION ALL
    SELECT vendor_id || '|' || CAST(amount AS VARCHAR) || '|' || CAST(min(paid_on) AS VARCHAR),
           CAST(amount AS DOUBLE) * (count(*) - 1), min(unit), vendor_id, min(paid_on), list(payment_id)
    FROM (SELECT *, sum(nw) OVER (PARTITION BY vendor_id, amount ORDER BY paid_on, payment_id ROWS UNBOUNDED PRECEDING) g
          FROM (SELECT *, CASE WHEN paid_on - lag(paid_on) OVER (PARTITION BY vendor_id, amount ORDER BY paid_on, payment_id) <= 7
                               THEN 0 ELSE 1 END nw FROM payments
                WHERE invoice_no IS NULL AND vendor_id IS NOT NULL AND amount IS NOT NULL AND paid_on IS NOT NULL))
    GROUP BY vendor_id, amount, g HAVING count(*) > 1""",
    "L003": """
    SELECT vendor_id, (count(*) FILTER (amount % 10000 = 0) / count(*))::DOUBLE, NULL, vendor_id,
           min(paid_on) FILTER (amount % 10000 = 0), list(payment_id) FILTER (amount % 10000 = 0)
    FROM payments WHERE amount >= 10000 AND vendor_id IS NOT NULL GROUP BY vendor_id
    HAVING count(*) >= 10 AND count(*) FILTER (amount % 10000 = 0) >= 5
       AND count(*) FILTER (amount % 10000 = 0) / count(*) > 0.5""",
    "L004": f"""
    WITH c AS (SELECT vendor_id, left(CAST(amount AS VARCHAR), 1)::INT d FROM payments
               WHERE amount >= 10 AND vendor_id IS NOT NULL),
    n AS (SELECT vendor_id, count(*) n FROM c GROUP BY vendor_id HAVING count(*) >= 100),
    e AS (SELECT unnest(range(1, 10)) d, unnest({BENFORD_P}) p),
    o AS (SELECT n.vendor_id, n.n, e.d, e.p, count(c.d) obs FROM n CROSS JOIN e
          LEFT JOIN c ON c.vendor_id = n.vendor_id AND c.d = e.d GROUP BY ALL)
    SELECT vendor_id, sum(abs(obs / n - p)) / 9, NULL, vendor_id, NULL, NULL FROM o GROUP BY vendor_id
    HAVING sum(abs(obs / n - p)) / 9 > 0.015 AND sum((obs - n * p) ^ 2 / (n * p)) > 20.09""",
    "L005": """
    SELECT payment_id, CAST(amount AS DOUBLE), unit, vendor_id, paid_on, payment_id FROM payments
    WHERE amount >= 10000 AND paid_on IN (SELECT day FROM non_working_days)""",
    "L006": """
    WITH v AS (SELECT unit, CAST(year(paid_on) AS VARCHAR) y, vendor_id, sum(amount) t, count(*) c,
                      min(paid_on) f
               FROM payments WHERE amount > 0 AND unit IS NOT NULL AND vendor_id IS NOT NULL
                 AND paid_on IS NOT NULL GROUP BY ALL),
    s AS (SELECT *, t::DOUBLE / (sum(t) OVER (PARTITION BY unit, y))::DOUBLE sh,
                 sum(c) OVER (PARTITION BY unit, y) uc FROM v)
    SELECT unit || '|' || y, round(sum(sh * sh) * 10000, 6), unit, first(vendor_id ORDER BY t DESC, vendor_id),
           min(f), NULL
    FROM s WHERE uc >= 10 GROUP BY unit, y
    HAVING max(sh) > 0.5 AND round(sum(sh * sh) * 10000, 6) > 2500""",
    "L007": """
    WITH f AS (SELECT vendor_id, min(paid_on) f FROM payments WHERE vendor_id IS NOT NULL
               AND paid_on IS NOT NULL GROUP BY 1),
    s AS (SELECT f.vendor_id, f.f, least(coalesce(v.registered_on, f.f), f.f) s
          FROM f LEFT JOIN vendors v USING (vendor_id))
    SELECT p.vendor_id, CAST(sum(amount) AS DOUBLE), min(p.unit), p.vendor_id, any_value(s.f),
           list(p.payment_id)
    FROM payments p JOIN s USING (vendor_id)
    WHERE p.paid_on BETWEEN s.s AND s.s + 90 GROUP BY p.vendor_id HAVING sum(amount) > 500000""",
}

_FULL = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）"
_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()"


def _norm(expr: str) -> str:
    return f"upper(translate({expr}, '{_FULL}', '{_HALF}'))"


def _phone(owner: str, table: str) -> str:
    digits = f"regexp_replace({_norm('phone')}, '[^0-9]', '', 'g')"
    return (f"SELECT {owner}, 'p' k, CASE"
            f" WHEN x LIKE '0086%' THEN (CASE WHEN substr(x, 5, 1) IN ('0', '1') THEN '' ELSE '0' END) || substr(x, 5)"
            f" WHEN x LIKE '86%' AND length(x) IN (12, 13)"
            f" THEN (CASE WHEN substr(x, 3, 1) IN ('0', '1') THEN '' ELSE '0' END) || substr(x, 3)"
            f" ELSE x END x FROM (SELECT {owner}, {digits} x FROM {table})")


def _address(expr: str) -> str:
    return (f"regexp_replace(replace(replace(replace({_norm(expr)}, '幢', '栋'), '座', '栋'), '号楼', '栋'),"
            f" '[^0-9A-Z#一-鿿]', '', 'g')")


HAND["L008"] = f"""
    WITH vk AS (
      {_phone('vendor_id', 'vendors')}
      UNION ALL SELECT vendor_id, 'b', regexp_replace({_norm('bank_account')}, '[^0-9A-Z]', '', 'g') FROM vendors
      UNION ALL SELECT vendor_id, 'a', {_address('address')} FROM vendors
      UNION ALL SELECT vendor_id, 'n', regexp_replace({_norm('legal_representative')}, '[ ·•・.．-]', '', 'g') FROM vendors),
    ek AS (
      {_phone('employee_id', 'employees')}
      UNION ALL SELECT employee_id, 'b', regexp_replace({_norm('bank_account')}, '[^0-9A-Z]', '', 'g') FROM employees
      UNION ALL SELECT employee_id, 'a', {_address('address')} FROM employees
      UNION ALL SELECT employee_id, 'n', regexp_replace({_norm('name')}, '[ ·•・.．-]', '', 'g') FROM employees),
    m AS (SELECT vendor_id, employee_id, count(DISTINCT vk.k)::DOUBLE n FROM vk JOIN ek USING (k, x)
          WHERE vendor_id IS NOT NULL AND employee_id IS NOT NULL
            AND length(x) >= CASE k WHEN 'p' THEN 7 WHEN 'b' THEN 8 WHEN 'a' THEN 6 ELSE 2 END
          GROUP BY ALL)
    SELECT vendor_id || '|' || employee_id, n, e.department, vendor_id, NULL, employee_id
    FROM m JOIN employees e USING (employee_id)"""
HAND["L009"] = """
    SELECT t.tender_id, 1.0::DOUBLE, any_value(t.unit), min(b.vendor_id), any_value(t.published_on), list(b.bid_id)
    FROM tenders t JOIN bids b USING (tender_id)
    WHERE t.method IS DISTINCT FROM '单一来源' GROUP BY t.tender_id HAVING count(DISTINCT b.vendor_id) = 1"""
HAND["L010"] = """
    WITH bb AS (SELECT DISTINCT tender_id, vendor_id FROM bids WHERE vendor_id IS NOT NULL),
    ok AS (SELECT tender_id FROM bb GROUP BY 1 HAVING count(*) BETWEEN 3 AND 10),
    e AS (SELECT bb.* FROM bb SEMI JOIN ok USING (tender_id)),
    w AS (SELECT t.tender_id, any_value(t.published_on) pub,
                 coalesce(t.awarded_vendor_id, min(b.vendor_id) FILTER (b.won)) win
          FROM tenders t LEFT JOIN bids b USING (tender_id) GROUP BY t.tender_id, t.awarded_vendor_id),
    tr AS (SELECT x.tender_id, x.vendor_id a, y.vendor_id b, z.vendor_id c FROM e x
           JOIN e y ON y.tender_id = x.tender_id AND y.vendor_id > x.vendor_id
           JOIN e z ON z.tender_id = x.tender_id AND z.vendor_id > y.vendor_id)
    SELECT a || '|' || b || '|' || c, count(*)::DOUBLE, NULL, NULL, min(pub), list(tender_id)
    FROM tr JOIN w USING (tender_id) GROUP BY a, b, c
    HAVING count(*) >= 3 AND bool_or(win = a) AND bool_or(win = b) AND bool_or(win = c)
       AND count(*) FILTER (win IN (a, b, c)) = count(*)"""
HAND["L011"] = """
    SELECT tender_id, (deadline_on - published_on)::DOUBLE, unit, awarded_vendor_id, published_on, tender_id
    FROM tenders
    WHERE method IS DISTINCT FROM '单一来源'
      AND deadline_on - published_on < CASE method WHEN '竞争性磋商' THEN 10 WHEN '竞争性谈判' THEN 3
                                                    WHEN '询价' THEN 3 ELSE 20 END"""
HAND["L012"] = """
    WITH a AS (SELECT contract_id, sum(amount_change) ch, max(amended_on) last, list(amendment_id) keys
               FROM contract_amendments WHERE amount_change IS NOT NULL GROUP BY contract_id)
    SELECT c.contract_id, a.ch::DOUBLE / c.amount::DOUBLE, c.unit, c.vendor_id, a.last, a.keys
    FROM contracts c JOIN a USING (contract_id)
    WHERE c.amount > 0 AND a.ch::DOUBLE / c.amount::DOUBLE > 0.2"""


# -- idiomatic pandas (run in a subprocess per rule; pandas is imported only there) ------------
# Each returns a list of (subject, value, unit, vendor_id, occurred_on, evidence keys).

Row = tuple[str, float, Any, Any, Any, Any]


def pd_split(df: Any, key: str, day: str) -> list[Row]:
    import numpy as np

    s = df[(df.amount > 0) & (df.amount < 50000) & df.unit.notna() & df.vendor_id.notna()
           & df[day].notna()][[key, "unit", "vendor_id", "amount", day]]
    s = s.assign(dn=(s[day] - np.datetime64("1970-01-01")).dt.days)
    s = s.sort_values(["unit", "vendor_id", "dn"], kind="stable").reset_index(drop=True)
    pair = s.groupby(["unit", "vendor_id"], sort=False).ngroup().to_numpy()
    dn = s["dn"].to_numpy()
    combined = pair.astype(np.int64) * 1_000_000 + dn
    end = np.searchsorted(combined, combined + 29, side="right")
    cum = np.concatenate([[0.0], np.cumsum(s["amount"].to_numpy())])
    idx = np.arange(len(s))
    flagged = s.assign(pair=pair, e=dn[np.maximum(end - 1, 0)], c=end - idx, t=cum[end] - cum[idx])
    flagged = flagged[(flagged.c >= 2) & (flagged.t >= 50000 - 1e-6)].drop_duplicates(["pair", "dn"])
    prev = flagged.groupby("pair")["e"].cummax().groupby(flagged["pair"]).shift()
    flagged["g"] = (~(flagged["dn"] <= prev)).astype(int).groupby(flagged["pair"]).cumsum()
    spans = flagged.groupby(["pair", "g"]).agg(a=("dn", "min"), b=("e", "max")).reset_index()
    lo = np.searchsorted(combined, spans.pair.to_numpy() * 1_000_000 + spans.a.to_numpy())
    hi = np.searchsorted(combined, spans.pair.to_numpy() * 1_000_000 + spans.b.to_numpy(), side="right")
    keys, units, vendors, days = (s[c].to_numpy() for c in (key, "unit", "vendor_id", day))
    out = []
    for a, b in zip(lo, hi, strict=True):
        first = pd_date(days[a])
        out.append((f"{units[a]}|{vendors[a]}|{first}", round(cum[b] - cum[a], 2),
                    units[a], vendors[a], first, list(keys[a:b])))
    return out


def pd_date(value: Any) -> dt.date | None:
    import pandas as pd

    return None if pd.isna(value) else pd.Timestamp(value).date()


def pd_rows(frame: Any, subject: str, value: str, unit: str | None, vendor: str | None,
            day: str | None, keys: str | None) -> list[Row]:
    """Rows of a result frame (column names) as tuples."""
    n = len(frame)
    columns = [frame[c].tolist() if c else [None] * n for c in (subject, value, unit, vendor)]
    days = [pd_date(x) for x in frame[day]] if day else [None] * n
    evidence = frame[keys].tolist() if keys else [None] * n
    return list(zip(*columns, days, evidence, strict=True))


def pd_rules() -> dict[str, Callable[[dict[str, Any]], list[Row]]]:
    import numpy as np
    import pandas as pd

    res: dict[str, Callable[[dict[str, Any]], list[Row]]] = {}
    res["L001"] = lambda t: pd_split(t["purchase_orders"], "order_id", "ordered_on")
    res["L001P"] = lambda t: pd_split(t["payments"], "payment_id", "paid_on")

    def l002(t: dict[str, Any]) -> list[Row]:
        p = t["payments"]
        p = p[p.vendor_id.notna() & p.amount.notna()]
        inv = p[p.invoice_no.notna()]
        inv = inv[inv.duplicated(["vendor_id", "invoice_no", "amount"], keep=False)]
        g = inv.groupby(["vendor_id", "invoice_no", "amount"]).agg(
            n=("payment_id", "size"), unit=("unit", "min"), first=("paid_on", "min"),
            keys=("payment_id", list)).reset_index()
        g["subject"] = g.vendor_id + "|" + g.invoice_no + "|" + g.amount.map("{:.2f}".format)
        g["value"] = g.amount * (g.n - 1)
        out = pd_rows(g, "subject", "value", "unit", "vendor_id", "first", "keys")
        bare = p[p.invoice_no.isna() & p.paid_on.notna()].sort_values(
            ["vendor_id", "amount", "paid_on", "payment_id"])
        if len(bare):
            gap = bare.groupby(["vendor_id", "amount"]).paid_on.diff().dt.days
            bare = bare.assign(g=(~(gap <= 7)).cumsum())
            bare = bare[bare.duplicated("g", keep=False)]
            c = bare.groupby(["vendor_id", "amount", "g"]).agg(
                n=("payment_id", "size"), unit=("unit", "min"), first=("paid_on", "min"),
                keys=("payment_id", list)).reset_index()
            c["subject"] = (c.vendor_id + "|" + c.amount.map("{:.2f}".format) + "|"
                            + c["first"].dt.strftime("%Y-%m-%d"))
            c["value"] = c.amount * (c.n - 1)
            out += pd_rows(c, "subject", "value", "unit", "vendor_id", "first", "keys")
        return out
    res["L002"] = l002

    def l003(t: dict[str, Any]) -> list[Row]:
        p = t["payments"]
        q = p[(p.amount >= 10000) & p.vendor_id.notna()]
        q = q.assign(r=q.amount % 10000 == 0)
        g = q.groupby("vendor_id").r.agg(["size", "sum"])
        g = g[(g["size"] >= 10) & (g["sum"] >= 5) & (g["sum"] / g["size"] > 0.5)]
        r = q[q.r & q.vendor_id.isin(g.index)].groupby("vendor_id").agg(
            first=("paid_on", "min"), keys=("payment_id", list))
        r = r.join((g["sum"] / g["size"]).rename("share")).reset_index()
        return pd_rows(r, "vendor_id", "share", None, "vendor_id", "first", "keys")
    res["L003"] = l003

    def l004(t: dict[str, Any]) -> list[Row]:
        p = t["payments"]
        q = p[(p.amount >= 10) & p.vendor_id.notna()]
        digit = q.amount.astype("string").str[0].astype(int)
        counts = pd.crosstab(q.vendor_id, digit).reindex(columns=range(1, 10), fill_value=0)
        n = counts.sum(axis=1)
        counts, n = counts[n >= 100], n[n >= 100]
        expected = np.array(BENFORD_P)
        mad = (counts.div(n, axis=0) - expected).abs().sum(axis=1) / 9
        chi = ((counts - np.outer(n, expected)) ** 2 / np.outer(n, expected)).sum(axis=1)
        mad = mad[(mad > 0.015) & (chi > 20.09)]
        return [(v, m, None, v, None, None) for v, m in mad.items()]
    res["L004"] = l004

    def l005(t: dict[str, Any]) -> list[Row]:
        p = t["payments"]
        q = p[(p.amount >= 10000) & p.paid_on.isin(t["non_working_days"]["day"])]
        return pd_rows(q, "payment_id", "amount", "unit", "vendor_id", "paid_on", "payment_id")
    res["L005"] = l005

    def l006(t: dict[str, Any]) -> list[Row]:
        p = t["payments"]
        q = p[(p.amount > 0) & p.unit.notna() & p.vendor_id.notna() & p.paid_on.notna()]
        q = q.assign(y=q.paid_on.dt.year.astype(str))
        v = q.groupby(["unit", "y", "vendor_id"]).agg(
            total=("amount", "sum"), n=("amount", "size"), first=("paid_on", "min")).reset_index()
        v["sh"] = v.total / v.groupby(["unit", "y"]).total.transform("sum")
        v = v.sort_values(["unit", "y", "total", "vendor_id"], ascending=[True, True, False, True])
        u = v.groupby(["unit", "y"]).agg(
            n=("n", "sum"), top=("sh", "first"), top_vendor=("vendor_id", "first"),
            first=("first", "min"), hhi=("sh", lambda x: round((x * x).sum() * 10000, 6))).reset_index()
        u = u[(u.n >= 10) & (u.top > 0.5) & (u.hhi > 2500)]
        u = u.assign(subject=u.unit + "|" + u.y)
        return pd_rows(u, "subject", "hhi", "unit", "top_vendor", "first", None)
    res["L006"] = l006

    def l007(t: dict[str, Any]) -> list[Row]:
        p = t["payments"]
        p = p[p.vendor_id.notna() & p.paid_on.notna()]
        first = p.groupby("vendor_id").paid_on.min().rename("f").reset_index()
        first = first.merge(t["vendors"], how="left", on="vendor_id")
        first["s"] = first[["f", "registered_on"]].min(axis=1)
        q = p.merge(first[["vendor_id", "f", "s"]], on="vendor_id")
        q = q[(q.paid_on >= q.s) & ((q.paid_on - q.s).dt.days <= 90)]
        g = q.groupby("vendor_id").agg(total=("amount", "sum"), unit=("unit", "min"),
                                       first=("f", "first"), keys=("payment_id", list))
        g = g[g.total > 500000].reset_index()
        return pd_rows(g, "vendor_id", "total", "unit", "vendor_id", "first", "keys")
    res["L007"] = l007

    def l008(t: dict[str, Any]) -> list[Row]:
        def norm(x: Any) -> Any:
            return x.str.normalize("NFKC").str.upper()

        def phone(x: Any) -> Any:
            d = norm(x).str.replace(r"\D", "", regex=True)
            for prefix, long in (("0086", d.str.len() > 0), ("86", d.str.len().isin([12, 13]))):
                hit = d.str.startswith(prefix) & long
                rest = d.str[len(prefix):]
                d = d.where(~hit, rest.where(rest.str[:1].isin(["0", "1"]), "0" + rest))
            return d

        def address(x: Any) -> Any:
            x = norm(x).str.replace("幢", "栋").str.replace("座", "栋").str.replace("号楼", "栋")
            return x.str.replace(r"[^0-9A-Z#\u4e00-\u9fff]", "", regex=True)

        kinds = {"p": (phone, 7, "phone", "phone"),
                 "b": (lambda x: norm(x).str.replace(r"[^0-9A-Z]", "", regex=True), 8,
                       "bank_account", "bank_account"),
                 "a": (address, 6, "address", "address"),
                 "n": (lambda x: norm(x).str.replace(r"[ ·•・.．\-]", "", regex=True), 2,
                       "legal_representative", "name")}
        vendors = t["vendors"][t["vendors"].vendor_id.notna()]
        employees = t["employees"][t["employees"].employee_id.notna()]
        parts = []
        for kind, (f, minimum, vc, ec) in kinds.items():
            vv = pd.DataFrame({"vendor_id": vendors.vendor_id, "x": f(vendors[vc])}).dropna()
            ee = pd.DataFrame({"employee_id": employees.employee_id, "x": f(employees[ec])}).dropna()
            m = vv[vv.x.str.len() >= minimum].merge(ee[ee.x.str.len() >= minimum], on="x")
            parts.append(m.assign(k=kind)[["vendor_id", "employee_id", "k"]])
        m = pd.concat(parts).drop_duplicates()
        g = m.groupby(["vendor_id", "employee_id"]).size().rename("n").reset_index()
        g = g.merge(employees[["employee_id", "department"]], on="employee_id")
        g["subject"] = g.vendor_id + "|" + g.employee_id
        g["n"] = g.n.astype(float)
        return pd_rows(g, "subject", "n", "department", "vendor_id", None, "employee_id")
    res["L008"] = l008

    def l009(t: dict[str, Any]) -> list[Row]:
        tenders, bids = t["tenders"], t["bids"]
        q = tenders[tenders.method != "单一来源"].merge(bids, on="tender_id")
        g = q.groupby("tender_id").agg(n=("vendor_id", "nunique"), unit=("unit", "first"),
                                       vendor=("vendor_id", "min"), day=("published_on", "first"),
                                       keys=("bid_id", list))
        g = g[g.n == 1].reset_index().assign(value=1.0)
        return pd_rows(g, "tender_id", "value", "unit", "vendor", "day", "keys")
    res["L009"] = l009

    def l010(t: dict[str, Any]) -> list[Row]:
        tenders, bids = t["tenders"], t["bids"]
        bb = bids[bids.vendor_id.notna()][["tender_id", "vendor_id"]].drop_duplicates()
        size = bb.groupby("tender_id").vendor_id.transform("size")
        e = bb[(size >= 3) & (size <= 10)]
        marked = bids[bids.won.fillna(False).astype(bool)].groupby("tender_id").vendor_id.min()
        w = tenders.set_index("tender_id")
        w = w.assign(win=w.awarded_vendor_id.fillna(marked.reindex(w.index)))[["win", "published_on"]]
        x = e.merge(e, on="tender_id").query("vendor_id_x < vendor_id_y")
        x = x.merge(e, on="tender_id").query("vendor_id_y < vendor_id")
        x = x.join(w, on="tender_id")
        x["wa"], x["wb"], x["wc"] = x.win == x.vendor_id_x, x.win == x.vendor_id_y, x.win == x.vendor_id
        g = x.groupby(["vendor_id_x", "vendor_id_y", "vendor_id"]).agg(
            n=("tender_id", "size"), a=("wa", "sum"), b=("wb", "sum"), c=("wc", "sum"),
            day=("published_on", "min"), keys=("tender_id", list))
        g = g[(g.n >= 3) & (g.a > 0) & (g.b > 0) & (g.c > 0) & (g.a + g.b + g.c == g.n)]
        return [("|".join(k), float(r["n"]), None, None, pd_date(r["day"]), r["keys"])
                for k, r in g.iterrows()]
    res["L010"] = l010

    def l011(t: dict[str, Any]) -> list[Row]:
        tenders = t["tenders"]
        days = (tenders.deadline_on - tenders.published_on).dt.days
        minimum = tenders.method.map({"竞争性磋商": 10, "竞争性谈判": 3, "询价": 3}).fillna(20)
        q = tenders[(tenders.method != "单一来源") & (days < minimum)].assign(days=days.astype(float))
        return pd_rows(q, "tender_id", "days", "unit", "awarded_vendor_id", "published_on", "tender_id")
    res["L011"] = l011

    def l012(t: dict[str, Any]) -> list[Row]:
        a = t["contract_amendments"]
        ch = a[a.amount_change.notna()].groupby("contract_id").agg(
            change=("amount_change", "sum"), last=("amended_on", "max"), keys=("amendment_id", list))
        c = t["contracts"].join(ch, on="contract_id", how="inner")
        c = c[c.amount > 0].assign(ratio=lambda f: f.change / f.amount)
        c = c[c.ratio > 0.2]
        return pd_rows(c, "contract_id", "ratio", "unit", "vendor_id", "last", "keys")
    res["L012"] = l012
    return res


def load_pandas(inputs: dict[str, Path], tables: dict[str, list[str]]) -> dict[str, Any]:
    """The tables a rule reads, amounts as float64 and dates as datetime64 (pandas' idiom)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frames = {}
    for kind, columns in tables.items():
        table = pq.read_table(inputs[kind], columns=columns)
        table = table.cast(pa.schema([
            pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type)
            else pa.field(f.name, pa.timestamp("ns")) if pa.types.is_date(f.type) else f
            for f in table.schema]))
        frames[kind] = table.to_pandas()
    return frames


def pandas_child(code: str, inputs: dict[str, Path], result: Path) -> None:
    """One rule in pandas (this process does nothing else): read, run, write the rows."""
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
    say(f"\n{'规则':<7}{'命中':>8}{'引擎 s':>9}{'其中Hit':>9}{'手写SQL s':>11}{'pandas s':>10}"
        f"{'引擎/手写':>10}{'pandas/引擎':>12}{'pandas峰值':>12}{'引擎RSS':>10}  一致")
    ok = True
    totals = {"engine": 0.0, "hand": 0.0, "pandas": 0.0}
    pandas_complete = True
    for rule in rules:
        code = rule.code
        engine_best = hand_best = math.inf
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
        assert run is not None and rows is not None
        # How much of the engine's time is building Hit objects from the fetched rows.
        cursor = connection.execute(runner_sql(rule))
        raw = cursor.fetchall()
        columns = [c[0] for c in cursor.description or ()]
        from qinglian.monitoring.engine.results import normalise_hits

        hit_seconds, _ = timed(lambda: normalise_hits(code, raw, columns))  # noqa: B023
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
            pd_text, ratio_pd = ("> 限额" if pandas["stopped"] else "失败"), "—"
        else:
            totals["pandas"] += pandas["seconds"]
            pd_text = f"{pandas['seconds']:.3f}"
            ratio_pd = f"{pandas['seconds'] / max(engine_best, 1e-9):.1f}"
        totals["engine"] += engine_best
        totals["hand"] += hand_best
        say(f"{code:<7}{len(run.hits):>8}{engine_best:>9.3f}{hit_seconds:>9.3f}{hand_best:>11.3f}"
            f"{pd_text:>10}{engine_best / max(hand_best, 1e-9):>10.2f}{ratio_pd:>12}{peak:>12}"
            f"{engine_rss:>8,.0f}Mi  {'是' if same else '否 ← 不一致'}")
        for name, found in (("手写SQL", problems), ("pandas", problems_pd)):
            if found:
                say(f"        {name}：{len(found)} 处不同，例 {found[:3]}")
        if pandas["rows"] is None:
            say(f"        pandas：{'内存超过限额被停止' if pandas['stopped'] else '未完成'}"
                f"（峰值 {peak}）")
    runner.close()
    te, th, tp = totals["engine"], totals["hand"], totals["pandas"]
    say(f"{'合计':<7}{'':>8}{te:>9.2f}{'':>9}{th:>11.2f}{tp:>10.2f}{te / max(th, 1e-9):>10.2f}"
        f"{tp / max(te, 1e-9):>12.1f}" + ("" if pandas_complete else "  （pandas 合计不含被停止的规则）"))
    say(f"\n引擎进程峰值 RSS {rss_mib():,.0f} MiB（pandas 不在本进程）。pandas 的读入时间不计入，"
        "峰值是各自子进程的 VmHWM（含 Python、pandas 与读入的表）。")
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
