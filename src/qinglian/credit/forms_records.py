"""Forms of the record, dual-publicity, window-rule and pledge pages. They collect and tidy
input; the rules live in the actions, whose ``ValidationError`` goes back onto the fields
(``apply_action_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from qinglian.registry.forms_people import DateInput, StyledForm
from qinglian.registry.identifiers import IdentifierError, clean_uscc
from qinglian.registry.models import Organisation, Person

from .choices import (
    PledgeKind,
    RecordCategory,
    Severity,
    Source,
    SubjectKind,
    WindowKind,
)
from .imports import KINDS
from .windows import Window

#: Options shown in a subject picker; beyond this, the code is typed.
PICKER_LIMIT = 300
CONTENT_FIELDS = ("category", "severity", "source", "issuing_body", "decision_number",
                  "decision_date", "legal_basis", "content", "amount")


def _radio(field: forms.Field) -> None:
    field.widget.attrs["class"] = "form-check-input"


class SubjectMixin:
    """An enterprise chosen by its code or from a picker, or a practitioner from the
    registry's people in scope."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]
    enterprises: QuerySet[Organisation]
    people: QuerySet[Person]

    def add_subject_fields(self, enterprises: QuerySet[Organisation],
                           people: QuerySet[Person]) -> None:
        self.enterprises, self.people = enterprises, people
        self.fields["subject_kind"] = forms.ChoiceField(
            label="主体类型", choices=SubjectKind.choices, initial=SubjectKind.ENTERPRISE,
            widget=forms.RadioSelect)
        _radio(self.fields["subject_kind"])
        self.fields["uscc"] = forms.CharField(
            label="企业统一社会信用代码", required=False, max_length=24,
            help_text="填写代码，或在下方选择企业")
        self.fields["uscc"].widget.attrs.update(placeholder="18 位代码", autocomplete="off")
        self.fields["organisation"] = forms.TypedChoiceField(
            label="或选择企业", required=False, coerce=int, empty_value=None,
            choices=[("", "—"), *enterprises.values_list("pk", "name")[:PICKER_LIMIT]])
        self.fields["person"] = forms.TypedChoiceField(
            label="从业人员（人员库）", required=False, coerce=int, empty_value=None,
            choices=[("", "—"), *people.values_list("pk", "name")[:PICKER_LIMIT]])

    def clean_subject(self) -> Organisation | Person | None:
        data = self.cleaned_data
        if data.get("subject_kind") == SubjectKind.PRACTITIONER:
            person = self.people.filter(pk=data.get("person") or 0).first()
            if person is None:
                self.add_error("person", "请选择从业人员")  # type: ignore[attr-defined]
            return person
        code = (data.get("uscc") or "").strip()
        if code:
            try:
                code = clean_uscc(code)
            except IdentifierError as exc:
                self.add_error("uscc", str(exc))  # type: ignore[attr-defined]
                return None
            org = self.enterprises.filter(uscc=code).first()
            if org is None:
                self.add_error("uscc", "您可录入的企业中没有该代码的企业"  # type: ignore[attr-defined]
                               "（先在会员企业中登记，或检查代码）")
            return org
        org = self.enterprises.filter(pk=data.get("organisation") or 0).first()
        if org is None:
            self.add_error("uscc", "请填写企业的统一社会信用代码或选择企业")  # type: ignore[attr-defined]
        return org


class RecordForm(SubjectMixin, StyledForm):
    """Entering (``mode="create"``), changing before publication (``"edit"``) or correcting
    (``"correct"``, with a reason) a credit record."""

    category = forms.ChoiceField(label="类别", choices=RecordCategory.choices)
    severity = forms.ChoiceField(label="失信程度", required=False,
                                 choices=[("", "—（守信及一般信息不填）"), *Severity.choices],
                                 help_text="失信信息必填；决定公示期的范围")
    source = forms.ChoiceField(label="信息来源", choices=Source.choices)
    issuing_body = forms.CharField(label="认定机关", max_length=128)
    decision_number = forms.CharField(label="决定文书号", max_length=64)
    decision_date = forms.DateField(label="决定日期", widget=DateInput())
    legal_basis = forms.CharField(label="依据", max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    content = forms.CharField(label="内容", max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.DecimalField(label="罚没金额（元）", required=False, min_value=0,
                                max_digits=16, decimal_places=2,
                                error_messages={"max_decimal_places": "金额最多保留两位小数"})
    window_months = forms.IntegerField(label="公示期（月）", required=False, min_value=0,
                                       max_value=60, help_text="在规则范围内选择；不填按最长公示期")

    def __init__(self, *args: Any, mode: str = "create",
                 enterprises: QuerySet[Organisation] | None = None,
                 people: QuerySet[Person] | None = None, can_publish: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = mode
        if mode == "create":
            self.add_subject_fields(enterprises if enterprises is not None
                                    else Organisation.objects.none(),
                                    people if people is not None else Person.objects.none())
            self.fields["decision_date"].initial = timezone.localdate()
            if can_publish:
                self.fields["publish"] = forms.BooleanField(
                    label="录入后立即公示", required=False,
                    help_text="按公示期限规则不公示的信息不会公示")
        if mode == "correct":
            self.fields["reason"] = forms.CharField(
                label="更正原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                help_text="如：异议成立，按复核结果更正")
        self.order_fields(["subject_kind", "uscc", "organisation", "person", *CONTENT_FIELDS,
                           "window_months", "publish", "reason"])
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                _radio(field)
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.mode == "create":
            data["subject"] = self.clean_subject()
        return data

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in CONTENT_FIELDS}
        fields["window_months"] = data.get("window_months")
        return fields


class ReasonForm(StyledForm):
    reason = forms.CharField(label="原因", max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DualImportForm(StyledForm):
    kind = forms.ChoiceField(label="信息类别", choices=list(KINDS.items()),
                             widget=forms.RadioSelect)
    file = forms.FileField(label="文件（.xlsx 或 .csv）",
                           help_text="使用下方模板；CSV 可为 UTF-8 或 GBK 编码",
                           error_messages={"empty": "文件是空的（0 字节），请检查后重新上传",
                                           "required": "请选择要导入的文件"})

    def __init__(self, *args: Any, federations: QuerySet[Organisation] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _radio(self.fields["kind"])
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
        if federations is not None:
            self.fields["federation"] = forms.ModelChoiceField(
                label="导入到工商联", queryset=federations)
            self.fields["federation"].widget.attrs["class"] = "form-select"


class WindowRulesForm(StyledForm):
    """One row per WindowKind: published or not, minimum and maximum months."""

    def __init__(self, *args: Any, rules: list[Window], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for rule in rules:
            self.fields[f"{rule.kind}_publish"] = forms.BooleanField(
                label="对外公示", required=False, initial=rule.publish)
            self.fields[f"{rule.kind}_min"] = forms.IntegerField(
                label="最短（月）", min_value=0, max_value=60, initial=rule.min_months)
            self.fields[f"{rule.kind}_max"] = forms.IntegerField(
                label="最长（月）", min_value=0, max_value=60, initial=rule.max_months)
            self.fields[f"{rule.kind}_publish"].widget.attrs["class"] = "form-check-input"

    def rules(self) -> dict[str, tuple[bool, int, int]]:
        data = self.cleaned_data
        return {kind: (bool(data.get(f"{kind}_publish")), data[f"{kind}_min"],
                       data[f"{kind}_max"]) for kind in WindowKind.values}


class CreditPolicyForm(StyledForm):
    objection_window_days = forms.IntegerField(label="告知后异议期（工作日）", min_value=1,
                                               max_value=60)
    objection_handling_days = forms.IntegerField(label="异议办理期限（工作日）", min_value=1,
                                                 max_value=60)
    repair_handling_days = forms.IntegerField(label="信用修复办理期限（工作日）", min_value=1,
                                              max_value=60)


class PledgeForm(SubjectMixin, StyledForm):
    """A pledge made by an enterprise for itself (no subject fields), or entered by an
    officer for an enterprise or practitioner in scope."""

    kind = forms.ChoiceField(label="承诺类型", choices=PledgeKind.choices,
                             initial=PledgeKind.GENERAL)
    title = forms.CharField(label="标题", max_length=128,
                            initial="诚信经营、廉洁从业信用承诺书")
    content = forms.CharField(label="承诺内容", max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    valid_until = forms.DateField(label="有效期至", required=False, widget=DateInput())
    is_public = forms.BooleanField(label="对外公示", required=False, initial=True)

    def __init__(self, *args: Any, enterprises: QuerySet[Organisation] | None = None,
                 people: QuerySet[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_subject = enterprises is not None
        if enterprises is not None:
            self.add_subject_fields(enterprises,
                                    people if people is not None else Person.objects.none())
        self.fields["is_public"].widget.attrs["class"] = "form-check-input"
        self.order_fields(["subject_kind", "uscc", "organisation", "person", "kind", "title",
                           "content", "valid_until", "is_public"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.with_subject:
            data["subject"] = self.clean_subject()
        return data


class BreachForm(StyledForm):
    note = forms.CharField(label="违诺情况", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label="失信程度", choices=Severity.choices,
                                 initial=Severity.ORDINARY)
    window_months = forms.IntegerField(label="公示期（月）", required=False, min_value=0,
                                       max_value=60, help_text="不填按规则的最长公示期")
