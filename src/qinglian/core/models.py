"""Core models: the user with a role and an organisation, API tokens, and the audit chain."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .choices import AuditAction, Role


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who signs in. The role and organisation decide the scope of every read."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.ENTERPRISE_USER)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField("姓名", max_length=64, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64)
    prefix = models.CharField(max_length=8, db_index=True)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def new_secret() -> str:
        return "ql_" + secrets.token_urlsafe(32)

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("审计记录不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录不可删除")


class AuditRecord(models.Model):
    """One link of the tamper-evident audit chain.

    record_hash = HMAC-SM3(audit key, prev_hash ‖ canonical JSON of this record), so an
    edited, deleted, reordered or inserted record breaks the chain at that point.
    """

    occurred_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    request_id = models.CharField("请求编号", max_length=32, blank=True)
    source_ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    action = models.CharField("类型", max_length=16, choices=AuditAction.choices)
    event = models.CharField("事件", max_length=64, blank=True, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)

    objects: ClassVar[AuditRecordQuerySet] = AuditRecordQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering: ClassVar[list[str]] = ["-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["object_type", "object_id", "id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("审计记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录不可删除")


class AuditChainHead(models.Model):
    """The single row holding the newest record's hash; locked while a record is appended.

    It also lets verification notice records cut off the end of the chain.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_record_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"审计链头 #{self.last_record_id}"


class JobStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
    REJECTED = "rejected", "校验未通过"


class Job(models.Model):
    """A long operation (an import, an export) with progress for the UI and the CLI.

    The job row is written outside the work's own transaction, so a failed or killed import
    leaves its job row behind (marked by its status) and none of the data.
    """

    kind = models.CharField("类型", max_length=64, db_index=True)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices,
                              default=JobStatus.RUNNING)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    organisation = models.ForeignKey("registry.Organisation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField("文件名", max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    summary = models.JSONField("结果", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    created_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering: ClassVar[list[str]] = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


from .models_calendar import WorkdayOverride  # noqa: E402,F401
