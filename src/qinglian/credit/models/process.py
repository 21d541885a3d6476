"""Red and black listings, objections, repair applications and their files."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from ..choices import (
    ListingOrigin,
    ListingStatus,
    ListKind,
    ObjectionStatus,
    RemovalReason,
    RepairStatus,
    SubjectKind,
)
from .records import CreditRecord

USER = settings.AUTH_USER_MODEL


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
