"""Declarations in the sample city.

Registered as a sample-city extension (see ``registry.sample.register_sample_extension``), so
``qinglian demo`` and ``qinglian seed`` build them in the same transaction as the city, through
the actions with ``actor=None`` (the system), validated and audited like real data. The choices
come from a copy of the city's random generator, so the same seed gives the same declarations
and the extensions registered after this one draw what they would have drawn without it.

* the demo enterprise, the demo chamber, the federation and a few member enterprises have a
  year and a bit of gifts, hospitality and donations given and received, with counterparties
  taken from the city's enterprises (spelt in two ways, to show the register merging them);
  older declarations above the threshold are decided and their gifts disposed of, recent ones
  wait for approval or disposal; the demo enterprise has raised its hospitality threshold;
* the demo enterprise closed last year's conflict-of-interest round (everyone declared) and,
  with the chamber and a few enterprises, has this year's round open and partly declared — one
  enterprise's round is past its due date, with people overdue.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from qinglian.core.models import User
from qinglian.registry.models import Organisation
from qinglian.registry.sample import ProgressFn, SampleCity

from . import actions, round_actions
from .choices import DeclarationKind, DeclarationStatus, Direction, Disposal
from .models import ConflictRound, Declaration

STAFF = (("王建国", "采购部", "采购经理"), ("李丽", "财务部", "出纳"), ("张伟", "销售部", "销售总监"),
         ("刘洋", "工程管理部", "项目经理"), ("陈静", "行政部", "行政主管"), ("杨帆", "总经理办公室", "总经理"),
         ("赵敏", "人力资源部", "招聘主管"), ("黄磊", "销售部", "大客户经理"), ("周婷", "采购部", "采购专员"),
         ("吴强", "财务部", "财务总监"), ("徐明", "工程管理部", "造价工程师"), ("孙悦", "法务合规部", "合规专员"))
GIFTS = ("茶叶两盒", "中秋月饼礼盒", "购物卡一张", "白酒两瓶", "地方特产一箱", "纪念品一件", "电子产品一台")
MEALS = ("商务午餐", "项目洽谈晚宴", "年会答谢宴", "考察接待用餐")
CHARITIES = ("杭州市慈善总会", "西湖区教育发展基金会", "浙江省青少年发展基金会")
REASONS = {"gift": "节日走访", "hospitality": "业务洽谈", "donation": "公益捐赠"}
MORE_ORGANISATIONS = 4


def _variant(name: str) -> str:
    """Another way people write the same company (杭州X有限公司 ⇄ X（杭州）有限公司)."""
    if name.startswith("杭州") and name.endswith("有限公司") and "（" not in name:
        return f"{name[2:-4]}（杭州）有限公司"
    if name.endswith("（杭州）有限公司"):
        return f"杭州{name[:-8]}有限公司"
    return name


class DeclarationSample:
    def __init__(self, rng: random.Random, today: dt.date, counterparties: list[str]) -> None:
        self.rng, self.today, self.counterparties = rng, today, counterparties

    def _what(self, own: str) -> tuple[str, str, Decimal, str, str]:
        """kind, direction, amount, content, counterparty (never the organisation itself)."""
        roll = self.rng.random()
        company = self.rng.choice([c for c in self.counterparties if c != own])
        if self.rng.random() < 0.3:
            company = _variant(company)
        if roll < 0.5:
            return (DeclarationKind.GIFT, Direction.RECEIVED if self.rng.random() < 0.7
                    else Direction.GIVEN, Decimal(self.rng.choice((80, 150, 180, 260, 400, 600, 1200))),
                    self.rng.choice(GIFTS), company)
        if roll < 0.85:
            return (DeclarationKind.HOSPITALITY, Direction.RECEIVED if self.rng.random() < 0.5
                    else Direction.GIVEN, Decimal(self.rng.choice((200, 350, 480, 650, 900, 1600))),
                    self.rng.choice(MEALS), company)
        return (DeclarationKind.DONATION, Direction.GIVEN, Decimal(self.rng.choice((2000, 5000, 20000))),
                "捐款", self.rng.choice(CHARITIES))

    def declarations(self, organisation: Organisation, count: int) -> list[Declaration]:
        made = []
        for _ in range(count):
            name, department, post = self.rng.choice(STAFF)
            kind, direction, amount, content, counterparty = self._what(organisation.name)
            made.append(actions.do_declare(
                organisation, actor=None, today=self.today, declarant_name=name,
                declarant_department=department, declarant_post=post, kind=kind,
                direction=direction, amount=amount, description=content,
                counterparty=counterparty, purpose=REASONS[kind],
                occurred_on=self.today - dt.timedelta(days=self.rng.randint(0, 420))))
        return made

    def decide(self, declaration: Declaration) -> None:
        """Older declarations above the threshold are decided (and their gifts disposed of);
        those of the last month still wait."""
        age = (self.today - declaration.occurred_on).days
        if declaration.status != DeclarationStatus.SUBMITTED or age < 30:
            return
        if self.rng.random() < 0.85:
            actions.do_approve_declaration(declaration, actor=None, note="同意，按规定办理")
        else:
            actions.do_reject_declaration(declaration, actor=None,
                                          reason="价值超出规定标准，应予退还")
        if declaration.needs_disposal and age > 45:
            rejected = declaration.status == DeclarationStatus.REJECTED
            disposal = Disposal.RETURNED if rejected else self.rng.choice(
                (Disposal.HANDED_OVER, Disposal.HANDED_OVER, Disposal.PURCHASED))
            actions.do_record_disposal(
                declaration, actor=None, today=self.today, disposal=disposal,
                disposed_on=declaration.occurred_on + dt.timedelta(days=self.rng.randint(1, 10)),
                amount=declaration.amount if disposal == Disposal.PURCHASED else None)

    def showcase(self, organisation: Organisation) -> None:
        """Two gifts the demo always shows: one waiting for approval, one approved and
        waiting to be handed over."""
        company = next(c for c in self.counterparties if c != organisation.name)
        for days, amount, approve in ((3, 880, False), (40, 1500, True)):
            declaration = actions.do_declare(
                organisation, actor=None, today=self.today, declarant_name="王建国",
                declarant_department="采购部", declarant_post="采购经理",
                kind=DeclarationKind.GIFT, direction=Direction.RECEIVED, amount=Decimal(amount),
                description="购物卡一张" if approve else "高档茶叶礼盒", counterparty=company,
                purpose="供应商年终答谢", occurred_on=self.today - dt.timedelta(days=days))
            if approve:
                actions.do_approve_declaration(declaration, actor=None,
                                               note="同意接收，须于十日内上交公司")

    def conflict_round(self, organisation: Organisation, *, year: int, due_on: dt.date,
                       share: float, copy_from: ConflictRound | None = None) -> ConflictRound:
        opened = round_actions.do_open_conflict_round(organisation, year=year, due_on=due_on,
                                                      copy_from=copy_from, actor=None)
        if copy_from is None:
            for name, department, post in STAFF[: self.rng.randint(8, len(STAFF))]:
                round_actions.do_add_roster_entry(opened, name=name, department=department,
                                                  post=post, actor=None)
        for entry in opened.entries.order_by("pk"):
            if self.rng.random() >= share:
                continue
            if self.rng.random() < 0.2:
                round_actions.do_declare_conflicts(entry, no_conflict=False, actor=None, interests=[{
                    "holder": "relative", "holder_name": f"{entry.name[0]}晓{self.rng.choice('明红军华')}",
                    "relation": self.rng.choice(("配偶", "子女", "兄弟姐妹")),
                    "counterparty": self.rng.choice(self.counterparties),
                    "counterparty_kind": self.rng.choice(("vendor", "customer", "competitor")),
                    "nature": self.rng.choice(("shareholding", "employment")),
                    "detail": "", "measures": "回避与该单位有关的采购、审批和业务往来"}])
            else:
                round_actions.do_declare_conflicts(entry, no_conflict=True, interests=[],
                                                   actor=None)
        return opened


def _keepers(city: SampleCity) -> tuple[list[Organisation], Organisation | None]:
    demo = {u.username: u for u in User.objects.filter(
        username__in=("enterprise", "chamber")).select_related("organisation")}
    enterprise = demo["enterprise"].organisation if "enterprise" in demo else None
    chamber = demo["chamber"].organisation if "chamber" in demo else None
    others = [e for e in city.enterprises if e != enterprise][:MORE_ORGANISATIONS]
    keepers = [o for o in (enterprise, chamber, city.federation) if o is not None] + others
    return keepers, enterprise


def build_sample_declarations(city: SampleCity, rng: random.Random, today: dt.date,
                              progress: ProgressFn | None) -> None:
    local = random.Random()  # noqa: S311 - sample data, not secrets
    local.setstate(rng.getstate())
    counterparties = [e.name for e in city.enterprises[-40:]]
    sample = DeclarationSample(local, today, counterparties)
    keepers, enterprise = _keepers(city)
    if enterprise is not None:
        actions.do_set_thresholds(enterprise, {("hospitality", "received"): Decimal(800)},
                                  actor=None)
        sample.showcase(enterprise)
    for done, organisation in enumerate(keepers, 1):
        for declaration in sample.declarations(organisation, local.randint(8, 16)):
            sample.decide(declaration)
        if progress:
            progress("礼品、宴请、捐赠申报", done, len(keepers))
    if enterprise is not None:
        last = sample.conflict_round(enterprise, year=today.year - 1, share=1.0,
                                     due_on=dt.date(today.year - 1, 3, 31))
        round_actions.do_close_conflict_round(last, actor=None)
        sample.conflict_round(enterprise, year=today.year, share=0.6, copy_from=last,
                              due_on=today + dt.timedelta(days=15))
    for n, organisation in enumerate(keepers[1:4]):
        overdue = n == 2  # one round past its due date, with people who have not declared
        sample.conflict_round(organisation, year=today.year, share=0.5 if overdue else 0.7,
                              due_on=today + dt.timedelta(days=-10 if overdue else 20))
