"""Forms for memberships and integrity commitments: apply, sign, change status, draft a version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import MembershipRole, MembershipStatus
from .forms_people import StyledForm
from .models import Membership, Organisation
from .uploads import ACCEPT, validate_scan
from .workflow import MEMBERSHIP_FLOW

DEFAULT_COMMITMENT_TITLE = "清廉企业共建承诺书"

DEFAULT_COMMITMENT_BODY = """为深入推进清廉企业建设，构建亲清政商关系，营造公平竞争、诚信守法的营商环境，\
本单位自愿加入{chamber}，并郑重承诺：

一、坚持依法经营。严格遵守国家法律法规和本会章程，依法诚信纳税，不偷税漏税，不拖欠职工工资。
二、坚决拒绝商业贿赂。不以任何形式向公职人员、交易相对方及其工作人员行贿或输送不正当利益，不索取、不收受商业贿赂。
三、坚持公平竞争。不串通投标、围标陪标，不虚假宣传，不侵犯他人知识产权，不从事任何不正当竞争行为。
四、健全内部控制。完善财务、采购、销售、招投标等关键环节的廉洁风险防控制度，落实“三重一大”事项集体决策。
五、培育廉洁文化。定期开展廉洁教育和警示教育，引导经营管理人员和员工廉洁从业。
六、主动接受监督。如实报送相关信息，接受本会、工商联和社会各界的监督，积极配合有关部门依法开展的调查。
七、违反本承诺的，自愿接受本会依据章程和自律规约作出的警告、行业内通报批评、公开谴责、取消会员资格等处理，\
并同意相关情况记入信用档案。"""

#: How each membership transition is offered as a button: label, Bootstrap colour, icon.
TRANSITION_BUTTONS: dict[tuple[str, str], tuple[str | Promise, str, str]] = {
    (MembershipStatus.APPLIED, MembershipStatus.WITHDRAWN): (_("撤回申请"), "outline-secondary", "x-circle"),
    (MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED): (_("暂停"), "outline-warning", "pause-circle"),
    (MembershipStatus.SUSPENDED, MembershipStatus.ADMITTED): (_("恢复"), "outline-success", "play-circle"),
    (MembershipStatus.ADMITTED, MembershipStatus.WITHDRAWN): (_("退会"), "outline-secondary", "box-arrow-right"),
    (MembershipStatus.SUSPENDED, MembershipStatus.WITHDRAWN): (_("退会"), "outline-secondary", "box-arrow-right"),
    (MembershipStatus.ADMITTED, MembershipStatus.REVOKED): (_("取消会员资格"), "outline-danger", "slash-circle"),
    (MembershipStatus.SUSPENDED, MembershipStatus.REVOKED): (_("取消会员资格"), "outline-danger", "slash-circle"),
}


def default_commitment_body(chamber: Organisation) -> str:
    """A first version for a chamber that has none: the usual pledges of 清廉企业共建承诺书."""
    return DEFAULT_COMMITMENT_BODY.format(chamber=chamber.name)


class MembershipApplyForm(StyledForm):
    """An application: which enterprise joins which chamber, in which role."""

    member = forms.ModelChoiceField(
        label=_("申请企业"), queryset=Organisation.objects.none(), empty_label=_("请选择企业"),
        error_messages={"invalid_choice": _("所选企业不存在或不在您的管理范围内")},
    )
    organisation = forms.ModelChoiceField(
        label=_("申请加入的商会/协会"), queryset=Organisation.objects.none(),
        empty_label=_("请选择商会/协会"),
        error_messages={"invalid_choice": _("所选商会/协会不存在或不在您的管理范围内")},
    )
    role = forms.ChoiceField(label=_("会员职务"), choices=MembershipRole.choices,
                             initial=MembershipRole.MEMBER)
    note = forms.CharField(label=_("备注"), max_length=255, required=False)

    def __init__(
        self, *args: Any, applicants: QuerySet[Organisation], hosts: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        organisation = self.fields["organisation"]
        assert isinstance(member, forms.ModelChoiceField)
        assert isinstance(organisation, forms.ModelChoiceField)
        member.queryset = applicants
        organisation.queryset = hosts.order_by("name_pinyin")


class TransitionForm(StyledForm):
    """A status change offered on the admission page; revocation needs a written reason."""

    to = forms.ChoiceField(label=_("变更为"), choices=MembershipStatus.choices)
    note = forms.CharField(label=_("原因/备注"), max_length=255, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to") == MembershipStatus.REVOKED and not data.get("note", "").strip():
            self.add_error("note", _("取消会员资格必须写明原因"))
        return data


def transition_buttons(membership: Membership, user: Any) -> list[dict[str, str]]:
    """The status buttons this user gets for this membership (admission has its own step)."""
    buttons = []
    for to in MEMBERSHIP_FLOW.allowed_targets(membership, user):
        spec = TRANSITION_BUTTONS.get((membership.status, to))
        if spec is None:
            continue
        label, colour, icon = spec
        buttons.append({"to": to, "label": str(label), "colour": colour, "icon": icon,
                        "reason_required": "1" if to == MembershipStatus.REVOKED else ""})
    return buttons


class SignatureForm(StyledForm):
    """Who signed the commitment for the enterprise, with an optional scan of the signed letter."""

    signer_name = forms.CharField(label=_("签署人姓名"), max_length=64,
                                  error_messages={"required": _("请填写签署人姓名")})
    signer_title = forms.CharField(label=_("签署人职务"), max_length=32, required=False,
                                   widget=forms.TextInput(attrs={"placeholder": _("如：法定代表人")}))
    scan = forms.FileField(
        label=_("签字盖章扫描件"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("可选。PDF、JPG 或 PNG，不超过 10 MB"),
    )

    def clean_scan(self) -> UploadedFile | None:
        scan = self.cleaned_data.get("scan")
        if not scan:
            return None
        return validate_scan(scan)


class OfficerSignatureForm(SignatureForm):
    """An officer records a signature on a member's behalf and chooses the member."""

    member = forms.ModelChoiceField(
        label=_("签署企业"), queryset=Organisation.objects.none(),
        empty_label=_("请选择尚未签署的会员企业"),
        error_messages={"invalid_choice": _("所选企业不是该商会尚未签署此版本的会员")},
    )

    field_order = ("member", "signer_name", "signer_title", "scan")

    def __init__(self, *args: Any, members: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        assert isinstance(member, forms.ModelChoiceField)
        member.queryset = members.order_by("name_pinyin")


class CommitmentForm(StyledForm):
    """A new version of a chamber's commitment (saved as a draft)."""

    organisation = forms.ModelChoiceField(
        label=_("商会/协会"), queryset=Organisation.objects.none(),
        empty_label=_("请选择商会/协会"),
        error_messages={"invalid_choice": _("所选商会/协会不存在或不在您的管理范围内")},
    )
    title = forms.CharField(label=_("标题"), max_length=128, initial=DEFAULT_COMMITMENT_TITLE)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 18}),
                           error_messages={"required": _("承诺书正文不能为空")})

    def __init__(self, *args: Any, hosts: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = hosts.order_by("name_pinyin")

    def clean_body(self) -> str:
        body = str(self.cleaned_data["body"]).strip()
        if not body:
            raise ValidationError(_("承诺书正文不能为空"))
        return body
