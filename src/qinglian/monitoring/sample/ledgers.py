"""One enterprise's ledgers for the sample city: the ordinary business of about 18 months.

Staff, vendors, purchase orders and their payments, tenders with bids, contracts and their
amendments, made from the sample's random generator, so the same seed gives the same rows.
The ordinary rows are shaped so that the ledger rules find (almost) nothing in them:

* payments fall on statutory working days (make-up Saturdays included), carry unique invoice
  numbers and amounts with cents;
* routine orders stay well below the 50,000-yuan approval limit, and each unit's large orders
  go to different vendors every year (no unit depends on one vendor);
* vendors were registered before the period; vendors and staff share no phone, account,
  address or name;
* tenders have three or more bidders and a lawful bidding period; amendments change a
  contract by a few per cent.

``red_flags.plant`` then adds the planted cases, one kind of irregularity per rule.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import math
import random
from dataclasses import dataclass, field
from typing import Any

from qinglian.registry.identifiers import synthesise_uscc

from ..calendar import non_working_days
from ..schemas import SCHEMAS, DatasetKind
from . import words

Row = dict[str, Any]
DAY = dt.timedelta(days=1)
#: How far back the ledgers go.
PERIOD_DAYS = 548
LEDGER_KINDS = (DatasetKind.VENDORS, DatasetKind.EMPLOYEES, DatasetKind.PURCHASE_ORDERS,
                DatasetKind.PAYMENTS, DatasetKind.TENDERS, DatasetKind.BIDS,
                DatasetKind.CONTRACTS, DatasetKind.CONTRACT_AMENDMENTS)
CITY_REGIONS = {"杭州": "330100", "宁波": "330200", "嘉兴": "330400", "湖州": "330500",
                "绍兴": "330600", "金华": "330700"}
TENDER_UNITS = ("工程部", "信息中心", "采购部", "后勤保障部")
#: Calendar days from the tender notice to the bid deadline, by method (lawful ranges).
BIDDING_DAYS = {"公开招标": (20, 35), "邀请招标": (20, 30), "竞争性磋商": (10, 18),
                "竞争性谈判": (3, 8), "询价": (3, 7), words.SINGLE_SOURCE: (3, 7)}


@dataclass(frozen=True)
class Calendar:
    """The working and non-working days of the ledgers' period (the statutory calendar the
    rules use, see ``monitoring.calendar``)."""

    start: dt.date
    today: dt.date
    work: tuple[dt.date, ...]
    holidays: tuple[dt.date, ...]
    weekends: tuple[dt.date, ...]

    @classmethod
    def ending(cls, today: dt.date) -> Calendar:
        start = today - PERIOD_DAYS * DAY
        rest = dict(non_working_days(range(start.year, today.year + 1)))
        days = [start + n * DAY for n in range((today - start).days + 1)]
        return cls(start, today, tuple(d for d in days if d not in rest),
                   tuple(d for d in days if rest.get(d) == "holiday"),
                   tuple(d for d in days if rest.get(d) == "weekend"))

    def workday(self, rng: random.Random, first: dt.date | None = None,
                last: dt.date | None = None) -> dt.date:
        """A random working day in [first, last] (the whole period by default)."""
        lo = bisect.bisect_left(self.work, first or self.start)
        hi = bisect.bisect_right(self.work, last or self.today)
        return self.work[rng.randrange(lo, max(lo + 1, hi))] if lo < len(self.work) \
            else self.work[-1]

    def next_workday(self, day: dt.date) -> dt.date | None:
        """The first working day on or after ``day`` within the period."""
        index = bisect.bisect_left(self.work, day)
        return self.work[index] if index < len(self.work) else None

    def make_up_days(self) -> list[dt.date]:
        """Weekend days that are working days (调休上班日)."""
        return [d for d in self.work if d.weekday() >= 5]


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    """An amount in yuan with cents, log-uniform (first digits follow Benford's law)."""
    return round(math.exp(rng.uniform(math.log(low), math.log(high))), 2)


@dataclass
class Vendor:
    row: Row
    trade: str

    @property
    def id(self) -> str:
        return str(self.row["vendor_id"])


@dataclass
class LedgerMaker:
    """Makes one enterprise's ledgers; ``scale`` sets the volume (1.0 ≈ 450 orders)."""

    rng: random.Random
    calendar: Calendar
    scale: float
    uscc_base: int
    rows: dict[str, list[Row]] = field(default_factory=lambda: {k: [] for k in LEDGER_KINDS})
    vendors: list[Vendor] = field(default_factory=list)
    pools: dict[str, list[Vendor]] = field(default_factory=dict)
    serials: dict[str, int] = field(default_factory=dict)

    def next(self, key: str) -> int:
        self.serials[key] = self.serials.get(key, 0) + 1
        return self.serials[key]

    def count(self, base: float, least: int = 1) -> int:
        return max(least, round(base * self.scale))

    # --- people and vendors -----------------------------------------------------------------

    def staff(self) -> None:
        departments = [*words.UNIT_TRADES, *words.OTHER_DEPARTMENTS]
        for n in range(1, self.count(60, 20) + 1):
            self.rows[DatasetKind.EMPLOYEES].append({
                "employee_id": f"E{n:04d}",
                "name": self.rng.choice(words.SURNAMES) + self.rng.choice(words.STAFF_GIVEN),
                "department": departments[(n - 1) % len(departments)],
                "post": self.rng.choice(words.POSTS),
                "phone": f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}",
                "bank_account": f"6222 0212 {self.rng.randrange(10**4):04d} "
                                f"{self.rng.randrange(10**4):04d} {n:03d}",
                "address": f"杭州市{self.rng.choice(words.DISTRICTS)}{self.rng.choice(words.ESTATES)}"
                           f"{self.rng.randint(1, 30)}幢{self.rng.randint(1, 4)}单元"
                           f"{self.rng.randint(1, 18)}0{self.rng.randint(1, 4)}室",
                "hired_on": self.calendar.start - self.rng.randint(60, 6000) * DAY,
            })

    def vendor(self, trade: str, *, registered_on: dt.date | None = None, name: str = "",
               pooled: bool = True) -> Vendor:
        n = self.next("vendor")
        city = self.rng.choice(words.VENDOR_CITIES)
        brand = words.BRANDS[(n * 7 + self.uscc_base) % len(words.BRANDS)]
        row = {
            "vendor_id": f"GYS{n:04d}",
            "name": name or f"{city}{brand}{trade}有限公司",
            "uscc": synthesise_uscc(CITY_REGIONS[city], self.uscc_base + n),
            "legal_representative": (self.rng.choice(words.SURNAMES)
                                     + self.rng.choice(words.VENDOR_GIVEN)),
            "phone": f"0571-8{self.rng.randrange(10**7):07d}",
            "bank_account": f"1202 0{self.rng.randrange(10**3):03d} 09{n:02d} "
                            f"{self.rng.randrange(10**4):04d} {self.rng.randrange(10**3):03d}",
            "address": f"{city}市{self.rng.choice(words.DISTRICTS) if city == '杭州' else ''}"
                       f"{self.rng.choice(words.ROADS)}{self.rng.randint(1, 999)}号"
                       f"{self.rng.randint(1, 12)}幢{self.rng.randint(1, 20)}0{self.rng.randint(1, 9)}室",
            "registered_on": registered_on or self.calendar.start - self.rng.randint(30, 4000) * DAY,
        }
        self.rows[DatasetKind.VENDORS].append(row)
        vendor = Vendor(row, trade)
        self.vendors.append(vendor)
        if pooled:
            for unit, trades in words.UNIT_TRADES.items():
                if trade in trades:
                    self.pools.setdefault(unit, []).append(vendor)
        return vendor

    def suppliers(self) -> None:
        trades = sorted({t for trades in words.UNIT_TRADES.values() for t in trades})
        for trade in trades:
            for _ in range(self.count(2.6, 2)):
                self.vendor(trade)

    # --- orders and payments ----------------------------------------------------------------

    def order(self, unit: str, vendor: Vendor, amount: float, day: dt.date, *,
              description: str = "", approver: str = "") -> Row:
        row = {"order_id": f"PO{day:%Y%m}{self.next('order'):04d}", "unit": unit,
               "vendor_id": vendor.id, "amount": amount, "ordered_on": day,
               "approver": approver or words.APPROVERS[0],
               "description": description or self.rng.choice(words.GOODS[vendor.trade])}
        self.rows[DatasetKind.PURCHASE_ORDERS].append(row)
        return row

    def payment(self, unit: str, vendor: Vendor, amount: float, day: dt.date, *,
                description: str, order_id: str = "", invoice: str | None = "new") -> Row:
        n = self.next("payment")
        if invoice == "new":
            invoice = f"{day:%y}3320{n:06d}{self.rng.randrange(10**8):08d}"
        row = {"payment_id": f"FK{day:%Y%m}{n:05d}", "unit": unit, "vendor_id": vendor.id,
               "amount": amount, "paid_on": day, "invoice_no": invoice, "order_id": order_id,
               "description": description}
        self.rows[DatasetKind.PAYMENTS].append(row)
        return row

    def pay_order(self, order: Row, vendor: Vendor, *, after: tuple[int, int] = (5, 40)) -> None:
        day = self.calendar.next_workday(order["ordered_on"] + self.rng.randint(*after) * DAY)
        if day is not None and day <= self.calendar.today:  # later ones are still unpaid
            self.payment(order["unit"], vendor, order["amount"], day,
                         description=order["description"], order_id=order["order_id"])

    def purchases(self) -> None:
        last = self.calendar.today - 5 * DAY
        for unit in words.UNIT_TRADES:
            pool = self.pools[unit]
            for _ in range(self.count(55, 15)):
                vendor = self.rng.choice(pool)
                amount = (log_uniform(self.rng, 8_000, 30_000) if self.rng.random() < 0.1
                          else log_uniform(self.rng, 300, 8_000))
                self.pay_order(self.order(unit, vendor, amount,
                                          self.calendar.workday(self.rng, last=last)), vendor)
            self.large_orders(unit, pool)

    def large_orders(self, unit: str, pool: list[Vendor]) -> None:
        """Every year a unit places 5–7 orders above the approval limit, each with another
        vendor (approved by the general manager)."""
        for year in range(self.calendar.start.year, self.calendar.today.year + 1):
            first = max(self.calendar.start, dt.date(year, 1, 1))
            last = min(self.calendar.today - 10 * DAY, dt.date(year, 12, 31))
            if last <= first:
                continue
            for vendor in self.rng.sample(pool, min(len(pool), self.rng.randint(5, 7))):
                day = self.calendar.workday(self.rng, first, last)
                order = self.order(unit, vendor, round(self.rng.uniform(80_000, 150_000), 2), day,
                                   approver="总经理")
                self.pay_order(order, vendor, after=(10, 30))

    # --- tenders and contracts --------------------------------------------------------------

    def tender(self, unit: str, method: str, published: dt.date, days: int, bidders: list[Vendor],
               *, winner: Vendor | None = None, budget: float | None = None) -> Row:
        """A tender with bids (the winner's the lowest) and, once signed, its contract."""
        year = published.year
        budget = budget or float(round(self.rng.uniform(100, 3000 if unit == "工程部" else 1200))
                                 * 1000)
        winner = winner or bidders[0]
        won_amount = round(budget * self.rng.uniform(0.82, 0.97), 2)
        tender: Row = {"tender_id": f"ZB{year}-{self.next(f'tender{year}'):03d}", "unit": unit,
                  "title": f"{self.rng.choice(words.GOODS[winner.trade])}采购项目",
                  "method": method, "published_on": published,
                  "deadline_on": published + days * DAY, "budget": budget,
                  "awarded_vendor_id": winner.id, "awarded_amount": won_amount}
        self.rows[DatasetKind.TENDERS].append(tender)
        for vendor in bidders:
            amount = won_amount if vendor is winner else round(
                won_amount * self.rng.uniform(1.02, 1.18), 2)
            self.rows[DatasetKind.BIDS].append({
                "bid_id": f"TB{year}{self.next('bid'):05d}", "tender_id": tender["tender_id"],
                "vendor_id": vendor.id, "amount": amount,
                "submitted_on": published + self.rng.randint(1, max(1, days)) * DAY,
                "won": vendor is winner})
        signed = self.calendar.next_workday(tender["deadline_on"] + self.rng.randint(5, 20) * DAY)
        if signed is not None and signed <= self.calendar.today:
            self.contract(unit, winner, won_amount, signed, tender_id=tender["tender_id"],
                          title=str(tender["title"]).replace("采购项目", "合同"))
        return tender

    def contract(self, unit: str, vendor: Vendor, amount: float, signed: dt.date, *,
                 tender_id: str = "", title: str = "") -> Row:
        row = {"contract_id": f"HT{signed.year}-{self.next(f'contract{signed.year}'):04d}",
               "unit": unit, "vendor_id": vendor.id, "amount": amount, "signed_on": signed,
               "tender_id": tender_id,
               "title": title or f"{self.rng.choice(words.GOODS[vendor.trade])}合同"}
        self.rows[DatasetKind.CONTRACTS].append(row)
        return row

    def amend(self, contract: Row, ratios: list[float]) -> None:
        """Amendments changing the contract by these fractions of its amount, in order."""
        day = contract["signed_on"]
        for ratio in ratios:
            day = day + self.rng.randint(20, 90) * DAY
            if day > self.calendar.today:
                return
            self.rows[DatasetKind.CONTRACT_AMENDMENTS].append({
                "amendment_id": f"BG{day.year}-{self.next('amendment'):04d}",
                "contract_id": contract["contract_id"],
                "amount_change": round(contract["amount"] * ratio, 2), "amended_on": day,
                "reason": (words.AMENDMENT_REASONS[-1] if ratio < 0
                           else self.rng.choice(words.AMENDMENT_REASONS[:-1]))})

    def tendering(self) -> None:
        """Ordinary tenders (3–5 bidders, lawful periods), direct contracts, small amendments."""
        last = self.calendar.today - 45 * DAY
        for _ in range(self.count(24, 8)):
            unit = self.rng.choice(TENDER_UNITS)
            pool = self.pools[unit]
            single = self.rng.random() < 0.08
            method = words.SINGLE_SOURCE if single else self.rng.choice(words.TENDER_METHODS)
            bidders = self.rng.sample(pool, 1 if single else min(len(pool), self.rng.randint(3, 5)))
            self.tender(unit, method, self.calendar.workday(self.rng, last=last),
                        self.rng.randint(*BIDDING_DAYS[method]), bidders)
        for _ in range(self.count(6, 2)):
            unit = self.rng.choice(TENDER_UNITS)
            self.contract(unit, self.rng.choice(self.pools[unit]),
                          round(self.rng.uniform(50_000, 400_000), 2),
                          self.calendar.workday(self.rng, last=last))
        for contract in list(self.rows[DatasetKind.CONTRACTS]):
            if self.rng.random() < 0.3:
                self.amend(contract, [self.rng.choice((-1, 1)) * self.rng.uniform(0.02, 0.08)
                                      for _ in range(self.rng.randint(1, 2))])


    def renumber(self) -> None:
        """Number orders and payments in date order, as the finance system would."""
        orders = sorted(self.rows[DatasetKind.PURCHASE_ORDERS],
                        key=lambda r: (r["ordered_on"], r["order_id"]))
        new_ids: dict[str, str] = {}
        for n, row in enumerate(orders, 1):
            new_ids[row["order_id"]] = row["order_id"] = f"PO{row['ordered_on']:%Y%m}{n:05d}"
        payments = sorted(self.rows[DatasetKind.PAYMENTS],
                          key=lambda r: (r["paid_on"], r["payment_id"]))
        for n, row in enumerate(payments, 1):
            row["payment_id"] = f"FK{row['paid_on']:%Y%m}{n:05d}"
            row["order_id"] = new_ids.get(row["order_id"], "")
        self.rows[DatasetKind.PURCHASE_ORDERS], self.rows[DatasetKind.PAYMENTS] = orders, payments


def csv_bytes(kind: str, rows: list[Row]) -> bytes:
    """The ledger as the enterprise would export it: CSV with the Chinese column labels."""
    columns = SCHEMAS[kind].columns
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.label for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c.name)) for c in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
