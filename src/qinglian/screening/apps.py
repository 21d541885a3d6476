from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "qinglian.screening"
    label = "screening"
    verbose_name = "合作方尽职调查"

    def ready(self) -> None:
        from qinglian.core.history import register_event_labels
        from qinglian.core.normalise import add_region_names
        from qinglian.registry.regions import SUPPLEMENT
        from qinglian.registry.sample import register_sample_extension

        from . import queries  # noqa: F401  (registers the scopes)
        from .sample import build_sample_screening

        register_sample_extension(build_sample_screening)

        # Divisions newer than python-stdnum's table are region prefixes too.
        add_region_names(name for name, _ in SUPPLEMENT.values())
        register_event_labels({
            "screening.screened": "开展合作方筛查",
            "hit.confirmed": "确认命中",
            "hit.false_positive": "判定为误报",
            "hit.open": "重新打开命中",
            "screening_list.uploaded": "上传名单条目",
            "screening.vendors_compared": "供应商与员工比对",
        })
