"""Ledger red-flag rules: the engine (rule SQL through the DuckDB runner) beside a hand-written
DuckDB query and an idiomatic pandas implementation, same run, same data, checked to agree.

    .venv/bin/python benchmarks/bench_monitoring.py --payments 10000000

Data: benchmarks/_monitoring_data.py (CSV, reproducible by seed) converted to canonical
Parquet, plus tenders, bids, contracts and amendments made here by DuckDB from hashes (with a
planted rotation ring). Agreement: the same subjects with the same values (to 1e-6 relative).
Peak memory: the process's maximum RSS (getrusage) after each engine, and tracemalloc's peak
of the pandas part. A last section imports the 10,000 real OCDS processes and runs the eleven
OCDS indicators (skipped with a message when ../shared is absent).
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from _monitoring_data import generate_ledgers  # noqa: E402

OCDS_REAL = HERE.parent.parent / "shared" / "data" / "ocds" / "dr-10000.jsonl.gz"
TYPES = {"code": "VARCHAR", "text": "VARCHAR", "amount": "DECIMAL(18,2)", "date": "DATE",
         "integer": "BIGINT", "boolean": "BOOLEAN"}


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- data --------------------------------------------------------------------------------------

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

def hand_split(table: str, key: str, day: str) -> str:
    return f"""
    WITH s AS (SELECT {key} k, unit, vendor_id v, amount, {day} - DATE '1970-01-01' AS dn
               FROM {table} WHERE amount > 0 AND amount < 50000),
    w AS (SELECT unit, v, dn, count(*) OVER f c, sum(amount) OVER f t, max(dn) OVER f e
          FROM s WINDOW f AS (PARTITION BY unit, v ORDER BY dn RANGE BETWEEN CURRENT ROW AND 29 FOLLOWING)),
    fl AS (SELECT DISTINCT unit, v, dn, e FROM w WHERE c >= 2 AND t >= 50000),
    isl AS (SELECT *, sum(CASE WHEN dn <= pm THEN 0 ELSE 1 END) OVER (PARTITION BY unit, v ORDER BY dn) g
            FROM (SELECT *, max(e) OVER (PARTITION BY unit, v ORDER BY dn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) pm FROM fl)),
    sp AS (SELECT unit, v, min(dn) a, max(e) b FROM isl GROUP BY unit, v, g)
    SELECT sp.unit || '|' || sp.v || '|' || CAST(DATE '1970-01-01' + CAST(min(s.dn) AS INTEGER) AS VARCHAR), CAST(sum(s.amount) AS DOUBLE)
    FROM sp JOIN s ON s.unit = sp.unit AND s.v = sp.v AND s.dn BETWEEN sp.a AND sp.b
    GROUP BY sp.unit, sp.v, sp.a"""


BENFORD_P = [math.log10(1 + 1 / k) for k in range(1, 10)]
HAND = {
    "L001": hand_split("purchase_orders", "order_id", "ordered_on"),
    "L001P": hand_split("payments", "payment_id", "paid_on"),
    "L002": """
    SELECT vendor_id || '|' || invoice_no || '|' || CAST(amount AS VARCHAR), CAST(amount AS DOUBLE) * (count(*) - 1)
    FROM payments WHERE invoice_no IS NOT NULL GROUP BY vendor_id, invoice_no, amount HAVING count(*) > 1
    UNION ALL
    SELECT vendor_id || '|' || CAST(amount AS VARCHAR) || '|' || CAST(min(paid_on) AS VARCHAR), CAST(amount AS DOUBLE) * (count(*) - 1)
    FROM (SELECT *, sum(nw) OVER (PARTITION BY vendor_id, amount ORDER BY paid_on, payment_id ROWS UNBOUNDED PRECEDING) g
          FROM (SELECT *, CASE WHEN paid_on - lag(paid_on) OVER (PARTITION BY vendor_id, amount ORDER BY paid_on, payment_id) <= 7
                               THEN 0 ELSE 1 END nw FROM payments WHERE invoice_no IS NULL))
    GROUP BY vendor_id, amount, g HAVING count(*) > 1""",
    "L003": """
    SELECT vendor_id, avg(CASE WHEN amount % 10000 = 0 THEN 1.0 ELSE 0.0 END)::DOUBLE
    FROM payments WHERE amount >= 10000 GROUP BY vendor_id
    HAVING count(*) >= 10 AND count(*) FILTER (amount % 10000 = 0) >= 5
       AND count(*) FILTER (amount % 10000 = 0) / count(*) > 0.5""",
    "L004": f"""
    WITH c AS (SELECT vendor_id, left(CAST(amount AS VARCHAR), 1)::INT d FROM payments WHERE amount >= 10),
    n AS (SELECT vendor_id, count(*) n FROM c GROUP BY vendor_id HAVING count(*) >= 100),
    e AS (SELECT unnest(range(1, 10)) d, unnest({BENFORD_P}) p),
    o AS (SELECT n.vendor_id, n.n, e.d, e.p, count(c.d) obs FROM n CROSS JOIN e
          LEFT JOIN c ON c.vendor_id = n.vendor_id AND c.d = e.d GROUP BY ALL)
    SELECT vendor_id, sum(abs(obs / n - p)) / 9 FROM o GROUP BY vendor_id
    HAVING sum(abs(obs / n - p)) / 9 > 0.015 AND sum((obs - n * p) ^ 2 / (n * p)) > 20.09""",
    "L005": """SELECT payment_id, CAST(amount AS DOUBLE) FROM payments
               WHERE amount >= 10000 AND paid_on IN (SELECT day FROM non_working_days)""",
    "L006": """
    WITH v AS (SELECT unit, year(paid_on) y, vendor_id, sum(amount) t, count(*) c FROM payments GROUP BY ALL),
    u AS (SELECT unit, y, sum(t) tt, sum(c) c, max(t) mt,
                 round(sum((t::DOUBLE / sum(t) OVER (PARTITION BY unit, y)::DOUBLE) ^ 2) * 10000, 6) FILTER (true) hhi0
          FROM v GROUP BY unit, y)
    SELECT 1""",
    "L007": """
    WITH f AS (SELECT p.vendor_id, min(paid_on) f FROM payments p GROUP BY 1),
    s AS (SELECT f.vendor_id, least(coalesce(v.registered_on, f.f), f.f) s FROM f LEFT JOIN vendors v USING (vendor_id))
    SELECT p.vendor_id, CAST(sum(amount) AS DOUBLE) FROM payments p JOIN s USING (vendor_id)
    WHERE p.paid_on BETWEEN s.s AND s.s + 90 GROUP BY p.vendor_id HAVING sum(amount) > 500000""",
}
HAND["L006"] = """
    WITH v AS (SELECT unit, CAST(year(paid_on) AS VARCHAR) y, vendor_id, sum(amount) t, count(*) c
               FROM payments WHERE amount > 0 GROUP BY ALL),
    s AS (SELECT *, t::DOUBLE / (sum(t) OVER (PARTITION BY unit, y))::DOUBLE sh,
                 sum(c) OVER (PARTITION BY unit, y) uc FROM v)
    SELECT unit || '|' || y, round(sum(sh * sh) * 10000, 6) FROM s WHERE uc >= 10 GROUP BY unit, y
    HAVING max(sh) > 0.5 AND round(sum(sh * sh) * 10000, 6) > 2500"""


def _norm(expr: str) -> str:
    return f"upper(translate({expr}, '０１２３４５６７８９　', '0123456789 '))"


def _phone(expr: str) -> str:
    d = f"regexp_replace({expr}, '[^0-9]', '', 'g')"
    return (f"CASE WHEN {d} LIKE '0086%' THEN substr({d}, 5) WHEN {d} LIKE '86%' AND "
            f"length({d}) IN (12, 13) THEN substr({d}, 3) ELSE {d} END")


HAND["L008"] = f"""
    WITH vk AS (
      SELECT vendor_id, 'p' k, {_phone(_norm('phone'))} x FROM vendors
      UNION ALL SELECT vendor_id, 'b', regexp_replace({_norm('bank_account')}, '[^0-9A-Z]', '', 'g') FROM vendors
      UNION ALL SELECT vendor_id, 'a', regexp_replace({_norm('address')}, '[^0-9A-Z#一-鿿]', '', 'g') FROM vendors
      UNION ALL SELECT vendor_id, 'n', regexp_replace({_norm('legal_representative')}, '[ ·•・.．-]', '', 'g') FROM vendors),
    ek AS (
      SELECT employee_id, 'p' k, {_phone(_norm('phone'))} x FROM employees
      UNION ALL SELECT employee_id, 'b', regexp_replace({_norm('bank_account')}, '[^0-9A-Z]', '', 'g') FROM employees
      UNION ALL SELECT employee_id, 'a', regexp_replace({_norm('address')}, '[^0-9A-Z#一-鿿]', '', 'g') FROM employees
      UNION ALL SELECT employee_id, 'n', regexp_replace({_norm('name')}, '[ ·•・.．-]', '', 'g') FROM employees)
    SELECT vendor_id || '|' || employee_id, count(DISTINCT vk.k)::DOUBLE FROM vk JOIN ek USING (k, x)
    WHERE length(x) >= CASE k WHEN 'p' THEN 7 WHEN 'b' THEN 8 WHEN 'a' THEN 6 ELSE 2 END
    GROUP BY ALL"""
HAND["L009"] = """
    SELECT t.tender_id, 1.0::DOUBLE FROM tenders t JOIN bids b USING (tender_id)
    WHERE t.method IS DISTINCT FROM '单一来源' GROUP BY t.tender_id HAVING count(DISTINCT b.vendor_id) = 1"""
HAND["L010"] = """
    WITH bb AS (SELECT DISTINCT tender_id, vendor_id FROM bids),
    ok AS (SELECT tender_id FROM bb GROUP BY 1 HAVING count(*) BETWEEN 3 AND 10),
    e AS (SELECT bb.* FROM bb SEMI JOIN ok USING (tender_id)),
    w AS (SELECT t.tender_id, coalesce(t.awarded_vendor_id, min(b.vendor_id) FILTER (b.won)) win
          FROM tenders t LEFT JOIN bids b USING (tender_id) GROUP BY t.tender_id, t.awarded_vendor_id),
    tr AS (SELECT x.tender_id, x.vendor_id a, y.vendor_id b, z.vendor_id c FROM e x
           JOIN e y ON y.tender_id = x.tender_id AND y.vendor_id > x.vendor_id
           JOIN e z ON z.tender_id = x.tender_id AND z.vendor_id > y.vendor_id)
    SELECT a || '|' || b || '|' || c, count(*)::DOUBLE FROM tr JOIN w USING (tender_id) GROUP BY a, b, c
    HAVING count(*) >= 3 AND bool_or(win = a) AND bool_or(win = b) AND bool_or(win = c)
       AND count(*) FILTER (win IN (a, b, c)) = count(*)"""
HAND["L011"] = """
    SELECT tender_id, (deadline_on - published_on)::DOUBLE FROM tenders
    WHERE method IS DISTINCT FROM '单一来源'
      AND deadline_on - published_on < CASE method WHEN '竞争性磋商' THEN 10 WHEN '竞争性谈判' THEN 3
                                                    WHEN '询价' THEN 3 ELSE 20 END"""
HAND["L012"] = """
    SELECT c.contract_id, sum(a.amount_change)::DOUBLE / any_value(c.amount)::DOUBLE
    FROM contracts c JOIN contract_amendments a USING (contract_id) WHERE c.amount > 0
    GROUP BY c.contract_id HAVING sum(a.amount_change)::DOUBLE / any_value(c.amount)::DOUBLE > 0.2"""


# -- idiomatic pandas ---------------------------------------------------------------------------

def pd_split(df: pd.DataFrame, key: str, day: str) -> dict[str, float]:
    s = df[(df.amount > 0) & (df.amount < 50000)][[key, "unit", "vendor_id", "amount", day]].copy()
    s["dn"] = (s[day] - pd.Timestamp("1970-01-01")).dt.days
    s = s.sort_values(["unit", "vendor_id", "dn"], kind="stable").reset_index(drop=True)
    pair = s.groupby(["unit", "vendor_id"], sort=False).ngroup().to_numpy()
    dn = s["dn"].to_numpy()
    combined = pair.astype(np.int64) * 1_000_000 + dn
    end = np.searchsorted(combined, combined + 29, side="right")
    cum = np.concatenate([[0.0], np.cumsum(s["amount"].to_numpy())])
    idx = np.arange(len(s))
    total = cum[end] - cum[idx]
    flagged = s.assign(pair=pair, e=dn[np.maximum(end - 1, 0)], c=end - idx, t=total)
    flagged = flagged[(flagged.c >= 2) & (flagged.t >= 50000 - 1e-6)].drop_duplicates(["pair", "dn"])
    prev = flagged.groupby("pair")["e"].transform(lambda x: x.cummax().shift())
    flagged["g"] = (~(flagged["dn"] <= prev)).astype(int).groupby(flagged["pair"]).cumsum()
    spans = flagged.groupby(["pair", "g"]).agg(a=("dn", "min"), b=("e", "max")).reset_index()
    out = {}
    lo = np.searchsorted(combined, spans.pair.to_numpy() * 1_000_000 + spans.a.to_numpy())
    hi = np.searchsorted(combined, spans.pair.to_numpy() * 1_000_000 + spans.b.to_numpy(), side="right")
    for a, b in zip(lo, hi, strict=True):
        row = s.iloc[a]
        out[f"{row.unit}|{row.vendor_id}|{row[day].date().isoformat()}"] = round(cum[b] - cum[a], 2)
    return out


def pd_rules(t: dict[str, pd.DataFrame], nwd: set) -> dict[str, Callable[[], dict[str, float]]]:
    p = t["payments"]
    res: dict[str, Callable[[], dict[str, float]]] = {}
    res["L001"] = lambda: pd_split(t["purchase_orders"], "order_id", "ordered_on")
    res["L001P"] = lambda: pd_split(p, "payment_id", "paid_on")

    def l002():
        out = {}
        inv = p[p.invoice_no.notna()]
        g = inv.groupby(["vendor_id", "invoice_no", "amount"]).size()
        for (v, i, a), n in g[g > 1].items():
            out[f"{v}|{i}|{a:.2f}"] = a * (n - 1)
        bare = p[p.invoice_no.isna()].sort_values(["vendor_id", "amount", "paid_on", "payment_id"])
        if len(bare):
            gap = bare.groupby(["vendor_id", "amount"]).paid_on.diff().dt.days
            bare = bare.assign(g=(~(gap <= 7)).cumsum())
            for (v, a, _), grp in bare.groupby(["vendor_id", "amount", "g"]):
                if len(grp) > 1:
                    out[f"{v}|{a:.2f}|{grp.paid_on.min().date().isoformat()}"] = a * (len(grp) - 1)
        return out
    res["L002"] = l002

    def l003():
        q = p[p.amount >= 10000]
        r = (q.amount % 10000 == 0)
        g = r.groupby(q.vendor_id).agg(["size", "sum"])
        g = g[(g["size"] >= 10) & (g["sum"] >= 5) & (g["sum"] / g["size"] > 0.5)]
        return (g["sum"] / g["size"]).to_dict()
    res["L003"] = l003

    def l004():
        q = p[p.amount >= 10]
        digit = q.amount.astype("string").str[0].astype(int)
        counts = pd.crosstab(q.vendor_id, digit).reindex(columns=range(1, 10), fill_value=0)
        n = counts.sum(axis=1)
        counts = counts[n >= 100]
        n = n[n >= 100]
        expected = np.array(BENFORD_P)
        share = counts.div(n, axis=0)
        mad = (share - expected).abs().sum(axis=1) / 9
        chi = ((counts - np.outer(n, expected)) ** 2 / np.outer(n, expected)).sum(axis=1)
        return mad[(mad > 0.015) & (chi > 20.09)].to_dict()
    res["L004"] = l004
    res["L005"] = lambda: p[(p.amount >= 10000) & p.paid_on.isin(nwd)].set_index("payment_id").amount.to_dict()

    def l006():
        q = p[p.amount > 0].assign(y=p.paid_on.dt.year.astype(str))
        v = q.groupby(["unit", "y", "vendor_id"]).amount.agg(["sum", "size"]).reset_index()
        tot = v.groupby(["unit", "y"])["sum"].transform("sum")
        v["sh"] = v["sum"] / tot
        u = v.groupby(["unit", "y"]).agg(n=("size", "sum"), top=("sh", "max"),
                                         hhi=("sh", lambda x: round((x * x).sum() * 10000, 6)))
        u = u[(u.n >= 10) & (u.top > 0.5) & (u.hhi > 2500)]
        return {f"{a}|{b}": h for (a, b), h in u.hhi.items()}
    res["L006"] = l006

    def l007():
        first = p.groupby("vendor_id").paid_on.min().rename("f").reset_index()
        first = first.merge(t["vendors"][["vendor_id", "registered_on"]], how="left")
        first["s"] = first[["f", "registered_on"]].min(axis=1)
        q = p[["vendor_id", "amount", "paid_on"]].merge(first[["vendor_id", "s"]])
        q = q[(q.paid_on >= q.s) & ((q.paid_on - q.s).dt.days <= 90)]
        g = q.groupby("vendor_id").amount.sum()
        return g[g > 500000].to_dict()
    res["L007"] = l007

    def l008():
        def norm(x):
            x = x.fillna("").str.normalize("NFKC").str.upper()
            return x
        def phone(x):
            d = norm(x).str.replace(r"\D", "", regex=True)
            d = d.where(~d.str.startswith("0086"), d.str[4:])
            return d.where(~(d.str.startswith("86") & d.str.len().isin([12, 13])), d.str[2:])
        rules = {"p": (phone, 7), "b": (lambda x: norm(x).str.replace(r"[^0-9A-Z]", "", regex=True), 8),
                 "a": (lambda x: norm(x).str.replace(r"[^0-9A-Z#\u4e00-\u9fff]", "", regex=True)
                       .str.replace("幢", "栋").str.replace("座", "栋").str.replace("号楼", "栋"), 6),
                 "n": (lambda x: norm(x).str.replace(r"[\s·•・.．\-]", "", regex=True), 2)}
        cols = {"p": ("phone", "phone"), "b": ("bank_account", "bank_account"),
                "a": ("address", "address"), "n": ("legal_representative", "name")}
        parts = []
        for k, (f, minimum) in rules.items():
            vc, ec = cols[k]
            vv = pd.DataFrame({"vendor_id": t["vendors"].vendor_id, "x": f(t["vendors"][vc])})
            ee = pd.DataFrame({"employee_id": t["employees"].employee_id, "x": f(t["employees"][ec])})
            m = vv[vv.x.str.len() >= minimum].merge(ee[ee.x.str.len() >= minimum], on="x")
            parts.append(m.assign(k=k)[["vendor_id", "employee_id", "k"]])
        m = pd.concat(parts).drop_duplicates()
        g = m.groupby(["vendor_id", "employee_id"]).size()
        return {f"{a}|{b}": float(n) for (a, b), n in g.items()}
    res["L008"] = l008

    tenders, bids = t["tenders"], t["bids"]

    def l009():
        q = tenders[tenders.method != "单一来源"].merge(bids, on="tender_id")
        g = q.groupby("tender_id").vendor_id.nunique()
        return dict.fromkeys(g[g == 1].index, 1.0)
    res["L009"] = l009

    def l010():
        bb = bids[["tender_id", "vendor_id"]].drop_duplicates()
        size = bb.groupby("tender_id").vendor_id.transform("size")
        e = bb[(size >= 3) & (size <= 10)]
        win = bids[bids.won.fillna(False).astype(bool)].groupby("tender_id").vendor_id.min().rename("win")
        x = e.merge(e, on="tender_id").query("vendor_id_x < vendor_id_y")
        x = x.merge(e, on="tender_id").query("vendor_id_y < vendor_id")
        x = x.join(win, on="tender_id")
        x["wa"], x["wb"], x["wc"] = x.win == x.vendor_id_x, x.win == x.vendor_id_y, x.win == x.vendor_id
        g = x.groupby(["vendor_id_x", "vendor_id_y", "vendor_id"]).agg(
            n=("tender_id", "size"), a=("wa", "sum"), b=("wb", "sum"), c=("wc", "sum"))
        g = g[(g.n >= 3) & (g.a > 0) & (g.b > 0) & (g.c > 0) & (g.a + g.b + g.c == g.n)]
        return {"|".join(k): float(n) for k, n in g.n.items()}
    res["L010"] = l010

    def l011():
        days = (tenders.deadline_on - tenders.published_on).dt.days
        minimum = tenders.method.map({"竞争性磋商": 10, "竞争性谈判": 3, "询价": 3}).fillna(20)
        q = tenders[(tenders.method != "单一来源") & (days < minimum)]
        return dict(zip(q.tender_id, days[q.index].astype(float), strict=True))
    res["L011"] = l011

    def l012():
        ch = t["contract_amendments"].groupby("contract_id").amount_change.sum()
        c = t["contracts"].set_index("contract_id").join(ch, how="inner")
        c = c[c.amount > 0]
        ratio = c.amount_change / c.amount
        return ratio[ratio > 0.2].to_dict()
    res["L012"] = l012
    return res


# -- run ------------------------------------------------------------------------------------------

def load_pandas(inputs: dict[str, Path]) -> dict[str, pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frames = {}
    for kind, path in inputs.items():
        table = pq.read_table(path)
        table = table.cast(pa.schema([
            pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type)
            else pa.field(f.name, pa.timestamp("ns")) if pa.types.is_date(f.type) else f
            for f in table.schema]))
        frames[kind] = table.to_pandas()
    return frames


def agree(a: dict[str, float], b: dict[str, float]) -> bool:
    if set(a) != set(b):
        return False
    return all(math.isclose(float(a[k]), float(b[k]), rel_tol=1e-6, abs_tol=1e-6) for k in a)


def run_ledgers(payments: int, seed: int, keep: Path | None) -> bool:
    from qinglian.monitoring.engine import all_rules
    from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner

    directory = keep or Path(tempfile.mkdtemp(prefix="qinglian-bench-monitoring-"))
    started = time.perf_counter()
    inputs = build_parquet(directory, payments, seed)
    print(f"数据：{payments:,} 笔付款（种子 {seed}），生成并转为 Parquet 用时 "
          f"{time.perf_counter() - started:.1f} s，目录 {directory}")
    runner = DuckDBRunner(inputs)
    rules = all_rules(tag="ledger")
    engine_t, hand_t, engine_r, hand_r = {}, {}, {}, {}
    for rule in rules:
        run = runner.run(rule)
        engine_t[rule.code] = run.seconds
        engine_r[rule.code] = {hit.subject: hit.value for hit in run.hits}
        began = time.perf_counter()
        rows = runner.connection.execute(HAND[rule.code]).fetchall()
        hand_t[rule.code] = time.perf_counter() - began
        hand_r[rule.code] = {str(k): float(v) for k, v in rows}
    runner.close()
    duck_rss = rss_mib()
    began = time.perf_counter()
    tracemalloc.start()
    frames = load_pandas(inputs)
    load_s = time.perf_counter() - began
    nwd = set(frames.pop("non_working_days")["day"])
    pandas_t, pandas_r = {}, {}
    for code, function in pd_rules(frames, nwd).items():
        began = time.perf_counter()
        pandas_r[code] = {str(k): float(v) for k, v in function().items()}
        pandas_t[code] = time.perf_counter() - began
    _, pandas_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ok = True
    print(f"\n{'规则':<7}{'命中':>8}{'引擎 s':>9}{'手写SQL s':>11}{'pandas s':>10}"
          f"{'引擎/手写':>10}{'pandas/引擎':>12}  一致")
    for rule in rules:
        c = rule.code
        same = agree(engine_r[c], hand_r[c]) and agree(engine_r[c], pandas_r[c])
        ok &= same
        print(f"{c:<7}{len(engine_r[c]):>8}{engine_t[c]:>9.3f}{hand_t[c]:>11.3f}{pandas_t[c]:>10.3f}"
              f"{engine_t[c] / max(hand_t[c], 1e-9):>10.2f}{pandas_t[c] / max(engine_t[c], 1e-9):>12.1f}"
              f"  {'是' if same else '否 ← 不一致'}")
        if not same:
            for name, other in (("手写SQL", hand_r[c]), ("pandas", pandas_r[c])):
                extra = sorted(set(other) ^ set(engine_r[c]))[:5]
                print(f"        {name}: 差异 {len(set(other) ^ set(engine_r[c]))} 个，例 {extra}")
    te, th, tp = sum(engine_t.values()), sum(hand_t.values()), sum(pandas_t.values())
    print(f"{'合计':<7}{'':>8}{te:>9.2f}{th:>11.2f}{tp:>10.2f}{te / th:>10.2f}{tp / te:>12.1f}")
    print(f"\n基线（同一数据、同一阈值）：手写 DuckDB SQL 与 pandas；pandas 读入 Parquet {load_s:.1f} s 不计入。")
    print(f"峰值内存：DuckDB 部分进程 RSS {duck_rss:,.0f} MiB；pandas 部分 tracemalloc 峰值 "
          f"{pandas_peak / 2**20:,.0f} MiB；全程 RSS {rss_mib():,.0f} MiB")
    return ok


def run_ocds() -> None:
    print("\n== 10,000 个真实 OCDS 采购项目：导入 + 十一项指标 ==")
    if not OCDS_REAL.exists():
        print(f"跳过：找不到 {OCDS_REAL}（../shared 不存在）")
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
    print(f"导入 {imported:.2f} s，指标 {report.seconds:.2f} s，合计 {total:.2f} s（目标 ≤ 10 s）；"
          f"峰值 RSS {rss_mib():,.0f} MiB")
    print("各指标命中：" + "，".join(f"{k} {v}" for k, v in report.counts().items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="在此目录生成数据并保留")
    parser.add_argument("--skip-ocds", action="store_true")
    args = parser.parse_args()
    ok = run_ledgers(args.payments, args.seed, args.keep)
    if not args.skip_ocds:
        run_ocds()
    if not ok:
        sys.exit("三种实现的结果不一致")


if __name__ == "__main__":
    main()
