"""Indicators that fill themselves in from platform data (评分方法“平台数据自动计算”).

Each source answers, for one enterprise in one campaign, a share of the indicator's maximum
(0–1) and the reason in Chinese. Sources that later apps provide (training records, hotline
handling) register themselves here with ``register_source``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from qinglian.registry.choices import (
    OPEN_MEMBERSHIP,
    MembershipStatus,
    PartyOrgForm,
    PositionTitle,
)
from qinglian.registry.models import Membership, Organisation, Position, Signature
from qinglian.registry.queries import current_commitment


@dataclass(frozen=True)
class Computed:
    share: Decimal
    note: str


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    compute: Callable[[Organisation, int], Computed]


SOURCES: dict[str, Source] = {}


def register_source(code: str, name: str) -> Callable[[Callable[[Organisation, int], Computed]],
                                                       Callable[[Organisation, int], Computed]]:
    def decorator(fn: Callable[[Organisation, int], Computed]) -> Callable[[Organisation, int],
                                                                          Computed]:
        SOURCES[code] = Source(code, name, fn)
        return fn

    return decorator


def source_choices() -> list[tuple[str, str]]:
    return [(source.code, source.name) for source in SOURCES.values()]


YES, NO = Decimal(1), Decimal(0)


@register_source("commitment_signed", "已签署所在商会现行清廉承诺书")
def commitment_signed(enterprise: Organisation, chamber_id: int) -> Computed:
    """Pledge signed and current: the signature must be of the chamber's published version."""
    commitment = current_commitment(chamber_id)
    if commitment is None:
        return Computed(NO, "所在商会尚未发布承诺书")
    signature = Signature.objects.filter(commitment=commitment, member=enterprise).first()
    if signature is None:
        return Computed(NO, f"未签署现行第 {commitment.version} 版承诺书")
    return Computed(YES, f"已于 {signature.signed_at:%Y-%m-%d} 签署第 {commitment.version} 版承诺书")


@register_source("party_org_present", "已建立党组织（含联合、挂靠组建）")
def party_org_present(enterprise: Organisation, chamber_id: int) -> Computed:
    if enterprise.party_org_form == PartyOrgForm.NONE:
        return Computed(NO, "未建立党组织")
    return Computed(YES, f"党组织：{enterprise.get_party_org_form_display()}")


@register_source("party_liaison", "已明确党建联络员")
def party_liaison(enterprise: Organisation, chamber_id: int) -> Computed:
    if enterprise.party_liaison_id is None:
        return Computed(NO, "未明确党建联络员")
    return Computed(YES, "已明确党建联络员")


@register_source("key_posts_recorded", "法定代表人、实际控制人信息已备案")
def key_posts_recorded(enterprise: Organisation, chamber_id: int) -> Computed:
    titles = set(Position.objects.filter(
        organisation=enterprise, end_on__isnull=True,
        title__in=[PositionTitle.LEGAL_REPRESENTATIVE, PositionTitle.ENTREPRENEUR],
    ).values_list("title", flat=True))
    share = Decimal(len(titles)) / Decimal(2)
    labels = {PositionTitle.LEGAL_REPRESENTATIVE: "法定代表人", PositionTitle.ENTREPRENEUR: "实际控制人"}
    missing = [label for title, label in labels.items() if title not in titles]
    return Computed(share, "均已备案" if not missing else f"未备案：{'、'.join(missing)}")


@register_source("membership_good_standing", "会员资格正常（未被暂停）")
def membership_good_standing(enterprise: Organisation, chamber_id: int) -> Computed:
    statuses = set(Membership.objects.filter(
        member=enterprise, status__in=[s.value for s in OPEN_MEMBERSHIP],
    ).values_list("status", flat=True))
    if MembershipStatus.SUSPENDED in statuses:
        return Computed(NO, "存在被暂停的会员资格")
    return Computed(YES, "会员资格正常")


def compute(code: str, enterprise: Organisation, chamber_id: int) -> Computed:
    return SOURCES[code].compute(enterprise, chamber_id)
