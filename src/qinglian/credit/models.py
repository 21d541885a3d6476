"""The credit system (信用体系): credit records and their publication windows, ratings, red and
black lists with due process, objections, credit repair, credit pledges, and the documents
chambers publish.

Every record belongs to one federation (the jurisdiction that keeps the credit file) and is
about one subject: an enterprise (``registry.Organisation``) or a practitioner
(``registry.Person``). ``subject_name`` and ``subject_code`` are copied at entry: they are the
only personal identifiers the public portal ever shows (the name of the sanctioned party, and
an enterprise's USCC; never a person's ID number).

Public visibility is a query, not a flag (``queries.public_records``): a record is public while
it is published, not repaired or revoked, and today lies inside ``publish_from`` …
``publish_until``. Expiry therefore needs no job.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from .choices import (
    DEFAULT_OBJECTION_HANDLING_DAYS,
    DEFAULT_OBJECTION_WINDOW_DAYS,
    DEFAULT_REPAIR_HANDLING_DAYS,
    DocumentKind,
    ListingOrigin,
    ListingStatus,
    ListKind,
    ObjectionStatus,
    PledgeKind,
    PledgeStatus,
    Polarity,
    RatingLetter,
    RecordCategory,
    RecordStatus,
    RemovalReason,
    RepairStatus,
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


class Listing(TimeStampedModel):
    """A red-list or blacklist listing and its due process (see workflow.LISTING_FLOW)."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=20, unique=True)
    list_kind = models.CharField("名单", max_length=8, choices=ListKind.choices, db_index=True)
    subject_kind = models.CharField("主体类型", max_length=16, choices=SubjectKind.choices)
    organisation = models.ForeignKey("registry.Organisation", verbose_name="企业", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="listings")
    person = models.ForeignKey("registry.Person", verbose_name="从业人员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="listings")
    subject_name = models.CharField("主体名称", max_length=128)
    subject_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    status = models.CharField("状态", max_length=16, choices=ListingStatus.choices,
                              default=ListingStatus.PROPOSED, db_index=True)
    origin = models.CharField("来源", max_length=16, choices=ListingOrigin.choices,
                              default=ListingOrigin.OFFICER)
    rule_code = models.CharField("规则", max_length=32, blank=True)
    reasons = models.TextField("列入理由")
    basis = models.TextField("列入依据")
    records = models.ManyToManyField(CreditRecord, verbose_name="依据的信用记录", blank=True,
                                     related_name="listings")
    measures = models.JSONField("联合奖惩措施", default=list)
    effective_on = models.DateField("生效日期", null=True, blank=True)
    expires_on = models.DateField("到期日期", null=True, blank=True, db_index=True)
    objection_due = models.DateField("异议期截止", null=True, blank=True)
    decision_note = models.TextField("决定意见", blank=True)
    removal_reason = models.CharField("移出原因", max_length=16, choices=RemovalReason.choices,
                                      blank=True)
    open_objections = models.PositiveSmallIntegerField("处理中的异议", default=0,
                                                       editable=False)
    proposed_by = models.ForeignKey(USER, verbose_name="提议人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    notified_at = models.DateTimeField("告知时间", null=True, blank=True)
    listed_at = models.DateTimeField("决定列入时间", null=True, blank=True)
    rejected_at = models.DateTimeField("决定不列入时间", null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    removed_at = models.DateTimeField("移出时间", null=True, blank=True)

    class Meta:
        verbose_name = "红黑名单"
        verbose_name_plural = "红黑名单"
        ordering = ("-created_at", "-pk")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "list_kind", "status"],
                         name="credit_listing_org"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(subject_kind=SubjectKind.ENTERPRISE, organisation__isnull=False,
                             person__isnull=True)
                           | Q(subject_kind=SubjectKind.PRACTITIONER, person__isnull=False,
                               organisation__isnull=True)),
                name="credit_listing_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject_name}（{self.get_list_kind_display()}）"


def credit_file_path(instance: CreditFile, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"credit/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class Objection(TimeStampedModel):
    """A subject's objection (异议) to a record or a listing; decided within the configured
    working days (``due_on``), else it shows as overdue on the officers' dashboard."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=20, unique=True)
    record = models.ForeignKey(CreditRecord, verbose_name="信用记录", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="objections")
    listing = models.ForeignKey(Listing, verbose_name="名单", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="objections")
    organisation = models.ForeignKey("registry.Organisation", verbose_name="异议主体",
                                     on_delete=models.PROTECT, related_name="credit_objections")
    reasons = models.TextField("异议理由")
    status = models.CharField("状态", max_length=16, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN, db_index=True)
    due_on = models.DateField("办理期限", db_index=True)
    outcome = models.TextField("处理结果", blank=True)
    filed_by = models.ForeignKey(USER, verbose_name="提出人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    handler = models.ForeignKey(USER, verbose_name="承办人", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    corrected_at = models.DateTimeField("更正时间", null=True, blank=True)
    upheld_at = models.DateTimeField("维持时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ("-created_at", "-pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(record__isnull=False, listing__isnull=True)
                           | Q(record__isnull=True, listing__isnull=False)),
                name="credit_objection_one_target"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.get_status_display()}）"


class RepairApplication(TimeStampedModel):
    """An application for credit repair (信用修复) of one negative record, with proof of
    correction and a new public pledge."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=20, unique=True)
    record = models.ForeignKey(CreditRecord, verbose_name="信用记录", on_delete=models.PROTECT,
                               related_name="repairs")
    organisation = models.ForeignKey("registry.Organisation", verbose_name="申请主体",
                                     on_delete=models.PROTECT, related_name="credit_repairs")
    correction = models.TextField("整改情况")
    pledge = models.ForeignKey("CreditPledge", verbose_name="信用修复承诺",
                               on_delete=models.PROTECT, related_name="repairs")
    status = models.CharField("状态", max_length=16, choices=RepairStatus.choices,
                              default=RepairStatus.SUBMITTED, db_index=True)
    decision_note = models.TextField("审核意见", blank=True)
    applied_by = models.ForeignKey(USER, verbose_name="申请人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(USER, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField("准予修复时间", null=True, blank=True)
    rejected_at = models.DateTimeField("不予修复时间", null=True, blank=True)

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ("-created_at", "-pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["record"], condition=Q(status="submitted"),
                                    name="credit_repair_one_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.get_status_display()}）"


class CreditFile(models.Model):
    """A file attached to an objection or a repair application (checked by content)."""

    objection = models.ForeignKey(Objection, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="files")
    repair = models.ForeignKey(RepairApplication, null=True, blank=True,
                               on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to=credit_file_path)
    original_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "信用材料"
        verbose_name_plural = "信用材料"
        ordering = ("uploaded_at", "pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(objection__isnull=False, repair__isnull=True)
                           | Q(objection__isnull=True, repair__isnull=False)),
                name="credit_file_one_owner"),
        ]

    def __str__(self) -> str:
        return self.original_name


class CreditPledge(TimeStampedModel):
    """A public credit pledge (信用承诺) by an enterprise or a practitioner. A breach creates a
    negative record (``CreditRecord.pledge``)."""

    federation = models.ForeignKey("registry.Organisation", verbose_name="工商联",
                                   on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=20, unique=True)
    kind = models.CharField("承诺类型", max_length=16, choices=PledgeKind.choices,
                            default=PledgeKind.GENERAL)
    subject_kind = models.CharField("主体类型", max_length=16, choices=SubjectKind.choices)
    organisation = models.ForeignKey("registry.Organisation", verbose_name="企业", null=True,
                                     blank=True, on_delete=models.PROTECT,
                                     related_name="credit_pledges")
    person = models.ForeignKey("registry.Person", verbose_name="从业人员", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="credit_pledges")
    subject_name = models.CharField("承诺主体", max_length=128)
    subject_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    title = models.CharField("标题", max_length=128)
    content = models.TextField("承诺内容")
    pledged_on = models.DateField("承诺日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    is_public = models.BooleanField("对外公示", default=True)
    status = models.CharField("状态", max_length=16, choices=PledgeStatus.choices,
                              default=PledgeStatus.ACTIVE, db_index=True)
    breach_note = models.TextField("违诺情况", blank=True)
    entered_by = models.ForeignKey(USER, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    fulfilled_at = models.DateTimeField("履行完毕时间", null=True, blank=True)
    breached_at = models.DateTimeField("违诺时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "信用承诺"
        verbose_name_plural = "信用承诺"
        ordering = ("-pledged_on", "-pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(subject_kind=SubjectKind.ENTERPRISE, organisation__isnull=False,
                             person__isnull=True)
                           | Q(subject_kind=SubjectKind.PRACTITIONER, person__isnull=False,
                               organisation__isnull=True)),
                name="credit_pledge_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


def document_path(instance: ChamberDocument, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class ChamberDocument(TimeStampedModel):
    """An industry convention, code of ethics or annual self-regulation report a chamber
    publishes on the portal (uploaded as PDF)."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="商会/协会",
                                     on_delete=models.PROTECT, related_name="credit_documents")
    kind = models.CharField("类型", max_length=16, choices=DocumentKind.choices)
    title = models.CharField("标题", max_length=128)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    summary = models.TextField("摘要", blank=True)
    file = models.FileField("文件", upload_to=document_path)
    original_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField("大小（字节）")
    is_public = models.BooleanField("已公开", default=True)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)

    class Meta:
        verbose_name = "行业自律文件"
        verbose_name_plural = "行业自律文件"
        ordering = ("organisation", "-year", "-created_at")

    def __str__(self) -> str:
        return self.title


class CreditReport(models.Model):
    """A credit report issued as PDF: its verification code and a digest of what it said, so
    the portal can tell whether a presented report is genuine."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="企业",
                                     on_delete=models.PROTECT, related_name="credit_reports")
    code = models.CharField("验证码", max_length=20, unique=True)
    issued_at = models.DateTimeField("出具时间")
    digest = models.CharField("内容摘要", max_length=64)
    summary = models.JSONField("报告要点", default=dict)

    class Meta:
        verbose_name = "信用报告"
        verbose_name_plural = "信用报告"
        ordering = ("-issued_at",)

    def __str__(self) -> str:
        return self.code

