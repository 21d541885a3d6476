from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "qinglian.evaluation"
    label = "evaluation"
    verbose_name = "清廉指数"

    def ready(self) -> None:
        from qinglian.core.history import register_event_labels
        from qinglian.registry.sample import register_sample_extension

        from . import queries  # noqa: F401  (registers the scopes)
        from .sample import build_sample_evaluation

        register_sample_extension(build_sample_evaluation)

        register_event_labels({
            "campaign.self_assessment": "启动企业自评",
            "campaign.chamber_review": "进入商会初审",
            "campaign.federation_review": "进入工商联复核",
            "campaign.published": "发布评价结果",
            "campaign.closed": "关闭年度评价",
            "campaign.spot_check_drawn": "抽取抽查样本",
            "campaign.results_computed": "计算评价结果",
            "assessment.draft": "开始自评",
            "assessment.submitted": "提交自评",
            "assessment.returned": "退回补充",
            "assessment.reviewed": "商会初审完成",
            "assessment.published": "发布结果",
            "assessment.republished": "复核后重新发布结果",
            "answer.saved": "填报指标",
            "answer.reviewed": "初审指标",
            "answer.adjusted_by_federation": "工商联调整指标得分",
            "evidence.uploaded": "上传佐证材料",
            "framework.frozen": "启用指标体系",
            "framework.copied": "复制为新版本",
            "framework.retired": "停用指标体系",
            "finding.confirmed": "认定负面清单事项",
            "finding.withdrawn": "撤销负面清单认定",
            "recheck.filed": "提出复核申请",
            "recheck.upheld": "复核维持原结果",
            "recheck.changed": "复核改正结果",
            "exemplar.nominated": "推荐示范企业",
            "exemplar.published": "公布示范企业",
            "exemplar.withdrawn": "撤回示范企业",
            "eligibility.checked": "资格联审",
        })
