"""Forms of the campaign pages: create or edit a draft campaign, change its state, draw the
spot-check sample.

The spot-check share is typed as a percentage (10 = 10 %) because that is how officers speak
of it; the model keeps it as a fraction with three places, so at most one decimal of a percent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qinglian.registry.forms_people import StyledForm
from qinglian.registry.models import Organisation

from .choices import CampaignStatus
from .models import Campaign, Framework

HUNDRED = Decimal(100)

SCOPE_ALL = "all"
SCOPE_CHOSEN = "chosen"


def _days(label: Any, initial: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=1, max_value=365, initial=initial,
        error_messages={"required": _("请填写工作日天数"),
                        "min_value": _("至少 1 个工作日"), "max_value": _("不能超过 365 个工作日")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class CampaignForm(StyledForm):
    """The settings of a draft campaign (``do_create_campaign`` / ``do_update_campaign``)."""

    framework = forms.ModelChoiceField(
        label=_("指标体系"), queryset=Framework.objects.none(), empty_label=_("请选择指标体系"),
        error_messages={"invalid_choice": _("所选指标体系不存在、已停用或不在您的管理范围内"),
                        "required": _("请选择指标体系")},
    )
    year = forms.IntegerField(label=_("评价年度"), min_value=2000, max_value=2100,
                              error_messages={"required": _("请填写评价年度"),
                                              "min_value": _("请填写正确的评价年度"),
                                              "max_value": _("请填写正确的评价年度")})
    name = forms.CharField(label=_("名称"), max_length=128,
                           error_messages={"required": _("请填写评价名称")})
    scope = forms.ChoiceField(
        label=_("参评范围"), widget=forms.RadioSelect, initial=SCOPE_ALL,
        choices=[(SCOPE_ALL, _("本工商联全部商会/协会的会员企业")),
                 (SCOPE_CHOSEN, _("选定的商会/协会的会员企业"))],
    )
    chambers = forms.ModelMultipleChoiceField(
        label=_("参评商会/协会"), queryset=Organisation.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选商会/协会不存在或不在您的管理范围内")},
    )
    self_assessment_days = _days(_("企业自评期限（工作日）"), 15)
    chamber_review_days = _days(_("商会初审期限（工作日）"), 10)
    federation_review_days = _days(_("工商联复核期限（工作日）"), 10)
    recheck_days = _days(_("复核申请期限（工作日）"), 5)
    spot_check_percent = forms.DecimalField(
        label=_("抽查比例（%）"), max_digits=4, decimal_places=1, initial=Decimal(10),
        help_text=_("工商联复核时从商会已审的企业中随机抽取的比例，如 10 表示 10%"),
        error_messages={"required": _("请填写抽查比例"),
                        "max_decimal_places": _("抽查比例最多保留一位小数")},
    )

    def __init__(self, *args: Any, frameworks: QuerySet[Framework],
                 chambers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        framework = self.fields["framework"]
        chosen = self.fields["chambers"]
        assert isinstance(framework, forms.ModelChoiceField)
        assert isinstance(chosen, forms.ModelMultipleChoiceField)
        framework.queryset = frameworks
        chosen.queryset = chambers
        for name in ("scope", "chambers"):  # radio and checkbox lists style themselves
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_spot_check_percent(self) -> Decimal:
        value = self.cleaned_data["spot_check_percent"]
        if not Decimal(0) < value <= HUNDRED:
            raise ValidationError(_("抽查比例须大于 0、不超过 100%"))
        return Decimal(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == SCOPE_CHOSEN and not data.get("chambers"):
            self.add_error("chambers", _("请选择参评的商会/协会，或选择全部会员企业"))
        return data

    def action_fields(self) -> dict[str, Any]:
        """Keyword arguments for the campaign actions, from the cleaned data."""
        data = self.cleaned_data
        everyone = data["scope"] == SCOPE_ALL
        return {
            "framework": data["framework"], "year": data["year"], "name": data["name"].strip(),
            "all_members": everyone, "chambers": [] if everyone else list(data["chambers"]),
            "self_assessment_days": data["self_assessment_days"],
            "chamber_review_days": data["chamber_review_days"],
            "federation_review_days": data["federation_review_days"],
            "recheck_days": data["recheck_days"],
            "spot_check_share": (data["spot_check_percent"] / HUNDRED).quantize(Decimal("0.001")),
        }

    def apply_action_error(self, exc: ValidationError) -> None:
        """The actions name the share ``spot_check_share``; the form shows it as a percentage."""
        if hasattr(exc, "error_dict") and "spot_check_share" in exc.error_dict:
            exc.error_dict["spot_check_percent"] = exc.error_dict.pop("spot_check_share")
        super().apply_action_error(exc)


def campaign_initial(campaign: Campaign) -> dict[str, Any]:
    """The edit form's starting values from a saved campaign."""
    return {
        "framework": campaign.framework_id, "year": campaign.year, "name": campaign.name,
        "scope": SCOPE_ALL if campaign.all_members else SCOPE_CHOSEN,
        "chambers": [c.pk for c in campaign.chambers.all()],
        "self_assessment_days": campaign.self_assessment_days,
        "chamber_review_days": campaign.chamber_review_days,
        "federation_review_days": campaign.federation_review_days,
        "recheck_days": campaign.recheck_days,
        "spot_check_percent": share_percent(campaign.spot_check_share),
    }


def share_percent(share: Decimal) -> Decimal:
    """0.125 → 12.5 and 0.100 → 10 (never the exponent form normalize() would give: 1E+1)."""
    percent = (share * HUNDRED).quantize(Decimal("0.1"))
    return percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent


class CampaignTransitionForm(forms.Form):
    """Move a campaign to its next state (the target must be one the table allows)."""

    to = forms.ChoiceField(choices=CampaignStatus.choices,
                           error_messages={"invalid_choice": _("不支持的状态变更")})


class SpotCheckForm(StyledForm):
    """Draw the sample; a seed given here reproduces an earlier draw (e.g. to verify one)."""

    seed = forms.IntegerField(
        label=_("随机种子（可选）"), required=False, min_value=0, max_value=2**62,
        help_text=_("留空则由系统随机生成；种子会被记录，任何人可用同一种子复现同一样本"),
        error_messages={"invalid": _("随机种子须为非负整数"),
                        "min_value": _("随机种子须为非负整数"),
                        "max_value": _("随机种子过大")},
    )
