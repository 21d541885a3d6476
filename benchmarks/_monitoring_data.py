"""Synthetic ledgers for the early-warning benchmarks and large-load tests, reproducible by seed.

    from _monitoring_data import generate_ledgers
    planted = generate_ledgers(Path("/tmp/ledgers"), payments=10_000_000, seed=1)

writes ``vendors.csv``, ``employees.csv``, ``purchase_orders.csv`` and ``payments.csv`` (headers
are the canonical column names of ``qinglian.monitoring.schemas``, amounts plain numbers,
dates ISO) and ``planted.json``: the red flags planted on purpose, by kind, with the ids that
carry them, so a rule's test or benchmark can check it finds at least those. The bulk rows are
made by DuckDB from hashes of the row number and the seed (fast, and the same bytes for the
same seed and size); the planted rows are written by Python after them.

Sizes: vendors = max(200, payments // 1000), employees = max(100, payments // 5000),
orders = payments // 4. Bulk payments fall on statutory working days only (make-up Saturdays
included) between 2023-01-01 and 2025-12-31, to vendors with registration dates before 2023,
with log-uniform amounts (Benford-conforming) of 100 to 1,000,000 yuan to two decimals.
Vendors and employees are drawn from disjoint pools of names, phones, bank accounts and
addresses, so every vendor–employee link in the data is a planted one.

Planted (``planted.json``):

* ``split_orders`` / ``split_payments``: one unit, one vendor, 4 orders (payments) of
  40,000–49,900 within 12 days (threshold 50,000, window 30 days);
* ``duplicate_payments``: a payment repeated with a new id, same vendor, amount and invoice,
  0–3 days later;
* ``round_vendors``: vendors whose 40 payments are all multiples of 10,000;
* ``benford_vendors``: vendors with 300 payments whose amounts all start with 4 or 5;
* ``weekend_payments``: payments of ≥ 10,000 on Saturdays, Sundays and statutory holidays;
* ``concentration_units``: a unit paying one vendor about 90 % of its money;
* ``new_vendors``: vendors registered in 2025 and paid over 500,000 within 60 days;
* ``conflicts``: vendors sharing a phone, bank account, address or legal representative with
  an employee, each written differently (spaces, dashes, +86, full-width digits).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import duckdb

START = dt.date(2023, 1, 1)
END = dt.date(2025, 12, 31)

UNITS = ["财务部", "采购部", "行政部", "信息中心", "基建处", "后勤保障部", "市场部", "研发中心",
         "生产一部", "生产二部", "质量管理部", "安全环保部", "人力资源部", "法务部", "物流中心",
         "设备管理部", "华东分公司", "华南分公司", "华北分公司", "西南分公司"]
CONCENTRATED_UNIT = "专项工程部"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
# Disjoint given-name pools: vendors' legal representatives never share a name with staff by chance.
VENDOR_GIVEN = ["建国", "志强", "海涛", "国栋", "振华", "立新", "德胜", "文博", "永刚", "春生",
                "明辉", "宏伟", "家豪", "俊峰", "子龙", "庆丰", "世杰", "长青", "兴旺", "光明"]
STAFF_GIVEN = ["晓燕", "丽娟", "雅琴", "思远", "梓涵", "欣怡", "一鸣", "浩然", "子轩", "雨桐",
               "佳琪", "嘉怡", "博文", "宇航", "诗雨", "若曦", "天佑", "梦瑶", "俊熙", "语嫣"]
TRADES = ["科技", "建设", "物资", "商贸", "信息技术", "工程", "办公用品", "印务", "物业服务",
          "劳务", "设备", "电子", "餐饮管理", "广告", "咨询"]
CITIES = ["杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州"]
ROADS = ["文三路", "解放路", "中山路", "人民路", "建设路", "延安路", "凤起路", "秋涛路"]
ESTATES = ["翠苑小区", "朝晖小区", "和睦小区", "紫荆花园", "金色家园", "绿城桂花园"]
POSTS = ["科员", "主管", "经理", "副经理", "会计", "出纳", "采购员", "工程师"]
DESCRIPTIONS = ["办公用品采购", "设备维修", "工程款", "服务费", "材料款", "咨询费", "印刷费",
                "物业费", "劳务费", "软件服务费"]

VENDOR_HEADER = ["vendor_id", "name", "uscc", "legal_representative", "phone", "bank_account",
                 "address", "registered_on"]
EMPLOYEE_HEADER = ["employee_id", "name", "department", "post", "phone", "bank_account",
                   "address", "hired_on"]
ORDER_HEADER = ["order_id", "unit", "vendor_id", "amount", "ordered_on", "approver",
                "description"]
PAYMENT_HEADER = ["payment_id", "unit", "vendor_id", "amount", "paid_on", "invoice_no",
                  "order_id", "description"]


def _workdays() -> tuple[list[dt.date], list[dt.date]]:
    import chinese_calendar

    work: list[dt.date] = []
    rest: list[dt.date] = []
    day = START
    while day <= END:
        (work if chinese_calendar.is_workday(day) else rest).append(day)
        day += dt.timedelta(days=1)
    return work, rest


def _sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" else ch for ch in text)


def _vendor(number: int, rng: random.Random, registered: dt.date | None = None
            ) -> dict[str, Any]:
    city = CITIES[number % len(CITIES)]
    return {
        "vendor_id": f"V{number:06d}",
        "name": f"{city}{rng.choice(TRADES)}{number:06d}有限公司",
        "uscc": f"9133{number:08d}{rng.randrange(10**6):06d}",
        "legal_representative": rng.choice(SURNAMES) + rng.choice(VENDOR_GIVEN),
        "phone": f"139{number:08d}",
        "bank_account": f"6222{number:015d}",
        "address": f"{city}市{ROADS[number % len(ROADS)]}{number}号{rng.randrange(1, 30)}楼",
        "registered_on": (dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(2900))).isoformat(),
    } | ({"registered_on": registered.isoformat()} if registered else {})


def _employee(number: int, rng: random.Random) -> dict[str, Any]:
    return {
        "employee_id": f"E{number:05d}",
        "name": rng.choice(SURNAMES) + rng.choice(STAFF_GIVEN),
        "department": UNITS[number % len(UNITS)],
        "post": rng.choice(POSTS),
        "phone": f"138{number:08d}",
        "bank_account": f"6217{number:015d}",
        "address": f"{CITIES[number % len(CITIES)]}市{rng.choice(ESTATES)}{number % 40 + 1}幢"
                   f"{number}室",
        "hired_on": (dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(6500))).isoformat(),
    }


def _write(path: Path, header: list[str], rows: list[dict[str, Any]], *, append: bool = False
           ) -> None:
    with path.open("a" if append else "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        if not append:
            writer.writeheader()
        writer.writerows(rows)


def generate_ledgers(directory: Path, *, payments: int = 10_000_000, seed: int = 1
                     ) -> dict[str, Any]:
    """Write the four ledgers for ``payments`` bulk payments into ``directory``; return (and
    write as ``planted.json``) the planted red flags and the row counts."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    n_vendors = max(200, payments // 1000)
    n_employees = max(100, payments // 5000)
    n_orders = max(1, payments // 4)
    scale = max(1, payments // 1_000_000)
    work, rest = _workdays()
    planted: dict[str, Any] = {"seed": seed, "payments": payments}

    # -- vendors and employees (small: Python) -------------------------------------------------
    vendors = [_vendor(i, rng) for i in range(1, n_vendors + 1)]
    employees = [_employee(i, rng) for i in range(1, n_employees + 1)]
    next_vendor = n_vendors + 1

    def extra_vendor(registered: dt.date | None = None) -> dict[str, Any]:
        nonlocal next_vendor
        vendor = _vendor(next_vendor, rng, registered)
        vendors.append(vendor)
        next_vendor += 1
        return vendor

    conflicts = []
    for n in range(4 * scale):
        employee = employees[rng.randrange(len(employees))]
        vendor = extra_vendor()
        link = ("phone", "bank_account", "address", "legal_representative")[n % 4]
        if link == "phone":
            digits = employee["phone"]
            vendor["phone"] = f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
        elif link == "bank_account":
            account = employee["bank_account"]
            vendor["bank_account"] = _fullwidth(" ".join(account[i:i + 4]
                                                         for i in range(0, len(account), 4)))
        elif link == "address":
            vendor["address"] = " " + employee["address"].replace("幢", " 幢 ") + " "
        else:
            vendor["legal_representative"] = employee["name"]
        conflicts.append({"vendor_id": vendor["vendor_id"],
                          "employee_id": employee["employee_id"], "link": link})
    planted["conflicts"] = conflicts

    # -- bulk orders and payments (DuckDB, hash-based) -----------------------------------------
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    days = "[" + ", ".join(f"DATE '{d.isoformat()}'" for d in work) + "]"
    units, descriptions = _sql_list(UNITS), _sql_list(DESCRIPTIONS)

    table = "orders"

    def u(column: str) -> str:  # a uniform number in [0, 1) from the row number and the seed
        return f"((hash(i, {seed}, '{table}.{column}') % 1000000000) / 1e9)"

    def pick(values: str, count: int, column: str) -> str:
        return f"{values}[1 + CAST(floor({u(column)} * {count}) AS BIGINT)]"

    vendor_pick = (f"'V' || lpad(CAST(1 + CAST(floor(pow({u('vendor')}, 2) * {n_vendors}) "
                   f"AS BIGINT) AS VARCHAR), 6, '0')")
    amount = f"round(exp(ln(100) + {u('amount')} * ln(10000)), 2)"
    con.execute(f"""
        COPY (
          SELECT 'PO' || lpad(CAST(i AS VARCHAR), 9, '0') AS order_id,
                 {pick(units, len(UNITS), 'unit')} AS unit,
                 {vendor_pick} AS vendor_id,
                 {amount} AS amount,
                 {pick(days, len(work), 'day')} AS ordered_on,
                 {pick(_sql_list([s + g for s in SURNAMES[:10] for g in STAFF_GIVEN[:5]]), 50, 'ap')}
                   AS approver,
                 {pick(descriptions, len(DESCRIPTIONS), 'desc')} AS description
          FROM range(1, {n_orders + 1}) AS t(i) ORDER BY i
        ) TO {_quote(directory / "purchase_orders.csv")} (HEADER, DELIMITER ',')
    """)
    table = "payments"
    vendor_pick = (f"'V' || lpad(CAST(1 + CAST(floor(pow({u('vendor')}, 2) * {n_vendors}) "
                   f"AS BIGINT) AS VARCHAR), 6, '0')")
    amount = f"round(exp(ln(100) + {u('amount')} * ln(10000)), 2)"
    con.execute(f"""
        COPY (
          SELECT 'P' || lpad(CAST(i AS VARCHAR), 10, '0') AS payment_id,
                 {pick(units, len(UNITS), 'unit')} AS unit,
                 {vendor_pick} AS vendor_id,
                 {amount} AS amount,
                 {pick(days, len(work), 'day')} AS paid_on,
                 lpad(CAST((i * 7919) % 100000000 AS VARCHAR), 8, '0') AS invoice_no,
                 'PO' || lpad(CAST(1 + CAST(floor({u('order')} * {n_orders}) AS BIGINT)
                              AS VARCHAR), 9, '0') AS order_id,
                 {pick(descriptions, len(DESCRIPTIONS), 'desc')} AS description
          FROM range(1, {payments + 1}) AS t(i) ORDER BY i
        ) TO {_quote(directory / "payments.csv")} (HEADER, DELIMITER ',')
    """)
    con.close()

    # -- planted rows (Python, appended) -------------------------------------------------------
    order_rows: list[dict[str, Any]] = []
    payment_rows: list[dict[str, Any]] = []
    serial = 0

    def payment(unit: str, vendor_id: str, amount_: float, day: dt.date,
                invoice: str | None = None) -> dict[str, Any]:
        nonlocal serial
        serial += 1
        row = {"payment_id": f"X{serial:09d}", "unit": unit, "vendor_id": vendor_id,
               "amount": f"{amount_:.2f}", "paid_on": day.isoformat(),
               "invoice_no": invoice or f"FP{serial:08d}", "order_id": "",
               "description": rng.choice(DESCRIPTIONS)}
        payment_rows.append(row)
        return row

    def base_vendor() -> str:
        return f"V{rng.randrange(1, n_vendors + 1):06d}"

    split_orders, split_payments = [], []
    for n in range(5 * scale):
        unit, vendor_id = rng.choice(UNITS), base_vendor()
        first = rng.randrange(len(work) - 20)
        orders, pays = [], []
        for k in range(4):
            day = work[first + k * 2]
            value = rng.randrange(4000, 4990) * 10.0
            order_id = f"XO{n:05d}{k}"
            order_rows.append({"order_id": order_id, "unit": unit, "vendor_id": vendor_id,
                               "amount": f"{value:.2f}", "ordered_on": day.isoformat(),
                               "approver": "", "description": "拆分采购（植入）"})
            orders.append(order_id)
            pays.append(payment(unit, vendor_id, value, day)["payment_id"])
        split_orders.append({"unit": unit, "vendor_id": vendor_id, "order_ids": orders})
        split_payments.append({"unit": unit, "vendor_id": vendor_id, "payment_ids": pays})
    planted["split_orders"], planted["split_payments"] = split_orders, split_payments

    duplicates = []
    for _ in range(10 * scale):
        original = payment(rng.choice(UNITS), base_vendor(),
                           rng.randrange(100_000, 9_000_000) / 100, rng.choice(work[:-10]))
        later = dt.date.fromisoformat(original["paid_on"]) + dt.timedelta(days=rng.randrange(4))
        copy = payment(original["unit"], original["vendor_id"], float(original["amount"]), later,
                       original["invoice_no"])
        duplicates.append([original["payment_id"], copy["payment_id"]])
    planted["duplicate_payments"] = duplicates

    round_vendors = []
    for _ in range(3 * scale):
        vendor = extra_vendor()
        unit = rng.choice(UNITS)
        for _k in range(40):
            payment(unit, vendor["vendor_id"], rng.randrange(1, 30) * 10_000.0, rng.choice(work))
        round_vendors.append(vendor["vendor_id"])
    planted["round_vendors"] = round_vendors

    benford_vendors = []
    for _ in range(2 * scale):
        vendor = extra_vendor()
        unit = rng.choice(UNITS)
        for _k in range(300):
            payment(unit, vendor["vendor_id"], rng.randrange(400_000, 599_999) / 100 *
                    rng.choice((1, 10)), rng.choice(work))
        benford_vendors.append(vendor["vendor_id"])
    planted["benford_vendors"] = benford_vendors

    weekend = []
    for _ in range(20 * scale):
        weekend.append(payment(rng.choice(UNITS), base_vendor(),
                               rng.randrange(1_000_000, 20_000_000) / 100,
                               rng.choice(rest))["payment_id"])
    planted["weekend_payments"] = weekend

    favourite = extra_vendor()
    for _k in range(90):
        payment(CONCENTRATED_UNIT, favourite["vendor_id"], rng.randrange(5_000_000, 20_000_000)
                / 100, rng.choice(work))
    for _k in range(30):
        payment(CONCENTRATED_UNIT, base_vendor(), rng.randrange(100_000, 1_000_000) / 100,
                rng.choice(work))
    planted["concentration_units"] = [{"unit": CONCENTRATED_UNIT,
                                       "vendor_id": favourite["vendor_id"]}]

    new_vendors = []
    late = [d for d in work if d >= dt.date(2025, 3, 1)]
    for n in range(3 * scale):
        registered = late[n * 7 % 100]
        vendor = extra_vendor(registered)
        window = [d for d in late if registered < d <= registered + dt.timedelta(days=60)]
        for _k in range(3):
            payment(rng.choice(UNITS), vendor["vendor_id"], rng.randrange(20_000_000, 40_000_000)
                    / 100, rng.choice(window))
        new_vendors.append(vendor["vendor_id"])
    planted["new_vendors"] = new_vendors

    _write(directory / "vendors.csv", VENDOR_HEADER, vendors)
    _write(directory / "employees.csv", EMPLOYEE_HEADER, employees)
    _write(directory / "purchase_orders.csv", ORDER_HEADER, order_rows, append=True)
    _write(directory / "payments.csv", PAYMENT_HEADER, payment_rows, append=True)
    planted["rows"] = {"vendors": len(vendors), "employees": len(employees),
                       "purchase_orders": n_orders + len(order_rows),
                       "payments": payments + len(payment_rows)}
    (directory / "planted.json").write_text(json.dumps(planted, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    return planted


if __name__ == "__main__":
    import argparse
    import time

    parser = argparse.ArgumentParser(description="生成监测预警基准测试台账（CSV）")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--payments", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    result = generate_ledgers(args.directory, payments=args.payments, seed=args.seed)
    print(result["rows"], f"{time.perf_counter() - started:.1f} s")
