"""Forms of the assessment page: the enterprise's answer to one indicator (with evidence files),
the chamber's review of it, the federation's final adjustment, negative-list findings and
re-check requests.

Each indicator's form is prefixed with its answer id, so that thirty forms can share one page.
The input offered follows the indicator's scoring method; scores themselves are computed by
the actions, never by a form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinglian.core.uploads import EVIDENCE_ACCEPT
from qinglian.registry.forms_people import DateInput, StyledForm

from .choices import ReviewDecision, ScoringMethod
from .models import Answer, NegativeItem, points
from .scoring import ScoringError, score_answer

YES, NO = "1", "0"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked again by ``do_upload_evidence``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT, "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


def _option_points(answer: Answer, **value: Any) -> str:
    """The points an option earns, shown beside it so the score is never a surprise."""
    try:
        earned = score_answer(answer.indicator, **value)
    except ScoringError:
        return ""
    return f"{points(earned)}" if earned is not None else ""


class AnswerForm(StyledForm):
    """The enterprise's answer to one (non-computed) indicator, its note, and new evidence."""

    bool_value = forms.ChoiceField(label=_("是否落实"), required=False, widget=forms.RadioSelect)
    level = forms.ChoiceField(label=_("落实程度"), required=False, widget=forms.RadioSelect)
    number = forms.DecimalField(
        label=_("数值"), required=False, max_digits=14, decimal_places=4,
        error_messages={"invalid": _("请填写数字"),
                        "max_decimal_places": _("最多保留四位小数"),
                        "max_digits": _("数值过大")},
    )
    note = forms.CharField(label=_("情况说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    uploads = MultipleFileField(label=_("上传佐证材料"), required=False,
                              help_text=_("可多选。PDF、JPG、PNG、Word 或 Excel，单个不超过 20 MB"))

    def __init__(self, *args: Any, answer: Answer, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"a{answer.pk}")
        kwargs.setdefault("initial", answer_initial(answer))
        super().__init__(*args, **kwargs)
        self.answer = answer
        method = answer.indicator.method
        if method != ScoringMethod.BOOLEAN:
            del self.fields["bool_value"]
        else:
            self._choices("bool_value", [
                (YES, _("是，已落实"), _option_points(answer, bool_value=True)),
                (NO, _("否，未落实"), _option_points(answer, bool_value=False))])
        if method != ScoringMethod.LEVELS:
            del self.fields["level"]
        else:
            self._choices("level", [
                (str(i), step.get("label", ""), _option_points(answer, level=i))
                for i, step in enumerate(answer.indicator.levels or ())])
        if method not in (ScoringMethod.THRESHOLDS, ScoringMethod.EFFICACY):
            del self.fields["number"]
        elif answer.indicator.unit:
            self.fields["number"].label = _("数值（%(unit)s）") % {"unit": answer.indicator.unit}
        for name in ("bool_value", "level"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] = "form-check-input"

    def _choices(self, name: str, options: list[tuple[str, Any, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, f"{label}（{earned} 分）" if earned else str(label))
                         for value, label, earned in options]

    def answer_values(self) -> dict[str, Any]:
        """``do_save_answer`` keyword arguments (None for an unanswered input)."""
        data = self.cleaned_data
        values: dict[str, Any] = {"note": data.get("note", "")}
        if "bool_value" in self.fields:
            values["bool_value"] = {YES: True, NO: False}.get(data.get("bool_value") or "")
        if "level" in self.fields:
            values["level"] = int(data["level"]) if data.get("level") else None
        if "number" in self.fields:
            values["number"] = data.get("number")
        return values


def answer_initial(answer: Answer) -> dict[str, Any]:
    initial: dict[str, Any] = {"note": answer.note}
    if answer.bool_value is not None:
        initial["bool_value"] = YES if answer.bool_value else NO
    if answer.level is not None:
        initial["level"] = str(answer.level)
    if answer.number is not None:
        initial["number"] = format(answer.number.normalize(), "f")  # 70, not 70.0000 or 7E+1
    return initial


def _points_field(label: Any, required: bool) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal(0), max_digits=8, decimal_places=2,
        error_messages={"required": _("请填写分数"), "invalid": _("请填写有效的分数"),
                        "min_value": _("分数不能为负数"),
                        "max_decimal_places": _("分数最多保留两位小数")},
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ReviewForm(StyledForm):
    """The chamber's decision on one answer; the action checks the comment and the points."""

    decision = forms.ChoiceField(
        label=_("初审意见"), widget=forms.RadioSelect,
        choices=[c for c in ReviewDecision.choices if c[0] != ReviewDecision.PENDING],
        error_messages={"required": _("请选择初审意见")},
    )
    points = _points_field(_("调整后得分"), required=False)
    comment = forms.CharField(label=_("说明"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("调整分数或退回补充时必填"))

    def __init__(self, *args: Any, answer: Answer, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"r{answer.pk}")
        if answer.decision != ReviewDecision.PENDING:
            kwargs.setdefault("initial", {"decision": answer.decision,
                                          "points": answer.chamber_score,
                                          "comment": answer.chamber_comment})
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"


class AdjustForm(StyledForm):
    """The federation's final score of one answer, with the reason."""

    points = _points_field(_("复核得分"), required=True)
    comment = forms.CharField(label=_("调整说明"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("调整得分须填写调整说明")})

    def __init__(self, *args: Any, answer: Answer, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"f{answer.pk}")
        kwargs.setdefault("initial", {"points": answer.federation_score or answer.score,
                                      "comment": answer.federation_comment})
        super().__init__(*args, **kwargs)


class FindingForm(StyledForm):
    """Confirm a negative-list item against the enterprise (it vetoes the grade)."""

    item = forms.ModelChoiceField(
        label=_("负面清单事项"), queryset=NegativeItem.objects.none(),
        empty_label=_("请选择事项"),
        error_messages={"required": _("请选择负面清单事项"),
                        "invalid_choice": _("所选事项不属于本次评价的指标体系")},
    )
    found_on = forms.DateField(label=_("认定日期"), widget=DateInput(),
                               error_messages={"required": _("请填写认定日期"),
                                               "invalid": _("请填写正确的日期")})
    source = forms.CharField(label=_("认定依据（文书编号或来源）"), max_length=255,
                             error_messages={"required": _("请填写认定依据（文书编号或来源）")})
    description = forms.CharField(label=_("情况说明"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, items: QuerySet[NegativeItem], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"found_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)
        item.queryset = items


class ReasonForm(StyledForm):
    """A required reason: withdrawing a finding, filing a re-check."""

    reason = forms.CharField(label=_("理由"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写理由")})

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label


class DecisionForm(StyledForm):
    """The federation's decision note on a re-check request."""

    note = forms.CharField(label=_("处理意见"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("请填写处理意见")})


class CompleteReviewForm(StyledForm):
    note = forms.CharField(label=_("初审意见（可选）"), required=False, max_length=255,
                           widget=forms.Textarea(attrs={"rows": 2}))
