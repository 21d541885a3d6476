"""The federation's public-procurement sample: OCDS compiled releases of 杭州市 buyers.

About 270 contracting processes over 18 months, in six markets (divisions of the CPV
classification): in each a leading supplier wins most processes, a few regular suppliers share
the rest evenly (the one with the fewest wins for its bids takes the next), and a "universal"
supplier wins in every market. Ordinary processes run 20–40 days, have 3–5 bids with the
winner 7–13 % below the next valid bid, and a bid is now and then disqualified.

Planted, so that the OCDS indicators have something to find: short submission periods
(R003), single bids (R018), a losing bid a hair above the winner (R024), professional losers
who bid everywhere and never win (R025), identical bids (R028), a winner who bid late (R030),
everyone but the winner disqualified (R035), the lowest bid disqualified (R036), a buyer and a
tenderer with many disqualified bids (R038), the universal supplier across unrelated markets
(R048) and winners far below the next bid (R058).

Member enterprises of the sample city take part as tenderers under their unified social credit
codes (``CN-USCC-…``), so the federation sees its own members in the indicators.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from typing import Any

from qinglian.registry.identifiers import synthesise_uscc

from . import words
from .ledgers import DAY, Calendar

RELEASES_PER_MARKET = 45
#: CPV division → (market, what is bought)
MARKETS = {
    "45": ("建筑工程", ("道路维修工程", "校舍改造工程", "排水管网改造")),
    "72": ("信息技术服务", ("政务云运维服务", "数据中心运维", "信息系统升级")),
    "33": ("医疗设备", ("医用超声设备", "病床及配套设备", "检验试剂")),
    "30": ("办公设备", ("计算机及打印设备", "复印纸", "办公设备维保")),
    "90": ("环卫保洁", ("道路保洁服务", "垃圾清运服务", "公厕保洁")),
    "79": ("商务服务", ("审计服务", "法律顾问服务", "会议服务")),
}
#: A second division some leading suppliers also deliver under (furniture with office
#: equipment, building materials with works…).
SIDE_DIVISIONS = {"45": "44", "72": "48", "33": "38", "30": "39"}
#: Other divisions the universal supplier's items come under.
STRAY_DIVISIONS = ("39", "44", "50", "55", "34", "15", "22", "80")
BUYERS = ("杭州市教育局", "杭州市卫生健康委员会", "杭州市城市管理局", "杭州市交通运输局",
          "杭州市林业水利局", "杭州市民政局", "杭州市第一人民医院", "杭州市西湖区人民政府",
          "杭州市上城区城市管理局", "杭州市拱墅区教育局", "杭州市滨江区卫生健康局",
          "杭州市萧山区住房和城乡建设局")
AGENCIES = ("杭州市政府采购中心", "浙江建达招标代理有限公司", "杭州中信工程咨询有限公司",
            "浙江求是招标代理有限公司")
PREFIX = "ocds-qlhz01"


@dataclass
class Party:
    id: str
    name: str
    markets: tuple[str, ...] = ()
    bids: int = 0
    wins: int = 0

    def ref(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


def _party(name: str, uscc: str) -> Party:
    return Party(f"CN-USCC-{uscc}", name)


@dataclass
class Bid:
    party: Party
    amount: float
    status: str = "valid"
    late: bool = False


@dataclass
class ReleaseMaker:
    rng: random.Random
    calendar: Calendar
    members: list[tuple[str, str]]  # (name, uscc) of member enterprises
    releases: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.buyers = [_party(n, synthesise_uscc("330100", 500 + i, authority="1", kind="1"))
                       for i, n in enumerate(BUYERS)]
        self.agencies = [_party(n, synthesise_uscc("330100", 600 + i))
                         for i, n in enumerate(AGENCIES)]
        names = iter(self.members + [
            (f"杭州{b}{t}有限公司", synthesise_uscc("330100", 910_000 + i))
            for i, (b, t) in enumerate(zip(words.BRANDS[::-1], ("科技", "实业", "工程", "服务",
                                                                  "贸易", "技术") * 9, strict=False))])
        self.leaders: dict[str, Party] = {}
        self.regulars: dict[str, list[Party]] = {}
        for division in MARKETS:
            self.leaders[division] = _party(*next(names))
            self.regulars[division] = [_party(*next(names)) for _ in range(4)]
        self.universal = _party(*next(names))
        self.losers = [_party(*next(names)) for _ in range(2)]
        self.disqualified = _party(*next(names))
        self.strict_buyer = self.buyers[5]

    # --- one process ----------------------------------------------------------------------

    def bids_for(self, division: str, winner: Party, flag: str) -> list[Bid]:
        """The winner's bid (lowest, unless the flag says otherwise) and the others'."""
        rng = self.rng
        others = [p for p in self.regulars[division] + [self.leaders[division], self.universal]
                  if p is not winner]
        field_ = rng.sample(others, 2 if flag == "single" else rng.randint(2, 4))
        if flag != "single" and rng.random() < 0.35:
            field_.append(rng.choice(self.losers))
        if flag != "single" and rng.random() < 0.15:
            field_.append(self.disqualified)
        won = round(rng.uniform(2e5, 8e6), -2)
        gap = {"close": rng.uniform(0.001, 0.006), "discount": rng.uniform(0.4, 0.7)}.get(
            flag, rng.uniform(0.07, 0.13))
        bids = [Bid(winner, won, late=flag == "late")]
        price = won * (1 + gap)
        for n, party in enumerate(field_):
            bids.append(Bid(party, round(price, 2)))
            if not (flag == "identical" and n == 1):
                price *= 1 + rng.uniform(0.01, 0.1)
        return self.statuses(bids, flag)

    def statuses(self, bids: list[Bid], flag: str) -> list[Bid]:
        rng = self.rng
        if flag == "single":
            return bids[:1]
        for n, bid in enumerate(bids):
            offender = bid.party is self.disqualified and rng.random() < 0.8
            if offender or (n >= 2 and rng.random() < (0.8 if flag == "strict" else 0.07)):
                bid.status = "disqualified"
        if flag == "all_out":
            for bid in bids[1:]:
                bid.status = "disqualified"
        if flag == "lowest_out":  # a lower bid than the winner's, thrown out
            bids.insert(1, Bid(bids[1].party, round(bids[0].amount * 0.93, 2), "disqualified"))
            del bids[2]
        return bids

    def release(self, division: str, winner: Party, start: dt.date, flag: str = "") -> None:
        rng = self.rng
        number = len(self.releases) + 1
        buyer = self.strict_buyer if flag == "strict" else rng.choice(
            [b for b in self.buyers if b is not self.strict_buyer])
        days = rng.randint(6, 11) if flag == "short" else rng.randint(20, 40)
        end = start + days * DAY
        bids = self.bids_for(division, winner, flag)
        rng.shuffle(bids)
        for bid in bids:
            bid.party.bids += bid.status == "valid"
        winner.wins += 1
        market, goods = MARKETS[division]
        title = f"{buyer.name.removeprefix('杭州市')}{rng.choice(goods)}采购项目"
        tender_id = f"HZCG-{start.year}-{number:04d}"
        self.releases.append(self._document(f"{PREFIX}-{tender_id}", tender_id, title, division, market, buyer, winner, bids,
                                            start, end, single=flag == "single"))

    def _document(self, ocid: str, tender_id: str, title: str, division: str, market: str, buyer: Party,
                  winner: Party, bids: list[Bid], start: dt.date, end: dt.date, *,
                  single: bool) -> dict[str, Any]:
        rng = self.rng
        agency = rng.choice(self.agencies)
        stamp = "T09:30:00+08:00"
        award_day = end + rng.randint(3, 10) * DAY
        won = next(b.amount for b in bids if b.party is winner and b.status == "valid")
        divisions = [division]
        if winner is self.universal:
            divisions.append(rng.choice(STRAY_DIVISIONS))
        elif winner is self.leaders[division] and division in SIDE_DIVISIONS \
                and rng.random() < 0.3:
            divisions.append(SIDE_DIVISIONS[division])
        return {
            "ocid": ocid, "id": f"{ocid}-compiled", "date": f"{award_day.isoformat()}{stamp}",
            "tag": ["compiled"], "initiationType": "tender", "language": "zh",
            "buyer": buyer.ref(),
            "parties": [{**p.ref(), "roles": roles} for p, roles in (
                (buyer, ["buyer"]), (agency, ["procuringEntity"]))] + [
                {**b.party.ref(), "roles": ["tenderer"] + (["supplier"] if b.party is winner
                                                             else [])} for b in bids],
            "tender": {
                "id": tender_id, "title": title, "status": "complete", "procurementMethod": "open",
                "procurementMethodDetails": "公开招标", "mainProcurementCategory":
                    "works" if division == "45" else "goods" if division in ("33", "30") else "services",
                "value": {"amount": round(won * rng.uniform(1.05, 1.2), -3), "currency": "CNY"},
                "procuringEntity": agency.ref(),
                "tenderPeriod": {"startDate": f"{start.isoformat()}{stamp}",
                                 "endDate": f"{end.isoformat()}{stamp}"},
                "numberOfTenderers": len(bids) if not single else 1,
            },
            "bids": {"details": [{
                "id": f"{ocid}-bid-{n}", "status": b.status,
                "date": (f"{end.isoformat()}T15:10:00+08:00" if b.late else
                         f"{(end - rng.randint(1, 5) * DAY).isoformat()}T14:00:00+08:00"),
                "value": {"amount": b.amount, "currency": "CNY"},
                "tenderers": [b.party.ref()]} for n, b in enumerate(bids, 1)]},
            "awards": [{
                "id": f"{ocid}-award-1", "status": "active", "title": title,
                "date": f"{award_day.isoformat()}{stamp}",
                "value": {"amount": won, "currency": "CNY"}, "suppliers": [winner.ref()],
                "items": [{"id": str(n), "description": f"{market}（{d}）",
                           "classification": {"scheme": "CPV",
                                              "id": f"{d}{rng.randrange(100_000, 999_999)}"},
                           "quantity": 1} for n, d in enumerate(divisions, 1)]}],
        }

    # --- the whole set ----------------------------------------------------------------------

    def build(self) -> list[dict[str, Any]]:
        """Every market's processes; the planted flags go to regular suppliers' wins."""
        plants = ["short"] * 6 + ["single"] * 5 + ["close"] * 5 + ["discount"] * 4 + \
            ["identical"] * 3 + ["late"] * 3 + ["all_out"] * 3 + ["lowest_out"] * 3 + \
            ["strict"] * 10
        self.rng.shuffle(plants)
        last = self.calendar.today - 50 * DAY
        for division in MARKETS:
            leader_wins = set(self.rng.sample(range(RELEASES_PER_MARKET), 26))
            universal_wins = set(self.rng.sample(
                sorted(set(range(RELEASES_PER_MARKET)) - leader_wins), 4))
            for n in range(RELEASES_PER_MARKET):
                if n in leader_wins:
                    winner = self.leaders[division]
                elif n in universal_wins:
                    winner = self.universal
                else:  # the regular supplier with the fewest wins for its bids
                    winner = min(self.regulars[division],
                                 key=lambda p: ((p.wins + 1) / (p.bids + 1), self.rng.random()))
                flag = plants.pop() if plants and winner in self.regulars[division] \
                    and self.rng.random() < 0.7 else ""
                self.release(division, winner, self.calendar.workday(self.rng, last=last), flag)
        self.releases.sort(key=lambda r: r["tender"]["tenderPeriod"]["startDate"])
        return self.releases


def releases_jsonl(releases: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for r in releases).encode("utf-8")
