"""Idiomatic pandas for the ledger rules: the second baseline of benchmarks/bench_monitoring.py.

Each rule runs in a fresh subprocess (pandas is imported only there) that reads just the tables
and columns of ``PANDAS_INPUTS`` from the same Parquet files the engine reads, amounts as
float64 and dates as datetime64 (pandas' idiom), and returns a list of (subject, value, unit,
vendor_id, occurred_on, evidence keys) — what the engine returns per hit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _monitoring_hand import BENFORD_P

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


Row = tuple[str, float, Any, Any, Any, Any]


def pd_split(df: Any, key: str, day: str) -> list[Row]:
    """拆分采购 as a pandas user writes it: per unit and vendor, a 30-day rolling window
    (``groupby().rolling("30D")``) over the below-threshold rows; a window of at least two rows
    that reaches the threshold is flagged; flagged windows that overlap merge into spans (a
    running maximum of the ends before); ``merge_asof`` finds each row's span."""
    import pandas as pd

    s = df[(df.amount > 0) & (df.amount < 50000) & df.unit.notna() & df.vendor_id.notna()
           & df[day].notna()][[key, "unit", "vendor_id", "amount", day]]
    s = s.assign(dn=(s[day] - pd.Timestamp("1970-01-01")).dt.days)
    s = s.sort_values(["unit", "vendor_id", day]).reset_index(drop=True)
    # s is sorted by the group keys, as groupby orders its groups: the results line up with s.
    rolling = s.groupby(["unit", "vendor_id"]).rolling("30D", on=day)
    windows = s[["unit", "vendor_id", "dn"]].assign(
        c=rolling.amount.count().to_numpy(), t=rolling.amount.sum().to_numpy(),
        a=rolling.dn.min().to_numpy())
    flagged = windows[(windows.c >= 2) & (windows.t >= 50000 - 1e-6)].rename(columns={"dn": "b"})
    flagged = flagged.sort_values(["unit", "vendor_id", "a", "b"])
    pair = [flagged.unit, flagged.vendor_id]
    before = flagged.groupby(pair).b.cummax().groupby(pair).shift()
    flagged["span"] = (~(flagged.a <= before)).cumsum()
    spans = flagged.groupby("span").agg(unit=("unit", "first"), vendor_id=("vendor_id", "first"),
                                        a=("a", "min"), b=("b", "max")).astype({"a": "int64"}).reset_index()
    rows = pd.merge_asof(s.sort_values("dn"), spans.sort_values("a"), left_on="dn",
                         right_on="a", by=["unit", "vendor_id"], direction="backward")
    rows = rows[rows.dn <= rows.b]
    hits = rows.groupby("span").agg(unit=("unit", "first"), vendor_id=("vendor_id", "first"),
                                    first=(day, "min"), total=("amount", "sum"),
                                    keys=(key, list))
    hits["subject"] = (hits.unit + "|" + hits.vendor_id + "|"
                       + hits["first"].dt.strftime("%Y-%m-%d"))
    return pd_rows(hits, "subject", "total", "unit", "vendor_id", "first", "keys")


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
