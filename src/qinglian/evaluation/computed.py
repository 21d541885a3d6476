"""Indicators that fill themselves in from platform data (评分方法“平台数据自动计算”).

Each source answers, for a batch of (enterprise, reviewing chamber) pairs, a share of the
indicator's maximum (0–1) and the reason in Chinese. Sources work on batches so that opening a
campaign of any size costs a fixed number of queries per source. Sources that later apps provide
(training records, hotline handling) register themselves here with ``register_source``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from qinglian.registry.choices import (
    OPEN_MEMBERSHIP,
    CommitmentStatus,
    MembershipStatus,
    PartyOrgForm,
    PositionTitle,
)
from qinglian.registry.models import Commitment, Membership, Organisation, Position, Signature


@dataclass(frozen=True)
class Computed:
    share: Decimal
    note: str


Pairs = Sequence[tuple[Organisation, int]]
BatchFn = Callable[[Pairs], dict[int, Computed]]


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    compute_many: BatchFn


SOURCES: dict[str, Source] = {}


def register_source(code: str, name: str) -> Callable[[BatchFn], BatchFn]:
    def decorator(fn: BatchFn) -> BatchFn:
        SOURCES[code] = Source(code, name, fn)
        return fn

    return decorator


def source_choices() -> list[tuple[str, str]]:
    return [(source.code, source.name) for source in SOURCES.values()]


YES, NO = Decimal(1), Decimal(0)


@register_source("commitment_signed", "已签署所在商会现行清廉承诺书")
def commitment_signed(pairs: Pairs) -> dict[int, Computed]:
    """Pledge signed and current: the signature must be of the chamber's published version."""
    current = {c.organisation_id: c for c in Commitment.objects.filter(
        organisation_id__in={chamber for _, chamber in pairs}, status=CommitmentStatus.PUBLISHED)}
    signed = {(s.commitment_id, s.member_id): s for s in Signature.objects.filter(
        commitment__in=list(current.values()), member_id__in=[e.pk for e, _ in pairs])}
    found: dict[int, Computed] = {}
    for enterprise, chamber_id in pairs:
        commitment = current.get(chamber_id)
        signature = signed.get((commitment.pk, enterprise.pk)) if commitment else None
        if commitment is None:
            found[enterprise.pk] = Computed(NO, "所在商会尚未发布承诺书")
        elif signature is None:
            found[enterprise.pk] = Computed(NO, f"未签署现行第 {commitment.version} 版承诺书")
        else:
            found[enterprise.pk] = Computed(
                YES, f"已于 {signature.signed_at:%Y-%m-%d} 签署第 {commitment.version} 版承诺书")
    return found


@register_source("party_org_present", "已建立党组织（含联合、挂靠组建）")
def party_org_present(pairs: Pairs) -> dict[int, Computed]:
    return {e.pk: Computed(NO, "未建立党组织") if e.party_org_form == PartyOrgForm.NONE
            else Computed(YES, f"党组织：{e.get_party_org_form_display()}") for e, _ in pairs}


@register_source("party_liaison", "已明确党建联络员")
def party_liaison(pairs: Pairs) -> dict[int, Computed]:
    return {e.pk: Computed(NO, "未明确党建联络员") if e.party_liaison_id is None
            else Computed(YES, "已明确党建联络员") for e, _ in pairs}


@register_source("key_posts_recorded", "法定代表人、实际控制人信息已备案")
def key_posts_recorded(pairs: Pairs) -> dict[int, Computed]:
    labels = {PositionTitle.LEGAL_REPRESENTATIVE: "法定代表人", PositionTitle.ENTREPRENEUR: "实际控制人"}
    held: dict[int, set[str]] = {}
    for org_id, title in Position.objects.filter(
            organisation_id__in=[e.pk for e, _ in pairs], end_on__isnull=True,
            title__in=list(labels)).values_list("organisation_id", "title"):
        held.setdefault(org_id, set()).add(title)
    found = {}
    for enterprise, _ in pairs:
        titles = held.get(enterprise.pk, set())
        missing = [label for title, label in labels.items() if title not in titles]
        found[enterprise.pk] = Computed(Decimal(len(titles)) / Decimal(2),
                                        "均已备案" if not missing else f"未备案：{'、'.join(missing)}")
    return found


@register_source("membership_good_standing", "会员资格正常（未被暂停）")
def membership_good_standing(pairs: Pairs) -> dict[int, Computed]:
    suspended = set(Membership.objects.filter(
        member_id__in=[e.pk for e, _ in pairs], status=MembershipStatus.SUSPENDED,
    ).values_list("member_id", flat=True))
    assert MembershipStatus.SUSPENDED in OPEN_MEMBERSHIP
    return {e.pk: Computed(NO, "存在被暂停的会员资格") if e.pk in suspended
            else Computed(YES, "会员资格正常") for e, _ in pairs}


def compute_many(code: str, pairs: Pairs) -> dict[int, Computed]:
    """Enterprise id → what the source says, for every pair."""
    return SOURCES[code].compute_many(pairs)
