"""API schemas of the integrity index: <Noun>In (writes), <Noun>Out (reads), <Noun>Filter (lists).

A nominee's ID number is write-only: it is answered masked (``identifier_masked``), never in
clear, exactly as it is stored.
"""

import datetime as dt

from ninja import Field, Schema

from qinglian.core.api import InputSchema, id_field

from .choices import EligibilityPurpose, NomineeKind
from .models import EligibilityCheck, Nominee

# --- eligibility checks --------------------------------------------------------------------


class NomineeIn(InputSchema):
    identifier: str = Field(..., max_length=64,
                            description="统一社会信用代码（企业）或 18 位居民身份证号（个人）")
    name: str = Field("", max_length=128, description="名称/姓名（可不填，平台有记录时自动补全）")


class EligibilityCheckIn(InputSchema):
    """A list of nominees to check for a purpose. The whole list is validated first: any bad
    entry answers 422 naming every bad one (``nominees.<序号-1>.identifier``), and nothing is
    stored."""

    purpose: EligibilityPurpose = Field(..., description="审核用途")
    title: str = Field(..., min_length=1, max_length=128, description="事项名称")
    nominees: list[NomineeIn] = Field(..., description="人选名单（最多 2000 名）")
    federation: int | None = id_field(None, "工商联编号（仅平台管理员填写；其他用户为本辖区工商联）")


class EligibilityCheckFilter(InputSchema):
    year: int | None = Field(None, ge=2000, le=2100, description="审核年度")
    purpose: EligibilityPurpose | None = Field(None, description="审核用途")


class NomineeOut(Schema):
    line: int = Field(..., description="序号（名单中的位置）")
    kind: str = Field(..., description="类型：enterprise 企业，person 个人")
    kind_label: str = Field(..., description="类型（中文）")
    name: str = Field(..., description="名称/姓名")
    identifier_masked: str = Field(..., description="统一社会信用代码，或脱敏的身份证号")
    eligible: bool = Field(..., description="是否符合条件")
    reasons: list[str] = Field(..., description="不符合的全部原因")
    organisation_id: int | None = Field(None, description="平台中的企业编号")
    person_id: int | None = Field(None, description="平台中的人员编号")

    @staticmethod
    def resolve_kind_label(obj: Nominee) -> str:
        return str(NomineeKind(obj.kind).label)


class EligibilityCheckOut(Schema):
    id: int = Field(..., description="编号")
    federation_id: int = Field(..., description="工商联编号")
    federation_name: str = Field(..., description="工商联")
    purpose: str = Field(..., description="审核用途")
    purpose_label: str = Field(..., description="审核用途（中文）")
    title: str = Field(..., description="事项名称")
    submitted_by: str = Field("", description="审核人")
    submitted_at: dt.datetime = Field(..., description="审核时间")
    nominee_count: int = Field(..., description="人选数")
    ineligible_count: int = Field(..., description="不符合条件的人选数")

    @staticmethod
    def resolve_federation_name(obj: EligibilityCheck) -> str:
        return obj.federation.name

    @staticmethod
    def resolve_purpose_label(obj: EligibilityCheck) -> str:
        return str(obj.get_purpose_display())

    @staticmethod
    def resolve_submitted_by(obj: EligibilityCheck) -> str:
        return str(obj.submitted_by) if obj.submitted_by is not None else ""


class EligibilityCheckDetailOut(EligibilityCheckOut):
    nominees: list[NomineeOut] = Field(..., description="每名人选的结论和原因，按序号排列")

    @staticmethod
    def resolve_nominees(obj: EligibilityCheck) -> list[Nominee]:
        return list(obj.nominees.order_by("line", "id"))
