"""Forms of the declaration pages. They only collect and tidy input; the rules live in the
actions, whose ``ValidationError`` is put back onto the fields (``apply_action_error``)."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinglian.core.models import User
from qinglian.core.paging import parse_id
from qinglian.registry.forms_people import DateInput, StyledForm
from qinglian.registry.models import Organisation, Person

from .choices import (
    CounterpartyKind,
    DeclarationKind,
    DeclarationStatus,
    Direction,
    Disposal,
    InterestHolder,
    InterestNature,
)
from .models import ConflictRound
from .queries import DeclarationFilter, RosterFilter, ThresholdRow


def _amount_field(label: Any, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=0, max_digits=14, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={"invalid": _("请填写金额（元），如 300 或 1280.50"),
                        "max_decimal_places": _("金额最多保留两位小数（精确到分）"),
                        "max_digits": _("金额过大，请核对"),
                        "min_value": _("金额不能为负数")}, **kwargs)


def _radio_classes(form: forms.Form) -> None:
    """Radio buttons carry Bootstrap's check class, not the text-input one."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect):
            field.widget.attrs["class"] = "form-check-input"


def _organisation_field(form: forms.Form, organisations: QuerySet[Organisation]) -> None:
    """The organisation to act for: a choice when there are several, else the only one
    (hidden, and taken even when the browser does not send it)."""
    field = form.fields["organisation"]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = organisations
    if organisations.count() == 1:
        field.initial = organisations.first()
        field.widget = forms.HiddenInput()
        field.required = False


def _chosen_organisation(form: forms.Form) -> Organisation | None:
    return form.cleaned_data.get("organisation") or form.fields["organisation"].initial


class DeclarationForm(StyledForm):
    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())
    declarant_name = forms.CharField(label=_("申报人"), max_length=64)
    declarant_department = forms.CharField(label=_("部门"), max_length=64)
    declarant_post = forms.CharField(label=_("岗位"), max_length=64, required=False)
    declarant_user = forms.TypedChoiceField(
        label=_("申报人的平台账号"), required=False, coerce=int, empty_value=None,
        help_text=_("申报人本人有平台账号时选择：其本人不能审批这份申报"))
    declarant_person = forms.TypedChoiceField(label=_("人员库中的申报人"), required=False,
                                              coerce=int, empty_value=None)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices,
                                  widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("类别"), choices=DeclarationKind.choices,
                             widget=forms.RadioSelect)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    amount = _amount_field(_("价值（元）"), help_text=_("礼品按市场价估值，宴请按人均或总额"))
    description = forms.CharField(label=_("内容"), max_length=255,
                                  help_text=_("如：茶叶两盒、商务晚宴一次、赞助行业论坛"))
    counterparty = forms.CharField(label=_("对方单位或个人"), max_length=128)
    purpose = forms.CharField(label=_("事由"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ("organisation", "declarant_name", "declarant_department", "declarant_post",
                   "declarant_user", "declarant_person", "direction", "kind", "occurred_on",
                   "amount", "description", "counterparty", "purpose")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation],
                 users: list[User], people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _organisation_field(self, organisations)
        self.users = {u.pk: u for u in users}
        self.people = {p.pk: p for p in people}
        user_field = self.fields["declarant_user"]
        assert isinstance(user_field, forms.ChoiceField)
        user_field.choices = [("", _("无")), *((u.pk, f"{u}（{u.username}）") for u in users)]
        person_field = self.fields["declarant_person"]
        assert isinstance(person_field, forms.ChoiceField)
        person_field.choices = [("", _("无")), *((p.pk, p.name) for p in people)]
        self.fields["occurred_on"].initial = timezone.localdate()
        _radio_classes(self)

    def clean_organisation(self) -> Organisation | None:
        organisation = _chosen_organisation(self)
        if organisation is None:
            raise forms.ValidationError(_("请选择单位"))
        return organisation

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in (
            "declarant_name", "declarant_department", "declarant_post", "direction", "kind",
            "occurred_on", "amount", "description", "counterparty", "purpose")}
        fields["declarant_user"] = self.users.get(data.get("declarant_user") or 0)
        fields["declarant_person"] = self.people.get(data.get("declarant_person") or 0)
        return fields


class DecisionForm(StyledForm):
    note = forms.CharField(label=_("审批意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class DisposalForm(StyledForm):
    disposal = forms.ChoiceField(label=_("处置方式"), choices=Disposal.choices,
                                 widget=forms.RadioSelect)
    disposed_on = forms.DateField(label=_("处置日期"), widget=DateInput())
    amount = _amount_field(_("折价金额（元）"), required=False,
                           help_text=_("折价购买时填写实际支付的金额"))
    note = forms.CharField(label=_("处置说明"), required=False, max_length=255,
                           help_text=_("处置方式为“其他”时必填，如：转赠公益机构"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["disposed_on"].initial = timezone.localdate()
        _radio_classes(self)


class ThresholdForm(StyledForm):
    """One amount per kind and direction; blank goes back to the default."""

    def __init__(self, *args: Any, rows: list[ThresholdRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[row.field] = _amount_field(
                f"{row.direction_label}{row.kind_label}", required=False,
                initial=None if row.is_default else row.amount)
            self.fields[row.field].widget.attrs["placeholder"] = f"{row.default:g}"

    def amounts(self) -> dict[tuple[str, str], Any]:
        return {(row.kind, row.direction): self.cleaned_data.get(row.field) for row in self.rows}


class RoundForm(StyledForm):
    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=128, required=False,
                            help_text=_("不填则为“某年度利益冲突申报”"))
    due_on = forms.DateField(label=_("申报截止日期"), widget=DateInput())
    copy_from = forms.TypedChoiceField(label=_("沿用以往的申报人名单"), required=False, coerce=int,
                                       empty_value=None)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation],
                 earlier: list[ConflictRound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _organisation_field(self, organisations)
        self.earlier = {r.pk: r for r in earlier}
        field = self.fields["copy_from"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("不沿用，另行录入或导入")),
                         *((r.pk, f"{r.organisation.short_name or r.organisation.name} · {r.title}")
                           for r in earlier)]
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["due_on"].initial = today + dt.timedelta(days=30)


    def clean_organisation(self) -> Organisation | None:
        organisation = _chosen_organisation(self)
        if organisation is None:
            raise forms.ValidationError(_("请选择单位"))
        return organisation


class RosterEntryForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=64)
    department = forms.CharField(label=_("部门"), max_length=64)
    post = forms.CharField(label=_("岗位"), max_length=64, required=False)


class RosterUploadForm(StyledForm):
    file = forms.FileField(label=_("名单文件"), help_text=_(
        "Excel（.xlsx）或 CSV 文件，列为“姓名”“部门”“岗位”；请使用下载的模板"),
        error_messages={"empty": _("文件是空的（0 字节）"), "required": _("请选择名单文件")})

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        limit = settings.QINGLIAN_MAX_UPLOAD_BYTES
        if upload is not None and upload.size is not None and upload.size > limit:
            raise forms.ValidationError(_("文件大小超过 %(limit).0f MB 的上限")
                                        % {"limit": limit / 1048576})
        if upload is not None and PurePath(upload.name or "").suffix.lower() not in (".xlsx",
                                                                                      ".csv"):
            raise forms.ValidationError(
                _("只能上传 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）"))
        return upload


class ConflictDeclarationForm(StyledForm):
    no_conflict = forms.TypedChoiceField(
        label=_("申报结论"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("本人及亲属与本单位的供应商、客户、竞争对手等不存在利益关系")),
                 ("no", _("存在以下利益关系"))])
    statement = forms.CharField(label=_("其他说明"), required=False, max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _radio_classes(self)


class InterestForm(StyledForm):
    holder = forms.ChoiceField(label=_("利益关系人"),
                               choices=[("", _("请选择")), *InterestHolder.choices])
    holder_name = forms.CharField(label=_("亲属姓名"), max_length=64, required=False)
    relation = forms.CharField(label=_("亲属关系"), max_length=32, required=False,
                               widget=forms.TextInput(attrs={"list": "relations"}))
    counterparty = forms.CharField(label=_("相关单位"), max_length=128)
    counterparty_kind = forms.ChoiceField(label=_("单位类型"),
                                          choices=[("", _("请选择")), *CounterpartyKind.choices])
    nature = forms.ChoiceField(label=_("利益性质"),
                               choices=[("", _("请选择")), *InterestNature.choices])
    detail = forms.CharField(label=_("具体情况"), max_length=255, required=False)
    measures = forms.CharField(label=_("防范措施"), max_length=255,
                               help_text=_("如：回避该单位的采购、审批事项"))


InterestFormSet = forms.formset_factory(InterestForm, extra=2, max_num=30, validate_max=True,
                                        can_delete=True)


# --- filters from the query string -------------------------------------------------------------


def _choice(params: Any, name: str, allowed: list[str]) -> str:
    value = params.get(name, "")
    return value if value in allowed else ""


def _year(text: str | None) -> int | None:
    number = parse_id(text)
    return number if number is not None and 2000 <= number <= 2100 else None


def declaration_filter(params: Any) -> DeclarationFilter:
    """The declaration filter from the query string; an unknown value narrows nothing."""
    return DeclarationFilter(
        organisation=parse_id(params.get("org")),
        year=_year(params.get("year")),
        kind=_choice(params, "kind", DeclarationKind.values),
        direction=_choice(params, "direction", Direction.values),
        status=_choice(params, "status", DeclarationStatus.values),
        above=_choice(params, "above", ["yes", "no"]),
        disposal=_choice(params, "disposal", ["pending"]),
        q=params.get("q", "").strip()[:64],
    )


def roster_filter(params: Any) -> RosterFilter:
    return RosterFilter(state=_choice(params, "state", ["declared", "pending", "conflict"]),
                        q=params.get("q", "").strip()[:64])
