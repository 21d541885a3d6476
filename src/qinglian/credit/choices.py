"""Kinds and states of the credit system (信用体系): records, windows, ratings, red and black
lists, objections, repair and pledges."""

from __future__ import annotations

from django.db import models


class SubjectKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    PRACTITIONER = "practitioner", "从业人员"


class Polarity(models.TextChoices):
    POSITIVE = "positive", "守信（正面）"
    NEGATIVE = "negative", "失信（负面）"
    NEUTRAL = "neutral", "一般信息"


class RecordCategory(models.TextChoices):
    # positive
    HONOUR = "honour", "荣誉表彰"
    AWARD = "award", "奖励"
    EXEMPLAR = "exemplar", "示范企业"
    PLEDGE_KEPT = "pledge_kept", "守信践诺"
    # neutral (dual publicity)
    LICENCE = "licence", "行政许可"
    # negative
    PENALTY = "penalty", "行政处罚"
    JUDGMENT = "judgment", "失信被执行（法院判决）"
    INDUSTRY_SANCTION = "industry_sanction", "行业惩戒"
    WAGE_ARREARS = "wage_arrears", "拖欠工资"
    PLEDGE_BREACH = "pledge_breach", "违背信用承诺"


#: The polarity each category carries (the record's polarity is derived, never entered).
CATEGORY_POLARITY: dict[str, str] = {
    RecordCategory.HONOUR: Polarity.POSITIVE,
    RecordCategory.AWARD: Polarity.POSITIVE,
    RecordCategory.EXEMPLAR: Polarity.POSITIVE,
    RecordCategory.PLEDGE_KEPT: Polarity.POSITIVE,
    RecordCategory.LICENCE: Polarity.NEUTRAL,
    RecordCategory.PENALTY: Polarity.NEGATIVE,
    RecordCategory.JUDGMENT: Polarity.NEGATIVE,
    RecordCategory.INDUSTRY_SANCTION: Polarity.NEGATIVE,
    RecordCategory.WAGE_ARREARS: Polarity.NEGATIVE,
    RecordCategory.PLEDGE_BREACH: Polarity.NEGATIVE,
}
NEGATIVE_CATEGORIES = tuple(c for c, p in CATEGORY_POLARITY.items() if p == Polarity.NEGATIVE)
#: Categories under the dual-publicity (双公示) deadline of 7 working days.
DUAL_PUBLICITY_CATEGORIES = (RecordCategory.LICENCE, RecordCategory.PENALTY)
DUAL_PUBLICITY_WORKDAYS = 7
#: Due-process clocks (working days) while a federation has not set its own (CreditPolicy).
DEFAULT_OBJECTION_WINDOW_DAYS = 10
DEFAULT_OBJECTION_HANDLING_DAYS = 7
DEFAULT_REPAIR_HANDLING_DAYS = 15


class Severity(models.TextChoices):
    MINOR = "minor", "轻微"
    ORDINARY = "ordinary", "一般"
    SERIOUS = "serious", "严重"


class WindowKind(models.TextChoices):
    """What a publication-window rule applies to: one per severity of a negative record, and
    one for positive and neutral records."""

    MINOR = "minor", "轻微失信信息"
    ORDINARY = "ordinary", "一般失信信息"
    SERIOUS = "serious", "严重失信信息"
    OTHER = "other", "守信及一般信息"


#: (publish?, minimum months, maximum months) — the national credit-repair rules in force from
#: 2026: minor — not published, or at most 3 months; ordinary — at least 3 months, at most a
#: year; serious — at least a year, at most 3 years. Positive and licence information: 3 years.
DEFAULT_WINDOWS: dict[str, tuple[bool, int, int]] = {
    WindowKind.MINOR: (False, 0, 3),
    WindowKind.ORDINARY: (True, 3, 12),
    WindowKind.SERIOUS: (True, 12, 36),
    WindowKind.OTHER: (True, 0, 36),
}


class RecordStatus(models.TextChoices):
    RECORDED = "recorded", "待公示"
    PUBLISHED = "published", "公示中"
    REPAIRED = "repaired", "已信用修复"
    REVOKED = "revoked", "已撤销"


class Source(models.TextChoices):
    ADMINISTRATIVE = "administrative", "行政机关"
    COURT = "court", "人民法院"
    INDUSTRY = "industry", "行业组织"
    PLATFORM = "platform", "本平台"


class ListKind(models.TextChoices):
    RED = "red", "红名单"
    BLACK = "black", "黑名单"


class ListingStatus(models.TextChoices):
    PROPOSED = "proposed", "已提议"
    NOTIFIED = "notified", "已告知"
    LISTED = "listed", "决定列入"
    REJECTED = "rejected", "决定不列入"
    PUBLISHED = "published", "已公布"
    REMOVED = "removed", "已移出"


#: Listings in force: in the public view while inside their effective and expiry dates.
LISTING_IN_FORCE = (ListingStatus.PUBLISHED,)
LISTING_OPEN = (ListingStatus.PROPOSED, ListingStatus.NOTIFIED, ListingStatus.LISTED)


class ListingOrigin(models.TextChoices):
    OFFICER = "officer", "工作人员提议"
    RULE = "rule", "规则生成"


class RemovalReason(models.TextChoices):
    EXPIRED = "expired", "期满移出"
    REPAIRED = "repaired", "信用修复"
    REVOKED = "revoked", "撤销决定"


class Measure(models.TextChoices):
    """Joint incentives (red list) and joint punishments (blacklist)."""

    GREEN_CHANNEL = "green_channel", "办事绿色通道"
    PRIORITY = "priority", "评优评先优先推荐"
    FEWER_CHECKS = "fewer_checks", "减少检查频次"
    PUBLICITY = "publicity", "宣传推介"
    NO_AWARDS = "no_awards", "取消评优评先资格"
    NO_NOMINATION = "no_nomination", "不得推荐为代表人士"
    STRICTER_CHECKS = "stricter_checks", "加强日常监管检查"
    NO_FUNDING = "no_funding", "限制享受扶持政策"


MEASURES_BY_LIST: dict[str, tuple[str, ...]] = {
    ListKind.RED: (Measure.GREEN_CHANNEL, Measure.PRIORITY, Measure.FEWER_CHECKS,
                   Measure.PUBLICITY),
    ListKind.BLACK: (Measure.NO_AWARDS, Measure.NO_NOMINATION, Measure.STRICTER_CHECKS,
                     Measure.NO_FUNDING),
}


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "处理中"
    CORRECTED = "corrected", "已更正"
    UPHELD = "upheld", "维持原记录"
    WITHDRAWN = "withdrawn", "已撤回"


class RepairStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已准予修复"
    REJECTED = "rejected", "不予修复"


class PledgeStatus(models.TextChoices):
    ACTIVE = "active", "履行中"
    FULFILLED = "fulfilled", "已履行"
    BREACHED = "breached", "已违诺"
    WITHDRAWN = "withdrawn", "已撤回"


class PledgeKind(models.TextChoices):
    GENERAL = "general", "主动型信用承诺"
    REPAIR = "repair", "信用修复承诺"
    ADMISSION = "admission", "告知承诺（审批替代型）"
    INDUSTRY = "industry", "行业自律承诺"


class RatingLetter(models.TextChoices):
    A = "A", "A（守信）"
    B = "B", "B（基本守信）"
    C = "C", "C（失信风险）"
    D = "D", "D（严重失信）"


class DocumentKind(models.TextChoices):
    CONVENTION = "convention", "行业公约"
    ETHICS_CODE = "ethics_code", "职业道德准则"
    ANNUAL_REPORT = "annual_report", "年度自律报告"
