"""Publication-window rules, due-process clocks and credit records."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from ..choices import (
    DEFAULT_OBJECTION_HANDLING_DAYS,
    DEFAULT_OBJECTION_WINDOW_DAYS,
    DEFAULT_REPAIR_HANDLING_DAYS,
    Polarity,
    RecordCategory,
    RecordStatus,
    Severity,
    Source,
    SubjectKind,
    WindowKind,
)

USER = settings.AUTH_USER_MODEL


class WindowRule(TimeStampedModel):
    """A federation's publication window for one kind of information (see DEFAULT_WINDOWS)."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("信息类别", max_length=16, choices=WindowKind.choices)
    publish = models.BooleanField("对外公示", default=True)
    min_months = models.PositiveSmallIntegerField("最短公示期（月）")
    max_months = models.PositiveSmallIntegerField("最长公示期（月）")

    class Meta:
        verbose_name = "公示期限规则"
        verbose_name_plural = "公示期限规则"
        ordering = ("federation", "kind")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["federation", "kind"], name="credit_window_unique"),
            models.CheckConstraint(condition=Q(min_months__lte=models.F("max_months")),
                                   name="credit_window_order"),
            models.CheckConstraint(condition=Q(max_months__lte=60), name="credit_window_max"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.min_months}–{self.max_months} 个月"


class CreditPolicy(TimeStampedModel):
    """A federation's due-process clocks, in working days (defaults when it has set none)."""

    federation = models.OneToOneField("registry.Organisation", verbose_name="工商联",
                                      on_delete=models.PROTECT, related_name="+")
    objection_window_days = models.PositiveSmallIntegerField(
        "告知后异议期（工作日）", default=DEFAULT_OBJECTION_WINDOW_DAYS)
    objection_handling_days = models.PositiveSmallIntegerField(
        "异议办理期限（工作日）", default=DEFAULT_OBJECTION_HANDLING_DAYS)
    repair_handling_days = models.PositiveSmallIntegerField(
        "信用修复办理期限（工作日）", default=DEFAULT_REPAIR_HANDLING_DAYS)

    class Meta:
        verbose_name = "信用工作时限"
        verbose_name_plural = "信用工作时限"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(objection_window_days__gte=1, objection_window_days__lte=60,
                            objection_handling_days__gte=1, objection_handling_days__lte=60,
                            repair_handling_days__gte=1, repair_handling_days__lte=60),
                name="credit_policy_bounds"),
        ]

    def __str__(self) -> str:
        return f"异议期 {self.objection_window_days} 个工作日"


class CreditRecord(TimeStampedModel):
    """One piece of credit information about an enterprise or a practitioner."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="归集单位（工商联）",
                                   on_delete=models.PROTECT, related_name="+")
    number = models.CharField("记录编号", max_length=20, unique=True)
    subject_kind = models.CharField("主体类型", max_length=16, choices=SubjectKind.choices)
    organisation = models.ForeignKey("registry.Organisation", verbose_name="企业", null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="credit_records")
    person = models.ForeignKey("registry.Person", verbose_name="从业人员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="credit_records")
    subject_name = models.CharField("主体名称", max_length=128)
    subject_code = models.CharField("统一社会信用代码", max_length=18, blank=True,
                                    help_text="企业填写；从业人员不填写（身份证号不进入信用记录）")
    category = models.CharField("类别", max_length=24, choices=RecordCategory.choices,
                                db_index=True)
    polarity = models.CharField("性质", max_length=16, choices=Polarity.choices, editable=False)
    severity = models.CharField("失信程度", max_length=16, choices=Severity.choices, blank=True)
    source = models.CharField("信息来源", max_length=16, choices=Source.choices)
    issuing_body = models.CharField("认定机关", max_length=128)
    decision_number = models.CharField("决定文书号", max_length=64)
    decision_date = models.DateField("决定日期", db_index=True)
    legal_basis = models.TextField("依据")
    content = models.TextField("内容")
    amount = models.DecimalField("罚没金额（元）", max_digits=16, decimal_places=2, null=True,
                                 blank=True)
    status = models.CharField("状态", max_length=16, choices=RecordStatus.choices,
                              default=RecordStatus.RECORDED, db_index=True)
    # the window, fixed when the record is entered (from the federation's rules)
    to_publish = models.BooleanField("对外公示", default=True)
    window_months = models.PositiveSmallIntegerField("公示期（月）", default=0)
    min_months = models.PositiveSmallIntegerField("最短公示期（月）", default=0)
    # dual publicity: published within 7 working days of the decision
    dual_publicity = models.BooleanField("双公示", default=False)
    publish_due = models.DateField("公示期限", null=True, blank=True, db_index=True)
    publish_from = models.DateField("公示起始日", null=True, blank=True)
    publish_until = models.DateField("公示截止日", null=True, blank=True, db_index=True)
    repair_from = models.DateField("可申请修复日", null=True, blank=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    repaired_at = models.DateTimeField("修复时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    open_objections = models.PositiveSmallIntegerField("处理中的异议", default=0,
                                                       editable=False)
    pledge = models.ForeignKey("CreditPledge", verbose_name="违背的承诺", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="breach_records")
    entered_by = models.ForeignKey(USER, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_by_org = models.ForeignKey("registry.Organisation", verbose_name="录入单位",
                                       null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ("-decision_date", "-pk")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "status"], name="credit_record_org_status"),
            models.Index(fields=["federation", "status", "publish_due"],
                         name="credit_record_due"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(subject_kind=SubjectKind.ENTERPRISE, organisation__isnull=False,
                             person__isnull=True)
                           | Q(subject_kind=SubjectKind.PRACTITIONER, person__isnull=False,
                               organisation__isnull=True)),
                name="credit_record_one_subject"),
            models.CheckConstraint(
                condition=Q(polarity=Polarity.NEGATIVE, severity__in=list(Severity.values))
                | (~Q(polarity=Polarity.NEGATIVE) & Q(severity="")),
                name="credit_record_severity"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject_name} {self.get_category_display()}"

    @property
    def is_negative(self) -> bool:
        return self.polarity == Polarity.NEGATIVE

    @property
    def window_kind(self) -> str:
        return self.severity if self.is_negative else WindowKind.OTHER
