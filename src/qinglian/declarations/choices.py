"""Kinds and states of declarations (申报) and conflict-of-interest rounds, and the default
thresholds above which a gift, hospitality or donation needs approval."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class DeclarationKind(models.TextChoices):
    GIFT = "gift", "礼品礼金"
    HOSPITALITY = "hospitality", "宴请招待"
    DONATION = "donation", "捐赠赞助"


class Direction(models.TextChoices):
    RECEIVED = "received", "收受"
    GIVEN = "given", "给予"


class DeclarationStatus(models.TextChoices):
    RECORDED = "recorded", "已登记"
    SUBMITTED = "submitted", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


#: States in which the declaration can still be corrected (nobody has decided on it yet).
EDITABLE = (DeclarationStatus.RECORDED, DeclarationStatus.SUBMITTED)
#: States that count in the registers (a withdrawn declaration was entered by mistake).
COUNTED = (DeclarationStatus.RECORDED, DeclarationStatus.SUBMITTED, DeclarationStatus.APPROVED,
           DeclarationStatus.REJECTED)


class Disposal(models.TextChoices):
    """What became of a received gift at or above the threshold."""

    HANDED_OVER = "handed_over", "上交"
    RETURNED = "returned", "退还"
    PURCHASED = "purchased", "折价购买"
    OTHER = "other", "其他"


#: Default thresholds (元) while an organisation has not set its own: at or above the amount a
#: declaration needs approval, below it is only recorded. Every donation or sponsorship given
#: needs approval (0 元): ISO 37001 treats them as a classic channel for bribes.
DEFAULT_THRESHOLDS: dict[tuple[str, str], Decimal] = {
    (DeclarationKind.GIFT, Direction.RECEIVED): Decimal(200),
    (DeclarationKind.GIFT, Direction.GIVEN): Decimal(200),
    (DeclarationKind.HOSPITALITY, Direction.RECEIVED): Decimal(500),
    (DeclarationKind.HOSPITALITY, Direction.GIVEN): Decimal(500),
    (DeclarationKind.DONATION, Direction.RECEIVED): Decimal(1000),
    (DeclarationKind.DONATION, Direction.GIVEN): Decimal(0),
}
#: Largest amount a declaration or threshold holds (a typing slip, not a gift, beyond it).
MAX_AMOUNT = Decimal("999999999999.99")


class RoundStatus(models.TextChoices):
    OPEN = "open", "申报中"
    CLOSED = "closed", "已结束"


class InterestHolder(models.TextChoices):
    SELF = "self", "本人"
    RELATIVE = "relative", "亲属"


class CounterpartyKind(models.TextChoices):
    VENDOR = "vendor", "供应商"
    CUSTOMER = "customer", "客户"
    COMPETITOR = "competitor", "竞争对手"
    OTHER = "other", "其他"


class InterestNature(models.TextChoices):
    SHAREHOLDING = "shareholding", "持股或投资"
    EMPLOYMENT = "employment", "任职或兼职"
    BUSINESS = "business", "业务往来"
    LENDING = "lending", "借贷或担保"
    OTHER = "other", "其他"


#: Relations of a relative, as the declaration forms list them (free text is accepted too).
RELATIONS = ("配偶", "父母", "子女", "兄弟姐妹", "配偶的父母", "子女的配偶", "其他近亲属")
