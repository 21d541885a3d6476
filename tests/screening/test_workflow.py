"""Every role against every transition of a hit's review, through the action."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from qinglian.core.choices import Role
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.screening.actions import do_review_hit, do_screen_parties
from qinglian.screening.choices import HitStatus as H
from qinglian.screening.lists import PartyLine
from qinglian.screening.models import Hit
from qinglian.screening.workflow import HIT_FLOW

from .conftest import Lists

pytestmark = pytest.mark.django_db


def _hit(city: Any, status: str) -> Hit:
    user = city.users[Role.ENTERPRISE_USER]
    screening = do_screen_parties(city.enterprises[0], parties=[PartyLine(1, "杭州清风软件有限公司")],
                                  input_kind="single", actor=user)
    hit = Hit.objects.get(party__screening=screening)
    if status != H.OPEN:
        do_review_hit(hit, to=status, note="准备", actor=user)
    return hit


@pytest.mark.parametrize(("start", "to"), list(HIT_FLOW.transitions))
@pytest.mark.parametrize("role", list(Role.values))
def test_only_the_screening_organisation_reviews(city: Any, lists: Lists, role: str, start: str,
                                                to: str) -> None:
    hit = _hit(city, start)
    if role == Role.ENTERPRISE_USER:
        do_review_hit(hit, to=to, note="复核", actor=city.users[role])
        hit.refresh_from_db()
        assert hit.status == to
    else:
        with pytest.raises(PermissionDenied):
            do_review_hit(hit, to=to, note="复核", actor=city.users[role])


@pytest.mark.parametrize(("start", "to"), [(H.CONFIRMED, H.FALSE_POSITIVE),
                                           (H.FALSE_POSITIVE, H.CONFIRMED), (H.OPEN, H.OPEN)])
def test_transitions_not_in_the_table_are_refused(city: Any, lists: Lists, start: str,
                                                  to: str) -> None:
    hit = _hit(city, start)
    with pytest.raises(TransitionNotAllowed):
        do_review_hit(hit, to=to, note="复核", actor=city.users[Role.ENTERPRISE_USER])
