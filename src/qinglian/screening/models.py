"""Partner screening (尽职调查): watch lists, screenings, screened parties, hits, suppressions.

A screening checks counterparties against the lists that apply to the screening organisation:
its own restricted lists, the external lists its federation uploaded, and the platform's
sources (``sources``). Every screening is kept with the lists (and their versions) it used.
A hit keeps a copy of the entry it matched, so it reads the same after the list changes.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from qinglian.core.models import TimeStampedModel

from .choices import HitMethod, HitStatus, InputKind, ListKind


class WatchList(TimeStampedModel):
    """A list of names to screen against: an organisation's own restricted list, or an external
    list (an industry blacklist, a sanctions list) a federation uploaded for its jurisdiction."""

    kind = models.CharField("类型", max_length=16, choices=ListKind.choices)
    owner = models.ForeignKey("registry.Organisation", verbose_name="所属单位",
                              on_delete=models.PROTECT, related_name="watch_lists")
    name = models.CharField("名单名称", max_length=128)
    source = models.CharField("来源", max_length=255, blank=True)
    uploaded_at = models.DateTimeField("最近上传时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "筛查名单"
        verbose_name_plural = "筛查名单"
        ordering: ClassVar[list[str]] = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class WatchEntry(models.Model):
    """One name on a list, with the basis for listing it and its dates."""

    watch_list = models.ForeignKey(WatchList, verbose_name="名单", on_delete=models.CASCADE,
                                   related_name="entries")
    line = models.PositiveIntegerField("行号", default=0)
    name = models.CharField("名称", max_length=255)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    core = models.CharField("名称主体", max_length=255, db_index=True)
    reason = models.CharField("列入原因/依据", max_length=500, blank=True)
    listed_on = models.DateField("列入日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    created_at = models.DateTimeField("添加时间", default=timezone.now)

    class Meta:
        verbose_name = "名单条目"
        verbose_name_plural = "名单条目"
        ordering: ClassVar[list[str]] = ["line", "id"]

    def __str__(self) -> str:
        return self.name


class Screening(models.Model):
    """One screening run: who, when, what was entered, against which lists, and the counts."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="筛查单位",
                                     on_delete=models.PROTECT, related_name="screenings")
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    screened_at = models.DateTimeField("筛查时间", default=timezone.now, db_index=True)
    title = models.CharField("事项", max_length=128, blank=True)
    input_kind = models.CharField("录入方式", max_length=16, choices=InputKind.choices)
    threshold = models.PositiveSmallIntegerField("名称匹配阈值", default=85)
    party_count = models.PositiveIntegerField("筛查对象数", default=0)
    hit_count = models.PositiveIntegerField("命中数", default=0)
    flagged_count = models.PositiveIntegerField("有命中的对象数", default=0)
    suppressed_count = models.PositiveIntegerField("已排除（此前判定为误报）", default=0)
    lists_used = models.JSONField("使用的名单", default=list, blank=True)

    class Meta:
        verbose_name = "筛查记录"
        verbose_name_plural = "筛查记录"
        ordering: ClassVar[list[str]] = ["-screened_at", "-id"]

    def __str__(self) -> str:
        return f"筛查 #{self.pk}"


class ScreenedParty(models.Model):
    """A counterparty as entered (line, name, code) and what normalisation made of it."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="parties")
    line = models.PositiveIntegerField("行号")
    name = models.CharField("名称", max_length=255)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    core = models.CharField("名称主体", max_length=255, blank=True)
    key = models.CharField("名称标识", max_length=300, blank=True, db_index=True)
    hit_count = models.PositiveIntegerField("命中数", default=0)
    suppressed_count = models.PositiveIntegerField("已排除数", default=0)

    class Meta:
        verbose_name = "筛查对象"
        verbose_name_plural = "筛查对象"
        ordering: ClassVar[list[str]] = ["line", "id"]

    def __str__(self) -> str:
        return self.name


class Hit(models.Model):
    """A party matched an entry. The entry is copied (name, code, basis, list) at screening
    time; reviewers confirm it or mark it a false positive (``workflow.HIT_FLOW``)."""

    party = models.ForeignKey(ScreenedParty, on_delete=models.CASCADE, related_name="hits")
    entry = models.ForeignKey(WatchEntry, verbose_name="名单条目", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="hits")
    entry_ref = models.CharField("条目标识", max_length=128)
    list_name = models.CharField("名单", max_length=128)
    entry_name = models.CharField("命中名称", max_length=255)
    entry_uscc = models.CharField("命中代码", max_length=18, blank=True)
    entry_reason = models.CharField("列入原因", max_length=500, blank=True)
    method = models.CharField("匹配方式", max_length=8, choices=HitMethod.choices)
    score = models.DecimalField("得分", max_digits=4, decimal_places=1)
    explanation = models.CharField("匹配说明", max_length=1000)
    status = models.CharField("复核状态", max_length=16, choices=HitStatus.choices,
                              default=HitStatus.OPEN, db_index=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("复核意见", max_length=500, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    false_positive_at = models.DateTimeField("判定误报时间", null=True, blank=True)
    open_at = models.DateTimeField("重新打开时间", null=True, blank=True)

    class Meta:
        verbose_name = "命中"
        verbose_name_plural = "命中"
        ordering: ClassVar[list[str]] = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self.party.name} → {self.entry_name}"


class Suppression(models.Model):
    """A false positive remembered: this organisation's party (by name key or credit code)
    against this entry is not raised again, but counted as 已排除（此前判定为误报）."""

    organisation = models.ForeignKey("registry.Organisation", on_delete=models.CASCADE,
                                     related_name="screening_suppressions")
    party_key = models.CharField("名称标识", max_length=300, db_index=True)
    party_uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    party_name = models.CharField("名称", max_length=255)
    entry_ref = models.CharField("条目标识", max_length=128, db_index=True)
    entry_name = models.CharField("条目名称", max_length=255)
    hit = models.ForeignKey(Hit, on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="suppressions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("判定时间", default=timezone.now)
    lifted_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "误报排除"
        verbose_name_plural = "误报排除"
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.party_name} ≠ {self.entry_name}"
