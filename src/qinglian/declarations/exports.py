"""Excel exports of the declaration pages: the declarations, the registers per person and per
counterparty, and a round's roster (all of it, or the reminder list of who has not declared)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from qinglian.core.exports import Column

from .choices import DeclarationKind, DeclarationStatus, Direction, Disposal

KINDS = dict(DeclarationKind.choices)
DIRECTIONS = dict(Direction.choices)
STATUSES = dict(DeclarationStatus.choices)
DISPOSALS = dict(Disposal.choices)


def _money(value: Decimal | None) -> float | str:
    return float(value) if value is not None else ""


def declaration_columns(*, with_organisation: bool) -> list[Column]:
    columns = [
        Column("编号", lambda d: d.number, 14),
        Column("申报人", lambda d: d.declarant_name, 12),
        Column("部门", lambda d: d.declarant_department, 14),
        Column("岗位", lambda d: d.declarant_post, 14),
        Column("方向", lambda d: DIRECTIONS.get(d.direction, d.direction), 8),
        Column("类别", lambda d: KINDS.get(d.kind, d.kind), 10),
        Column("发生日期", lambda d: d.occurred_on, 12),
        Column("价值（元）", lambda d: _money(d.amount), 12),
        Column("内容", lambda d: d.description, 24),
        Column("对方单位或个人", lambda d: d.counterparty, 26),
        Column("事由", lambda d: d.purpose, 30),
        Column("适用门槛（元）", lambda d: _money(d.threshold), 12),
        Column("达到审批门槛", lambda d: "是" if d.above_threshold else "否", 10),
        Column("状态", lambda d: STATUSES.get(d.status, d.status), 10),
        Column("审批意见", lambda d: d.decision_note, 24),
        Column("处置方式", lambda d: DISPOSALS.get(d.disposal, "待处置" if d.needs_disposal else ""), 10),
        Column("处置日期", lambda d: d.disposed_on, 12),
    ]
    if with_organisation:
        columns.insert(0, Column("单位", lambda d: d.organisation.name, 28))
    return columns


def register_columns(first: str, *, with_organisation: bool) -> list[Column]:
    """Columns of the registers per person (``first``: 申报人) or per counterparty."""
    columns = [
        Column(first, lambda r: r["name"], 26),
        Column("申报件数", lambda r: r["count"], 10),
        Column("收受合计（元）", lambda r: _money(r["received"]), 14),
        Column("给予合计（元）", lambda r: _money(r["given"]), 14),
        Column("达到审批门槛件数", lambda r: r["above"], 14),
        Column("待审批件数", lambda r: r["pending"], 10),
        Column("最近发生日期", lambda r: r["last"], 14),
    ]
    if first == "申报人":
        columns.insert(1, Column("部门", lambda r: r["department"], 16))
    else:
        columns.append(Column("利益冲突申报中涉及（项）", lambda r: r["interests"], 16))
    if with_organisation:
        columns.insert(0, Column("单位", lambda r: r["organisation__name"], 28))
    return columns


def roster_columns(due_on: dt.date, today: dt.date) -> list[Column]:
    def state(entry: Any) -> str:
        if entry.declared_at is not None:
            return "无利益冲突" if entry.no_conflict else "已申报利益关系"
        return "逾期未申报" if today > due_on else "未申报"

    return [
        Column("姓名", lambda e: e.name, 12),
        Column("部门", lambda e: e.department, 16),
        Column("岗位", lambda e: e.post, 16),
        Column("申报情况", state, 14),
        Column("申报时间", lambda e: e.declared_at, 18),
        Column("利益关系（项）", lambda e: e.interest_count, 14),
    ]


def reminder_columns(due_on: dt.date, today: dt.date) -> list[Column]:
    late = max((today - due_on).days, 0)
    return [
        Column("姓名", lambda e: e.name, 12),
        Column("部门", lambda e: e.department, 16),
        Column("岗位", lambda e: e.post, 16),
        Column("申报截止日期", lambda e: due_on, 14),
        Column("逾期天数", lambda e: late, 10),
    ]
