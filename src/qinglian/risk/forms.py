"""Forms of the risk pages. They only collect and tidy input; the rules live in the actions,
whose ``ValidationError`` is put back onto the fields (``apply_action_error``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinglian.core.paging import parse_id
from qinglian.core.uploads import EVIDENCE_ACCEPT as ACCEPT
from qinglian.core.uploads import validate_evidence
from qinglian.registry.forms_people import DateInput, StyledForm
from qinglian.registry.models import Organisation

from .choices import (
    IMPACT_LABELS,
    LIKELIHOOD_LABELS,
    REVIEW_CYCLES,
    BusinessArea,
    ControlStatus,
    RiskLevel,
    RoundKind,
)
from .queries import RegisterFilter

LIKELIHOOD_CHOICES = [(n, f"{n} · {label}") for n, label in LIKELIHOOD_LABELS.items()]
IMPACT_CHOICES = [(n, f"{n} · {label}") for n, label in IMPACT_LABELS.items()]


def _scale_field(label: Any, choices: list[tuple[int, str]], initial: int = 3) -> forms.Field:
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int, initial=initial)


class ScalesMixin(forms.Form):
    """Likelihood and impact, inherent (before controls) and residual (after controls)."""

    likelihood = _scale_field(_("可能性"), LIKELIHOOD_CHOICES)
    impact = _scale_field(_("影响程度"), IMPACT_CHOICES)
    residual_likelihood = _scale_field(_("剩余可能性"), LIKELIHOOD_CHOICES, 2)
    residual_impact = _scale_field(_("剩余影响程度"), IMPACT_CHOICES)


class PointFields(StyledForm):
    area = forms.ChoiceField(label=_("业务领域"), choices=BusinessArea.choices)
    title = forms.CharField(label=_("风险点"), max_length=128)
    schemes = forms.CharField(label=_("风险表现形式"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.CharField(label=_("部门"), max_length=64)
    post = forms.CharField(label=_("岗位"), max_length=64, required=False)
    owner_name = forms.CharField(label=_("责任人"), max_length=64)
    review_months = forms.TypedChoiceField(label=_("评估周期"), choices=REVIEW_CYCLES, coerce=int,
                                           initial=12)


class PointEditForm(PointFields):
    """What a point is and who owns it; levels change through assessment rounds only."""


class PointCreateForm(PointFields, ScalesMixin):
    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())

    field_order = ("organisation", "area", "title", "schemes", "department", "post", "owner_name",
                   "likelihood", "impact", "residual_likelihood", "residual_impact",
                   "review_months")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()
            field.widget = forms.HiddenInput()


class RetireForm(StyledForm):
    reason = forms.CharField(label=_("撤销原因"), max_length=255)


class ControlForm(StyledForm):
    description = forms.CharField(label=_("防控措施"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_name = forms.CharField(label=_("责任人"), max_length=64)
    due_on = forms.DateField(label=_("完成时限"), widget=DateInput())
    status = forms.ChoiceField(label=_("状态"), choices=ControlStatus.choices)
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=DateInput(),
                              help_text=_("状态为“已完成”时填写；不填则记为今天"))
    evidence = forms.FileField(label=_("佐证材料"), required=False,
                               widget=forms.FileInput(attrs={"accept": ACCEPT}),
                               help_text=_("PDF、图片、Word 或 Excel，不超过 20 MB；按文件内容校验"))

    def clean_evidence(self) -> Any:
        """Checked by content here so the message sits on the field (the action checks again)."""
        upload = self.cleaned_data.get("evidence")
        if upload:
            validate_evidence(upload)
        return upload

    def action_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in
                ("description", "owner_name", "due_on", "status", "done_on")}


class LibraryPointForm(StyledForm):
    code = forms.CharField(label=_("编号"), max_length=16)
    area = forms.ChoiceField(label=_("业务领域"), choices=BusinessArea.choices)
    title = forms.CharField(label=_("风险点"), max_length=128)
    schemes = forms.CharField(label=_("典型表现形式"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    controls = forms.CharField(label=_("典型防控措施"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    likelihood = _scale_field(_("参考可能性"), LIKELIHOOD_CHOICES)
    impact = _scale_field(_("参考影响程度"), IMPACT_CHOICES)
    is_active = forms.BooleanField(label=_("启用（企业和商会可选用）"), required=False, initial=True)


class RoundForm(StyledForm):
    organisation = forms.ModelChoiceField(label=_("单位"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=RoundKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=128)
    leader = forms.TypedChoiceField(label=_("负责领导"), coerce=int,
                                    help_text=_("评估提交后由其审批；须为本单位有审批权限的账号"))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation],
                 leaders: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if organisations.count() == 1:
            field.initial = organisations.first()
            field.widget = forms.HiddenInput()
        leader = self.fields["leader"]
        assert isinstance(leader, forms.ChoiceField)
        leader.choices = [("", _("请选择")), *leaders]
        year = timezone.localdate().year
        self.fields["year"].initial = year
        self.fields["name"].initial = f"{year} 年度廉洁风险评估"


class ItemForm(ScalesMixin, StyledForm):
    note = forms.CharField(label=_("评估意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 1,
                                                        "placeholder": _("评估意见（可选）")}))


class DecisionForm(StyledForm):
    note = forms.CharField(label=_("审批意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class PowerListForm(StyledForm):
    title = forms.CharField(label=_("名称"), max_length=128, required=False,
                            help_text=_("不填则沿用现行版本的名称"))
    holder = forms.CharField(label=_("适用对象"), max_length=64, required=False,
                             help_text=_("如：董事长、总经理（主要负责人）"))


class PowerItemForm(StyledForm):
    code = forms.CharField(label=_("序号"), max_length=16)
    name = forms.CharField(label=_("事项"), max_length=128)
    basis = forms.CharField(label=_("制度依据"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    procedure = forms.CharField(label=_("运行程序 / 约束措施"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices,
                              initial=RiskLevel.MEDIUM)


def _scale(text: str | None) -> int | None:
    number = parse_id(text)
    return number if number is not None and 1 <= number <= 5 else None


def register_filter(params: Any) -> RegisterFilter:
    """The register filter from the query string; an unknown value narrows nothing."""
    area = params.get("area", "")
    level = params.get("level", "")
    overdue = params.get("overdue", "")
    return RegisterFilter(
        organisation=parse_id(params.get("org")),
        area=area if area in BusinessArea.values else "",
        level=level if level in RiskLevel.values else "",
        basis="inherent" if params.get("basis") == "inherent" else "residual",
        likelihood=_scale(params.get("likelihood")),
        impact=_scale(params.get("impact")),
        owner=params.get("owner", "").strip()[:64],
        overdue=overdue if overdue in ("controls", "review") else "",
        q=params.get("q", "").strip()[:64],
    )
