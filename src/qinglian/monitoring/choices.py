"""States and kinds of the early-warning app: loads, runs and alerts."""

from __future__ import annotations

from django.db import models

from .schemas import DatasetKind

__all__ = ["AlertResolution", "AlertStatus", "DatasetKind", "LoadStatus", "RunStatus",
           "Severity"]


class LoadStatus(models.TextChoices):
    """A load (one upload → one immutable dataset version)."""

    #: stored and checked, waiting for the user to confirm the column mapping (no job yet)
    UPLOADED = "uploaded", "待确认列对应"
    QUEUED = "queued", "排队中"
    VALIDATING = "validating", "校验中"
    REJECTED = "rejected", "校验未通过"
    READY = "ready", "已入库"
    FAILED = "failed", "处理失败"
    CANCELLED = "cancelled", "已取消"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class Severity(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class AlertStatus(models.TextChoices):
    NEW = "new", "新预警"
    ASSIGNED = "assigned", "已分派"
    INVESTIGATING = "investigating", "核查中"
    CLOSED = "closed", "已办结"
    RESOLVED_BY_DATA = "resolved_by_data", "数据已消除"


OPEN_ALERT = (AlertStatus.NEW, AlertStatus.ASSIGNED, AlertStatus.INVESTIGATING)


class AlertResolution(models.TextChoices):
    FALSE_POSITIVE = "false_positive", "误报"
    CONFIRMED = "confirmed", "属实"
