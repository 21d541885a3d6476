"""Screening fixtures: the city, with restricted lists made through the real actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from qinglian.core.choices import Role
from qinglian.screening.list_actions import do_add_watch_entry, do_create_watch_list
from qinglian.screening.models import WatchList

#: A valid credit code that is on the enterprise's restricted list.
LISTED_USCC = "91330106MA000CT71P"


@dataclass
class Lists:
    own: WatchList  # the enterprise's own restricted list
    external: WatchList  # the federation's external list (applies to the jurisdiction)
    outsider: WatchList  # the other federation's external list


def make_lists(city: Any) -> Lists:
    ent_user = city.users[Role.ENTERPRISE_USER]
    fed_user = city.users[Role.FEDERATION_OFFICER]
    own = do_create_watch_list(city.enterprises[0], kind="own", name="本企业限制交易名单",
                               source="采购部", actor=ent_user)
    do_add_watch_entry(own, name="杭州清风软件有限公司", reason="围标串标（2025年采购项目）",
                       actor=ent_user)
    do_add_watch_entry(own, name="浙江瑞丰建筑工程有限公司", actor=ent_user)
    external = do_create_watch_list(city.federation, kind="external", name="行业失信黑名单",
                                    source="市行业协会 2026 年第 3 期", actor=fed_user)
    do_add_watch_entry(external, name="宁波华信贸易有限公司", uscc=LISTED_USCC,
                       reason="行贿被判刑", actor=fed_user)
    outsider = do_create_watch_list(city.other_federation, kind="external", name="外辖区名单",
                                    actor=None)
    do_add_watch_entry(outsider, name="温州东方海纳进出口有限公司", actor=None)
    return Lists(own, external, outsider)


@pytest.fixture
def lists(city: Any) -> Lists:
    return make_lists(city)
