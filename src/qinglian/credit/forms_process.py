"""Forms of the due-process pages: proposing a listing, deciding and removing it, filing and
handling an objection, applying for and deciding credit repair."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from qinglian.core.uploads import EVIDENCE_ACCEPT
from qinglian.registry.forms_people import DateInput, StyledForm
from qinglian.registry.models import Organisation

from .choices import MEASURES_BY_LIST, ListKind, Measure, RemovalReason, Severity
from .models import CreditRecord


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by content in the action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ListingForm(StyledForm):
    organisation = forms.ModelChoiceField(label="企业", queryset=Organisation.objects.none(),
                                          empty_label="请选择企业")
    list_kind = forms.ChoiceField(label="名单", choices=ListKind.choices)
    reasons = forms.CharField(label="列入理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label="列入依据", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="法律法规、行业规约条款等")
    records = forms.ModelMultipleChoiceField(
        label="依据的信用记录", queryset=CreditRecord.objects.none(), required=False,
        help_text="黑名单须至少选择一条该企业的失信记录；到期日期默认取其中最长的公示期")
    measures = forms.MultipleChoiceField(label="联合奖惩措施", choices=Measure.choices,
                                         widget=forms.CheckboxSelectMultiple)
    effective_on = forms.DateField(label="生效日期", required=False, widget=DateInput,
                                   help_text="不填为今天")
    expires_on = forms.DateField(label="到期日期", required=False, widget=DateInput,
                                 help_text="不填：黑名单取依据记录的最长公示期，红名单为 3 年")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation],
                 records: QuerySet[CreditRecord], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = organisations
        rec_field = self.fields["records"]
        assert isinstance(rec_field, forms.ModelMultipleChoiceField)
        rec_field.queryset = records
        rec_field.label_from_instance = lambda r: (  # type: ignore[method-assign,assignment]
            f"{r.number} {r.subject_name} {r.get_category_display()}"
            f"{('（' + r.get_severity_display() + '）') if r.severity else ''} {r.decision_date:%Y-%m-%d}")
        self.fields["measures"].widget.attrs["class"] = "list-unstyled"
        self.measure_groups = {kind: list(codes) for kind, codes in MEASURES_BY_LIST.items()}

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"list_kind": data["list_kind"], "reasons": data["reasons"],
                "basis": data["basis"], "records": list(data["records"]),
                "measures": data["measures"], "effective_on": data["effective_on"],
                "expires_on": data["expires_on"]}


class NoteForm(StyledForm):
    note = forms.CharField(label="意见", max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RemovalForm(StyledForm):
    reason = forms.ChoiceField(label="移出原因", choices=RemovalReason.choices)
    note = forms.CharField(label="说明", max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(StyledForm):
    """The actions name uploaded files ``files``; the forms call the field ``evidence``."""

    def apply_action_error(self, exc: Any) -> None:
        if hasattr(exc, "error_dict") and "files" in exc.error_dict:
            exc.error_dict["evidence"] = exc.error_dict.pop("files")
        super().apply_action_error(exc)


class ObjectionForm(EvidenceForm):
    reasons = forms.CharField(label="异议理由", max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    evidence = MultipleFileField(label="证明材料", required=False,
                              help_text="PDF、JPG、PNG、Word 或 Excel，最多 10 个，每个不超过 20 MB")


class HandleObjectionForm(StyledForm):
    outcome_kind = forms.ChoiceField(label="处理结论", choices=(
        ("upheld", "异议不成立，维持原记录"), ("corrected", "异议成立，予以更正")),
        widget=forms.RadioSelect)
    outcome = forms.CharField(label="处理结果", max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    # corrected record fields (a record objection found to be right)
    severity = forms.ChoiceField(label="更正后的失信程度", required=False,
                                 choices=(("", "不变"), *Severity.choices))
    decision_date = forms.DateField(label="更正后的决定日期", required=False, widget=DateInput)
    decision_number = forms.CharField(label="更正后的决定文书号", max_length=64, required=False)
    content = forms.CharField(label="更正后的内容", max_length=4000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label="更正后的依据", max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def corrected_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data.get(k) for k in ("severity", "decision_date", "decision_number",
                                         "content", "legal_basis") if data.get(k)}


class RepairForm(EvidenceForm):
    correction = forms.CharField(label="整改情况", max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text="失信行为的纠正、罚款缴纳、赔偿等履行情况")
    pledge = forms.CharField(label="信用修复承诺", max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="该承诺将对外公示")
    evidence = MultipleFileField(label="证明材料", help_text="整改完成的证明：缴款凭证、履行证明等")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].required = True


class RepairDecisionForm(StyledForm):
    decision = forms.ChoiceField(label="审核结论", choices=(
        ("approve", "准予信用修复"), ("reject", "不予信用修复")), widget=forms.RadioSelect)
    note = forms.CharField(label="审核意见", max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="不予修复时必填")
