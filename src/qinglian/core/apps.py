from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qinglian.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from django.conf import settings

        from .i18n import compile_catalogues

        try:
            compile_catalogues(settings.QINGLIAN_LOCALE_DIR)
        except OSError as exc:  # a read-only data directory must not stop the platform
            import logging

            logging.getLogger(__name__).warning("could not compile translations: %s", exc)
