from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "qinglian.registry"
    label = "registry"
    verbose_name = "组织与会员"

    def ready(self) -> None:
        from qinglian.core.history import register_event_labels

        from . import queries  # noqa: F401  (registers the registry's scopes)

        register_event_labels({
            "membership.applied": "申请入会",
            "membership.admitted": "批准入会",
            "membership.admitted.from.suspended": "恢复会员资格",
            "membership.suspended": "暂停会员资格",
            "membership.withdrawn": "退会",
            "membership.revoked": "取消会员资格",
            "commitment.signed": "签署承诺书",
            "commitment.published": "发布承诺书",
            "person.unmasked": "查看完整个人信息",
        })
