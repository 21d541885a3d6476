"""The risk register in the sample city.

Registered as a sample-city extension (see ``registry.sample.register_sample_extension``), so
``qinglian demo`` and ``qinglian seed`` build it in the same transaction as the city, through
the actions with ``actor=None`` (the system), validated and audited like real data.

* the federation installs the shipped library of typical risk points;
* the demo enterprise, the demo chamber, the federation and a few more member enterprises keep
  a register of 10–16 points identified within the last 13 months, with controls — some done,
  some under way, some overdue — and a few points reviewed quarterly whose review is overdue;
* the demo enterprise and the demo chamber had last year's round approved by their leader; the
  demo enterprise has this year's round in progress (a confirmed alert raised one point), and a
  published power list and negative list of its "number one" (a new draft beside them).
"""

from __future__ import annotations

import datetime as dt
import random

from qinglian.core.models import User
from qinglian.registry.models import Organisation
from qinglian.registry.sample import ProgressFn, SampleCity

from . import actions, power_actions, round_actions
from .choices import BusinessArea, ControlStatus, ListKind, RiskLevel, RoundKind
from .levels import add_months
from .models import LibraryPoint, RiskPoint

#: Where each business area sits in a typical enterprise: department and post.
POSTS = {
    BusinessArea.PROCUREMENT: ("采购部", "采购专员"),
    BusinessArea.TENDERING: ("招标办", "招标主管"),
    BusinessArea.FINANCE: ("财务部", "出纳"),
    BusinessArea.CONSTRUCTION: ("工程管理部", "项目经理"),
    BusinessArea.QUALITY: ("质量管理部", "质检员"),
    BusinessArea.SALES: ("销售部", "区域销售经理"),
    BusinessArea.PERSONNEL: ("人力资源部", "招聘主管"),
    BusinessArea.PROPERTY_TRANSFER: ("资产管理部", "资产主管"),
    BusinessArea.ASSET_LEASING: ("资产管理部", "租赁专员"),
    BusinessArea.RECEIVABLES: ("财务部", "应收会计"),
    BusinessArea.INVESTMENT: ("投资发展部", "投资经理"),
    BusinessArea.RELATED_PARTY: ("法务合规部", "合规专员"),
    BusinessArea.MAJOR_DECISIONS: ("总经理办公室", "主要负责人"),
}
OWNERS = ("王建国", "李丽", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴强",
          "徐明", "孙悦", "马超", "朱红", "胡斌", "郭琳")
MORE_ENTERPRISES = 5

POWERS = [
    ("Q-01", "主持公司全面经营管理工作", "《公司章程》第四十二条", "在董事会授权范围内行使，重大事项提交党支部前置研究、集体决策"),
    ("Q-02", "审批年度预算内单笔 50 万元以下支出", "《资金管理办法》", "财务负责人审核后签批，超过限额提交总经理办公会"),
    ("Q-03", "提名中层管理人员人选", "《干部管理办法》", "民主推荐、组织考察、集体研究，任前公示"),
    ("Q-04", "签署对外合同", "《合同管理办法》", "法务审核、合同会签后签署，重大合同集体决策"),
]
PROHIBITIONS = [
    ("F-01", "不得个人决定“三重一大”事项", "《“三重一大”决策制度实施办法》", "会议纪要记录每位参会人员表决意见，主要负责人末位表态"),
    ("F-02", "不得直接分管财务、人事、采购", "《主要负责人“五不直接分管”规定》", "由班子其他成员分管，主要负责人监督"),
    ("F-03", "不得干预招标投标和工程建设", "《招标投标管理办法》", "插手干预事项登记报告，纪检监督"),
    ("F-04", "不得利用职权为亲属经商办企业提供便利", "《利益冲突申报管理办法》", "亲属从业情况年度申报，供应商关联关系筛查"),
]


class RiskSample:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng, self.today = rng, today

    def _levels(self, source: LibraryPoint) -> dict[str, int]:
        likelihood = min(5, max(1, source.likelihood + self.rng.choice((-1, 0, 0, 1))))
        impact = source.impact
        return {"likelihood": likelihood, "impact": impact,
                "residual_likelihood": max(1, likelihood - self.rng.choice((1, 1, 2))),
                "residual_impact": max(1, impact - self.rng.choice((0, 0, 1)))}

    def register(self, organisation: Organisation, library: list[LibraryPoint], *,
                 identified: dt.date) -> list[RiskPoint]:
        count = self.rng.randint(10, 16)
        chosen = sorted(self.rng.sample(library, count), key=lambda p: p.code)
        points = []
        for n, source in enumerate(chosen):
            department, post = POSTS[BusinessArea(source.area)]
            quarterly = n % 6 == 5  # a few points reviewed every quarter: now overdue
            levels = self._levels(source)
            points.append(actions.do_add_risk_point(
                organisation, actor=None, library_point=source, today=identified,
                area=source.area, title=source.title, schemes=source.schemes,
                department=department, post=post, owner_name=self.rng.choice(OWNERS),
                review_months=3 if quarterly else 12, likelihood=levels["likelihood"],
                impact=levels["impact"], residual_likelihood=levels["residual_likelihood"],
                residual_impact=levels["residual_impact"]))
            self.controls(points[-1], source)
        return points

    def controls(self, point: RiskPoint, source: LibraryPoint) -> None:
        measures = [m for m in source.controls.split("；") if m][:3] or ["完善制度并监督执行"]
        for measure in measures:
            roll = self.rng.random()
            due = self.today + dt.timedelta(days=self.rng.randint(-120, 180))
            if due < self.today and roll < 0.65:
                status, done_on = ControlStatus.DONE, due - dt.timedelta(days=self.rng.randint(0, 20))
            else:
                status = ControlStatus.IN_PROGRESS if roll < 0.8 else ControlStatus.PLANNED
                done_on = None
            actions.do_add_control(point, actor=None, today=self.today, description=measure,
                                   owner_name=point.owner_name, due_on=due, status=status,
                                   done_on=done_on)

    def approved_round(self, organisation: Organisation, leader: User) -> None:
        year = self.today.year - 1
        assessment_round = round_actions.do_create_round(
            organisation, kind=RoundKind.YEARLY, year=year, name=f"{year} 年度廉洁风险评估",
            leader=leader, actor=None)
        round_actions.do_start_round(assessment_round, actor=None)
        for item in assessment_round.items.all():
            round_actions.do_assess_item(
                item, actor=None, note="防控措施基本落实，风险可控",
                likelihood=item.likelihood, impact=item.impact,
                residual_likelihood=item.residual_likelihood,
                residual_impact=item.residual_impact)
        round_actions.do_submit_round(assessment_round, actor=None)
        round_actions.do_approve_round(assessment_round, actor=None, note="同意",
                                       today=add_months(self.today, -11))

    def open_round(self, organisation: Organisation, leader: User) -> None:
        assessment_round = round_actions.do_create_round(
            organisation, kind=RoundKind.YEARLY, year=self.today.year,
            name=f"{self.today.year} 年度廉洁风险评估", leader=leader, actor=None)
        round_actions.do_start_round(assessment_round, actor=None)
        for item in list(assessment_round.items.order_by("pk"))[:4]:
            round_actions.do_assess_item(
                item, actor=None, note="已复核", likelihood=item.likelihood, impact=item.impact,
                residual_likelihood=item.residual_likelihood, residual_impact=item.residual_impact)

    def power_lists(self, organisation: Organisation) -> None:
        for kind, rows in ((ListKind.POWER, POWERS), (ListKind.NEGATIVE, PROHIBITIONS)):
            power_list = power_actions.do_draft_power_list(organisation, kind=kind, actor=None)
            for code, name, basis, procedure in rows:
                power_actions.do_save_power_item(
                    power_list, actor=None, code=code, name=name, basis=basis,
                    procedure=procedure,
                    level=RiskLevel.HIGH if code.endswith("01") else RiskLevel.MEDIUM)
            power_actions.do_publish_power_list(power_list, actor=None)
        power_actions.do_draft_power_list(organisation, kind=ListKind.POWER, actor=None)


def build_sample_risk(city: SampleCity, rng: random.Random, today: dt.date,
                      progress: ProgressFn | None) -> None:
    sample = RiskSample(rng, today)
    actions.do_install_library(city.federation, actor=None)
    library = list(LibraryPoint.objects.filter(federation=city.federation).order_by("code"))
    demo_users = {u.username: u for u in User.objects.filter(
        username__in=[a.username for a in city.accounts]).select_related("organisation")}
    enterprise_user, chamber_user = demo_users.get("enterprise"), demo_users.get("chamber")
    demo_enterprise = enterprise_user.organisation if enterprise_user else None
    others = [e for e in city.enterprises if e != demo_enterprise][:MORE_ENTERPRISES]
    keepers: list[Organisation] = [o for o in (
        demo_enterprise, chamber_user.organisation if chamber_user else None, city.federation,
    ) if o is not None] + others
    reviewed = {u.organisation_id for u in (enterprise_user, chamber_user) if u is not None}
    registers = {}
    for done, organisation in enumerate(keepers, 1):
        # Registers with last year's round were set up 13 months ago; the others this year.
        months = 13 if organisation.pk in reviewed else rng.randint(4, 9)
        registers[organisation.pk] = sample.register(organisation, library,
                                                     identified=add_months(today, -months))
        if progress:
            progress("廉洁风险点台账", done, len(keepers))
    for user in (enterprise_user, chamber_user):
        if user is not None and user.organisation is not None:
            sample.approved_round(user.organisation, user)
    if enterprise_user is not None and demo_enterprise is not None:
        sample.open_round(demo_enterprise, enterprise_user)
        sample.power_lists(demo_enterprise)
