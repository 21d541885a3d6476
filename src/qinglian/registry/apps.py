from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "qinglian.registry"
    label = "registry"
    verbose_name = "组织与会员"

    def ready(self) -> None:
        from . import queries  # noqa: F401  (registers the registry's scopes)
