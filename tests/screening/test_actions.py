"""Screening through the real actions: USCC first, names, lists in scope, suppression, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.screening.actions import do_review_hit, do_screen_parties
from qinglian.screening.lists import PartyLine
from qinglian.screening.models import Hit, Suppression

from .conftest import LISTED_USCC, Lists

pytestmark = pytest.mark.django_db


def _screen(city: Any, *names: str | tuple[str, str], role: str = Role.ENTERPRISE_USER,
            organisation: Any = None) -> Any:
    parties = [PartyLine(i, *(n if isinstance(n, tuple) else (n,)))
               for i, n in enumerate(names, start=1)]
    return do_screen_parties(organisation or city.users[role].organisation, parties=parties,
                             input_kind="paste", actor=city.users[role])


def test_name_variant_hits_own_list_with_the_reason(city: Any, lists: Lists) -> None:
    screening = _screen(city, "清风软件（杭州）有限公司", "杭州明德食品有限公司")
    assert (screening.party_count, screening.hit_count, screening.flagged_count) == (2, 1, 1)
    hit = Hit.objects.get(party__screening=screening)
    assert hit.entry_name == "杭州清风软件有限公司"
    assert hit.list_name == "本企业限制交易名单"
    assert hit.method == "name" and hit.score == 100
    assert "地区前缀“杭州”" in hit.explanation and "名称主体“清风软件”相同" in hit.explanation
    assert hit.entry_reason == "围标串标（2025年采购项目）"
    assert screening.lists_used[0]["name"] == "本企业限制交易名单"


def test_uscc_first_even_when_the_name_differs(city: Any, lists: Lists) -> None:
    screening = _screen(city, ("华信国际商贸有限公司", LISTED_USCC))
    hit = Hit.objects.get(party__screening=screening)
    assert hit.method == "uscc" and hit.score == 100
    assert hit.entry_name == "宁波华信贸易有限公司" and hit.list_name == "行业失信黑名单"
    assert "统一社会信用代码相同" in hit.explanation


def test_other_federations_lists_are_not_used(city: Any, lists: Lists) -> None:
    screening = _screen(city, "温州东方海纳进出口有限公司")
    assert screening.hit_count == 0
    assert {u["name"] for u in screening.lists_used} == {"本企业限制交易名单", "行业失信黑名单",
                                                         "失信黑名单（本辖区公示中）"}


def test_chamber_does_not_use_the_enterprises_own_list(city: Any, lists: Lists) -> None:
    screening = _screen(city, "杭州清风软件有限公司", "宁波华信贸易有限公司",
                        role=Role.CHAMBER_OFFICER)
    assert screening.hit_count == 1  # the federation's external list only


def test_false_positive_is_remembered_and_counted(city: Any, lists: Lists) -> None:
    user = city.users[Role.ENTERPRISE_USER]
    first = _screen(city, "上海清风软件有限公司")
    hit = Hit.objects.get(party__screening=first)
    assert "地区不同" in hit.explanation and hit.score == 90
    with pytest.raises(ValidationError):
        do_review_hit(hit, to="false_positive", actor=user)  # a reason is required
    do_review_hit(hit, to="false_positive", note="不同城市的同名企业", actor=user)
    assert Suppression.objects.filter(organisation=city.enterprises[0], lifted_at=None).count() == 1
    second = _screen(city, "上海 清风软件 有限公司")
    assert (second.hit_count, second.suppressed_count) == (0, 1)
    assert second.parties.get().suppressed_count == 1
    do_review_hit(hit, to="open", actor=user)  # reopened: the suppression is lifted
    third = _screen(city, "上海清风软件有限公司")
    assert (third.hit_count, third.suppressed_count) == (1, 0)


def test_review_is_audited_and_scoped(city: Any, lists: Lists) -> None:
    hit = Hit.objects.get(party__screening=_screen(city, "杭州清风软件有限公司"))
    with pytest.raises(PermissionDenied):
        do_review_hit(hit, to="confirmed", actor=city.users[Role.AUDITOR])
    with pytest.raises(PermissionDenied):
        do_review_hit(hit, to="confirmed", actor=city.users[Role.FEDERATION_OFFICER])
    do_review_hit(hit, to="confirmed", note="确认为名单企业", actor=city.users[Role.ENTERPRISE_USER])
    hit.refresh_from_db()
    assert hit.status == "confirmed" and hit.confirmed_at is not None
    assert AuditRecord.objects.filter(event="hit.confirmed", object_id=str(hit.pk)).exists()
    assert AuditRecord.objects.filter(event="screening.screened").count() == 1


def test_bad_list_stores_nothing(city: Any, lists: Lists) -> None:
    with pytest.raises(ValidationError) as caught:
        _screen(city, "杭州清风软件有限公司", ("某某公司", "91330106MA000CT71X"), "杭州清风软件有限公司")
    messages = caught.value.message_dict["parties"]
    assert any("第 2 行" in m and "统一社会信用代码有误" in m for m in messages)
    assert any("第 3 行" in m and "与第 1 行重复" in m for m in messages)
    assert not Hit.objects.exists()


def test_cannot_screen_for_another_organisation(city: Any, lists: Lists) -> None:
    with pytest.raises(PermissionDenied):
        _screen(city, "杭州清风软件有限公司", organisation=city.enterprises[1])


def test_expired_entries_are_not_screened(city: Any, lists: Lists) -> None:
    import datetime as dt

    from qinglian.screening.list_actions import do_add_watch_entry

    do_add_watch_entry(lists.own, name="杭州过期建材有限公司", listed_on=dt.date(2024, 1, 1),
                       expires_on=dt.date(2025, 1, 1), actor=city.users[Role.ENTERPRISE_USER])
    screening = _screen(city, "杭州过期建材有限公司")
    assert screening.hit_count == 0
    assert screening.lists_used[0]["entries"] == 2  # the expired entry is not counted
