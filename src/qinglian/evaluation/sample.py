"""The integrity index in the sample city: last year's campaign published, this year's open.

Registered as a sample-city extension (see ``registry.sample.register_sample_extension``), so
``qinglian demo`` and ``qinglian seed`` build it in the same transaction as the city. Everything
goes through the actions with ``actor=None`` (the system), so it is validated and audited.

* last year: every member self-assessed (a few never submitted), chambers reviewed (some scores
  adjusted), the federation spot-checked, four negative-list findings vetoed grades, results
  published, one re-check changed a score, five exemplars published;
* this year: self-assessment open — some submitted (and partly reviewed), some drafting, some not
  started; the demo enterprise is drafting, the demo chamber has submissions awaiting review.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.registry.sample import ProgressFn, SampleCity

from . import actions, result_actions, review_actions
from .actions import AnswerInput
from .choices import AssessmentStatus, ReviewDecision, ScoringMethod
from .defaults import DEFAULT_FRAMEWORK
from .framework_actions import do_install_framework
from .models import Answer, Assessment, Campaign, Indicator

EVIDENCE_TITLES = ("制度文件", "会议记录", "培训签到表", "工作台账", "检查报告", "整改报告")


def _pdf(title: str) -> bytes:
    """A tiny valid PDF; the same few documents serve every enterprise (stored once)."""
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n% " + title.encode() +
            b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _input(indicator: Indicator, quality: float, rng: random.Random) -> AnswerInput:
    """An answer that an enterprise of this quality (0–1) would plausibly give."""
    luck = quality + rng.uniform(-0.25, 0.25)
    if indicator.method == ScoringMethod.BOOLEAN:
        return AnswerInput(bool_value=luck > 0.35, note="已建立并执行" if luck > 0.35 else "")
    if indicator.method == ScoringMethod.LEVELS:
        count = len(indicator.levels)
        index = min(count - 1, max(0, int((1 - luck) * count)))
        return AnswerInput(level=index)
    if indicator.method == ScoringMethod.THRESHOLDS:
        return AnswerInput(number=Decimal(min(100, max(0, round(luck * 110)))))
    floor, target = Decimal(indicator.floor or 0), Decimal(indicator.target or 100)
    share = Decimal(str(round(min(1.1, max(-0.3, luck)), 2)))
    return AnswerInput(number=(floor + (target - floor) * share).quantize(Decimal("0.1")))


class EvaluationSample:
    def __init__(self, city: SampleCity, rng: random.Random, today: dt.date,
                 progress: ProgressFn | None) -> None:
        self.city, self.rng, self.today = city, rng, today
        self.progress = progress or (lambda stage, done, total: None)
        self.quality: dict[int, float] = {}
        self.files = {t: _pdf(t) for t in EVIDENCE_TITLES}

    def quality_of(self, enterprise_id: int) -> float:
        if enterprise_id not in self.quality:
            self.quality[enterprise_id] = min(1.0, max(0.05, self.rng.gauss(0.68, 0.2)))
        return self.quality[enterprise_id]

    def self_assess(self, assessment: Assessment, *, submit: bool, share: float = 1.0) -> None:
        answers = [a for a in assessment.answers.select_related("indicator")
                   if a.indicator.method != ScoringMethod.COMPUTED]
        answers = answers[: max(1, int(len(answers) * share))]
        quality = self.quality_of(assessment.enterprise_id)
        given = {a.pk: _input(a.indicator, quality, self.rng) for a in answers}
        saved = actions.do_save_answers(assessment, given, actor=None)
        uploads = []
        for answer in saved:
            if answer.indicator.evidence_required and (answer.self_hundredths or 0) > 0:
                title = self.rng.choice(EVIDENCE_TITLES)
                uploads.append((answer, SimpleUploadedFile(f"{answer.indicator.name}{title}.pdf",
                                                           self.files[title])))
        if uploads:
            actions.do_upload_evidence_many(assessment, uploads, actor=None)
        if submit:
            actions.do_submit_assessment(assessment, actor=None)

    def review(self, assessment: Assessment, *, adjust: bool) -> None:
        if adjust:
            answer = (assessment.answers.exclude(indicator__method=ScoringMethod.COMPUTED)
                      .filter(self_hundredths__gt=0).select_related("indicator").first())
            if answer is not None:
                lowered = (Decimal(answer.self_hundredths or 0) / 200).quantize(Decimal("0.01"))
                review_actions.do_review_answer(answer, decision=ReviewDecision.ADJUSTED, points=lowered,
                                         comment="佐证材料不能完全支撑自评分，按半数计分", actor=None)
        review_actions.do_accept_remaining(assessment, actor=None)
        review_actions.do_complete_review(assessment, actor=None)

    def last_year(self, framework: Any) -> Campaign:
        year = self.today.year - 1
        opened = self.today - dt.timedelta(days=300)
        campaign = actions.do_create_campaign(
            self.city.federation, framework=framework, year=year, name=f"{year} 年度清廉企业评价",
            actor=None)
        actions.do_open_campaign(campaign, actor=None, today=opened)
        assessments = list(campaign.assessments.order_by("pk"))
        for done, assessment in enumerate(assessments, 1):
            if self.rng.random() < 0.97:
                self.self_assess(assessment, submit=True)
            self.progress(f"{year} 年度自评", done, len(assessments))
        actions.do_start_chamber_review(campaign, actor=None, today=opened + dt.timedelta(days=25))
        for assessment in campaign.assessments.filter(status=AssessmentStatus.SUBMITTED):
            self.review(assessment, adjust=self.rng.random() < 0.1)
        actions.do_start_federation_review(campaign, actor=None, today=opened + dt.timedelta(days=40))
        sample = result_actions.do_draw_spot_check(campaign, actor=None, seed=year)
        spot = Answer.objects.filter(assessment_id=sample[0], self_hundredths__gt=0) \
            .exclude(indicator__method=ScoringMethod.COMPUTED).select_related("indicator").first()
        if spot is not None:
            result_actions.do_adjust_answer(spot, points=0, comment="抽查未见相关台账，不予计分",
                                            actor=None)
        self.findings(campaign)
        published_on = opened + dt.timedelta(days=55)
        result_actions.do_publish_campaign(campaign, actor=None, today=published_on)
        self.recheck(campaign, published_on)
        self.exemplars(campaign)
        return campaign

    def findings(self, campaign: Campaign) -> None:
        items = list(campaign.framework.negative_items.order_by("sort")[:4])
        chosen = self.rng.sample(list(campaign.assessments.order_by("pk")), len(items))
        sources = ["杭州市人力资源和社会保障局劳动保障监察决定书 杭人社监〔{y}〕17号",
                   "国家税务总局杭州市税务局稽查局税务处理决定书 杭税稽处〔{y}〕45号",
                   "杭州市市场监督管理局行政处罚决定书 杭市监处罚〔{y}〕203号",
                   "杭州市中级人民法院刑事判决书（{y}）浙01刑初88号"]
        for assessment, item, source in zip(chosen, items[::-1], sources, strict=False):
            result_actions.do_confirm_finding(
                assessment, item=item, found_on=self.today - dt.timedelta(days=330),
                source=source.format(y=campaign.year), actor=None,
                description="经有关部门认定，依据负面清单一票否决")

    def recheck(self, campaign: Campaign, published_on: dt.date) -> None:
        candidate = (campaign.assessments.filter(grade="达标", vetoed=False)
                     .order_by("-total_hundredths").first())
        if candidate is None:
            return
        recheck = result_actions.do_file_recheck(
            candidate, reason="我司廉洁培训覆盖率实际为 95%，自评时漏报了下半年的两期培训，现补充签到表。",
            actor=None, today=published_on + dt.timedelta(days=2))
        answers = candidate.answers.filter(indicator__method=ScoringMethod.THRESHOLDS) \
            .select_related("indicator")
        answer = next((a for a in answers if a.score_hundredths < a.indicator.max_hundredths), None)
        if answer is not None:
            result_actions.do_adjust_answer(answer, points=answer.indicator.max_points,
                                            comment="补充的培训签到表属实，按满分计", actor=None)
        result_actions.do_decide_recheck(recheck, note="经核实补充材料，予以改正。", actor=None)

    def exemplars(self, campaign: Campaign) -> None:
        top = campaign.framework.bands.order_by("-min_points").first()
        best = campaign.assessments.filter(grade=top.name if top else "", vetoed=False) \
            .select_related("enterprise").order_by("-total_hundredths")[:6]
        for n, assessment in enumerate(best):
            if result_actions.exemplar_obstacles(assessment):
                continue
            exemplar = result_actions.do_nominate_exemplar(
                campaign, assessment.enterprise,
                citation="建立健全廉洁风险防控体系，关键岗位监督到位，连续多年无违纪违规记录。",
                actor=None)
            if n < 5:
                result_actions.do_set_exemplar_status(exemplar, to="published", actor=None)

    def this_year(self, framework: Any) -> Campaign:
        year = self.today.year
        campaign = actions.do_create_campaign(
            self.city.federation, framework=framework, year=year, name=f"{year} 年度清廉企业评价",
            actor=None)
        actions.do_open_campaign(campaign, actor=None, today=self.today - dt.timedelta(days=8))
        demo_ids = dict(User.objects.filter(role__in=[Role.ENTERPRISE_USER, Role.CHAMBER_OFFICER])
                        .values_list("role", "organisation_id"))
        assessments = list(campaign.assessments.order_by("pk"))
        for done, assessment in enumerate(assessments, 1):
            roll = self.rng.random()
            if assessment.enterprise_id == demo_ids.get(Role.ENTERPRISE_USER):
                self.self_assess(assessment, submit=False, share=0.4)
            elif roll < 0.45:
                self.self_assess(assessment, submit=True)
                if self.rng.random() < 0.4 and assessment.chamber_id != demo_ids.get(
                        Role.CHAMBER_OFFICER):
                    self.review(assessment, adjust=False)
            elif roll < 0.7:
                self.self_assess(assessment, submit=False, share=self.rng.uniform(0.2, 0.9))
            self.progress(f"{year} 年度自评", done, len(assessments))
        return campaign


def build_sample_evaluation(city: SampleCity, rng: random.Random, today: dt.date,
                            progress: ProgressFn | None) -> None:
    sample = EvaluationSample(city, rng, today, progress)
    framework = do_install_framework(city.federation, DEFAULT_FRAMEWORK, actor=None)
    sample.last_year(framework)
    sample.this_year(framework)
