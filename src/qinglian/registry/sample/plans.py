"""Plans for the sample enterprises: every attribute decided before anything is written.

Deciding first lets the builder give leadership to the biggest members of each chamber and
keeps the random draws in a fixed order, so that the same seed gives the same city.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from ..choices import EnterpriseSize, EnterpriseTag, MembershipRole, Ownership, PartyOrgForm
from ..models import Membership, Organisation, Person
from .lexicon import Particulars, brand_words, lexicon

TECH_DIVISIONS = {"27", "34", "38", "39", "63", "64", "65", "73"}
_L, _M, _S, _XS = (EnterpriseSize.LARGE.value, EnterpriseSize.MEDIUM.value,
                   EnterpriseSize.SMALL.value, EnterpriseSize.MICRO.value)
SIZE_RANK: dict[str, int] = {_L: 0, _M: 1, _S: 2, _XS: 3}
FIRST_YEAR: dict[str, int] = {_L: 1992, _M: 1998, _S: 2005, _XS: 2010}
EMPLOYEES: dict[str, tuple[int, int]] = {
    _L: (1000, 12000), _M: (300, 999), _S: (20, 299), _XS: (3, 19),
}
#: (fewest, most party members, share of enterprises that have any), by size
PARTY_MEMBERS: dict[str, tuple[int, int, float]] = {
    _L: (20, 400, 1.0), _M: (1, 40, 0.85), _S: (1, 10, 0.55), _XS: (1, 4, 0.3),
}
#: Words dropped from an industry word to make the short name: 网络科技 → 海创网络.
SHORT_NAME_DROPS = ("科技", "技术", "工程", "管理", "咨询", "服务", "开发")
PENDING_SHARE = 0.05
SECOND_CHAMBER_SHARE = 0.05


@dataclass
class EnterprisePlan:
    index: int
    chamber: str
    name: str
    short_name: str
    region: str
    industry: str
    ownership: str
    size: str
    tags: list[str]
    established_on: dt.date
    employee_count: int
    party_members: int
    party_org_form: str
    pending: bool = False  # applied, not yet admitted
    second_chamber: str = ""
    role: str = MembershipRole.MEMBER
    org: Organisation | None = None
    legal_rep: Person | None = None
    memberships: dict[str, Membership] = field(default_factory=dict)


def short_name(brand: str, word: str) -> str:
    for drop in SHORT_NAME_DROPS:
        if word.endswith(drop) and len(word) > len(drop):
            return brand + word.removesuffix(drop)
    return brand + word


class EnterprisePlanner:
    def __init__(self, rng: random.Random, particulars: Particulars) -> None:
        self.rng = rng
        self.particulars = particulars
        self.lex = lexicon()
        self.specs: dict[str, dict[str, Any]] = {c["key"]: c for c in self.lex["chambers"]}
        self._names: set[str] = set()
        self._trade_names: set[tuple[str, str]] = set()

    def plan(self, count: int) -> list[EnterprisePlan]:
        keys = list(self.specs)
        weights = [self.specs[k]["weight"] for k in keys]
        plans = []
        for index in range(count):
            # The first few go one to each chamber, so that every chamber has members.
            key = keys[index] if index < len(keys) else self.rng.choices(keys, weights)[0]
            plans.append(self._enterprise(index, key))
        for plan in plans[len(keys):]:
            plan.pending = self.rng.random() < PENDING_SHARE
            if not plan.pending and self.rng.random() < SECOND_CHAMBER_SHARE:
                plan.second_chamber = self._second_chamber(plan)
        if not any(p.pending for p in plans):
            plans[-1].pending, plans[-1].second_chamber = True, ""
        assign_roles(plans, keys)
        return plans

    def _second_chamber(self, plan: EnterprisePlan) -> str:
        """A few enterprises belong to two bodies: their district's and their industry's."""
        if plan.region == "330106" and plan.chamber != "xihu":
            return "xihu"
        pairs = {"internet": "software", "software": "internet", "construction": "sichuan"}
        return pairs.get(plan.chamber, "")

    def _weighted(self, weights: dict[str, int]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def _enterprise(self, index: int, key: str) -> EnterprisePlan:
        spec = self.specs[key]
        industry = self._weighted(spec["industries"])
        size = self.rng.choices([_L, _M, _S, _XS], weights=[7, 20, 38, 35])[0]
        ownership = self.rng.choices(
            [Ownership.PRIVATE, Ownership.STATE, Ownership.MIXED, Ownership.FOREIGN],
            weights=[89, 4, 4, 3],
        )[0]
        if ownership in (Ownership.STATE, Ownership.MIXED) and size in (_S, _XS):
            size = _M
        tags = self._tags(key, industry, ownership, size)
        name, short = self._name(industry, ownership, size, EnterpriseTag.LISTED in tags)
        party_members, form = self._party(size, ownership)
        established = self.particulars.date_between(
            dt.date(FIRST_YEAR[size], 1, 1), self.particulars.years_ago(1),
        )
        return EnterprisePlan(
            index=index, chamber=key, name=name, short_name=short,
            region=self._weighted(spec["regions"]), industry=industry, ownership=ownership,
            size=size, tags=tags, established_on=established,
            employee_count=self.rng.randint(*EMPLOYEES[size]), party_members=party_members,
            party_org_form=form,
        )

    def _tags(self, key: str, industry: str, ownership: str, size: str) -> list[str]:
        """Listed and key enterprises are big; unicorns are private internet firms; gazelles
        and national high-tech enterprises are technology firms, most of all in the internet
        chamber and the software association."""
        rng, tags = self.rng, []
        tech_body = key in ("internet", "software")
        if size == _L and ownership != Ownership.FOREIGN and rng.random() < 0.3:
            tags.append(EnterpriseTag.LISTED)
        elif tech_body and size in (_L, _M) and ownership == Ownership.PRIVATE and rng.random() < 0.12:
            tags.append(EnterpriseTag.UNICORN)
        if industry in TECH_DIVISIONS:
            if size in (_M, _S) and rng.random() < 0.15:
                tags.append(EnterpriseTag.GAZELLE)
            if rng.random() < (0.6 if tech_body else 0.3):
                tags.append(EnterpriseTag.HIGH_TECH)
        if (size == _L and rng.random() < 0.6) or (size == _M and rng.random() < 0.1):
            tags.append(EnterpriseTag.KEY)
        return [str(t) for t in tags]

    def _name(self, industry: str, ownership: str, size: str, listed: bool) -> tuple[str, str]:
        """杭州 + trade name + industry word + company form. A trade name is used once per
        industry, as registration rules require within one registration area."""
        words = self.lex["industry_words"][industry]
        brands = brand_words()
        for attempt in range(400):
            brand = self.rng.choice(brands)
            if attempt >= 200:  # two-character trade names used up: a four-character one
                brand += self.rng.choice(brands)
            word = self.rng.choice(words)
            if (brand, industry) in self._trade_names:
                continue
            if ownership == Ownership.FOREIGN and self.rng.random() < 0.5:
                name = f"{brand}{word}（杭州）有限公司"
            elif listed:
                name = f"浙江{brand}{word}股份有限公司"
            elif size == _L and (ownership == Ownership.STATE or self.rng.random() < 0.4):
                name = f"杭州{brand}{word}集团有限公司"
            else:
                name = f"杭州{brand}{word}有限公司"
            if name not in self._names:
                self._names.add(name)
                self._trade_names.add((brand, industry))
                return name, short_name(brand, word)
        raise ValueError("企业名称词库不足以生成这么多不重名的企业")

    def _party(self, size: str, ownership: str) -> tuple[int, str]:
        """Party members and the party organisation: set up alone with ≥ 3 full members,
        jointly or attached with fewer, none without members."""
        if ownership == Ownership.STATE:
            return self.rng.randint(10, 300), PartyOrgForm.OWN
        low, high, share = PARTY_MEMBERS[size]
        count = self.rng.randint(low, high) if self.rng.random() < share else 0
        if count >= 3:
            return count, PartyOrgForm.OWN if self.rng.random() < 0.9 else PartyOrgForm.JOINT
        if count > 0:
            return count, self.rng.choice([PartyOrgForm.JOINT, PartyOrgForm.ATTACHED])
        return 0, PartyOrgForm.NONE


def assign_roles(plans: list[EnterprisePlan], chambers: list[str]) -> None:
    """The biggest members lead their chamber: one president unit, vice-president units, a
    supervisor unit and directors; everyone else is an ordinary member unit."""
    for key in chambers:
        members = sorted((p for p in plans if p.chamber == key and not p.pending),
                         key=lambda p: (SIZE_RANK[p.size], -p.employee_count, p.index))
        n = len(members)
        roles = ([MembershipRole.PRESIDENT] + [MembershipRole.VICE_PRESIDENT] * min(4, n // 10)
                 + [MembershipRole.SUPERVISOR] * (1 if n >= 4 else 0)
                 + [MembershipRole.DIRECTOR] * (n // 6))
        for plan, role in zip(members, roles, strict=False):
            plan.role = role
