"""Forms of the core pages: sign-in and the audit-trail filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .history import event_label, object_type_label
from .queries import AuditFilter


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the platform's own wording.

    The message never says which of the two was wrong, so it cannot be used to find usernames.
    """

    error_messages = {
        "invalid_login": _("用户名或密码错误"),
        "inactive": _("该账号已停用，请联系管理员"),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")


class AuditFilterForm(forms.Form):
    """What an auditor can narrow the trail by. Every field is optional."""

    object_type = forms.ChoiceField(label=_("对象类型"), required=False)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    action = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *AuditAction.choices],
    )
    event = forms.ChoiceField(label=_("事件"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
    )
    request_id = forms.CharField(label=_("请求编号"), required=False, max_length=32)

    def __init__(self, *args: Any, object_types: list[str], events: list[str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field = self.fields["object_type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [("", _("全部对象")),
                              *((t, f"{object_type_label(t)}（{t}）") for t in object_types)]
        event_field = self.fields["event"]
        assert isinstance(event_field, forms.ChoiceField)
        event_field.choices = [("", _("全部事件")), *((e, event_label(e)) for e in events)]
        for field in self.fields.values():
            css = ("form-select form-select-sm" if isinstance(field.widget, forms.Select)
                   else "form-control form-control-sm")
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期"))
        return data

    def to_filter(self) -> AuditFilter:
        """The filter from the valid fields; an invalid field narrows nothing."""
        data = self.cleaned_data if self.is_valid() else {
            k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors
        }
        return AuditFilter(
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            action=data.get("action") or "",
            event=data.get("event") or "",
            actor=(data.get("actor") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            request_id=(data.get("request_id") or "").strip(),
        )
