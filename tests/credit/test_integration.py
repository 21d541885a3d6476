"""The blacklist reaches the other apps: partner screening lists it as a platform list (as the
public sees it: published, in force, this jurisdiction), exemplars are blocked and the
eligibility check fails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from qinglian.core.choices import Role
from qinglian.credit import listing_actions
from qinglian.credit.integration import blacklist_blocks_exemplar, blacklist_entries, blacklisted
from qinglian.screening.models import Hit, Screening
from tests.conftest import City
from tests.matrix_cases_credit_process import penalty

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 24)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


def _blacklist(city: City, enterprise: Any, *, publish: bool = True) -> Any:
    record = penalty(enterprise, today=DAY, decided=DAY - dt.timedelta(days=40))
    listing = listing_actions.do_propose_listing(
        enterprise, actor=None, list_kind="black", reasons="商业贿赂，情节严重",
        basis="《杭州市失信惩戒对象名单管理办法》第九条", records=[record],
        measures=["no_awards"], today=DAY - dt.timedelta(days=30))
    listing_actions.do_notify_listing(listing, actor=None, today=DAY - dt.timedelta(days=30))
    if publish:
        listing_actions.do_decide_listing(listing, actor=None, listed=True, today=DAY)
        listing_actions.do_publish_listing(listing, actor=None, today=DAY)
    listing.refresh_from_db()
    return listing


def test_screening_finds_a_published_blacklisting_but_not_a_proposal(city: City,
                                                                   frozen: Any) -> None:
    listed, proposed = city.enterprises[1], city.enterprises[2]
    _blacklist(city, listed)
    _blacklist(city, proposed, publish=False)
    entries = blacklist_entries(city.enterprises[0])
    assert [e.name for e in entries] == [listed.name]
    assert entries[0].uscc == listed.uscc and "第九条" in entries[0].reason

    client = city.client(Role.ENTERPRISE_USER)
    response = client.post("/screening/new/", {"name": listed.name, "threshold": "85"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "失信黑名单（本辖区公示中）" in html
    screening = Screening.objects.get()
    assert Hit.objects.filter(party__screening=screening).count() == 1

    client.post("/screening/new/", {"name": proposed.name, "threshold": "85"})
    assert not Hit.objects.filter(party__screening=Screening.objects.latest("pk")).exists()


def test_other_jurisdictions_blacklist_is_not_screened(city: City, frozen: Any) -> None:
    _blacklist(city, city.enterprises[1])
    assert blacklist_entries(city.outsider) == []


def test_blacklisting_blocks_exemplars_and_fails_eligibility_in_full(city: City,
                                                                     frozen: Any) -> None:
    enterprise = city.enterprises[1]
    listing = _blacklist(city, enterprise)
    assert blacklist_blocks_exemplar(enterprise)[0].startswith("列入黑名单（在公示期内）")
    reasons = blacklisted([enterprise, city.enterprises[2]], DAY)
    assert list(reasons) == [enterprise.pk]
    assert listing.reasons in reasons[enterprise.pk][0]  # the whole reason, never cut short
