"""Credit pledges, chamber documents and issued credit reports."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from ..choices import (
    DocumentKind,
    PledgeKind,
    PledgeStatus,
    SubjectKind,
)

USER = settings.AUTH_USER_MODEL


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
