from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "qinglian.risk"
    label = "risk"
    verbose_name = "廉洁风险防控"

    def ready(self) -> None:
        from qinglian.core.history import register_event_labels
        from qinglian.registry.sample import register_sample_extension

        from . import queries  # noqa: F401  (registers the scopes)
        from .sample import build_sample_risk

        register_sample_extension(build_sample_risk)
        register_event_labels({
            "risk_library.installed": "安装风险点库",
            "risk_point.retired": "撤销风险点",
            "risk_point.alert_linked": "关联预警",
            "risk_control.done": "防控措施完成",
            "risk_control.evidence": "上传防控措施佐证材料",
            "risk_round.in_progress": "开始风险评估",
            "risk_round.submitted": "提交风险评估",
            "risk_round.approved": "批准风险评估",
            "risk_round.returned": "退回风险评估",
            "power_list.published": "发布清单",
        })
