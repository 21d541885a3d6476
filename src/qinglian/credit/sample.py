"""Credit in the sample city (信用体系示例数据).

Registered as a sample-city extension (``registry.sample.register_sample_extension``), so
``qinglian demo`` and ``qinglian seed`` build it in the same transaction as the city, through the
credit actions with ``actor=None`` (the system), validated and audited like real data. The
choices come from a copy of the city's random generator: the same seed gives the same credit
files, and extensions registered later draw what they would have drawn without this one. Every
business date is relative to the reference day; each action is told the day it "happened"
(``today=``), so windows, deadlines and objection periods are those of that day.

* about 120 records over the last three years: penalties of every severity from the city's
  market-regulation, tax, environment, labour and emergency-management bureaus, court
  dishonesty judgments, chambers' industry sanctions, wage arrears, honours, awards, exemplars
  and licences — most published, minor ones kept internal by the window rule, older ones out
  of their window, a few revoked on review;
* the dual-publicity queue: a few licences and penalties decided in the last days and not yet
  published — two overdue, some due soon;
* credit pledges from about thirty enterprises, one breached (its record entered);
* lists: blacklist listings published and in force (one after an objection was upheld), one
  whose window has ended, one removed after credit repair, a red list of benchmark
  enterprises, a rule-made proposal waiting for notice, a notice inside its objection window;
* an open objection to a record (not overdue), a pending repair application;
* a chamber's industry convention and last year's self-regulation report (PDF), and another
  chamber's convention;
* the demo enterprise has a published penalty it may now apply to repair, an honour and a
  pledge on "我的信用";
* ratings recomputed for the whole federation at the end.

No person is named anywhere: every subject is an enterprise.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.models import User
from qinglian.evaluation.choices import AssessmentStatus
from qinglian.evaluation.models import Assessment
from qinglian.registry.choices import ACTIVE_MEMBERSHIP, OrganisationKind
from qinglian.registry.models import Membership, Organisation
from qinglian.registry.sample import ProgressFn, SampleCity

from . import actions, document_actions, listing_actions, objection_actions, repair_actions
from .choices import (
    MEASURES_BY_LIST,
    DocumentKind,
    ListingOrigin,
    ListKind,
    PledgeKind,
    RecordCategory,
    Severity,
    Source,
)
from .listing_rules import BENCHMARK_GRADE, BLACKLIST_RULE, REDLIST_RULE
from .models import CreditRecord, Listing
from .pledge_actions import do_make_pledge, do_record_breach
from .ratings import recompute_ratings
from .windows import due_soon_until, publish_due

C, S = RecordCategory, Severity
FEDERATION_BODY = "杭州市工商业联合会"
#: (issuing body, decision-number prefix, [(what was done, legal basis)])
PENALTY_BODIES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("杭州市市场监督管理局", "杭市监罚", (
        ("利用广告对商品的性能、功能作虚假宣传，欺骗、误导消费者",
         "《中华人民共和国广告法》第二十八条、第五十五条"),
        ("以给付“回扣”方式贿赂交易相对方工作人员，谋取交易机会",
         "《中华人民共和国反不正当竞争法》第七条、第十九条"),
        ("生产、销售不符合保障人体健康和人身、财产安全的国家标准的产品",
         "《中华人民共和国产品质量法》第十三条、第四十九条"),
        ("经营超过保质期的食品原料", "《中华人民共和国食品安全法》第三十四条、第一百二十四条"),
    )),
    ("国家税务总局杭州市税务局第一稽查局", "杭税一稽罚", (
        ("通过虚列成本、少列收入方式少缴企业所得税", "《中华人民共和国税收征收管理法》第六十三条"),
        ("未按照规定期限办理纳税申报和报送纳税资料", "《中华人民共和国税收征收管理法》第六十二条"),
        ("虚开增值税普通发票", "《中华人民共和国发票管理办法》"),
    )),
    ("杭州市生态环境局", "杭环罚", (
        ("超过大气污染物排放标准排放大气污染物",
         "《中华人民共和国大气污染防治法》第十八条、第九十九条"),
        ("通过暗管排放水污染物，逃避监管", "《中华人民共和国水污染防治法》第三十九条、第八十三条"),
        ("未取得排污许可证排放污染物", "《排污许可管理条例》第三十三条"),
    )),
    ("杭州市人力资源和社会保障局", "杭人社监罚", (
        ("未按时足额为劳动者缴纳社会保险费", "《中华人民共和国社会保险法》第八十六条"),
        ("安排劳动者延长工作时间超过法定限度", "《劳动保障监察条例》第二十五条"),
    )),
    ("杭州市应急管理局", "杭应急罚", (
        ("未按照规定对从业人员进行安全生产教育和培训",
         "《中华人民共和国安全生产法》第二十八条、第九十七条"),
        ("未对重大危险源登记建档并进行定期检测、评估、监控",
         "《中华人民共和国安全生产法》第四十条、第一百零一条"),
    )),
)
COURTS = (("杭州市中级人民法院", "浙01"), ("杭州市西湖区人民法院", "浙0106"),
          ("杭州市滨江区人民法院", "浙0108"), ("杭州市上城区人民法院", "浙0102"))
SANCTIONS = (
    (S.MINOR, "警告：违反行业自律公约，以低于成本价格恶意竞争"),
    (S.ORDINARY, "行业内通报批评：在招投标活动中与其他投标人串通报价"),
    (S.ORDINARY, "行业内通报批评：向采购单位工作人员赠送购物卡谋取交易机会"),
    (S.SERIOUS, "公开谴责：伪造业绩材料骗取行业评优，并拒不整改"),
)
#: (category, issuing body, number prefix, content, basis)
POSITIVES = (
    (C.HONOUR, FEDERATION_BODY, "杭工商联", "荣获{year}年度“诚信守法民营企业”称号",
     "《关于表彰{year}年度诚信守法民营企业的决定》"),
    (C.HONOUR, "杭州市人民政府", "杭政函", "荣获{year}年度“杭州市守合同重信用企业”称号",
     "《杭州市守合同重信用企业公示管理办法》"),
    (C.AWARD, "杭州市人民政府", "杭政发", "获{year}年度杭州市科学技术进步奖二等奖",
     "《杭州市科学技术奖励办法》"),
    (C.AWARD, "杭州市市场监督管理局", "杭市监质", "获{year}年度杭州市政府质量奖提名奖",
     "《杭州市政府质量奖管理办法》"),
    (C.EXEMPLAR, FEDERATION_BODY, "杭工商联", "被评为{year}年度“清廉民营企业建设示范单位”",
     "《杭州市清廉民营企业建设示范单位评选办法》"),
)
LICENCES = (
    ("杭州市市场监督管理局", "准予食品经营许可（经营项目：预包装食品销售、热食类食品制售）",
     "《中华人民共和国食品安全法》第三十五条"),
    ("杭州市生态环境局", "核发排污许可证（重点管理）", "《排污许可管理条例》"),
    ("杭州市应急管理局", "准予危险化学品经营许可（不带储存设施）", "《危险化学品安全管理条例》第三十三条"),
)
PLEDGE_TEXT = ("本企业郑重承诺：严格遵守国家法律法规和行业规范，依法诚信经营；"
               "不以任何形式向国家工作人员和交易相对方行贿；按时足额支付员工工资和供应商货款；"
               "主动接受社会监督，如有违反，自愿接受相应的失信惩戒。")
EVIDENCE = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n% evidence\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
DAY = dt.timedelta(days=1)


def _evidence(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EVIDENCE, content_type="application/pdf")


def _document_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A short PDF in Chinese (WeasyPrint with the Noto CJK fonts)."""
    from django.utils.html import escape
    from weasyprint import HTML

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    html = ("<html><head><meta charset='utf-8'><style>@page{size:A4;margin:20mm}"
            "body{font-family:'Noto Serif CJK SC',serif;font-size:11pt;line-height:1.8}"
            "h1{text-align:center;font-size:18pt}p{text-indent:2em;margin:0 0 3mm}</style>"
            f"</head><body><h1>{escape(title)}</h1>{body}</body></html>")
    progress = logging.getLogger("weasyprint.progress")
    level = progress.level
    progress.setLevel(logging.WARNING)  # no step-by-step log lines in ``qinglian seed``
    try:
        return bytes(HTML(string=html).write_pdf())
    finally:
        progress.setLevel(level)


class CreditSample:
    def __init__(self, city: SampleCity, rng: random.Random, today: dt.date,
                 progress: ProgressFn | None) -> None:
        self.city, self.rng, self.today = city, rng, today
        self.progress: Callable[[str, int, int], None] = (
            progress or (lambda stage, done, total: None))
        self.serials: dict[tuple[str, int], int] = {}
        demo = User.objects.filter(username="enterprise").select_related("organisation").first()
        self.demo = demo.organisation if demo is not None else None
        self.benchmarks = self._benchmarks()
        keep = {o.pk for o in self.benchmarks} | ({self.demo.pk} if self.demo else set())
        self.pool = [e for e in city.enterprises if e.pk not in keep]
        self.chamber_of: dict[int, Organisation] = {}
        for membership in Membership.objects.filter(
                member__in=city.enterprises, organisation__kind=OrganisationKind.CHAMBER,
                status__in=list(ACTIVE_MEMBERSHIP)).select_related("organisation").order_by("pk"):
            self.chamber_of.setdefault(membership.member_id, membership.organisation)

    def _benchmarks(self) -> list[Organisation]:
        """Enterprises whose latest published integrity grade is 标杆 (up to three)."""
        latest: dict[int, str] = {}
        for enterprise_id, grade in (Assessment.objects.filter(
                enterprise__in=self.city.enterprises, status=AssessmentStatus.PUBLISHED)
                .order_by("enterprise_id", "-campaign__year", "-id")
                .values_list("enterprise_id", "grade")):
            latest.setdefault(enterprise_id, grade)
        by_pk = {e.pk: e for e in self.city.enterprises}
        demo_pk = self.demo.pk if self.demo else None
        return [by_pk[pk] for pk, grade in sorted(latest.items())
                if grade == BENCHMARK_GRADE and pk != demo_pk][:3]

    # --- records ------------------------------------------------------------------------------

    def number(self, prefix: str, year: int) -> str:
        key = (prefix, year)
        self.serials[key] = self.serials.get(key, self.rng.randint(8, 120)) + self.rng.randint(1, 9)
        return f"{prefix}〔{year}〕{self.serials[key]}号"

    def record(self, subject: Organisation, *, category: str, decided: dt.date, body: str,
               number: str, basis: str, content: str, severity: str = "",
               source: str = Source.ADMINISTRATIVE, amount: int | None = None,
               publish_on: dt.date | None = None) -> CreditRecord:
        """Enter a record the day after its decision and publish it on ``publish_on``."""
        made = actions.do_create_record(
            subject, actor=None, today=min(decided + DAY, self.today), category=category,
            severity=severity, source=source, issuing_body=body, decision_number=number,
            decision_date=decided, legal_basis=basis, content=content,
            amount=Decimal(amount) if amount is not None else None)
        if publish_on is not None and made.to_publish:
            actions.do_publish_record(made, actor=None, today=min(publish_on, self.today))
        return made

    def penalty(self, subject: Organisation, decided: dt.date, severity: str, *,
                publish_on: dt.date | None = None, body_index: int | None = None,
                what: int | None = None) -> CreditRecord:
        body, prefix, offences = PENALTY_BODIES[
            self.rng.randrange(len(PENALTY_BODIES)) if body_index is None else body_index]
        content, basis = offences[self.rng.randrange(len(offences)) if what is None else what]
        amounts: dict[str, tuple[int, ...]] = {
            S.MINOR: (2000, 5000, 8000), S.ORDINARY: (10000, 30000, 50000, 80000),
            S.SERIOUS: (200000, 500000, 1000000)}
        amount = amounts[severity]
        fine = self.rng.choice(amount)
        return self.record(
            subject, category=C.PENALTY, severity=severity, decided=decided, body=body,
            number=self.number(prefix, decided.year), basis=basis, amount=fine,
            content=f"{content}。决定给予警告，并处罚款{fine / 10000:g}万元。",
            publish_on=publish_on)

    def judgment(self, subject: Organisation, decided: dt.date, *,
                 publish_on: dt.date | None = None) -> CreditRecord:
        court, code = self.rng.choice(COURTS)
        owed = self.rng.choice((36, 58, 120, 260))
        return self.record(
            subject, category=C.JUDGMENT, severity=S.SERIOUS, source=Source.COURT,
            decided=decided, body=court, publish_on=publish_on,
            number=f"（{decided.year}）{code}执{self.rng.randint(100, 9999)}号",
            basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
            content=f"有履行能力而拒不履行生效法律文书确定的给付义务（执行标的{owed}万元），"
                    "被纳入失信被执行人名单")

    def sanction(self, subject: Organisation, decided: dt.date, *,
                 publish_on: dt.date | None = None) -> CreditRecord:
        chamber = self.chamber_of.get(subject.pk) or self.city.chambers[0]
        severity, content = self.rng.choice(SANCTIONS)
        core = chamber.name.removeprefix("杭州市")[:2]
        return self.record(
            subject, category=C.INDUSTRY_SANCTION, severity=severity, source=Source.INDUSTRY,
            decided=decided, body=chamber.name, publish_on=publish_on,
            number=self.number(f"杭{core}会自律", decided.year),
            basis=f"《{chamber.name}行业自律公约》第十二条、《{chamber.name}会员惩戒办法》第八条",
            content=content)

    def wage_arrears(self, subject: Organisation, decided: dt.date, severity: str, *,
                     publish_on: dt.date | None = None) -> CreditRecord:
        workers, owed = self.rng.randint(6, 48), self.rng.choice((86000, 236000, 512000))
        return self.record(
            subject, category=C.WAGE_ARREARS, severity=severity, decided=decided,
            body="杭州市人力资源和社会保障局", publish_on=publish_on, amount=owed,
            number=self.number("杭人社监", decided.year),
            basis="《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条",
            content=f"拖欠{workers}名农民工工资共计{owed / 10000:g}万元，经责令限期支付逾期仍未支付")

    def positive(self, subject: Organisation, decided: dt.date) -> CreditRecord:
        category, body, prefix, content, basis = self.rng.choice(POSITIVES)
        year = decided.year - 1
        return self.record(
            subject, category=category, decided=decided, body=body,
            source=Source.INDUSTRY if body == FEDERATION_BODY else Source.ADMINISTRATIVE,
            number=self.number(prefix, decided.year), basis=basis.format(year=year),
            content=content.format(year=year), publish_on=decided + DAY * self.rng.randint(1, 4))

    def licence(self, subject: Organisation, decided: dt.date, *,
                publish_on: dt.date | None) -> CreditRecord:
        body, content, basis = self.rng.choice(LICENCES)
        number = (f"JY1330106{self.rng.randint(1000000, 9999999)}" if "食品" in content
                  else self.number("杭环许" if "排污" in content else "浙杭危化经", decided.year))
        return self.record(subject, category=C.LICENCE, decided=decided, body=body,
                           number=number, basis=basis, content=content, publish_on=publish_on)

    def on_time(self, decided: dt.date, *, late: bool = False) -> dt.date:
        """A dual-publicity publication day: within 7 working days (or a few days late)."""
        due = publish_due(decided)
        if late:
            return due + DAY * self.rng.randint(2, 6)
        return min(decided + DAY * self.rng.randint(1, 5), due)

    def history(self, count: int) -> list[CreditRecord]:
        """A realistic mix over the last three years (the showcases come on top)."""
        made: list[CreditRecord] = []
        anyone = [*self.pool, *self.benchmarks]
        for n in range(count):
            roll = self.rng.random()
            decided = self.today - DAY * self.rng.randint(20, 3 * 365 - 10)
            subject = self.rng.choice(self.pool)
            if roll < 0.38:
                severity = self.rng.choices((S.MINOR, S.ORDINARY, S.SERIOUS), (2, 6, 2))[0]
                made.append(self.penalty(subject, decided, severity,
                                         publish_on=self.on_time(decided, late=n in (3, 17))))
            elif roll < 0.45:
                made.append(self.judgment(subject, decided, publish_on=decided + DAY * 2))
            elif roll < 0.54:
                made.append(self.sanction(subject, decided, publish_on=decided + DAY * 3))
            elif roll < 0.59:
                severity = self.rng.choice((S.ORDINARY, S.ORDINARY, S.SERIOUS))
                made.append(self.wage_arrears(subject, decided, severity,
                                              publish_on=decided + DAY * 3))
            elif roll < 0.83:
                made.append(self.positive(self.rng.choice(anyone), decided))
            else:
                made.append(self.licence(self.rng.choice(anyone), decided,
                                         publish_on=self.on_time(decided)))
            if n % 10 == 9:
                self.progress("信用记录", n + 1, count)
        published = [r for r in made if r.is_negative and r.status == "published"]
        for record in published[2:11:4]:
            actions.do_revoke_record(record, actor=None,
                                     reason="经行政复议，原处罚决定被撤销，记录予以撤销")
        return made

    def dual_publicity_queue(self) -> None:
        """Licences and penalties decided in the last days, not yet published: two past
        their 7-working-day deadline, up to three due soon, the rest with time to go."""
        soon = due_soon_until(self.today)
        overdue: list[dt.date] = []
        due_soon: list[dt.date] = []
        later: list[dt.date] = []
        for back in range(0, 25):
            decided = self.today - DAY * back
            due = publish_due(decided)
            bucket = overdue if due < self.today else due_soon if due <= soon else later
            bucket.append(decided)
        chosen = overdue[:2] + due_soon[:3] + later[:2]
        for n, decided in enumerate(chosen):
            subject = self.rng.choice(self.pool)
            if n % 2:
                self.licence(subject, decided, publish_on=None)
            else:
                self.penalty(subject, decided, self.rng.choice((S.ORDINARY, S.SERIOUS)))

    # --- pledges ------------------------------------------------------------------------------

    def pledges(self, count: int) -> None:
        subjects = [e for e in (self.demo, *self.benchmarks) if e is not None]
        subjects += self.rng.sample(self.pool, min(len(self.pool), count - len(subjects)))
        made = []
        for subject in subjects:
            chamber = self.chamber_of.get(subject.pk)
            industry = chamber is not None and self.rng.random() < 0.35
            day = self.today - DAY * self.rng.randint(10, 700)
            made.append(do_make_pledge(
                subject, actor=None, today=day,
                kind=PledgeKind.INDUSTRY if industry else PledgeKind.GENERAL,
                title=f"{chamber.name}会员诚信自律承诺" if industry and chamber else "信用承诺书",
                content=PLEDGE_TEXT, valid_until=day + dt.timedelta(days=3 * 365)))
        breached = made[-1]
        do_record_breach(
            breached, actor=None, severity=S.ORDINARY, issuing_body=FEDERATION_BODY,
            note="承诺按时支付供应商货款，经核查拖欠三家供应商货款逾六个月，经调解仍未履行",
            publish=True, today=self.today - DAY * 70)

    # --- due process --------------------------------------------------------------------------

    def _list(self, subject: Organisation, kind: str, records: list[CreditRecord], *,
              proposed: dt.date, reasons: str, basis: str, rule: str = "",
              objection: str = "", publish: bool = True) -> Listing:
        """A listing through due process: proposed, notified the same day, (objection filed
        and upheld,) decided the day after the objection window, published."""
        listing = listing_actions.do_propose_listing(
            subject, actor=None, list_kind=kind, reasons=reasons, basis=basis, records=records,
            measures=MEASURES_BY_LIST[kind], today=proposed, rule_code=rule,
            origin=ListingOrigin.RULE if rule else ListingOrigin.OFFICER)
        listing_actions.do_notify_listing(listing, actor=None, today=proposed)
        if objection:
            filed = objection_actions.do_file_objection(
                listing, actor=None, reasons=objection, files=[_evidence("情况说明.pdf")],
                today=proposed + DAY * 2)
            objection_actions.do_handle_objection(
                filed, actor=None, corrected=False,
                outcome="经复核，原处罚决定事实清楚、依据充分，企业所称已整改不影响列入，维持原认定")
        assert listing.objection_due is not None
        decided = listing.objection_due + DAY
        if publish and decided <= self.today:
            listing_actions.do_decide_listing(listing, actor=None, listed=True, today=decided,
                                              note="异议期届满，决定列入")
            listing_actions.do_publish_listing(listing, actor=None, today=decided)
        return listing

    def blacklists(self, subjects: list[Organisation]) -> None:
        for n, subject in enumerate(subjects[:3]):
            decided = self.today - DAY * (70 + 110 * n)
            basis = [self.penalty(subject, decided, S.SERIOUS, body_index=n % 2,
                                  publish_on=self.on_time(decided))]
            if n == 1:
                basis.append(self.judgment(subject, decided - DAY * 40,
                                           publish_on=decided - DAY * 38))
            self._list(subject, ListKind.BLACK, basis, proposed=decided + DAY * 10,
                       reasons=f"存在严重失信行为（{basis[0].decision_number}），"
                               "情节严重、社会影响恶劣",
                       basis="《杭州市失信惩戒对象名单管理办法》第九条",
                       objection="企业已缴清罚款并完成整改，请求不予列入黑名单" if n == 0 else "")
        if len(subjects) > 3:  # a listing whose expiry has passed: out of the public view
            subject, decided = subjects[3], self.today - DAY * 430
            basis = [self.wage_arrears(subject, decided, S.ORDINARY, publish_on=decided + DAY)]
            self._list(subject, ListKind.BLACK, basis, proposed=decided + DAY * 5,
                       reasons="拖欠农民工工资被列入失信联合惩戒对象名单",
                       basis="《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条")

    def repaired_blacklist(self, subject: Organisation) -> None:
        """A serious penalty, blacklisted, repaired after its minimum window: the record
        leaves the public view and the listing is removed."""
        decided = self.today - DAY * 480
        record = self.penalty(subject, decided, S.SERIOUS, body_index=2,
                              publish_on=self.on_time(decided))
        self._list(subject, ListKind.BLACK, [record], proposed=decided + DAY * 12,
                   reasons=f"存在严重失信行为（{record.decision_number}）",
                   basis="《杭州市失信惩戒对象名单管理办法》第九条")
        assert record.repair_from is not None
        application = repair_actions.do_apply_repair(
            record, actor=None, files=[_evidence("整改验收报告.pdf")],
            correction="已缴清罚款，完成废气处理设施提标改造，经第三方监测连续三个月达标排放",
            pledge=PLEDGE_TEXT, today=record.repair_from + DAY * 15)
        repair_actions.do_decide_repair(application, actor=None, approve=True,
                                        note="整改到位，公示期已满最短期限，准予信用修复")

    def red_list(self) -> None:
        for subject in self.benchmarks:
            decided = self.today - DAY * self.rng.randint(120, 300)
            honour = self.record(
                subject, category=C.EXEMPLAR, decided=decided, body=FEDERATION_BODY,
                source=Source.INDUSTRY, number=self.number("杭工商联", decided.year),
                basis="《杭州市清廉民营企业建设示范单位评选办法》",
                content=f"被评为{decided.year - 1}年度“清廉民营企业建设示范单位”",
                publish_on=decided + DAY * 2)
            self._list(subject, ListKind.RED, [honour], proposed=self.today - DAY * 45,
                       rule=REDLIST_RULE, reasons="最近一次发布的清廉指数等级为标杆，信用评级为 A",
                       basis="规则 RL-A-BENCHMARK：清廉指数标杆且信用评级 A")

    def open_cases(self, subjects: list[Organisation]) -> None:
        """A rule's proposal waiting for notice, a notice inside its objection window, an open
        objection to a record and a pending repair application."""
        waiting, notified, objecting, repairing = subjects[:4]
        judgment = self.judgment(waiting, self.today - DAY * 20, publish_on=self.today - DAY * 18)
        listing_actions.do_propose_listing(
            waiting, actor=None, list_kind=ListKind.BLACK, records=[judgment],
            reasons=f"信用评级为 D，且有严重失信记录 {judgment.number} 在公示期内",
            basis="规则 BL-D-SERIOUS：信用评级 D 且有公示期内的严重失信信息",
            measures=MEASURES_BY_LIST[ListKind.BLACK], origin=ListingOrigin.RULE,
            rule_code=BLACKLIST_RULE, today=self.today - DAY)
        decided = self.today - DAY * 40
        penalty = self.penalty(notified, decided, S.SERIOUS, body_index=0, what=1,
                               publish_on=self.on_time(decided))
        listing = listing_actions.do_propose_listing(
            notified, actor=None, list_kind=ListKind.BLACK, records=[penalty],
            reasons=f"商业贿赂被处以罚款（{penalty.decision_number}），情节严重",
            basis="《杭州市失信惩戒对象名单管理办法》第九条",
            measures=MEASURES_BY_LIST[ListKind.BLACK][:3], today=self.today - DAY * 5)
        listing_actions.do_notify_listing(listing, actor=None, today=self.today - DAY * 3)
        decided = self.today - DAY * 50
        disputed = self.penalty(objecting, decided, S.ORDINARY, publish_on=self.on_time(decided))
        objection_actions.do_file_objection(
            disputed, actor=None, files=[_evidence("缴款凭证.pdf")], today=self.today - DAY * 2,
            reasons="处罚决定书载明的罚款金额与实际缴纳金额不符，请求更正")
        decided = self.today - DAY * 160
        record = self.penalty(repairing, decided, S.ORDINARY, publish_on=self.on_time(decided))
        repair_actions.do_apply_repair(
            record, actor=None, files=[_evidence("整改报告.pdf")], pledge=PLEDGE_TEXT,
            correction="已按决定书缴清罚款，完成整改并建立合规审查制度",
            today=self.today - DAY * 4)

    def demo_enterprise(self) -> None:
        """What the demo enterprise user sees on 我的信用: a published penalty past its
        minimum window (so "申请信用修复" is offered) and an honour."""
        if self.demo is None:
            return
        decided = self.today - DAY * 130
        self.penalty(self.demo, decided, S.ORDINARY, body_index=0, what=0,
                     publish_on=self.on_time(decided))
        decided = self.today - DAY * 260
        self.record(self.demo, category=C.HONOUR, decided=decided, body=FEDERATION_BODY,
                    source=Source.INDUSTRY, number=self.number("杭工商联", decided.year),
                    basis=f"《关于表彰{decided.year - 1}年度诚信守法民营企业的决定》",
                    content=f"荣获{decided.year - 1}年度“诚信守法民营企业”称号",
                    publish_on=decided + DAY * 3)

    def documents(self) -> None:
        chamber = next((c for c in self.city.chambers if c.name == "杭州市互联网商会"),
                       self.city.chambers[0])
        year = self.today.year - 1
        items = [
            (chamber, DocumentKind.CONVENTION, f"{chamber.name}行业自律公约", None,
             ["第一条 为规范会员经营行为，维护公平竞争的市场秩序，根据有关法律法规和本会章程，制定本公约。",
              "第二条 会员应当依法诚信经营，不得以任何形式向国家工作人员、交易相对方及其工作人员行贿。",
              "第十二条 会员违反本公约的，由行业自律委员会视情节给予警告、行业内通报批评、公开谴责、"
              "取消会员资格，或者向有关部门通报。"]),
            (chamber, DocumentKind.ANNUAL_REPORT, f"{chamber.name}{year}年度行业自律工作报告", year,
             [f"{year}年，本会组织会员企业签署清廉企业共建承诺书，开展廉洁从业教育培训和警示教育。",
              "全年受理行业自律投诉若干件，均已办结；对违反自律公约的会员依规作出惩戒。"]),
        ]
        others = [c for c in self.city.chambers if c != chamber]
        if others:
            items.append((others[0], DocumentKind.CONVENTION, f"{others[0].name}会员廉洁从业公约",
                          None, ["会员企业应当建立健全内部控制制度，防范商业贿赂风险。",
                                 "会员企业负责人应当带头廉洁从业，主动接受商会和社会监督。"]))
        for organisation, kind, title, doc_year, paragraphs in items:
            upload = SimpleUploadedFile(f"{title}.pdf", _document_pdf(title, paragraphs),
                                        content_type="application/pdf")
            document_actions.do_publish_document(
                organisation, actor=None, kind=kind, title=title, upload=upload, year=doc_year,
                summary=paragraphs[0][:120], today=self.today - DAY * self.rng.randint(5, 60))


def build_sample_credit(city: SampleCity, rng: random.Random, today: dt.date,
                        progress: ProgressFn | None) -> None:
    local = random.Random()  # noqa: S311 - sample data, not secrets
    local.setstate(rng.getstate())
    sample = CreditSample(city, local, today, progress)
    cases = local.sample(sample.pool, min(len(sample.pool), 9))
    sample.demo_enterprise()
    sample.history(96)
    sample.dual_publicity_queue()
    sample.pledges(30)
    sample.progress("红黑名单与异议、修复", 0, 3)
    # A very small city (the 10-enterprise minimum) has too few enterprises for every case:
    # the later ones are left out rather than piled onto one enterprise.
    sample.blacklists(cases[:4])
    if len(cases) > 4:
        sample.repaired_blacklist(cases[4])
    sample.red_list()
    sample.progress("红黑名单与异议、修复", 2, 3)
    if len(cases) >= 9:
        sample.open_cases(cases[5:9])
    sample.progress("红黑名单与异议、修复", 3, 3)
    sample.documents()
    recompute_ratings(city.federation.pk, today=today)
    sample.progress("信用评级", 1, 1)
