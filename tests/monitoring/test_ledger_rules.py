"""The ledger rules L001–L012 on small crafted tables: planted hits and non-hits at the edges
(thresholds, window borders, holidays and make-up working days), on DuckDB and on Spark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from qinglian.monitoring.calendar import calendar_input, non_working_days
from qinglian.monitoring.engine import all_rules, bind_sql, get_rule, resolve_parameters
from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner
from qinglian.monitoring.engine.results import Hit
from qinglian.monitoring.presentation import explain
from qinglian.monitoring.schemas import SCHEMAS

SQL_TYPES = {"code": "VARCHAR", "text": "VARCHAR", "amount": "DECIMAL(18,2)", "date": "DATE",
             "integer": "BIGINT", "boolean": "BOOLEAN"}


def write_table(directory: Path, kind: str, rows: list[dict[str, Any]]) -> Path:
    """A canonical Parquet table of ``kind`` (schemas.py types); absent columns are NULL."""
    columns = SCHEMAS[kind].columns
    path = directory / f"{kind}.parquet"
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (" + ", ".join(
            f"{c.name} {SQL_TYPES[c.type]}" for c in columns) + ")")
        if rows:
            con.executemany(
                "INSERT INTO t VALUES (" + ", ".join("?" for _ in columns) + ")",
                [[row.get(c.name) for c in columns] for row in rows],
            )
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    finally:
        con.close()
    return path


def pay(pid: str, vendor: str, amount: str, day: str, *, unit: str = "U1",
        invoice: str | None = None) -> dict[str, Any]:
    return {"payment_id": pid, "unit": unit, "vendor_id": vendor, "amount": amount,
            "paid_on": day, "invoice_no": invoice}


def order(oid: str, vendor: str, amount: str, day: str, *, unit: str = "U1") -> dict[str, Any]:
    return {"order_id": oid, "unit": unit, "vendor_id": vendor, "amount": amount,
            "ordered_on": day}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# -- the crafted datasets: rule code → (tables, parameters, expected hits) ------------------

def split_payments() -> dict[str, list[dict[str, Any]]]:
    return {"payments": [
        # hit: 30,000 + 20,000 = threshold exactly, 29 days apart (inside a 30-day window)
        pay("A1", "VS", "30000.00", "2024-03-04"), pay("A2", "VS", "20000.00", "2024-04-02"),
        # …and a third one chained by an overlapping window joins the same hit
        pay("A3", "VS", "40000.00", "2024-04-20"),
        # not: 30 days apart (outside the window)
        pay("B1", "VT", "30000.00", "2024-03-04"), pay("B2", "VT", "20000.00", "2024-04-03"),
        # not: together one cent short of the threshold
        pay("C1", "VU", "25000.00", "2024-03-04"), pay("C2", "VU", "24999.99", "2024-03-05"),
        # not: the big one is at the threshold (needs approval anyway), so it is not "below"
        pay("D1", "VW", "50000.00", "2024-03-04"), pay("D2", "VW", "10.00", "2024-03-05"),
        # not: another unit's payment to the same vendor
        pay("E1", "VS", "49000.00", "2024-03-05", unit="U2"),
    ]}


def split_orders() -> dict[str, list[dict[str, Any]]]:
    return {"purchase_orders": [
        order("O1", "VS", "30000.00", "2024-03-04"), order("O2", "VS", "20000.00", "2024-04-02"),
        order("O3", "VT", "30000.00", "2024-03-04"), order("O4", "VT", "20000.00", "2024-04-03"),
        order("O5", "VU", "49999.99", "2024-05-01"), order("O6", "VU", "0.01", "2024-05-01"),
    ]}


def duplicates() -> dict[str, list[dict[str, Any]]]:
    return {"payments": [
        pay("P1", "V2", "1000.00", "2024-01-02", invoice="INV1"),
        pay("P2", "V2", "1000.00", "2024-09-02", invoice="INV1"),  # hit: same invoice, any date
        pay("P3", "V2", "1000.00", "2024-01-02", invoice="INV2"),
        pay("P4", "V2", "1000.01", "2024-01-02", invoice="INV2"),  # not: other amount
        pay("P5", "V9", "1000.00", "2024-01-02", invoice="INV1"),  # not: other vendor
        pay("P6", "V3", "500.00", "2024-01-02"), pay("P7", "V3", "500.00", "2024-01-09"),  # 7 days
        pay("P8", "V4", "500.00", "2024-01-02"), pay("P9", "V4", "500.00", "2024-01-10"),  # 8 days
    ]}


def round_amounts() -> dict[str, list[dict[str, Any]]]:
    rows = []
    for n in range(10):  # VR: 6 of 10 round (0.6 > 0.5)
        rows.append(pay(f"R{n}", "VR", "20000.00" if n < 6 else "12345.67", "2024-01-02"))
    for n in range(10):  # VQ: 5 of 10 round (0.5, not above)
        rows.append(pay(f"Q{n}", "VQ", "30000.00" if n < 5 else "12345.67", "2024-01-02"))
    for n in range(6):  # VP: round amounts below the floor are not counted: 6 of 6 but only 4 ≥ 10,000
        rows.append(pay(f"S{n}", "VP", "10000.00" if n < 4 else "5000.00", "2024-01-02"))
    return {"payments": rows}


def benford() -> dict[str, list[dict[str, Any]]]:
    rows = []
    # VB: 120 payments starting with 5 (100) and 6 (20) → nonconforming on both statistics
    rows += [pay(f"B{n}", "VB", f"{500 + n}.00", "2024-01-02") for n in range(120)]
    # VC: 120 payments in Benford proportions (1..9 → 36,21,15,12,10,8,7,6,5 → 120)
    counts = [36, 21, 15, 12, 10, 8, 7, 6, 5]
    k = 0
    for digit, count in enumerate(counts, start=1):
        for j in range(count):
            rows.append(pay(f"C{k}", "VC", f"{digit}{j:02d}.50", "2024-01-02"))
            k += 1
    # VD: all starting with 5 but only 99 payments (too few)
    rows += [pay(f"D{n}", "VD", f"{500 + n}.00", "2024-01-02") for n in range(99)]
    return {"payments": rows}


def weekends() -> dict[str, list[dict[str, Any]]]:
    return {"payments": [
        pay("W1", "V1", "10000.00", "2024-02-10"),  # hit: Saturday in the Spring Festival holiday
        pay("W2", "V1", "10000.00", "2024-02-18"),  # not: Sunday, a make-up working day
        pay("W3", "V1", "10000.00", "2024-10-01"),  # hit: National Day (a Tuesday)
        pay("W4", "V1", "99999.00", "2024-10-12"),  # not: Saturday, a make-up working day
        pay("W5", "V1", "10000.00", "2024-03-02"),  # hit: an ordinary Saturday
        pay("W6", "V1", "9999.99", "2024-03-02"),   # not: below the floor
        pay("W7", "V1", "10000.00", "2024-03-04"),  # not: a Monday
    ]}


def concentration() -> dict[str, list[dict[str, Any]]]:
    rows = []
    # U1 2024: VA 60 %, VB 20 %, VC 20 % → top 0.6, HHI 3600 + 400 + 400 = 4400 → hit
    for n, (vendor, amount) in enumerate([("VA", "600.00"), ("VB", "200.00"), ("VC", "200.00")] * 4):
        rows.append(pay(f"C{n}", vendor, amount, "2024-05-06"))
    # U2 2024: two vendors 50/50 → top share 0.5 not above → not
    for n in range(12):
        rows.append(pay(f"D{n}", "VA" if n % 2 else "VB", "100.00", "2024-05-06", unit="U2"))
    # U3 2024: one vendor only, but 9 payments (< 10) → not
    for n in range(9):
        rows.append(pay(f"E{n}", "VA", "100.00", "2024-05-06", unit="U3"))
    # U1 2023: four vendors 25 % each, top 0.25 → not
    for n in range(12):
        rows.append(pay(f"F{n}", f"V{n % 4}", "100.00", "2023-05-08"))
    return {"payments": rows}


def new_vendors() -> dict[str, list[dict[str, Any]]]:
    return {
        "vendors": [
            {"vendor_id": "VN", "name": "新公司", "registered_on": "2024-01-01"},
            {"vendor_id": "VO", "name": "老公司", "registered_on": "2020-01-01"},
            {"vendor_id": "VE", "name": "边界公司", "registered_on": "2024-01-01"},
            {"vendor_id": "VX", "name": "无日期公司"},
        ],
        "payments": [
            pay("N1", "VN", "300000.00", "2024-02-01"),
            pay("N2", "VN", "200000.01", "2024-03-31"),  # day 90: inside; total 500,000.01 → hit
            pay("N3", "VN", "900000.00", "2024-04-01"),  # day 91: outside
            pay("O1", "VO", "900000.00", "2024-02-01"),  # registered long ago → not
            pay("E1", "VE", "500000.00", "2024-02-01"),  # exactly 500,000 → not (must exceed)
            pay("X1", "VX", "600000.00", "2024-06-03"),  # no date: window from the first payment → hit
        ],
    }


def conflicts() -> dict[str, list[dict[str, Any]]]:
    return {
        "vendors": [
            {"vendor_id": "V1", "name": "甲", "phone": "+86 138-0013-8000"},
            {"vendor_id": "V2", "name": "乙", "bank_account": "６２２２ ０２０２ ００１２ ３４５６"},
            {"vendor_id": "V3", "name": "丙", "address": " 杭州市翠苑小区 5 号楼 301室 "},
            {"vendor_id": "V4", "name": "丁", "legal_representative": "王 晓燕"},
            {"vendor_id": "V5", "name": "戊", "phone": "0086 571 8888 1234",
             "legal_representative": "李四"},
            {"vendor_id": "V6", "name": "己", "phone": "12345", "bank_account": "1234-567",
             "address": "一号"},  # too short to compare
        ],
        "employees": [
            {"employee_id": "E1", "name": "张三", "department": "采购部", "phone": "13800138000"},
            {"employee_id": "E2", "name": "赵六", "department": "财务部",
             "bank_account": "6222020200123456"},
            {"employee_id": "E3", "name": "钱七", "department": "行政部",
             "address": "杭州市翠苑小区5栋301室"},
            {"employee_id": "E4", "name": "王晓燕", "department": "采购部"},
            {"employee_id": "E5", "name": "李四", "department": "基建处", "phone": "0571-88881234"},
            {"employee_id": "E6", "name": "孙八", "phone": "12345", "bank_account": "1234567",
             "address": "一号"},
        ],
    }


def tenders_and_bids() -> dict[str, list[dict[str, Any]]]:
    tenders, bids = [], []

    def tender(tid: str, published: str, deadline: str, bidders: list[str], winner: str | None,
               method: str | None = "公开招标") -> None:
        tenders.append({"tender_id": tid, "unit": "U1", "method": method,
                        "published_on": published, "deadline_on": deadline,
                        "awarded_vendor_id": None})
        for n, vendor in enumerate(bidders):
            bids.append({"bid_id": f"{tid}-{n}", "tender_id": tid, "vendor_id": vendor,
                         "amount": "100.00", "won": vendor == winner})

    # rotation ring A, B, C: three tenders, each wins once, no outsider wins
    tender("T1", "2024-01-01", "2024-01-21", ["A", "B", "C"], "A")
    tender("T2", "2024-02-01", "2024-02-21", ["A", "B", "C", "X"], "B")
    tender("T3", "2024-03-01", "2024-03-20", ["C", "B", "A"], "C")       # 19 days: short
    # D, E, F bid together three times but an outsider won once → not a ring
    tender("T4", "2024-01-01", "2024-01-21", ["D", "E", "F"], "D")
    tender("T5", "2024-01-01", "2024-01-21", ["D", "E", "F"], "E")
    tender("T6", "2024-01-01", "2024-01-21", ["D", "E", "F", "Y"], "Y")
    # single bidders
    tender("T7", "2024-04-01", "2024-04-21", ["S"], "S")                 # hit
    tender("T8", "2024-04-01", "2024-04-21", ["S"], "S", method="单一来源")  # excluded method
    tender("T9", "2024-04-01", "2024-04-21", ["S", "S"], "S")            # one bidder, two bids: hit
    tender("T10", "2024-04-01", "2024-04-06", ["P", "Q"], "P", method="竞争性磋商")  # 5 < 10: short
    tender("T11", "2024-04-01", "2024-04-11", ["P", "Q"], "P", method="竞争性磋商")  # 10: fine
    tender("T12", "2024-04-01", "2024-04-04", ["P", "Q"], "P", method="询价")        # 3: fine
    return {"tenders": tenders, "bids": bids}


def amendments() -> dict[str, list[dict[str, Any]]]:
    return {
        "contracts": [
            {"contract_id": "K1", "unit": "U1", "vendor_id": "V1", "amount": "100000.00",
             "signed_on": "2024-01-02"},
            {"contract_id": "K2", "unit": "U1", "vendor_id": "V2", "amount": "100000.00",
             "signed_on": "2024-01-02"},
            {"contract_id": "K3", "unit": "U1", "vendor_id": "V3", "amount": "100000.00",
             "signed_on": "2024-01-02"},
        ],
        "contract_amendments": [
            {"amendment_id": "M1", "contract_id": "K1", "amount_change": "15000.00",
             "amended_on": "2024-03-01"},
            {"amendment_id": "M2", "contract_id": "K1", "amount_change": "5000.01",
             "amended_on": "2024-05-01"},  # 20.00001 % → hit
            {"amendment_id": "M3", "contract_id": "K2", "amount_change": "20000.00",
             "amended_on": "2024-03-01"},  # exactly 20 % → not
            {"amendment_id": "M4", "contract_id": "K3", "amount_change": "50000.00",
             "amended_on": "2024-03-01"},
            {"amendment_id": "M5", "contract_id": "K3", "amount_change": "-40000.00",
             "amended_on": "2024-04-01"},  # net 10 % → not
        ],
    }


def h(code: str, group: str, subject: str, value: float, **fields: Any) -> Hit:
    if "evidence" in fields:
        fields["evidence"] = tuple(sorted(fields["evidence"]))
    return Hit(code, group, subject, value, **fields)


CASES: dict[str, tuple[Any, dict[str, Any], list[Hit]]] = {
    "L001P": (split_payments, {}, [
        h("L001P", "Vendor", "U1|VS|2024-03-04", 90000.0, unit="U1", vendor_id="VS",
          occurred_on=d("2024-03-04"), evidence=("A1", "A2", "A3")),
    ]),
    "L001": (split_orders, {}, [
        h("L001", "Vendor", "U1|VS|2024-03-04", 50000.0, unit="U1", vendor_id="VS",
          occurred_on=d("2024-03-04"), evidence=("O1", "O2")),
        h("L001", "Vendor", "U1|VU|2024-05-01", 50000.0, unit="U1", vendor_id="VU",
          occurred_on=d("2024-05-01"), evidence=("O5", "O6")),
    ]),
    "L002": (duplicates, {}, [
        h("L002", "Vendor", "V2|INV1|1000.00", 1000.0, unit="U1", vendor_id="V2",
          occurred_on=d("2024-01-02"), evidence=("P1", "P2")),
        h("L002", "Vendor", "V3|500.00|2024-01-02", 500.0, unit="U1", vendor_id="V3",
          occurred_on=d("2024-01-02"), evidence=("P6", "P7")),
    ]),
    "L003": (round_amounts, {}, [
        h("L003", "Vendor", "VR", 0.6, vendor_id="VR", occurred_on=d("2024-01-02"),
          evidence=tuple(f"R{n}" for n in range(6))),
    ]),
    "L004": (benford, {}, []),  # filled in the test: VB only, value = its MAD
    "L005": (weekends, {}, [
        h("L005", "Payment", "W1", 10000.0, unit="U1", vendor_id="V1",
          occurred_on=d("2024-02-10"), evidence=("W1",)),
        h("L005", "Payment", "W3", 10000.0, unit="U1", vendor_id="V1",
          occurred_on=d("2024-10-01"), evidence=("W3",)),
        h("L005", "Payment", "W5", 10000.0, unit="U1", vendor_id="V1",
          occurred_on=d("2024-03-02"), evidence=("W5",)),
    ]),
    "L006": (concentration, {}, [
        h("L006", "Unit", "U1|2024", 4400.0, unit="U1", vendor_id="VA",
          occurred_on=d("2024-05-06")),
    ]),
    "L007": (new_vendors, {}, [
        h("L007", "Vendor", "VN", 500000.01, unit="U1", vendor_id="VN",
          occurred_on=d("2024-02-01"), evidence=("N1", "N2")),
        h("L007", "Vendor", "VX", 600000.0, unit="U1", vendor_id="VX",
          occurred_on=d("2024-06-03"), evidence=("X1",)),
    ]),
    "L008": (conflicts, {}, [
        h("L008", "Vendor", "V1|E1", 1.0, unit="采购部", vendor_id="V1", evidence=("E1",)),
        h("L008", "Vendor", "V2|E2", 1.0, unit="财务部", vendor_id="V2", evidence=("E2",)),
        h("L008", "Vendor", "V3|E3", 1.0, unit="行政部", vendor_id="V3", evidence=("E3",)),
        h("L008", "Vendor", "V4|E4", 1.0, unit="采购部", vendor_id="V4", evidence=("E4",)),
        h("L008", "Vendor", "V5|E5", 2.0, unit="基建处", vendor_id="V5", evidence=("E5",)),
    ]),
    "L009": (tenders_and_bids, {}, [
        h("L009", "Tender", "T7", 1.0, unit="U1", vendor_id="S", occurred_on=d("2024-04-01"),
          evidence=("T7-0",)),
        h("L009", "Tender", "T9", 1.0, unit="U1", vendor_id="S", occurred_on=d("2024-04-01"),
          evidence=("T9-0", "T9-1")),
    ]),
    "L010": (tenders_and_bids, {}, [
        h("L010", "Bidders", "A|B|C", 3.0, occurred_on=d("2024-01-01"),
          evidence=("T1", "T2", "T3")),
    ]),
    "L011": (tenders_and_bids, {}, [
        h("L011", "Tender", "T10", 5.0, unit="U1", occurred_on=d("2024-04-01"),
          evidence=("T10",)),
        h("L011", "Tender", "T3", 19.0, unit="U1", occurred_on=d("2024-03-01"),
          evidence=("T3",)),
    ]),
    "L012": (amendments, {}, [
        h("L012", "Contract", "K1", 20000.01 / 100000.0, unit="U1", vendor_id="V1",
          occurred_on=d("2024-05-01"), evidence=("M1", "M2")),
    ]),
}

LEDGER_CODES = ["L001", "L001P", "L002", "L003", "L004", "L005", "L006", "L007", "L008", "L009",
                "L010", "L011", "L012"]


def build(directory: Path, code: str) -> dict[str, Path | list[Path]]:
    factory = CASES[code][0]
    directory.mkdir(parents=True, exist_ok=True)
    inputs: dict[str, Path | list[Path]] = {
        kind: write_table(directory, kind, rows) for kind, rows in factory().items()
    }
    rule = get_rule(code)
    for kind in rule.inputs:  # empty tables for inputs the case does not need
        if kind not in inputs and kind in SCHEMAS:
            inputs[kind] = write_table(directory, kind, [])
    if "non_working_days" in rule.inputs:
        inputs = calendar_input(directory, inputs, overrides=False)
    return inputs


def benford_mad(counts: list[int]) -> float:
    import math

    n = sum(counts)
    return sum(abs(c / n - math.log10(1 + 1 / k)) for k, c in enumerate(counts, start=1)) / 9


def expected_hits(code: str) -> list[Hit]:
    if code == "L004":
        return [Hit("L004", "Vendor", "VB", pytest.approx(benford_mad([0, 0, 0, 0, 100, 20, 0, 0, 0])),  # type: ignore[arg-type]
                    vendor_id="VB")]
    return CASES[code][2]


def test_every_ledger_rule_has_a_case_and_complete_metadata():
    rules = all_rules(tag="ledger")
    assert [rule.code for rule in rules] == LEDGER_CODES
    assert set(CASES) == set(LEDGER_CODES)
    for rule in rules:
        assert rule.name_zh and rule.name_en and rule.catches and rule.explanation
        values = resolve_parameters(rule)
        bind_sql(rule, values, "duckdb")
        bind_sql(rule, values, "spark")
        for parameter in rule.parameters:
            if parameter.kind.value in ("integer", "decimal"):
                assert parameter.minimum is not None and parameter.maximum is not None
        hit = Hit(rule.code, rule.groups[0], "X", 0.5, unit="U", vendor_id="V",
                  occurred_on=dt.date(2024, 1, 2))
        text = explain(rule, hit, values)
        assert "{" not in text
        if rule.evidence_table:
            assert rule.evidence_table in rule.inputs


@pytest.mark.parametrize("code", LEDGER_CODES)
def test_rule_on_duckdb(code, tmp_path):
    inputs = build(tmp_path, code)
    runner = DuckDBRunner(inputs)
    try:
        run = runner.run(get_rule(code), CASES[code][1])
    finally:
        runner.close()
    assert run.hits == expected_hits(code)


def test_evidence_rows_are_fetched_by_key(tmp_path):
    inputs = build(tmp_path, "L002")
    runner = DuckDBRunner(inputs)
    try:
        rule = get_rule("L002")
        hit = runner.run(rule).hits[0]
        rows = runner.evidence_rows(rule, hit.evidence)
        assert [row["payment_id"] for row in rows] == ["P1", "P2"]
        assert rows[0]["invoice_no"] == "INV1"
        assert len(runner.evidence_rows(rule, hit.evidence, limit=1)) == 1
    finally:
        runner.close()


def test_parameters_move_the_edges(tmp_path):
    inputs = build(tmp_path, "L001P")
    runner = DuckDBRunner(inputs)
    try:
        wider = runner.run(get_rule("L001P"), {"window_days": 31}).hits
        assert {hit.vendor_id for hit in wider} == {"VS", "VT"}
        assert runner.run(get_rule("L001P"), {"min_count": 4}).hits == []
    finally:
        runner.close()
    inputs = build(tmp_path / "b", "L006")
    runner = DuckDBRunner(inputs)
    try:
        monthly = runner.run(get_rule("L006"), {"period": "month", "top_share": 0.4}).hits
        assert [hit.subject for hit in monthly] == ["U1|2024-05", "U2|2024-05"]
    finally:
        runner.close()


def test_calendar_respects_make_up_working_days():
    days = dict(non_working_days([2024], overrides=False))
    assert days[dt.date(2024, 2, 10)] == "weekend"
    assert days[dt.date(2024, 10, 1)] == "holiday"
    assert dt.date(2024, 2, 18) not in days and dt.date(2024, 10, 12) not in days
    assert dt.date(2024, 3, 4) not in days


def test_ledger_rules_on_spark_match_duckdb(spark, tmp_path):
    """Every ledger rule: Spark's hits (all fields) equal DuckDB's, which equal the planted ones."""
    from qinglian.monitoring.engine.spark_runner import SparkRunner

    mismatches = []
    for code in LEDGER_CODES:
        inputs = build(tmp_path / code, code)
        rule = get_rule(code)
        duck = DuckDBRunner(inputs)
        try:
            duck_hits = duck.run(rule, CASES[code][1]).hits
        finally:
            duck.close()
        spark_hits = SparkRunner(spark, inputs).run(rule, CASES[code][1]).hits
        if spark_hits != duck_hits or duck_hits != expected_hits(code):
            mismatches.append((code, spark_hits, duck_hits))
    assert mismatches == []


def test_normalise_hits_fast_paths_keep_the_contract():
    from qinglian.monitoring.engine.results import normalise_hits

    columns = ["group_name", "subject_id", "value", "unit", "vendor_id", "occurred_on",
               "evidence_keys"]
    rows = [
        ("Vendor", "B", 2, None, "V1", dt.datetime(2024, 5, 1, 8), ["k2", None, "k1"]),
        ("Vendor", "A", 1.5, "U1", None, None, "k9"),  # one key as bare text
        ("Vendor", "B", 2, None, "V1", dt.datetime(2024, 5, 1, 8), ["k1", "k2"]),  # repeated
        ("Vendor", "C", 3, 7, 8, None, [2, 1]),  # non-text ids become text
        ("Vendor", "D", 4, "U2", "V2", None, [None]),
    ]
    hits = normalise_hits("L0", rows, columns)
    assert hits == [
        Hit("L0", "Vendor", "A", 1.5, unit="U1", evidence=("k9",)),
        Hit("L0", "Vendor", "B", 2.0, vendor_id="V1", occurred_on=d("2024-05-01"),
            evidence=("k1", "k2")),
        Hit("L0", "Vendor", "C", 3.0, unit="7", vendor_id="8", evidence=("1", "2")),
        Hit("L0", "Vendor", "D", 4.0, unit="U2", vendor_id="V2"),
    ]
    assert len({*hits, *hits}) == 4  # the hits hash like ones made by Hit(...)
    # Rows as mappings (Spark) and without the optional columns (the OCDS rules) alike.
    assert normalise_hits("L0", [{"group_name": "Vendor", "subject_id": "A", "value": 1.5,
                                  "unit": "U1", "evidence_keys": ["k9"]}]) == hits[:1]
    assert normalise_hits("R1", [("Buyer", "b", 1), ("OCID", "o", 1)]) == [
        Hit("R1", "OCID", "o", 1.0), Hit("R1", "Buyer", "b", 1.0)]
    with pytest.raises(ValueError, match="NaN"):
        normalise_hits("L0", [("Vendor", "A", float("nan"))])


def test_bound_sql_is_cached_per_parameter_values():
    rule = get_rule("L001P")
    first = bind_sql(rule, resolve_parameters(rule), "duckdb")
    assert bind_sql(rule, resolve_parameters(rule), "duckdb") is first
    wider = bind_sql(rule, resolve_parameters(rule, {"window_days": 31}), "duckdb")
    assert wider != first and "30" in first and "31" in wider
    assert bind_sql(rule, resolve_parameters(rule), "spark") != first
