from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Data-driven early warning: ledgers, red-flag rules on DuckDB and Spark, alerts."""

    name = "qinglian.monitoring"
    label = "monitoring"
    verbose_name = "大数据监测预警"

    def ready(self) -> None:
        from . import queries  # noqa: F401  (registers the scopes)
