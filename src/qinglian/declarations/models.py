"""Declarations (申报): gifts, hospitality and donations given or received, the thresholds above
which they need approval, and the yearly conflict-of-interest rounds (利益冲突申报).

Declarants are the organisation's staff; most of them never sign in. A declaration names its
declarant (name, department, post) and may link a ``registry.Person`` or a ``core.User``; it is
entered by a user of the organisation. The actions store the normalised keys that the registers
group by (``declarant_key``, ``counterparty_key``, see ``keys.py``), so the registers group and
count in SQL.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from .choices import (
    CounterpartyKind,
    DeclarationKind,
    DeclarationStatus,
    Direction,
    Disposal,
    InterestHolder,
    InterestNature,
    RoundStatus,
)


class Threshold(TimeStampedModel):
    """An organisation's own threshold for one kind and direction (else the default applies)."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=16, choices=DeclarationKind.choices)
    direction = models.CharField("方向", max_length=16, choices=Direction.choices)
    amount = models.DecimalField("审批门槛（元）", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "申报审批门槛"
        verbose_name_plural = "申报审批门槛"
        ordering = ("organisation", "kind", "direction")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "kind", "direction"],
                                    name="declaration_threshold_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="declaration_threshold_min"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}{self.get_kind_display()} ≥ {self.amount} 元"


class Declaration(TimeStampedModel):
    """One gift, hospitality or donation given or received. At or above the organisation's
    threshold it waits for approval (submitted → approved / rejected); below it is recorded."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="declarations")
    number = models.CharField("编号", max_length=20)
    declarant_name = models.CharField("申报人", max_length=64)
    declarant_department = models.CharField("部门", max_length=64)
    declarant_post = models.CharField("岗位", max_length=64, blank=True)
    declarant_key = models.CharField(max_length=160, editable=False)
    declarant_person = models.ForeignKey("registry.Person", verbose_name="人员库人员", null=True,
                                         blank=True, on_delete=models.SET_NULL, related_name="+")
    declarant_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申报人账号",
                                       null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    kind = models.CharField("类别", max_length=16, choices=DeclarationKind.choices)
    direction = models.CharField("方向", max_length=16, choices=Direction.choices)
    occurred_on = models.DateField("发生日期", db_index=True)
    amount = models.DecimalField("价值（元）", max_digits=14, decimal_places=2)
    description = models.CharField("内容", max_length=255)
    counterparty = models.CharField("对方单位或个人", max_length=128)
    counterparty_key = models.CharField(max_length=160, editable=False)
    purpose = models.TextField("事由")
    threshold = models.DecimalField("适用门槛（元）", max_digits=14,
                                    decimal_places=2)
    above_threshold = models.BooleanField("达到审批门槛", default=False)
    status = models.CharField("状态", max_length=16, choices=DeclarationStatus.choices,
                              db_index=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间", null=True, blank=True)
    submitted_at = models.DateTimeField("提交审批时间", null=True, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    rejected_at = models.DateTimeField("不予批准时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField("审批意见", blank=True)
    withdrawn_reason = models.CharField("撤回原因", max_length=255, blank=True)
    disposal = models.CharField("处置方式", max_length=16, choices=Disposal.choices, blank=True)
    disposal_note = models.CharField("处置说明", max_length=255, blank=True)
    disposal_amount = models.DecimalField("折价金额（元）", null=True, blank=True,
                                          max_digits=14, decimal_places=2)
    disposed_on = models.DateField("处置日期", null=True, blank=True)

    class Meta:
        verbose_name = "礼品、宴请、捐赠申报"
        verbose_name_plural = "礼品、宴请、捐赠申报"
        ordering = ("organisation", "-occurred_on", "-id")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "number"],
                                    name="declaration_unique_number"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="declaration_amount_min"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "declarant_key"]),
            models.Index(fields=["organisation", "counterparty_key"]),
            models.Index(fields=["organisation", "status", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.declarant_name} {self.get_direction_display()}{self.get_kind_display()}"

    @property
    def needs_disposal(self) -> bool:
        """A received gift at or above the threshold is handed over, returned or bought."""
        return (self.kind == DeclarationKind.GIFT and self.direction == Direction.RECEIVED
                and self.above_threshold and self.status != DeclarationStatus.WITHDRAWN)


class ConflictRound(TimeStampedModel):
    """An organisation's yearly conflict-of-interest declaration round (利益冲突年度申报):
    a roster of people who must declare, open until it is closed."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="conflict_rounds")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=128)
    due_on = models.DateField("申报截止日期")
    status = models.CharField("状态", max_length=16, choices=RoundStatus.choices,
                              default=RoundStatus.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "利益冲突申报"
        verbose_name_plural = "利益冲突申报"
        ordering = ("organisation", "-year")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "year"],
                                    name="conflict_round_unique_year"),
        ]

    def __str__(self) -> str:
        return self.title


class RosterEntry(models.Model):
    """One person who must declare in a round, and — once declared — whether they have any
    conflict of interest (``no_conflict``) and when they declared."""

    round = models.ForeignKey(ConflictRound, verbose_name="利益冲突申报",
                              on_delete=models.CASCADE, related_name="entries")
    name = models.CharField("姓名", max_length=64)
    department = models.CharField("部门", max_length=64)
    post = models.CharField("岗位", max_length=64, blank=True)
    person_key = models.CharField(max_length=160, editable=False)
    person = models.ForeignKey("registry.Person", verbose_name="人员库人员", null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="账号", null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField("申报时间", null=True, blank=True, db_index=True)
    no_conflict = models.BooleanField("无利益冲突", null=True, blank=True)
    statement = models.TextField("其他说明", blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "利益冲突申报人"
        verbose_name_plural = "利益冲突申报人"
        ordering = ("round", "department", "name")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["round", "person_key"],
                                    name="conflict_roster_unique_person"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.department}）"


class Interest(models.Model):
    """One interest declared: the declarant's own or a relative's, in a vendor, customer,
    competitor or other counterparty, its nature, and the measures taken (回避 …)."""

    entry = models.ForeignKey(RosterEntry, verbose_name="申报人", on_delete=models.CASCADE,
                              related_name="interests")
    holder = models.CharField("利益关系人", max_length=16, choices=InterestHolder.choices)
    holder_name = models.CharField("亲属姓名", max_length=64, blank=True)
    relation = models.CharField("亲属关系", max_length=32, blank=True)
    counterparty = models.CharField("相关单位", max_length=128)
    counterparty_key = models.CharField(max_length=160, editable=False, db_index=True)
    counterparty_kind = models.CharField("单位类型", max_length=16,
                                         choices=CounterpartyKind.choices)
    nature = models.CharField("利益性质", max_length=16, choices=InterestNature.choices)
    detail = models.CharField("具体情况", max_length=255, blank=True)
    measures = models.CharField("防范措施", max_length=255)

    class Meta:
        verbose_name = "利益关系"
        verbose_name_plural = "利益关系"
        ordering = ("entry", "id")

    def __str__(self) -> str:
        return f"{self.entry.name}：{self.counterparty}"
