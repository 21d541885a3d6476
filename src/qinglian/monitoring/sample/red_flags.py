"""The planted red flags of an enterprise's sample ledgers: a handful for every ledger rule.

Each planting writes the rows a real irregularity leaves behind (and nothing that says it was
planted): orders split under the approval limit, an invoice paid twice, a consultant paid in
round sums, a canteen supplier whose amounts were made up, payments on holidays, a unit that
pays almost everything to one contractor, a new vendor paid a fortune at once, vendors sharing
a phone, account, address or name with staff, single bidders, a bidding ring, rushed tenders,
and contracts inflated by amendments. ``count`` is how many of each the enterprise gets.
"""

from __future__ import annotations

import datetime as dt

from . import words
from .ledgers import DAY, TENDER_UNITS, LedgerMaker, Vendor


def split_orders(maker: LedgerMaker, count: int) -> None:
    """L001 and L001P: 3–4 orders just below the 50,000-yuan limit within ten days (and their
    payments); L001P alone: labour paid in three instalments below the limit, without orders."""
    rng, calendar = maker.rng, maker.calendar
    for n, unit in enumerate(("信息中心", "采购部", "行政部")[:count]):
        vendor = rng.choice(maker.pools[unit])
        goods = rng.choice(words.GOODS[vendor.trade])
        day = calendar.workday(rng, last=calendar.today - 60 * DAY)
        for batch in range(1, rng.randint(3, 4) + 1):
            order = maker.order(unit, vendor, round(rng.uniform(16_000, 19_800), 2), day,
                                description=f"{goods}（第{batch}批）")
            maker.pay_order(order, vendor, after=(7, 9))
            day = calendar.next_workday(day + rng.randint(1, 3) * DAY) or day
        if n == 0:
            labour = rng.choice(maker.pools["工程部"])
            paid = calendar.workday(rng, last=calendar.today - 30 * DAY)
            for part in range(1, 4):
                maker.payment("工程部", labour, round(rng.uniform(17_000, 19_900), 2), paid,
                              description=f"临时劳务费（第{part}期）")
                paid = calendar.next_workday(paid + rng.randint(2, 4) * DAY) or paid


def duplicate_payments(maker: LedgerMaker, count: int) -> None:
    """L002: an invoice paid twice a few days apart; and (without invoices) the same sum paid
    to one vendor twice within a week."""
    rng, calendar = maker.rng, maker.calendar
    for n in range(count):
        unit = rng.choice(list(words.UNIT_TRADES))
        vendor = rng.choice(maker.pools[unit])
        day = calendar.workday(rng, last=calendar.today - 20 * DAY)
        again = calendar.next_workday(day + rng.randint(1, 4) * DAY) or day
        if n % 2 == 0:
            first = maker.payment(unit, vendor, round(rng.uniform(56_000, 98_000), 2), day,
                                  description=rng.choice(words.GOODS[vendor.trade]))
            maker.payment(unit, vendor, first["amount"], again, description=first["description"],
                          invoice=first["invoice_no"])
        else:
            amount = round(rng.uniform(6_000, 9_000), 2)
            for paid in (day, again):
                maker.payment(unit, vendor, amount, paid, description="预付货款", invoice=None)


def round_amounts(maker: LedgerMaker) -> None:
    """L003: a consultant paid mostly in round tens of thousands."""
    rng, calendar = maker.rng, maker.calendar
    consultant = maker.vendor("管理咨询", pooled=False)
    units = ("行政部", "采购部", "生产部", "信息中心")
    for n in range(12):
        amount = (float(rng.choice((5, 6, 8, 10, 12)) * 10_000) if n % 4 else
                  round(rng.uniform(50_000, 90_000), 2))
        maker.payment(units[n % len(units)], consultant, amount, calendar.workday(rng),
                      description=f"管理咨询服务费（第{n + 1}期）")


def benford_vendor(maker: LedgerMaker) -> None:
    """L004: a canteen supplier's 110 small invoices whose amounts all begin with 4–9."""
    rng, calendar = maker.rng, maker.calendar
    canteen = maker.vendor("餐饮管理", pooled=False)
    for _ in range(110):
        maker.payment("行政部", canteen, round(rng.uniform(400, 999.99), 2), calendar.workday(rng),
                      description="工作餐")


def non_working_day_payments(maker: LedgerMaker, count: int) -> None:
    """L005: large payments on public holidays and weekends — and one on a make-up working
    Saturday, which is a working day and must not be flagged."""
    rng, calendar = maker.rng, maker.calendar
    days = ([rng.choice(calendar.holidays)] if calendar.holidays else []) + \
        rng.sample(calendar.weekends, min(len(calendar.weekends), count))
    for day in days[:count]:
        unit = rng.choice(list(words.UNIT_TRADES))
        vendor = rng.choice(maker.pools[unit])
        maker.payment(unit, vendor, round(rng.uniform(52_000, 95_000), 2), day,
                      description=rng.choice(words.GOODS[vendor.trade]))
    for day in calendar.make_up_days()[:1]:
        vendor = rng.choice(maker.pools["采购部"])
        maker.payment("采购部", vendor, round(rng.uniform(52_000, 95_000), 2), day,
                      description=rng.choice(words.GOODS[vendor.trade]))


def concentration(maker: LedgerMaker) -> None:
    """L006: in one year the engineering department pays three quarters of its money to one
    contractor."""
    rng, calendar = maker.rng, maker.calendar
    year = calendar.today.year if calendar.today.month >= 6 else calendar.today.year - 1
    first = max(calendar.start, dt.date(year, 1, 1))
    last = min(calendar.today, dt.date(year, 12, 31))
    contractor = maker.vendor("建设工程", pooled=False)
    for n in range(6):
        maker.payment("工程部", contractor, round(rng.uniform(300_000, 650_000), 2),
                      calendar.workday(rng, first, last), description=f"厂区改造工程进度款（第{n + 1}期）")


def new_vendor(maker: LedgerMaker) -> None:
    """L007: a vendor registered a few months ago is paid over 500,000 yuan within 60 days."""
    rng, calendar = maker.rng, maker.calendar
    registered = calendar.workday(rng, calendar.today - 160 * DAY, calendar.today - 100 * DAY)
    vendor = maker.vendor("电子科技", registered_on=registered, pooled=False)
    for unit in ("采购部", "工程部", "信息中心"):
        day = calendar.workday(rng, registered + DAY, registered + 60 * DAY)
        maker.payment(unit, vendor, round(rng.uniform(180_000, 260_000), 2), day,
                      description="智能化设备采购")


def staff_links(maker: LedgerMaker, count: int) -> None:
    """L008: vendors sharing a phone, a bank account, an address or a name with a member of
    staff, each written the way a vendor form would have it."""
    rng = maker.rng
    staff = [e for e in maker.rows["employees"] if e["department"] in ("采购部", "工程部", "行政部")]
    for link, employee in zip(("phone", "bank_account", "legal_representative", "address"),
                              rng.sample(staff, min(count, 4, len(staff))), strict=False):
        unit = str(employee["department"])
        vendor = maker.vendor(rng.choice(words.UNIT_TRADES[unit]), pooled=False)
        if link == "phone":
            mobile = str(employee["phone"])
            vendor.row["phone"] = f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
        elif link == "bank_account":
            vendor.row["bank_account"] = str(employee["bank_account"]).replace(" ", "")
        elif link == "legal_representative":
            vendor.row["legal_representative"] = employee["name"]
        else:
            vendor.row["address"] = str(employee["address"]).replace("幢", "号楼")
        for _ in range(rng.randint(2, 4)):
            maker.pay_order(maker.order(unit, vendor, round(rng.uniform(2_000, 7_500), 2),
                                        maker.calendar.workday(rng)), vendor)


def ring(maker: LedgerMaker, tenders: int) -> list[Vendor]:
    """L010: three contractors who always bid together and take turns to win."""
    rng, calendar = maker.rng, maker.calendar
    members = [maker.vendor("建设工程", pooled=False) for _ in range(3)]
    outsider = rng.choice(maker.pools["工程部"])
    for n in range(tenders):
        day = calendar.workday(rng, last=calendar.today - 60 * DAY)
        bidders = members + ([outsider] if n == 1 else [])
        maker.tender("工程部", "公开招标", day, rng.randint(20, 30), bidders,
                     winner=members[n % 3])
    return members


def tender_flags(maker: LedgerMaker, singles: int, short: int) -> None:
    """L009: competitive tenders with one bidder; L011: tenders open fewer days than the law
    allows (20 for a public tender, 10 for competitive consultation)."""
    rng, calendar = maker.rng, maker.calendar
    last = calendar.today - 60 * DAY
    for _ in range(singles):
        unit = rng.choice(TENDER_UNITS)
        maker.tender(unit, "公开招标", calendar.workday(rng, last=last), rng.randint(20, 30),
                     [rng.choice(maker.pools[unit])])
    for method, days in (("公开招标", 9), ("公开招标", 13), ("竞争性磋商", 6))[:short]:
        unit = rng.choice(TENDER_UNITS)
        maker.tender(unit, method, calendar.workday(rng, last=last), days,
                     rng.sample(maker.pools[unit], 3))


def inflated_contracts(maker: LedgerMaker, count: int) -> None:
    """L012: contracts won low and raised by a third or more through amendments."""
    rng, calendar = maker.rng, maker.calendar
    for ratios in ([0.15, 0.2], [0.2, 0.25, 0.17])[:count]:
        unit = rng.choice(("工程部", "信息中心"))
        signed = calendar.workday(rng, last=calendar.today - 330 * DAY)
        contract = maker.contract(unit, rng.choice(maker.pools[unit]),
                                  round(rng.uniform(400_000, 1_500_000), 2), signed)
        maker.amend(contract, ratios)


def plant(maker: LedgerMaker, *, full: bool) -> None:
    """Every ledger rule's red flags: a full set for the demo enterprise, fewer elsewhere."""
    few = 1 if not full else 2
    split_orders(maker, few)
    duplicate_payments(maker, few)
    round_amounts(maker)
    benford_vendor(maker)
    non_working_day_payments(maker, 4 if full else 2)
    concentration(maker)
    new_vendor(maker)
    staff_links(maker, 4 if full else 2)
    tender_flags(maker, few, 3 if full else 1)
    inflated_contracts(maker, few)
