"""The risk register in the sample city: registers, overdue items, an approved round and one in
progress, published power lists — built through the actions, quickly."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from qinglian.core.audit import verify_chain
from qinglian.core.models import User
from qinglian.registry import sample as registry_sample
from qinglian.risk.choices import ListStatus, RoundStatus
from qinglian.risk.models import AlertLink, AssessmentRound, LibraryPoint, PowerList, RiskPoint
from qinglian.risk.queries import overdue_controls, overdue_reviews
from qinglian.risk.sample import build_sample_risk

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


class _Discard(Exception):
    pass


@pytest.fixture(scope="module")
def timed_city(django_db_setup: None, django_db_blocker: Any) -> Iterator[float]:
    """A small sample city with only the risk extension; yields how long the extension took."""
    took: list[float] = []

    def timed(*args: Any) -> None:
        start = time.perf_counter()
        build_sample_risk(*args)
        took.append(time.perf_counter() - start)

    saved = list(registry_sample.SAMPLE_EXTENSIONS)
    registry_sample.SAMPLE_EXTENSIONS[:] = [timed]
    try:
        with django_db_blocker.unblock(), contextlib.suppress(_Discard), transaction.atomic():
            registry_sample.build_sample_city(seed=2026, enterprises=12, today=TODAY)
            yield took[0]
            raise _Discard
    finally:
        registry_sample.SAMPLE_EXTENSIONS[:] = saved


def test_the_extension_is_registered() -> None:
    assert build_sample_risk in registry_sample.SAMPLE_EXTENSIONS


def test_registers_with_overdue_items(timed_city: float) -> None:
    assert timed_city < 5, f"示例风险台账用时 {timed_city:.1f} 秒"
    assert LibraryPoint.objects.count() == 48
    counts = dict(RiskPoint.objects.values_list("organisation__name").annotate(n=Count("id")))
    assert len(counts) == 8 and all(10 <= n <= 16 for n in counts.values())
    enterprise = User.objects.get(username="enterprise")
    assert overdue_controls(enterprise, TODAY).exists()
    assert overdue_reviews(enterprise, TODAY).exists()
    # Alerts are linked by the monitoring sample (a real confirmed alert), not here.
    assert not AlertLink.objects.filter(point__organisation=enterprise.organisation).exists()


def test_rounds_and_power_lists(timed_city: float) -> None:
    enterprise = User.objects.get(username="enterprise")
    rounds = AssessmentRound.objects.filter(organisation=enterprise.organisation)
    assert sorted(rounds.values_list("status", flat=True)) == [
        RoundStatus.APPROVED, RoundStatus.IN_PROGRESS]
    chamber = User.objects.get(username="chamber")
    assert AssessmentRound.objects.get(organisation=chamber.organisation).status == "approved"
    current = rounds.get(status=RoundStatus.IN_PROGRESS)
    assert current.leader == enterprise
    assert current.items.filter(assessed_at__isnull=False).count() == 4
    lists = PowerList.objects.filter(organisation=enterprise.organisation)
    assert sorted(lists.values_list("kind", "status")) == [
        ("negative", ListStatus.PUBLISHED), ("power", ListStatus.DRAFT),
        ("power", ListStatus.PUBLISHED)]
    assert verify_chain().ok
