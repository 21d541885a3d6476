"""The sample city's declarations: made through the actions, a mix of states, this year's
conflict round partly declared, reproducible, and the audit chain intact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from qinglian.core.audit import verify_chain
from qinglian.core.models import User
from qinglian.declarations.choices import DeclarationStatus as S
from qinglian.declarations.choices import RoundStatus
from qinglian.declarations.models import ConflictRound, Declaration, Threshold
from qinglian.declarations.queries import pending_disposal_q
from qinglian.registry.sample import build_sample_city

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def _declarations() -> list[tuple[object, ...]]:
    return list(Declaration.objects.order_by("organisation__name", "number").values_list(
        "organisation__name", "number", "declarant_name", "amount", "counterparty", "status"))


def test_the_sample_city_has_declarations_in_every_state() -> None:
    sid = transaction.savepoint()
    build_sample_city(seed=7, enterprises=12, today=TODAY)
    first = _declarations()
    transaction.savepoint_rollback(sid)
    build_sample_city(seed=7, enterprises=12, today=TODAY)
    assert _declarations() == first  # the same seed, the same declarations
    assert len(first) > 30 and len({row[4] for row in first}) > 8
    enterprise = User.objects.get(username="enterprise").organisation
    assert Declaration.objects.filter(organisation=enterprise).count() >= 8
    states = set(Declaration.objects.values_list("status", flat=True))
    assert {S.RECORDED, S.SUBMITTED, S.APPROVED} <= states  # some pending approval
    assert Declaration.objects.exclude(disposal="").exists()
    assert Declaration.objects.filter(pending_disposal_q()).exists()
    assert Threshold.objects.filter(organisation=enterprise, kind="hospitality").exists()
    this_year = ConflictRound.objects.get(organisation=enterprise, year=TODAY.year)
    declared = this_year.entries.filter(declared_at__isnull=False).count()
    assert 0 < declared < this_year.entries.count()  # partly declared
    last_year = ConflictRound.objects.get(organisation=enterprise, year=TODAY.year - 1)
    assert last_year.status == RoundStatus.CLOSED
    assert not last_year.entries.filter(declared_at__isnull=True).exists()
    assert ConflictRound.objects.filter(year=TODAY.year, due_on__lt=TODAY).exists()  # overdue
    assert verify_chain().ok
