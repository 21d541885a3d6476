from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Data-driven early warning: ledgers, red-flag rules on DuckDB and Spark, alerts."""

    name = "qinglian.monitoring"
    label = "monitoring"
    verbose_name = "大数据监测预警"

    def ready(self) -> None:
        from qinglian.registry.sample import register_sample_extension

        from . import queries  # noqa: F401  (registers the scopes)
        from .sample import build_sample_monitoring

        register_sample_extension(build_sample_monitoring)
