"""The integrity index (清廉指数): frameworks, campaigns, assessments, vetoes, eligibility.

Points are kept as whole hundredths of a point (``*_hundredths`` integers) wherever they are
stored or summed, so that totals are exact on SQLite (which has no decimal type) as well as on
PostgreSQL; ``Decimal`` is used at the edges (forms, display, scoring functions).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from .choices import (
    AssessmentStatus,
    CampaignStatus,
    EligibilityPurpose,
    ExemplarStatus,
    FindingStatus,
    FrameworkStatus,
    NomineeKind,
    RecheckStatus,
    ReviewDecision,
    ScoringMethod,
)

HUNDRED = Decimal(100)


def points(hundredths: int | None) -> Decimal | None:
    """Hundredths of a point as a Decimal with two places (None stays None)."""
    if hundredths is None:
        return None
    return (Decimal(hundredths) / HUNDRED).quantize(Decimal("0.01"))


class Framework(TimeStampedModel):
    """A version of a federation's indicator system. Frozen once a campaign uses it."""

    federation = models.ForeignKey(
        "registry.Organisation", verbose_name="工商联", on_delete=models.PROTECT,
        related_name="frameworks",
    )
    code = models.CharField("体系代码", max_length=32, default="QLZS")
    name = models.CharField("名称", max_length=128)
    version = models.PositiveIntegerField("版本号")
    description = models.TextField("说明", blank=True)
    status = models.CharField("状态", max_length=16, choices=FrameworkStatus.choices,
                              default=FrameworkStatus.DRAFT)
    based_on = models.ForeignKey("self", verbose_name="基于版本", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    frozen_at = models.DateTimeField("启用时间", null=True, blank=True)
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"
        ordering = ("federation", "code", "-version")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["federation", "code", "version"],
                                    name="framework_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    @property
    def is_frozen(self) -> bool:
        return self.status != FrameworkStatus.DRAFT


class GradeBand(models.Model):
    """A grade and the lowest total that earns it (default 标杆 ≥ 800 … 不达标 below 400)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField("等级", max_length=16)
    min_points = models.PositiveIntegerField("最低分")

    class Meta:
        verbose_name = "等级划分"
        verbose_name_plural = "等级划分"
        ordering = ("framework", "-min_points")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["framework", "name"], name="band_unique_name"),
            models.UniqueConstraint(fields=["framework", "min_points"], name="band_unique_floor"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.min_points}"


class Dimension(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField("代码", max_length=16)
    name = models.CharField("名称", max_length=64)
    sort = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "维度"
        verbose_name_plural = "维度"
        ordering = ("framework", "sort", "code")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["framework", "code"], name="dimension_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One indicator and how it is scored (see ``scoring.score_answer``)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    dimension = models.ForeignKey(Dimension, verbose_name="维度", on_delete=models.CASCADE,
                                  related_name="indicators")
    code = models.CharField("代码", max_length=16)
    name = models.CharField("名称", max_length=128)
    guidance = models.TextField("评分指引", blank=True)
    max_points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    method = models.CharField("评分方法", max_length=16, choices=ScoringMethod.choices)
    evidence_required = models.BooleanField("须上传佐证", default=False)
    #: LEVELS: [{"label": "完全落实", "share": "1"}, …] — share of the maximum, best first.
    levels = models.JSONField("分档", default=list, blank=True)
    #: THRESHOLDS: [{"min": "90", "share": "1"}, …] — highest threshold reached wins.
    thresholds = models.JSONField("阈值", default=list, blank=True)
    floor = models.DecimalField("不允许值（功效系数法）", max_digits=14, decimal_places=4,
                                null=True, blank=True)
    target = models.DecimalField("满意值（功效系数法）", max_digits=14, decimal_places=4,
                                 null=True, blank=True)
    unit = models.CharField("计量单位", max_length=16, blank=True)
    computed_source = models.CharField("数据来源", max_length=32, blank=True)
    sort = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ("framework", "dimension__sort", "sort", "code")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def max_hundredths(self) -> int:
        return int(self.max_points * HUNDRED)


class NegativeItem(models.Model):
    """A negative-list item (负面清单): once confirmed it vetoes the grade to 不达标."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE,
                                  related_name="negative_items")
    code = models.CharField("代码", max_length=16)
    name = models.CharField("名称", max_length=128)
    description = models.TextField("认定标准", blank=True)
    sort = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "负面清单事项"
        verbose_name_plural = "负面清单事项"
        ordering = ("framework", "sort", "code")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["framework", "code"], name="negative_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(TimeStampedModel):
    """A yearly evaluation: draft → self-assessment → chamber review → federation review →
    published → closed (see workflow.CAMPAIGN_FLOW)."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="campaigns")
    framework = models.ForeignKey(Framework, verbose_name="指标体系", on_delete=models.PROTECT,
                                  related_name="campaigns")
    year = models.PositiveSmallIntegerField("评价年度")
    name = models.CharField("名称", max_length=128)
    all_members = models.BooleanField("全部会员企业", default=True)
    chambers = models.ManyToManyField("registry.Organisation", verbose_name="参评商会/协会",
                                      blank=True, related_name="+")
    status = models.CharField("状态", max_length=24, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT, db_index=True)
    self_assessment_days = models.PositiveSmallIntegerField("自评期限（工作日）", default=15)
    chamber_review_days = models.PositiveSmallIntegerField("初审期限（工作日）", default=10)
    federation_review_days = models.PositiveSmallIntegerField("复核期限（工作日）", default=10)
    recheck_days = models.PositiveSmallIntegerField("复核申请期限（工作日）", default=5)
    self_assessment_due = models.DateField("自评截止", null=True, blank=True)
    chamber_review_due = models.DateField("初审截止", null=True, blank=True)
    federation_review_due = models.DateField("复核截止", null=True, blank=True)
    recheck_due = models.DateField("复核申请截止", null=True, blank=True)
    spot_check_share = models.DecimalField("抽查比例", max_digits=4, decimal_places=3,
                                           default=Decimal("0.100"))
    spot_check_seed = models.BigIntegerField("抽查随机种子", null=True, blank=True)
    spot_checked_at = models.DateTimeField("抽查时间", null=True, blank=True)
    results_at = models.DateTimeField("结果计算时间", null=True, blank=True)
    self_assessment_at = models.DateTimeField("自评开始时间", null=True, blank=True)
    chamber_review_at = models.DateTimeField("初审开始时间", null=True, blank=True)
    federation_review_at = models.DateTimeField("复核开始时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度评价"
        verbose_name_plural = "年度评价"
        ordering = ("-year", "-id")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["federation", "year", "name"],
                                    name="campaign_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStampedModel):
    """One enterprise's assessment in one campaign, and its published result."""

    # No single-column indexes where a composite one already leads with the column: every index
    # is rewritten when results are published (see results.py).
    campaign = models.ForeignKey(Campaign, verbose_name="年度评价", on_delete=models.PROTECT,
                                 related_name="assessments", db_index=False)
    enterprise = models.ForeignKey("registry.Organisation", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="assessments",
                                   db_index=False)
    chamber = models.ForeignKey("registry.Organisation", verbose_name="初审商会",
                                on_delete=models.PROTECT, related_name="+")
    #: Copied at creation so that results partition without joins.
    industry = models.CharField("行业", max_length=2, blank=True)
    region = models.CharField("地区", max_length=6, blank=True)
    status = models.CharField("状态", max_length=16, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.PENDING)
    draft_at = models.DateTimeField("开始填报", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("初审时间", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    spot_checked = models.BooleanField("抽查样本", default=False)
    total_hundredths = models.IntegerField("总分（百分之一分）", null=True, blank=True)
    grade = models.CharField("等级", max_length=16, blank=True)
    vetoed = models.BooleanField("一票否决", default=False)
    rank_chamber = models.PositiveIntegerField(null=True, blank=True)
    below_chamber = models.PositiveIntegerField(null=True, blank=True)
    peers_chamber = models.PositiveIntegerField(null=True, blank=True)
    rank_industry = models.PositiveIntegerField(null=True, blank=True)
    below_industry = models.PositiveIntegerField(null=True, blank=True)
    peers_industry = models.PositiveIntegerField(null=True, blank=True)
    rank_region = models.PositiveIntegerField(null=True, blank=True)
    below_region = models.PositiveIntegerField(null=True, blank=True)
    peers_region = models.PositiveIntegerField(null=True, blank=True)
    revision = models.PositiveSmallIntegerField("发布版次", default=0)

    class Meta:
        verbose_name = "企业评价"
        verbose_name_plural = "企业评价"
        ordering = ("campaign", "enterprise__name_pinyin")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "enterprise"],
                                    name="assessment_once_per_campaign"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["campaign", "chamber", "status"]),
            models.Index(fields=["enterprise", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.campaign}"

    @property
    def total(self) -> Decimal | None:
        return points(self.total_hundredths)

    def percentile(self, group: str) -> int | None:
        """Share (0–100) of the other enterprises in the group with a strictly lower total."""
        below = getattr(self, f"below_{group}")
        peers = getattr(self, f"peers_{group}")
        if below is None or not peers:
            return None
        if peers == 1:
            return 100
        share = Decimal(100 * below) / Decimal(peers - 1)
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class DimensionScore(models.Model):
    # The unique (assessment, dimension) index serves lookups by assessment; 400,000 of these
    # rows are rebuilt at each publication, so no further indexes.
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE,
                                   related_name="dimension_scores", db_index=False)
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    score_hundredths = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assessment", "dimension"],
                                    name="dimension_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.dimension_id}"

    @property
    def score(self) -> Decimal | None:
        return points(self.score_hundredths)


class Answer(models.Model):
    """The enterprise's answer to one indicator, and the reviewers' decisions on it.

    ``score_hundredths`` is the effective score: the federation's adjustment if any, else the
    chamber's, else the self-assessed score.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    bool_value = models.BooleanField("是否落实", null=True, blank=True)
    level = models.PositiveSmallIntegerField("所选档次", null=True, blank=True)
    number = models.DecimalField("数值", max_digits=14, decimal_places=4, null=True, blank=True)
    computed_note = models.CharField("自动计算依据", max_length=255, blank=True)
    note = models.TextField("情况说明", blank=True)
    self_hundredths = models.IntegerField("自评分", null=True, blank=True)
    decision = models.CharField("初审意见", max_length=16, choices=ReviewDecision.choices,
                                default=ReviewDecision.PENDING)
    chamber_hundredths = models.IntegerField("初审分", null=True, blank=True)
    chamber_comment = models.TextField("初审说明", blank=True)
    federation_hundredths = models.IntegerField("复核分", null=True, blank=True)
    federation_comment = models.TextField("复核说明", blank=True)
    score_hundredths = models.IntegerField("得分", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "指标填报"
        verbose_name_plural = "指标填报"
        ordering = ("assessment", "indicator__dimension__sort", "indicator__sort")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.indicator.code}"

    @property
    def score(self) -> Decimal | None:
        return points(self.score_hundredths)

    @property
    def self_score(self) -> Decimal | None:
        return points(self.self_hundredths)

    @property
    def chamber_score(self) -> Decimal | None:
        return points(self.chamber_hundredths)

    @property
    def federation_score(self) -> Decimal | None:
        return points(self.federation_hundredths)


def evidence_path(instance: Evidence, filename: str) -> str:
    """Content-addressed: the same document uploaded for several indicators is stored once."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class Evidence(models.Model):
    """A file the enterprise uploaded in support of an answer (checked by its magic bytes)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path)
    original_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ("answer", "uploaded_at")

    def __str__(self) -> str:
        return self.original_name


class NegativeFinding(TimeStampedModel):
    """A confirmed negative-list item against an enterprise in a campaign: it vetoes the grade."""

    assessment = models.ForeignKey(Assessment, verbose_name="企业评价", on_delete=models.PROTECT,
                                   related_name="findings")
    item = models.ForeignKey(NegativeItem, verbose_name="负面清单事项", on_delete=models.PROTECT,
                             related_name="findings")
    status = models.CharField("状态", max_length=16, choices=FindingStatus.choices,
                              default=FindingStatus.CONFIRMED, db_index=True)
    found_on = models.DateField("认定日期")
    source = models.CharField("认定依据（文书、来源）", max_length=255)
    description = models.TextField("情况说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_reason = models.TextField("撤销理由", blank=True)

    class Meta:
        verbose_name = "负面清单认定"
        verbose_name_plural = "负面清单认定"
        ordering = ("-found_on", "-id")

    def __str__(self) -> str:
        return f"{self.assessment.enterprise} · {self.item}"


class ResultRevision(models.Model):
    """Each publication of an assessment's result — the first and every republication."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField("版次")
    total_hundredths = models.IntegerField("总分（百分之一分）")
    grade = models.CharField("等级", max_length=16)
    vetoed = models.BooleanField("一票否决")
    dimension_hundredths = models.JSONField("各维度得分", default=dict)
    published_at = models.DateTimeField("发布时间")
    reason = models.CharField("原因", max_length=255)

    class Meta:
        verbose_name = "结果发布记录"
        verbose_name_plural = "结果发布记录"
        ordering = ("assessment", "revision")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assessment", "revision"], name="revision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} 第 {self.revision} 版结果"

    @property
    def total(self) -> Decimal | None:
        return points(self.total_hundredths)


class RecheckRequest(TimeStampedModel):
    """An enterprise's request for a re-check (复核申请) of its published result."""

    assessment = models.ForeignKey(Assessment, verbose_name="企业评价", on_delete=models.PROTECT,
                                   related_name="rechecks")
    status = models.CharField("状态", max_length=16, choices=RecheckStatus.choices,
                              default=RecheckStatus.FILED, db_index=True)
    reason = models.TextField("申请理由")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    filed_at = models.DateTimeField("申请时间", null=True, blank=True)
    due_on = models.DateField("办理期限", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    upheld_at = models.DateTimeField("维持时间", null=True, blank=True)
    changed_at = models.DateTimeField("改正时间", null=True, blank=True)
    decision_note = models.TextField("处理意见", blank=True)
    before_hundredths = models.IntegerField("原总分", null=True, blank=True)
    after_hundredths = models.IntegerField("复核后总分", null=True, blank=True)

    class Meta:
        verbose_name = "复核申请"
        verbose_name_plural = "复核申请"
        ordering = ("-filed_at", "-id")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assessment"], condition=Q(status=RecheckStatus.FILED),
                                    name="recheck_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} 复核申请"


class Exemplar(TimeStampedModel):
    """An exemplary enterprise (示范企业) nominated from a campaign's top grade."""

    campaign = models.ForeignKey(Campaign, verbose_name="年度评价", on_delete=models.PROTECT,
                                 related_name="exemplars")
    enterprise = models.ForeignKey("registry.Organisation", verbose_name="企业",
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=16, choices=ExemplarStatus.choices,
                              default=ExemplarStatus.NOMINATED)
    citation = models.TextField("推荐事迹")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField("推荐时间", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "示范企业"
        verbose_name_plural = "示范企业"
        ordering = ("campaign", "-nominated_at")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["campaign", "enterprise"], name="exemplar_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}（{self.campaign.year} 年度示范企业）"


class EligibilityCheck(models.Model):
    """One submitted list of nominees checked for a purpose (资格联审), kept for the record."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField("用途", max_length=16, choices=EligibilityPurpose.choices)
    title = models.CharField("事项名称", max_length=128)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("审核时间")
    nominee_count = models.PositiveIntegerField("人选数", default=0)
    ineligible_count = models.PositiveIntegerField("否决数", default=0)

    class Meta:
        verbose_name = "资格联审"
        verbose_name_plural = "资格联审"
        ordering = ("-submitted_at", "-id")

    def __str__(self) -> str:
        return self.title


class Nominee(models.Model):
    """One nominee of a check and its outcome. An ID number is kept only hashed and masked."""

    check_run = models.ForeignKey(EligibilityCheck, on_delete=models.CASCADE,
                                  related_name="nominees")
    line = models.PositiveIntegerField("序号")
    kind = models.CharField("类型", max_length=16, choices=NomineeKind.choices)
    name = models.CharField("名称/姓名", max_length=128, blank=True)
    identifier_masked = models.CharField("证件号码", max_length=32)
    identifier_hash = models.CharField(max_length=64, blank=True)
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    eligible = models.BooleanField("是否符合")
    reasons: Any = models.JSONField("不符合原因", default=list)

    class Meta:
        verbose_name = "联审人选"
        verbose_name_plural = "联审人选"
        ordering = ("check_run", "line")

    def __str__(self) -> str:
        return f"{self.name}（{self.identifier_masked}）"
