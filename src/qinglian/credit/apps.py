from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "qinglian.credit"
    label = "credit"
    verbose_name = "信用体系"

    def ready(self) -> None:
        from qinglian.registry.sample import register_sample_extension

        from . import (
            integration,  # noqa: F401  (blacklist → exemplar blocker and eligibility rule)
            queries,  # noqa: F401  (registers the scopes)
            ratings,  # noqa: F401  (recomputes ratings when records change)
        )
        from .events import register_labels
        from .sample import build_sample_credit

        register_labels()
        register_sample_extension(build_sample_credit)
