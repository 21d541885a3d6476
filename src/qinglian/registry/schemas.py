"""API schemas of the registry: <Noun>In (writes), <Noun>Out (reads), <Noun>Filter (lists).

Field names are the model's and the action's, so a 422 answer names the same field the
client sent. Personal data leaves the API masked only: there is no clear ID number or phone
in any Out schema.
"""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from qinglian.core.api import InputSchema, id_field

from .choices import (
    ChamberKind,
    CommitmentStatus,
    EnterpriseSize,
    Gender,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
    Ownership,
    PartyOrgForm,
    PositionTitle,
)
from .models import Commitment, Membership, Organisation, Position, Signature
from .queries import has_signed_current
from .workflow import MEMBERSHIP_FLOW

# --- organisations -------------------------------------------------------------------------


class OrganisationFilter(InputSchema):
    """The organisation list's filters — the same ones the organisation list page offers."""

    q: str = Field("", description="名称、简称、统一社会信用代码前缀或拼音首字母（如 hwjs）")
    kind: OrganisationKind | None = Field(None, description="组织类型")
    chamber: int | None = id_field(None, "所属商会/协会编号（在会会员）")
    industry: str = Field("", max_length=2, description="国民经济行业大类代码（GB/T 4754，2 位）")
    section: str = Field("", max_length=1, description="行业门类代码（A–T）")
    region: str = Field("", max_length=6, description="行政区划代码（前缀匹配，如 330100）")
    ownership: Ownership | None = Field(None, description="所有制")
    tag: str = Field("", description="企业标签代码（listed、unicorn、gazelle、high_tech、key）")
    party_org_form: PartyOrgForm | None = Field(None, description="党组织组建方式")
    order: str = Field("name", description="排序：name、-name、created、-created、uscc")


class OrganisationIn(InputSchema):
    """A new organisation (POST), or the changed fields of one (PATCH)."""

    kind: OrganisationKind = Field(..., description="组织类型（修改时忽略）")
    name: str = Field(..., min_length=1, max_length=128, description="名称")
    short_name: str = Field("", max_length=32, description="简称")
    uscc: str = Field("", max_length=32, description="统一社会信用代码（企业必填，18 位）")
    federation: int | None = id_field(
        None, "所属工商联编号；不填则为当前用户所在工商联（平台管理员必填）"
    )
    region: str = Field("", max_length=6, description="所在地区行政区划代码（6 位）")
    address: str = Field("", max_length=255, description="地址")
    chamber_kind: ChamberKind | None = Field(None, description="商会类别")
    hometown_region: str = Field("", max_length=6, description="籍贯地区行政区划代码（异地商会）")
    industry: str = Field("", max_length=2, description="国民经济行业大类代码（2 位）")
    ownership: Ownership | None = Field(None, description="所有制")
    size: EnterpriseSize | None = Field(None, description="企业规模")
    tags: list[str] | None = Field(None, description="企业标签代码列表")
    established_on: dt.date | None = Field(None, description="成立日期")
    employee_count: int | None = Field(None, ge=0, description="从业人数")
    party_org_form: PartyOrgForm = Field(PartyOrgForm.NONE, description="党组织组建方式")
    party_member_count: int = Field(0, ge=0, description="正式党员人数")
    party_liaison: int | None = id_field(None, "党建联络员（人员编号）")
    is_group_member: bool = Field(False, description="是否工商联团体会员")
    contact_phone: str = Field("", max_length=32, description="办公电话")
    description: str = Field("", description="简介")


class OrganisationOut(Schema):
    id: int = Field(..., description="编号")
    kind: str = Field(..., description="组织类型")
    kind_label: str = Field(..., description="组织类型（中文）")
    name: str = Field(..., description="名称")
    short_name: str = Field(..., description="简称")
    uscc: str | None = Field(None, description="统一社会信用代码")
    name_initials: str = Field(..., description="名称拼音首字母")
    federation_id: int | None = Field(None, description="所属工商联编号")
    federation_name: str = Field("", description="所属工商联")
    region: str = Field(..., description="所在地区行政区划代码")
    region_name: str = Field(..., description="所在地区")
    address: str = Field(..., description="地址")
    chamber_kind: str = Field(..., description="商会类别")
    hometown_region: str = Field(..., description="籍贯地区行政区划代码")
    industry: str = Field(..., description="国民经济行业大类代码")
    industry_name: str = Field(..., description="行业")
    industry_section: str = Field(..., description="行业门类代码")
    ownership: str = Field(..., description="所有制")
    size: str = Field(..., description="企业规模")
    tags: list[str] = Field(..., description="企业标签代码")
    established_on: dt.date | None = Field(None, description="成立日期")
    employee_count: int | None = Field(None, description="从业人数")
    party_org_form: str = Field(..., description="党组织组建方式")
    party_member_count: int = Field(..., description="正式党员人数")
    party_liaison_id: int | None = Field(None, description="党建联络员（人员编号）")
    is_group_member: bool = Field(..., description="是否工商联团体会员")
    contact_phone: str = Field(..., description="办公电话")
    description: str = Field(..., description="简介")
    created_at: dt.datetime = Field(..., description="登记时间")
    updated_at: dt.datetime = Field(..., description="更新时间")

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_federation_name(obj: Organisation) -> str:
        return obj.federation.name if obj.federation_id and obj.federation else ""

    @staticmethod
    def resolve_tags(obj: Organisation) -> list[str]:
        return sorted(tag.code for tag in obj.tags.all())


# --- people --------------------------------------------------------------------------------


class PersonIn(InputSchema):
    """A new person (POST), or the changed fields of one (PATCH). ID number and phone are
    write-only: they are stored encrypted and read back masked."""

    name: str = Field(..., min_length=1, max_length=64, description="姓名")
    federation: int | None = id_field(
        None, "所属工商联编号；不填则为当前用户所在工商联（修改时忽略）"
    )
    id_number: str = Field("", max_length=32, description="居民身份证号（18 位；只写不读）")
    phone: str = Field("", max_length=20, description="手机号（只写不读）")
    gender: Gender = Field(Gender.UNKNOWN, description="性别")
    is_party_member: bool = Field(False, description="是否中共党员")
    notes: str = Field("", description="备注")


class PersonFilter(InputSchema):
    q: str = Field("", description="姓名、拼音首字母；完整身份证号或手机号按密文索引精确查找")


class PositionOut(Schema):
    id: int = Field(..., description="编号")
    organisation_id: int = Field(..., description="单位编号")
    organisation_name: str = Field(..., description="单位")
    title: str = Field(..., description="职务代码")
    title_label: str = Field(..., description="职务")
    start_on: dt.date | None = Field(None, description="任职日期")
    end_on: dt.date | None = Field(None, description="离任日期")

    @staticmethod
    def resolve_organisation_name(obj: Position) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_title_label(obj: Position) -> str:
        return str(PositionTitle(obj.title).label) if obj.title in PositionTitle.values else ""


class PersonOut(Schema):
    id: int = Field(..., description="编号")
    name: str = Field(..., description="姓名")
    gender: str = Field(..., description="性别")
    federation_id: int = Field(..., description="所属工商联编号")
    id_number_masked: str = Field(..., description="身份证号（脱敏）")
    phone_masked: str = Field(..., description="手机号（脱敏）")
    is_party_member: bool = Field(..., description="是否中共党员")
    notes: str = Field(..., description="备注")
    created_at: dt.datetime = Field(..., description="登记时间")


class PersonDetailOut(PersonOut):
    """``positions`` is read from the person's prefetched, scope-restricted positions."""

    positions: list[PositionOut] = Field(..., description="任职（含已离任）")


# --- memberships ---------------------------------------------------------------------------


class MembershipFilter(InputSchema):
    organisation: int | None = id_field(None, "所属商会/协会（或工商联）编号")
    member: int | None = id_field(None, "会员（企业或商会）编号")
    status: MembershipStatus | None = Field(None, description="会员资格状态")
    q: str = Field("", description="会员名称、统一社会信用代码或拼音首字母")


class MembershipIn(InputSchema):
    """An application to join a chamber, association or the federation."""

    member: int = id_field(..., "申请入会的企业（或商会）编号")
    organisation: int = id_field(..., "拟加入的商会/协会（或工商联）编号")
    role: MembershipRole = Field(MembershipRole.MEMBER, description="会员职务")
    note: str = Field("", max_length=255, description="备注")


class TransitionIn(InputSchema):
    """A change of a membership's state along the membership state table."""

    to: MembershipStatus = Field(..., description="目标状态")
    note: str = Field("", max_length=255, description="说明（取消会员资格时必填）")


class MembershipOut(Schema):
    id: int = Field(..., description="编号")
    member_id: int = Field(..., description="会员编号")
    member_name: str = Field(..., description="会员")
    member_uscc: str | None = Field(None, description="会员统一社会信用代码")
    organisation_id: int = Field(..., description="所属商会/协会编号")
    organisation_name: str = Field(..., description="所属商会/协会")
    role: str = Field(..., description="会员职务代码")
    role_label: str = Field(..., description="会员职务")
    status: str = Field(..., description="状态代码")
    status_label: str = Field(..., description="状态")
    joined_on: dt.date | None = Field(None, description="入会日期")
    left_on: dt.date | None = Field(None, description="退会日期")
    applied_at: dt.datetime | None = Field(None, description="申请时间")
    admitted_at: dt.datetime | None = Field(None, description="入会时间")
    suspended_at: dt.datetime | None = Field(None, description="暂停时间")
    withdrawn_at: dt.datetime | None = Field(None, description="退会时间")
    revoked_at: dt.datetime | None = Field(None, description="取消资格时间")
    note: str = Field(..., description="备注")

    @staticmethod
    def resolve_member_name(obj: Membership) -> str:
        return obj.member.name

    @staticmethod
    def resolve_member_uscc(obj: Membership) -> str | None:
        return obj.member.uscc

    @staticmethod
    def resolve_organisation_name(obj: Membership) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_role_label(obj: Membership) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_status_label(obj: Membership) -> str:
        return str(obj.get_status_display())


class MembershipDetailOut(MembershipOut):
    signed_current_commitment: bool = Field(
        False, description="是否已签署所属商会现行承诺书（入会前提，告知承诺制）"
    )
    allowed_transitions: list[str] = Field(
        default_factory=list, description="当前调用者可执行的状态变更（按状态表与角色权限）"
    )

    @staticmethod
    def resolve_signed_current_commitment(obj: Membership) -> bool:
        return has_signed_current(obj.member_id, obj.organisation_id)

    @staticmethod
    def resolve_allowed_transitions(obj: Membership, context: dict[str, Any]) -> list[str]:
        return MEMBERSHIP_FLOW.allowed_targets(obj, context["request"].auth)


# --- commitments and signatures ------------------------------------------------------------


class CommitmentFilter(InputSchema):
    organisation: int | None = id_field(None, "商会/协会编号")
    status: CommitmentStatus | None = Field(None, description="状态")


class CommitmentIn(InputSchema):
    """A new draft version of a chamber's integrity commitment letter."""

    organisation: int = id_field(..., "商会/协会编号")
    title: str = Field("清廉企业共建承诺书", max_length=128, description="标题")
    body: str = Field(..., description="正文")


class CommitmentOut(Schema):
    id: int = Field(..., description="编号")
    organisation_id: int = Field(..., description="商会/协会编号")
    organisation_name: str = Field(..., description="商会/协会")
    version: int = Field(..., description="版本号")
    title: str = Field(..., description="标题")
    body: str = Field(..., description="正文")
    status: str = Field(..., description="状态代码")
    status_label: str = Field(..., description="状态")
    text_sha256: str = Field(..., description="正文 SHA-256（标题与正文）")
    published_at: dt.datetime | None = Field(None, description="发布时间")
    superseded_at: dt.datetime | None = Field(None, description="替代时间")
    created_at: dt.datetime = Field(..., description="起草时间")

    @staticmethod
    def resolve_organisation_name(obj: Commitment) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_status_label(obj: Commitment) -> str:
        return str(obj.get_status_display())


class SignatureFilter(InputSchema):
    commitment: int | None = id_field(None, "承诺书编号")
    member: int | None = id_field(None, "签署企业编号")


class SignatureIn(InputSchema):
    """An enterprise signs one exact, published commitment version."""

    commitment: int = id_field(..., "承诺书编号（须为现行版本）")
    member: int = id_field(..., "签署企业编号")
    signer_name: str = Field(..., max_length=64, description="签署人姓名")
    signer_title: str = Field("", max_length=32, description="签署人职务")
    signer_person: int | None = id_field(None, "签署人（人员库编号）")
    signed_at: dt.datetime | None = Field(None, description="签署时间；不填为当前时间")


class SignatureOut(Schema):
    id: int = Field(..., description="编号")
    commitment_id: int = Field(..., description="承诺书编号")
    commitment_version: int = Field(..., description="承诺书版本号")
    organisation_id: int = Field(..., description="商会/协会编号")
    organisation_name: str = Field(..., description="商会/协会")
    member_id: int = Field(..., description="签署企业编号")
    member_name: str = Field(..., description="签署企业")
    signer_name: str = Field(..., description="签署人")
    signer_title: str = Field(..., description="签署人职务")
    signed_at: dt.datetime = Field(..., description="签署时间")
    text_sha256: str = Field(..., description="所签正文 SHA-256")
    has_scan: bool = Field(..., description="是否已上传签字盖章扫描件")

    @staticmethod
    def resolve_commitment_version(obj: Signature) -> int:
        return obj.commitment.version

    @staticmethod
    def resolve_organisation_id(obj: Signature) -> int:
        return obj.commitment.organisation_id

    @staticmethod
    def resolve_organisation_name(obj: Signature) -> str:
        return obj.commitment.organisation.name

    @staticmethod
    def resolve_member_name(obj: Signature) -> str:
        return obj.member.name

    @staticmethod
    def resolve_has_scan(obj: Signature) -> bool:
        return bool(obj.scan)


__all__ = [
    "CommitmentFilter", "CommitmentIn", "CommitmentOut", "MembershipDetailOut",
    "MembershipFilter", "MembershipIn", "MembershipOut", "OrganisationFilter",
    "OrganisationIn", "OrganisationOut", "PersonDetailOut", "PersonFilter", "PersonIn",
    "PersonOut", "PositionOut", "SignatureFilter", "SignatureIn", "SignatureOut",
    "TransitionIn",
]
