"""Data-driven early warning (大数据监测预警): datasets loaded from ledgers, rule runs, alerts.

* A **dataset** is an organisation's ledger of one kind (payments, vendors…). Each upload that
  passes validation becomes a new immutable **version**: Parquet files under
  ``QINGLIAN_HOME/datasets/<organisation>/<kind>/v<version>/`` with its row count, date range and
  column profile. Nothing ever rewrites a version; a newer one supersedes it for new runs.
* A **run** executes chosen rules (with parameter values) over the latest ready versions of
  the datasets they need, on DuckDB (or Spark), as a background job with progress; it can be
  cancelled; its record keeps rules, parameters, versions, counts and duration.
* Each hit becomes an **alert** identified by a stable fingerprint (rule, group, subject, and
  the rule's evidence key) per organisation: re-running on the same data updates it instead of
  duplicating it; an open alert that a newer run no longer finds is marked resolved-by-data.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from qinglian.core.models import TimeStampedModel

from .choices import AlertResolution, AlertStatus, DatasetKind, LoadStatus, RunStatus, Severity

USER = settings.AUTH_USER_MODEL


class ColumnMapping(TimeStampedModel):
    """How an organisation's files name the canonical columns of one kind (saved at upload)."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("数据类型", max_length=24, choices=DatasetKind.choices)
    #: canonical column → the header in the organisation's files
    mapping = models.JSONField("列对应关系", default=dict)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "列映射"
        verbose_name_plural = "列映射"
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "kind"],
                                    name="monitoring_mapping_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.get_kind_display()}"


class Dataset(TimeStampedModel):
    """An organisation's ledger of one kind; its versions are the loads."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="datasets")
    kind = models.CharField("数据类型", max_length=24, choices=DatasetKind.choices)

    class Meta:
        verbose_name = "数据集"
        verbose_name_plural = "数据集"
        ordering = ("organisation", "kind")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "kind"],
                                    name="monitoring_dataset_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.get_kind_display()}"


class DatasetVersion(models.Model):
    """One load: the uploaded file, its validation, and (when ready) the immutable Parquet."""

    dataset = models.ForeignKey(Dataset, verbose_name="数据集", on_delete=models.PROTECT,
                                related_name="versions")
    version = models.PositiveIntegerField("版本号", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=LoadStatus.choices,
                              default=LoadStatus.QUEUED, db_index=True)
    source_name = models.CharField("原文件名", max_length=255)
    source_sha256 = models.CharField("文件摘要", max_length=64)
    source_size = models.BigIntegerField("文件大小（字节）")
    source_encoding = models.CharField("文件编码", max_length=32, blank=True)
    #: relative to QINGLIAN_HOME: the upload while it waits, then the version's directory
    source_path = models.CharField(max_length=500, blank=True)
    path = models.CharField("数据目录", max_length=500, blank=True)
    mapping = models.JSONField("列对应关系", default=dict)
    rows = models.BigIntegerField("行数", default=0)
    bad_rows = models.BigIntegerField("错误行数", default=0)
    date_min = models.DateField("最早日期", null=True, blank=True)
    date_max = models.DateField("最晚日期", null=True, blank=True)
    profile = models.JSONField("列概况", default=dict)
    #: the first errors (row, column, value, reason); the full report is a file beside it
    errors = models.JSONField("错误示例", default=list)
    error_report_path = models.CharField(max_length=500, blank=True)
    message = models.TextField("说明", blank=True)
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(USER, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("上传时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    peak_memory_mb = models.PositiveIntegerField("峰值内存（MB）", null=True, blank=True)

    class Meta:
        verbose_name = "数据集版本"
        verbose_name_plural = "数据集版本"
        ordering = ("dataset", "-created_at", "-pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["dataset", "version"],
                                    condition=Q(version__isnull=False),
                                    name="monitoring_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} v{self.version or '-'}"


class Run(models.Model):
    """One execution of rules over datasets (a background job with progress)."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="monitoring_runs")
    engine = models.CharField("引擎", max_length=16, default="duckdb")
    rules = models.JSONField("规则", default=list)
    parameters = models.JSONField("参数", default=dict)
    #: dataset kind → version id used
    versions = models.JSONField("数据集版本", default=dict)
    status = models.CharField("状态", max_length=16, choices=RunStatus.choices,
                              default=RunStatus.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    #: rule code → {"hits": n, "new": n, "updated": n, "resolved": n, "seconds": s}
    counts = models.JSONField("结果统计", default=dict)
    message = models.TextField("说明", blank=True)
    started_by = models.ForeignKey(USER, verbose_name="发起人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", null=True, blank=True)

    class Meta:
        verbose_name = "监测运行"
        verbose_name_plural = "监测运行"
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"运行 #{self.pk}"


class Alert(TimeStampedModel):
    """A red-flag hit someone must handle to closure."""

    organisation = models.ForeignKey("registry.Organisation", verbose_name="单位",
                                     on_delete=models.PROTECT, related_name="alerts")
    number = models.CharField("编号", max_length=20, unique=True)
    fingerprint = models.CharField("指纹", max_length=64)
    rule_code = models.CharField("规则", max_length=32, db_index=True)
    severity = models.CharField("风险等级", max_length=8, choices=Severity.choices,
                                db_index=True)
    group = models.CharField("对象类别", max_length=32)
    subject = models.CharField("对象", max_length=255)
    unit = models.CharField("单位/部门", max_length=128, blank=True, db_index=True)
    vendor_id = models.CharField("供应商编号", max_length=64, blank=True, db_index=True)
    value = models.FloatField("指标值", null=True, blank=True)
    explanation = models.TextField("预警说明")
    #: up to EVIDENCE_LIMIT evidence rows (dicts of canonical columns) and their total count
    evidence = models.JSONField("证据行", default=list)
    evidence_total = models.PositiveIntegerField("证据行总数", default=0)
    occurred_on = models.DateField("发生日期", null=True, blank=True, db_index=True)
    status = models.CharField("状态", max_length=20, choices=AlertStatus.choices,
                              default=AlertStatus.NEW, db_index=True)
    resolution = models.CharField("办结结论", max_length=16, choices=AlertResolution.choices,
                                  blank=True)
    resolution_note = models.TextField("办结说明", blank=True)
    assignee = models.ForeignKey(USER, verbose_name="承办人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField("办理期限", null=True, blank=True, db_index=True)
    first_run = models.ForeignKey(Run, verbose_name="首次发现", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    last_run = models.ForeignKey(Run, verbose_name="最近发现", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    linked_risk_point = models.ForeignKey("risk.RiskPoint", verbose_name="关联风险点",
                                          null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    investigating_at = models.DateTimeField("开始核查时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    resolved_by_data_at = models.DateTimeField("数据消除时间", null=True, blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ("-created_at", "-pk")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "fingerprint"],
                                    name="monitoring_alert_fingerprint"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "status", "rule_code"],
                         name="monitoring_alert_board"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.rule_code}"


#: How many evidence rows an alert keeps inline; the page says "前 N 行，共 M 行" beyond it.
EVIDENCE_LIMIT = 50
