"""Declarations fixtures: the `city` (tests/conftest.py) and helpers that write through the real
actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.declarations import actions, round_actions
from qinglian.declarations.models import ConflictRound, Declaration
from qinglian.registry.models import Organisation
from tests.conftest import City, make_user

DAY = dt.date(2026, 3, 10)


def declare(organisation: Organisation, actor: User | None = None, **overrides: Any) -> Declaration:
    """A declaration with sensible defaults: a gift of 300 元 received by 王建国 of 采购部."""
    fields: dict[str, Any] = {
        "declarant_name": "王建国", "declarant_department": "采购部", "declarant_post": "采购经理",
        "kind": "gift", "direction": "received", "occurred_on": DAY,
        "amount": Decimal(300), "description": "茶叶两盒", "counterparty": "杭州清风软件有限公司",
        "purpose": "春节走访",
    }
    fields.update(overrides)
    return actions.do_declare(organisation, actor=actor, today=DAY, **fields)


def open_round(organisation: Organisation, actor: User | None = None, *, year: int = 2026,
               due_on: dt.date = dt.date(2026, 3, 31),
               people: tuple[tuple[str, str], ...] = (("王建国", "采购部"), ("李丽", "财务部"),
                                                      ("张伟", "销售部"))) -> ConflictRound:
    conflict_round = round_actions.do_open_conflict_round(organisation, year=year,
                                                          due_on=due_on, actor=actor)
    for name, department in people:
        round_actions.do_add_roster_entry(conflict_round, name=name, department=department,
                                          actor=actor)
    return conflict_round


def interest(**overrides: Any) -> dict[str, Any]:
    values = {"holder": "relative", "holder_name": "王小明", "relation": "子女",
              "counterparty": "杭州瓯江贸易有限公司", "counterparty_kind": "vendor",
              "nature": "shareholding", "detail": "持股 30%", "measures": "回避该供应商的采购事项"}
    values.update(overrides)
    return values


@pytest.fixture
def second_enterprise_user(city: City) -> User:
    """Another user of the enterprise (its approver when the first is the declarant)."""
    return make_user("enterprise2", Role.ENTERPRISE_USER, city.enterprises[0])
