"""The integrity risk register (廉洁风险点台账): library, register, controls, assessment rounds,
linked alerts, and the "number one"'s power and negative lists (权力清单 / 负面清单).

Likelihood and impact are whole numbers 1–5; the actions store the score (their product) and
the level beside them so that lists, the heat map and the overview filter and count in SQL.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from .choices import (
    BusinessArea,
    ControlStatus,
    ListKind,
    ListStatus,
    PointStatus,
    RiskLevel,
    RoundKind,
    RoundStatus,
)

SCALE_CHECK = Q(likelihood__gte=1, likelihood__lte=5, impact__gte=1, impact__lte=5)


class LibraryPoint(TimeStampedModel):
    """A typical integrity risk point in a federation's library (copied from the shipped
    library, then edited by the federation); organisations add points to their register
    from it."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="risk_library")
    code = models.CharField("编号", max_length=16)
    area = models.CharField("业务领域", max_length=24, choices=BusinessArea.choices)
    title = models.CharField("风险点", max_length=128)
    schemes = models.TextField("典型表现形式", blank=True)
    controls = models.TextField("典型防控措施", blank=True)
    likelihood = models.PositiveSmallIntegerField("参考可能性", default=3)
    impact = models.PositiveSmallIntegerField("参考影响程度", default=3)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "风险点库条目"
        verbose_name_plural = "风险点库"
        ordering = ("federation", "code")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["federation", "code"], name="risk_library_unique_code"),
            models.CheckConstraint(condition=SCALE_CHECK, name="risk_library_scale"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class RiskPoint(TimeStampedModel):
    """One point of an organisation's register, with its inherent level (before controls) and
    residual level (after controls), owner and review cycle."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="risk_points")
    library_point = models.ForeignKey(LibraryPoint, verbose_name="来源（风险点库）", null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField("编号", max_length=16)
    area = models.CharField("业务领域", max_length=24, choices=BusinessArea.choices,
                            db_index=True)
    title = models.CharField("风险点", max_length=128)
    schemes = models.TextField("风险表现形式", blank=True)
    department = models.CharField("部门", max_length=64)
    post = models.CharField("岗位", max_length=64, blank=True)
    owner_name = models.CharField("责任人", max_length=64)
    likelihood = models.PositiveSmallIntegerField("可能性")
    impact = models.PositiveSmallIntegerField("影响程度")
    inherent_score = models.PositiveSmallIntegerField("固有风险分值")
    inherent_level = models.CharField("固有风险等级", max_length=8, choices=RiskLevel.choices)
    residual_likelihood = models.PositiveSmallIntegerField("剩余可能性")
    residual_impact = models.PositiveSmallIntegerField("剩余影响程度")
    residual_score = models.PositiveSmallIntegerField("剩余风险分值")
    residual_level = models.CharField("剩余风险等级", max_length=8, choices=RiskLevel.choices,
                                      db_index=True)
    review_months = models.PositiveSmallIntegerField("评估周期（月）", default=12)
    last_reviewed_on = models.DateField("上次评估日期", null=True, blank=True)
    next_review_on = models.DateField("下次评估日期", db_index=True)
    #: Where the next review starts from, raised by a confirmed alert (None: the current value).
    next_likelihood = models.PositiveSmallIntegerField("下次评估起始可能性", null=True,
                                                       blank=True)
    next_residual_likelihood = models.PositiveSmallIntegerField(
        "下次评估起始剩余可能性", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=PointStatus.choices,
                              default=PointStatus.ACTIVE, db_index=True)
    retired_at = models.DateTimeField("撤销时间", null=True, blank=True)
    retired_reason = models.CharField("撤销原因", max_length=255, blank=True)

    class Meta:
        verbose_name = "廉洁风险点"
        verbose_name_plural = "廉洁风险点"
        ordering = ("organisation", "area", "code")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "code"], name="risk_point_unique_code"),
            models.CheckConstraint(condition=SCALE_CHECK & Q(
                residual_likelihood__gte=1, residual_likelihood__lte=5,
                residual_impact__gte=1, residual_impact__lte=5), name="risk_point_scale"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "status", "area"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


def control_evidence_path(instance: Control, filename: str) -> str:
    """Content-addressed: the same document attached to several controls is stored once."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"risk/{instance.evidence_sha256[:2]}/{instance.evidence_sha256}.{ext}"


class Control(TimeStampedModel):
    """A control (防控措施) of a risk point: who does what by when, and the evidence it was done."""

    point = models.ForeignKey(RiskPoint, verbose_name="风险点", on_delete=models.CASCADE,
                              related_name="controls")
    description = models.TextField("防控措施")
    owner_name = models.CharField("责任人", max_length=64)
    due_on = models.DateField("完成时限", db_index=True)
    status = models.CharField("状态", max_length=16, choices=ControlStatus.choices,
                              default=ControlStatus.PLANNED, db_index=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    evidence = models.FileField("佐证材料", upload_to=control_evidence_path, blank=True)
    evidence_name = models.CharField("佐证材料文件名", max_length=255, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "防控措施"
        verbose_name_plural = "防控措施"
        ordering = ("point", "due_on", "id")

    def __str__(self) -> str:
        return self.description[:40]


class AssessmentRound(TimeStampedModel):
    """A risk assessment round (风险评估): yearly or ad hoc, it walks the register, and the
    organisation's responsible leader approves it before the register's levels change."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="risk_rounds")
    kind = models.CharField("类型", max_length=16, choices=RoundKind.choices,
                            default=RoundKind.YEARLY)
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("名称", max_length=128)
    status = models.CharField("状态", max_length=16, choices=RoundStatus.choices,
                              default=RoundStatus.DRAFT, db_index=True)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="负责领导",
                               on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    in_progress_at = models.DateTimeField("开始时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "风险评估"
        verbose_name_plural = "风险评估"
        ordering = ("organisation", "-year", "-id")

    def __str__(self) -> str:
        return self.name


class RoundItem(models.Model):
    """One point walked in a round: its levels before, the newly assessed ones, who assessed
    it and when."""

    round = models.ForeignKey(AssessmentRound, verbose_name="风险评估", on_delete=models.CASCADE,
                              related_name="items")
    point = models.ForeignKey(RiskPoint, verbose_name="风险点", on_delete=models.PROTECT,
                              related_name="round_items")
    prior_likelihood = models.PositiveSmallIntegerField("原可能性")
    prior_impact = models.PositiveSmallIntegerField("原影响程度")
    prior_residual_likelihood = models.PositiveSmallIntegerField("原剩余可能性")
    prior_residual_impact = models.PositiveSmallIntegerField("原剩余影响程度")
    likelihood = models.PositiveSmallIntegerField("可能性")
    impact = models.PositiveSmallIntegerField("影响程度")
    residual_likelihood = models.PositiveSmallIntegerField("剩余可能性")
    residual_impact = models.PositiveSmallIntegerField("剩余影响程度")
    note = models.TextField("评估意见", blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评估人", null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField("评估时间", null=True, blank=True)

    class Meta:
        verbose_name = "风险评估事项"
        verbose_name_plural = "风险评估事项"
        ordering = ("round", "point__area", "point__code")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["round", "point"], name="risk_round_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.point}"


class AlertLink(models.Model):
    """A confirmed alert (预警) of the monitoring app linked to a risk point."""

    point = models.ForeignKey(RiskPoint, verbose_name="风险点", on_delete=models.CASCADE,
                              related_name="alert_links")
    source = models.CharField("来源", max_length=32)
    reference = models.CharField("预警编号", max_length=64)
    summary = models.CharField("预警摘要", max_length=255)
    linked_at = models.DateTimeField("关联时间")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关联人", null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "关联预警"
        verbose_name_plural = "关联预警"
        ordering = ("point", "-linked_at")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["point", "source", "reference"],
                                    name="risk_alert_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.reference}"


class PowerList(TimeStampedModel):
    """A version of an organisation's power list or negative list (权力清单 / 负面清单) of its
    "number one"; publishing a version supersedes the one in force."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="power_lists")
    kind = models.CharField("类型", max_length=16, choices=ListKind.choices)
    version = models.PositiveIntegerField("版本号")
    title = models.CharField("名称", max_length=128)
    holder = models.CharField("适用对象", max_length=64, default="主要负责人（“一把手”）")
    status = models.CharField("状态", max_length=16, choices=ListStatus.choices,
                              default=ListStatus.DRAFT, db_index=True)
    based_on = models.ForeignKey("self", verbose_name="基于版本", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    superseded_at = models.DateTimeField("替代时间", null=True, blank=True)

    class Meta:
        verbose_name = "权力（负面）清单"
        verbose_name_plural = "权力（负面）清单"
        ordering = ("organisation", "kind", "-version")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "kind", "version"],
                                    name="power_list_unique_version"),
            models.UniqueConstraint(fields=["organisation", "kind"],
                                    condition=Q(status=ListStatus.PUBLISHED),
                                    name="power_list_one_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 版）"


class PowerListItem(models.Model):
    """One power (or prohibition) with its basis, its procedure or constraint and risk level."""

    power_list = models.ForeignKey(PowerList, verbose_name="清单", on_delete=models.CASCADE,
                                   related_name="items")
    code = models.CharField("序号", max_length=16)
    name = models.CharField("事项", max_length=128)
    basis = models.TextField("制度依据", blank=True)
    procedure = models.TextField("运行程序 / 约束措施", blank=True)
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices,
                             default=RiskLevel.MEDIUM)
    sort = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        ordering = ("power_list", "sort", "code")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["power_list", "code"], name="power_item_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
