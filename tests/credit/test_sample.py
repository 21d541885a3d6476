"""The credit part of the sample city: a realistic mix of records, the dual-publicity queue,
pledges, red and black lists through due process, an objection each way, a repair each way,
chamber documents and ratings — audited as the system, and nothing personal on the portal.

One small city (40 enterprises, as in tests/test_sample_city.py) for the whole module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from qinglian.core.audit import verify_chain
from qinglian.core.models import AuditRecord, User
from qinglian.credit.choices import (
    ListingStatus,
    ListKind,
    ObjectionStatus,
    RecordCategory,
    RecordStatus,
    RemovalReason,
    RepairStatus,
)
from qinglian.credit.models import (
    ChamberDocument,
    CreditPledge,
    CreditRecord,
    Listing,
    Objection,
    Rating,
    RepairApplication,
)
from qinglian.credit.process_queries import my_credit
from qinglian.credit.queries import public_listings_q, public_records_q
from qinglian.credit.record_queries import due_soon_items, overdue_items
from qinglian.registry.models import Organisation, Person
from qinglian.registry.sample import SampleCity, build_sample_city
from tests.portal.test_pii import crawl, personal_data

pytestmark = pytest.mark.django_db

ENTERPRISES = 40
TODAY = dt.date(2026, 11, 24)
NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


class _Discard(Exception):
    """Rolls the module's city back when its tests are done."""


MEDIA: dict[str, Path] = {}


@pytest.fixture(scope="module")
def sample(django_db_setup: None, django_db_blocker: Any,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleCity]:
    MEDIA["root"] = tmp_path_factory.mktemp("sample-media")
    with (time_machine.travel(NOON, tick=False), override_settings(MEDIA_ROOT=MEDIA["root"]),
          django_db_blocker.unblock(), contextlib.suppress(_Discard), transaction.atomic()):
        yield build_sample_city(seed=2026, enterprises=ENTERPRISES, today=TODAY)
        raise _Discard


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOON, tick=False):
        yield


def test_records_are_a_realistic_mix(sample: SampleCity) -> None:
    records = CreditRecord.objects.filter(federation=sample.federation)
    assert 100 <= records.count() <= 160
    categories = set(records.values_list("category", flat=True))
    assert categories >= {c.value for c in RecordCategory} - {RecordCategory.PLEDGE_KEPT}
    penalties = records.filter(category=RecordCategory.PENALTY)
    assert set(penalties.values_list("severity", flat=True)) == {"minor", "ordinary", "serious"}
    bodies = set(penalties.values_list("issuing_body", flat=True))
    assert {"杭州市市场监督管理局", "杭州市生态环境局", "杭州市应急管理局"} <= bodies
    assert any("税务局" in b for b in bodies) and any("人力资源" in b for b in bodies)
    numbers = records.exclude(category=RecordCategory.PLEDGE_BREACH).values_list(
        "decision_number", flat=True)
    assert all("〔" in n or n.startswith(("JY", "（")) for n in numbers)
    assert not records.filter(decision_date__gt=TODAY).exists()
    assert records.filter(decision_date__lt=TODAY - dt.timedelta(days=2 * 365)).exists()
    statuses = Counter(records.values_list("status", flat=True))
    assert statuses[RecordStatus.PUBLISHED] > records.count() * 0.7
    assert statuses[RecordStatus.REVOKED] >= 2 and statuses[RecordStatus.REPAIRED] == 1
    # minor information stays internal (the window rule says "not published")
    assert records.filter(severity="minor", status=RecordStatus.RECORDED).exists()
    # some published records have left their window: out of the public view
    expired = records.filter(status=RecordStatus.PUBLISHED, publish_until__lt=TODAY)
    assert expired.exists()
    assert not records.filter(public_records_q(TODAY), pk__in=expired).exists()
    assert not records.filter(subject_kind="practitioner").exists()


def test_dual_publicity_queue_has_overdue_and_due_soon_items(sample: SampleCity) -> None:
    fed = User.objects.get(username="fed")
    overdue, soon = overdue_items(fed, TODAY), due_soon_items(fed, TODAY)
    assert 1 <= overdue.count() <= 3
    assert soon.count() >= 1
    published = CreditRecord.objects.filter(dual_publicity=True, publish_from__isnull=False)
    on_time = [r for r in published
               if r.publish_due and r.publish_from and r.publish_from <= r.publish_due]
    assert len(on_time) > published.count() * 0.8


def test_pledges_and_the_breach(sample: SampleCity) -> None:
    pledges = CreditPledge.objects.filter(federation=sample.federation, kind__in=["general",
                                                                                  "industry"])
    assert pledges.values("organisation").distinct().count() >= 25
    assert set(pledges.values_list("kind", flat=True)) == {"general", "industry"}
    breached = pledges.get(status="breached")
    record = CreditRecord.objects.get(pledge=breached)
    assert record.category == RecordCategory.PLEDGE_BREACH
    assert record.status == RecordStatus.PUBLISHED


def test_lists_went_through_due_process(sample: SampleCity) -> None:
    listings = Listing.objects.filter(federation=sample.federation)
    in_force = listings.filter(public_listings_q(TODAY))
    black = in_force.filter(list_kind=ListKind.BLACK)
    assert black.count() >= 3
    assert all(listing.measures and listing.records.exists() for listing in black)
    assert all(listing.notified_at and listing.listed_at for listing in black)
    red = in_force.filter(list_kind=ListKind.RED)
    assert red.exists() and all(r.rule_code == "RL-A-BENCHMARK" for r in red)
    proposed = listings.get(status=ListingStatus.PROPOSED)
    assert proposed.rule_code == "BL-D-SERIOUS"
    notified = listings.get(status=ListingStatus.NOTIFIED)
    assert notified.objection_due is not None and notified.objection_due >= TODAY
    removed = listings.get(status=ListingStatus.REMOVED)
    assert removed.removal_reason == RemovalReason.REPAIRED
    expired = listings.filter(status=ListingStatus.PUBLISHED, expires_on__lt=TODAY)
    assert expired.count() == 1


def test_objections_and_repairs(sample: SampleCity) -> None:
    open_one = Objection.objects.get(status=ObjectionStatus.OPEN)
    assert open_one.record is not None and open_one.due_on >= TODAY
    assert open_one.record.open_objections == 1 and open_one.files.count() == 1
    upheld = Objection.objects.get(status=ObjectionStatus.UPHELD)
    assert upheld.listing is not None and upheld.listing.status == ListingStatus.PUBLISHED
    approved = RepairApplication.objects.get(status=RepairStatus.APPROVED)
    assert approved.record.status == RecordStatus.REPAIRED
    assert not CreditRecord.objects.filter(public_records_q(TODAY), pk=approved.record_id).exists()
    assert approved.pledge.kind == "repair"
    pending = RepairApplication.objects.get(status=RepairStatus.SUBMITTED)
    assert pending.record.status == RecordStatus.PUBLISHED and pending.files.exists()


def test_documents_ratings_and_the_demo_enterprise(sample: SampleCity, settings: Any) -> None:
    settings.MEDIA_ROOT = MEDIA["root"]
    kinds = set(ChamberDocument.objects.filter(is_public=True).values_list("kind", flat=True))
    assert {"convention", "annual_report"} <= kinds
    for document in ChamberDocument.objects.all():
        assert document.file.read(5) == b"%PDF-"
    enterprises = Organisation.objects.filter(kind="enterprise", federation=sample.federation)
    current = Rating.objects.filter(is_current=True, organisation__in=enterprises)
    assert current.count() == enterprises.count()
    assert {"A", "B", "D"} <= set(current.values_list("rating", flat=True))
    demo = User.objects.get(username="enterprise")
    page = my_credit(demo, TODAY)
    assert any(r.is_negative and r.repair_eligible for r in page["records"])
    assert page["rating"] is not None and page["pledges"]


def test_audited_as_the_system_and_the_chain_verifies(sample: SampleCity) -> None:
    report = verify_chain()
    assert report.ok, report.reason
    assert not AuditRecord.objects.filter(actor__isnull=False).exists()
    assert AuditRecord.objects.filter(event="listing.published").count() >= 4
    assert AuditRecord.objects.filter(event="credit_repair.approved").count() == 1


def test_no_personal_data_on_the_portal(sample: SampleCity, settings: Any) -> None:
    settings.PORTAL_SEARCH_RATE = settings.PORTAL_VERIFY_RATE = settings.PORTAL_REPORT_RATE = "0"
    settings.MEDIA_ROOT = MEDIA["root"]
    cache.clear()
    usccs = {u for u in Organisation.objects.values_list("uscc", flat=True) if u}
    listed = sorted({u for u in Listing.objects.values_list("subject_code", flat=True) if u})
    seeds = ["/portal/", "/portal/blacklist/", "/portal/redlist/", "/portal/sanctions/",
             "/portal/documents/", *(f"/portal/enterprises/{u}/" for u in listed)]
    started = time.perf_counter()
    pages = crawl(Client(), seeds)
    cache.clear()
    leaks = {path: found for path, text in pages.items() if (found := personal_data(text, usccs))}
    assert not leaks, leaks
    names = {n for n in Person.objects.values_list("name", flat=True) if len(n) >= 3}
    org_text = "".join(Organisation.objects.values_list("name", flat=True))
    named = {path: [n for n in names - {""} if n not in org_text and n in text]
             for path, text in pages.items()}
    assert not {p: n for p, n in named.items() if n}
    blacklist = pages["/portal/blacklist/"]
    for listing in Listing.objects.filter(public_listings_q(TODAY), list_kind=ListKind.BLACK):
        assert listing.subject_name in blacklist
    assert len(pages) > 20, f"{len(pages)} pages in {time.perf_counter() - started:.1f} s"
