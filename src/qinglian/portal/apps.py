from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "qinglian.portal"
    label = "portal"
    verbose_name = "信用信息公示"
