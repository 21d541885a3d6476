"""Excel exports of the credit pages: records, the dual-publicity queue and pledges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from qinglian.core.exports import Column

from .choices import (
    PledgeKind,
    PledgeStatus,
    Polarity,
    RecordCategory,
    RecordStatus,
    Severity,
    Source,
    SubjectKind,
)
from .models import CreditPledge, CreditRecord
from .record_queries import is_public

CATEGORIES = dict(RecordCategory.choices)
POLARITIES = dict(Polarity.choices)
SEVERITIES = dict(Severity.choices)
STATUSES = dict(RecordStatus.choices)
SOURCES = dict(Source.choices)
SUBJECT_KINDS = dict(SubjectKind.choices)


def _money(value: Decimal | None) -> float | str:
    return float(value) if value is not None else ""


def record_columns(today: dt.date) -> list[Column]:
    def public(record: CreditRecord) -> str:
        return "是" if is_public(record, today) else "否"

    return [
        Column("记录编号", lambda r: r.number, 16),
        Column("主体名称", lambda r: r.subject_name, 30),
        Column("统一社会信用代码", lambda r: r.subject_code, 22),
        Column("主体类型", lambda r: SUBJECT_KINDS.get(r.subject_kind, ""), 10),
        Column("类别", lambda r: CATEGORIES.get(r.category, r.category), 14),
        Column("性质", lambda r: POLARITIES.get(r.polarity, ""), 12),
        Column("失信程度", lambda r: SEVERITIES.get(r.severity, ""), 8),
        Column("信息来源", lambda r: SOURCES.get(r.source, ""), 10),
        Column("认定机关", lambda r: r.issuing_body, 24),
        Column("决定文书号", lambda r: r.decision_number, 24),
        Column("决定日期", lambda r: r.decision_date, 12),
        Column("依据", lambda r: r.legal_basis, 30),
        Column("内容", lambda r: r.content, 40),
        Column("罚没金额（元）", lambda r: _money(r.amount), 14),
        Column("状态", lambda r: STATUSES.get(r.status, r.status), 10),
        Column("公示期（月）", lambda r: r.window_months if r.to_publish else "不公示", 10),
        Column("公示起始日", lambda r: r.publish_from, 12),
        Column("公示截止日", lambda r: r.publish_until, 12),
        Column("当前对外公示", public, 10),
        Column("双公示期限", lambda r: r.publish_due, 12),
        Column("处理中的异议", lambda r: r.open_objections, 10),
    ]


def queue_columns(today: dt.date) -> list[Column]:
    def state(record: CreditRecord) -> str:
        due = record.publish_due
        return "逾期" if due is not None and due < today else "待公示"

    return [
        Column("记录编号", lambda r: r.number, 16),
        Column("类别", lambda r: CATEGORIES.get(r.category, r.category), 10),
        Column("主体名称", lambda r: r.subject_name, 30),
        Column("统一社会信用代码", lambda r: r.subject_code, 22),
        Column("决定文书号", lambda r: r.decision_number, 24),
        Column("决定日期", lambda r: r.decision_date, 12),
        Column("公示期限", lambda r: r.publish_due, 12),
        Column("状态", state, 8),
    ]


PLEDGE_KINDS = dict(PledgeKind.choices)
PLEDGE_STATUSES = dict(PledgeStatus.choices)


def pledge_columns() -> list[Column]:
    def public(pledge: CreditPledge) -> str:
        return "是" if pledge.is_public else "否"

    return [
        Column("编号", lambda p: p.number, 16),
        Column("承诺主体", lambda p: p.subject_name, 30),
        Column("统一社会信用代码", lambda p: p.subject_code, 22),
        Column("承诺类型", lambda p: PLEDGE_KINDS.get(p.kind, p.kind), 18),
        Column("标题", lambda p: p.title, 30),
        Column("承诺日期", lambda p: p.pledged_on, 12),
        Column("有效期至", lambda p: p.valid_until, 12),
        Column("对外公示", public, 8),
        Column("状态", lambda p: PLEDGE_STATUSES.get(p.status, p.status), 10),
        Column("违诺情况", lambda p: p.breach_note, 30),
    ]
