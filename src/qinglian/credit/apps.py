from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "qinglian.credit"
    label = "credit"
    verbose_name = "信用体系"

    def ready(self) -> None:
        from . import queries  # noqa: F401  (registers the scopes)
        from .events import register_labels

        register_labels()
