"""The rating model (factors, grade points, bands) and the ratings it gives."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from ..choices import (
    RatingLetter,
    RecordCategory,
    Severity,
)

USER = settings.AUTH_USER_MODEL


class RatingModel(TimeStampedModel):
    """A federation's scoring model: base points, points per kind of record, points per
    integrity grade, and the bands that turn points into A / B / C / D. One is active."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=64)
    version = models.PositiveIntegerField("版本号")
    base_points = models.SmallIntegerField("基础分", default=80)
    is_active = models.BooleanField("启用", default=False)

    class Meta:
        verbose_name = "信用评价模型"
        verbose_name_plural = "信用评价模型"
        ordering = ("federation", "-version")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["federation", "version"],
                                    name="credit_model_version_unique"),
            models.UniqueConstraint(fields=["federation"], condition=Q(is_active=True),
                                    name="credit_model_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"


class RatingFactor(models.Model):
    """Points each record of a category (and severity) in its window adds or takes away;
    ``cap`` bounds how many such records count."""

    model = models.ForeignKey(RatingModel, on_delete=models.CASCADE, related_name="factors")
    category = models.CharField("类别", max_length=24, choices=RecordCategory.choices)
    severity = models.CharField("失信程度", max_length=16, choices=Severity.choices, blank=True)
    points = models.SmallIntegerField("每条分值")
    cap = models.PositiveSmallIntegerField("最多计入条数", default=3)

    class Meta:
        verbose_name = "评价因子"
        verbose_name_plural = "评价因子"
        ordering = ("model", "category", "severity")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["model", "category", "severity"],
                                    name="credit_factor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}{self.get_severity_display()} {self.points:+d}"


class GradeFactor(models.Model):
    """Points the latest published integrity-index grade adds (标杆 +10 … 不达标 −20)."""

    model = models.ForeignKey(RatingModel, on_delete=models.CASCADE, related_name="grade_factors")
    grade = models.CharField("清廉指数等级", max_length=16)
    points = models.SmallIntegerField("分值")

    class Meta:
        verbose_name = "等级因子"
        verbose_name_plural = "等级因子"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["model", "grade"], name="credit_grade_factor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} {self.points:+d}"


class RatingBand(models.Model):
    """The lowest points that earn a rating (A ≥ 90, B ≥ 75, C ≥ 60, D below)."""

    model = models.ForeignKey(RatingModel, on_delete=models.CASCADE, related_name="bands")
    rating = models.CharField("评级", max_length=1, choices=RatingLetter.choices)
    min_points = models.SmallIntegerField("最低分")

    class Meta:
        verbose_name = "评级档次"
        verbose_name_plural = "评级档次"
        ordering = ("model", "-min_points")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["model", "rating"], name="credit_band_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rating} ≥ {self.min_points}"


class Rating(models.Model):
    """An enterprise's rating under a model. A new row is written only when points or rating
    change; the current one has ``is_current``; older rows are the history."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="企业",
                                     on_delete=models.PROTECT, related_name="credit_ratings")
    model = models.ForeignKey(RatingModel, verbose_name="评价模型", on_delete=models.PROTECT,
                              related_name="ratings")
    points = models.SmallIntegerField("得分")
    rating = models.CharField("评级", max_length=1, choices=RatingLetter.choices)
    grade = models.CharField("清廉指数等级", max_length=16, blank=True)
    is_current = models.BooleanField(default=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "信用评级"
        verbose_name_plural = "信用评级"
        ordering = ("organisation", "-computed_at", "-pk")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["model", "is_current", "rating"], name="credit_rating_current"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "model"],
                                    condition=Q(is_current=True),
                                    name="credit_rating_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.rating}（{self.points}）"


class RatingLine(models.Model):
    """One contributing factor of a rating: how many records of a kind counted, for how many
    points (written set-wise beside the rating)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField("类别", max_length=24, blank=True)
    severity = models.CharField("失信程度", max_length=16, blank=True)
    grade = models.CharField("清廉指数等级", max_length=16, blank=True)
    count = models.PositiveIntegerField("条数", default=0)
    points = models.SmallIntegerField("分值")

    class Meta:
        verbose_name = "评级因子明细"
        verbose_name_plural = "评级因子明细"
        ordering = ("rating", "points")

    def __str__(self) -> str:
        return f"{self.category or self.grade} ×{self.count} {self.points:+d}"
