"""Forms for the people register: a person, a position, unmasking personal data.

ID numbers and phone numbers are validated with the same rules as the actions
(``identifiers.clean_id_number`` / ``clean_phone``) so a bad value is reported inline, in
Chinese, before anything is written.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Gender, PositionTitle
from .identifiers import IdentifierError, clean_id_number, clean_phone
from .models import Organisation

_CONTROL_CLASS = {
    forms.CheckboxInput: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
}


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes, and ``is-invalid`` once a field has an error.

    Every error, including those mapped back from an action's ValidationError, goes through
    ``add_error``, so marking fields there covers them all.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next((c for t, c in _CONTROL_CLASS.items() if isinstance(widget, t)),
                       "form-control")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = [field] if field else []
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            names = list(error.error_dict)
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def apply_action_error(self, exc: ValidationError) -> None:
        """Put an action's ValidationError onto the matching fields (others above the form)."""
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO (YYYY-MM-DD) whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _clean_optional(value: str, cleaner: Any) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return str(cleaner(value))
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from exc


class PersonForm(StyledForm):
    """Create or edit a person. On edit, an empty ID/phone field leaves the stored value alone."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices, required=False)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=32, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("18 位居民身份证号码，加密保存，页面只显示脱敏号码"),
    )
    phone = forms.CharField(
        label=_("手机号"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        help_text=_("11 位手机号，座机请带区号；加密保存"),
    )
    is_party_member = forms.BooleanField(label=_("中共党员"), required=False)
    notes = forms.CharField(label=_("备注"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["id_number"].help_text = _("留空表示不修改已登记的身份证号")
            self.fields["phone"].help_text = _("留空表示不修改已登记的手机号")
            self.fields["clear_id_number"] = forms.BooleanField(
                label=_("清除已登记的身份证号"), required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
            self.fields["clear_phone"] = forms.BooleanField(
                label=_("清除已登记的手机号"), required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("请填写姓名"))
        return str(name)

    def clean_id_number(self) -> str:
        return _clean_optional(self.cleaned_data.get("id_number", ""), clean_id_number)

    def clean_phone(self) -> str:
        return _clean_optional(self.cleaned_data.get("phone", ""), clean_phone)

    def personal_data(self) -> dict[str, str | None]:
        """Arguments for the actions: None keeps the stored value, "" clears it."""
        data = self.cleaned_data
        values: dict[str, str | None] = {}
        for name in ("id_number", "phone"):
            if self.editing and data.get(f"clear_{name}"):
                values[name] = ""
            elif self.editing and not data.get(name):
                values[name] = None
            else:
                values[name] = data.get(name, "")
        return values

    def particulars(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"], "gender": data.get("gender", ""),
            "is_party_member": data.get("is_party_member", False), "notes": data.get("notes", ""),
        }


class PositionFields(StyledForm):
    """Organisation + title + start date, shared by the position form and a new person's first post."""

    organisation = forms.ModelChoiceField(
        label=_("任职单位"), queryset=Organisation.objects.none(),
        empty_label=_("请选择单位"),
    )
    title = forms.ChoiceField(label=_("职务"), choices=PositionTitle.choices)
    start_on = forms.DateField(label=_("任职日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations.order_by("kind", "name_pinyin")


class PersonCreateForm(PersonForm, PositionFields):
    """A new person, with an optional first position (required where scope depends on it).

    A chamber officer sees only people holding a post in its chamber or a member enterprise,
    so the person it registers must be given such a post in the same step.
    """

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], position_required: bool,
        federations: QuerySet[Organisation] | None = None, **kwargs: Any,
    ) -> None:
        super().__init__(*args, organisations=organisations, **kwargs)
        for name in ("organisation", "title"):
            self.fields[name].required = position_required
        title = self.fields["title"]
        assert isinstance(title, forms.ChoiceField)
        title.choices = [("", _("请选择职务")), *PositionTitle.choices]
        if federations is not None:
            self.fields["federation"] = forms.ModelChoiceField(
                label=_("所属工商联"), queryset=federations, empty_label=_("请选择工商联"),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("organisation")) != bool(data.get("title")):
            missing = "title" if data.get("organisation") else "organisation"
            self.add_error(missing, _("任职单位和职务需同时填写"))
        return data


class PositionForm(PositionFields):
    pass


class PositionEndForm(StyledForm):
    end_on = forms.DateField(label=_("离任日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"end_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class UnmaskForm(StyledForm):
    reason = forms.CharField(
        label=_("查看原因"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：核实党建联络员身份（将记入审计日志）")}),
        error_messages={"required": _("请填写查看原因")},
    )
