from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "qinglian.declarations"
    label = "declarations"
    verbose_name = "申报管理"

    def ready(self) -> None:
        from qinglian.core.history import register_event_labels
        from qinglian.registry.sample import register_sample_extension

        from . import queries  # noqa: F401  (registers the scopes)
        from .sample import build_sample_declarations

        register_sample_extension(build_sample_declarations)
        register_event_labels({
            "declaration.recorded": "登记申报",
            "declaration.submitted": "提交申报审批",
            "declaration.approved": "批准申报",
            "declaration.rejected": "不予批准申报",
            "declaration.withdrawn": "撤回申报",
            "declaration.disposed": "登记礼品处置",
            "declaration_threshold.changed": "调整申报审批门槛",
            "conflict_round.closed": "结束利益冲突申报",
            "conflict_round.open": "重新开放利益冲突申报",
            "conflict_round.roster_imported": "导入申报人名单",
            "conflict.declared": "申报利益冲突",
        })
