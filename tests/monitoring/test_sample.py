"""Early-warning data in the sample city: ledgers and a public-procurement dataset loaded through
the real intake, every rule run, alerts part-way through handling — the same for the same seed.

The smallest city (``MIN_ENTERPRISES``) with the risk register (whose procurement point the
confirmed split purchase is linked to) and this extension, built twice (the first build
rolled back) so that the second can be compared with the first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from qinglian.core.audit import verify_chain
from qinglian.core.models import AuditRecord, User
from qinglian.monitoring import sample as monitoring_sample
from qinglian.monitoring.calendar import non_working_days
from qinglian.monitoring.choices import AlertResolution, AlertStatus, LoadStatus, RunStatus
from qinglian.monitoring.engine import all_rules
from qinglian.monitoring.intake import store
from qinglian.monitoring.models import Alert, DatasetVersion, Run
from qinglian.monitoring.sample import build_sample_monitoring
from qinglian.monitoring.sample.ledgers import Calendar
from qinglian.monitoring.schemas import DatasetKind
from qinglian.registry import sample as registry_sample
from qinglian.registry.models import Organisation
from qinglian.risk.choices import RoundStatus
from qinglian.risk.models import AlertLink, RoundItem
from qinglian.risk.sample import build_sample_risk

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)
LEDGER_RULES = sorted(rule.code for rule in all_rules() if "ledger" in rule.tags)
OCDS_RULES = sorted(rule.code for rule in all_rules() if "ocds" in rule.tags)
LEDGER_KINDS = sorted(k for k in DatasetKind.values if k != DatasetKind.OCDS)


class _Discard(Exception):
    """Raised to roll a built city back."""


@dataclass
class Built:
    seconds: float  # the extension's share of the second build
    earlier_alerts: list[tuple[Any, ...]]
    earlier_sources: list[tuple[Any, ...]]
    earlier_pks: list[int]
    earlier_fingerprints: list[str]


def _alerts() -> list[tuple[Any, ...]]:
    return list(Alert.objects.order_by("number").values_list(
        "organisation__name", "number", "rule_code", "group", "subject", "value", "status",
        "resolution", "occurred_on"))


def _sources() -> list[tuple[Any, ...]]:
    return list(DatasetVersion.objects.order_by("pk").values_list(
        "dataset__organisation__name", "dataset__kind", "source_name", "source_sha256", "rows"))


def _fingerprints() -> list[str]:
    return list(Alert.objects.order_by("number").values_list("fingerprint", flat=True))


@contextlib.contextmanager
def _extensions(*extensions: Any) -> Iterator[None]:
    saved = list(registry_sample.SAMPLE_EXTENSIONS)
    registry_sample.SAMPLE_EXTENSIONS[:] = list(extensions)
    try:
        yield
    finally:
        registry_sample.SAMPLE_EXTENSIONS[:] = saved


def _build() -> None:
    registry_sample.build_sample_city(seed=2026, enterprises=registry_sample.MIN_ENTERPRISES,
                                      today=TODAY)


# The test that needs an empty database comes first: the module's city (below) lives from its
# first use to the end of the module.

def test_a_failed_load_leaves_no_city_and_no_files(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that fails midway rolls the whole seed back; the versions written are removed."""
    def broken_run(run_id: int) -> None:
        raise RuntimeError("规则引擎不可用")

    monkeypatch.setattr(monitoring_sample, "execute_run", broken_run)
    with override_settings(QINGLIAN_HOME=tmp_path), _extensions(build_sample_monitoring), \
            pytest.raises(RuntimeError, match="规则引擎不可用"):
        _build()
    assert not Organisation.objects.exists()
    assert not DatasetVersion.objects.exists()
    assert not list((tmp_path / "datasets").glob("*/*/v*"))
    assert not list((tmp_path / "monitoring" / "runs").glob("*"))


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    took: list[float] = []

    def timed(*args: Any) -> None:
        start = time.perf_counter()
        build_sample_monitoring(*args)
        took.append(time.perf_counter() - start)

    home = tmp_path_factory.mktemp("sample-home")
    with _extensions(build_sample_risk, timed), override_settings(QINGLIAN_HOME=home), \
            django_db_blocker.unblock():
        with contextlib.suppress(_Discard), transaction.atomic():
            _build()
            earlier = (_alerts(), _sources(),
                       list(Organisation.objects.order_by("pk").values_list("pk", flat=True)),
                       _fingerprints())
            raise _Discard
        with contextlib.suppress(_Discard), transaction.atomic():
            _build()
            yield Built(took[-1], *earlier)
            raise _Discard


def _user(username: str) -> User:
    return User.objects.select_related("organisation").get(username=username)


def test_the_extension_is_registered() -> None:
    assert build_sample_monitoring in registry_sample.SAMPLE_EXTENSIONS


def test_ledgers_and_procurement_data_are_ready_versions(built: Built) -> None:
    assert built.seconds < 60, f"示例监测数据用时 {built.seconds:.1f} 秒"
    enterprise, fed = _user("enterprise"), _user("fed")
    ready = DatasetVersion.objects.filter(status=LoadStatus.READY, version=1)
    mine = {v.dataset.kind: v for v in ready.filter(dataset__organisation=enterprise.organisation)
            .select_related("dataset")}
    assert sorted(mine) == LEDGER_KINDS
    assert all(v.rows > 0 and v.bad_rows == 0 and v.profile for v in mine.values())
    assert mine[DatasetKind.PAYMENTS].rows >= 500
    first_paid = mine[DatasetKind.PAYMENTS].date_min
    assert first_paid is not None and TODAY - dt.timedelta(days=600) < first_paid
    for version in mine.values():
        assert all(path.exists() for path in store.version_files(version).values())
        assert Path(settings.QINGLIAN_HOME) in store.absolute(version.path).parents
    ocds = ready.get(dataset__organisation=fed.organisation, dataset__kind=DatasetKind.OCDS)
    assert 150 <= ocds.rows <= 300 and ocds.profile["tables"]["ocds_bids"] > ocds.rows
    # the demo enterprise, two other members and the federation; a few thousand rows in all
    assert DatasetVersion.objects.values("dataset__organisation").distinct().count() == 4
    assert 2000 < sum(DatasetVersion.objects.values_list("rows", flat=True)) < 6000
    assert not DatasetVersion.objects.exclude(status=LoadStatus.READY).exists()


def test_every_rule_ran_and_found_its_planted_flags(built: Built) -> None:
    enterprise, fed = _user("enterprise"), _user("fed")
    runs = Run.objects.order_by("pk")
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED] * 4
    assert sorted(runs.get(organisation=fed.organisation).rules) == OCDS_RULES
    for organisation in {r.organisation for r in runs} - {fed.organisation}:
        flagged = set(Alert.objects.filter(organisation=organisation)
                      .values_list("rule_code", flat=True))
        assert sorted(flagged) == LEDGER_RULES, organisation.name
    demo = Alert.objects.filter(organisation=enterprise.organisation)
    assert 20 <= demo.count() <= 60  # the planted cases, not a flood
    assert sorted(set(Alert.objects.filter(organisation=fed.organisation)
                      .values_list("rule_code", flat=True))) == OCDS_RULES
    # every L005 payment fell on a non-working day; the one on a make-up working Saturday
    # (调休上班日) is a working day and was not flagged
    rest = dict(non_working_days(range(2025, 2027)))
    holiday_hits = dict(demo.filter(rule_code="L005").values_list("subject", "occurred_on"))
    assert holiday_hits and all(day in rest for day in holiday_hits.values())
    make_up = Calendar.ending(TODAY).make_up_days()[0]
    payments = DatasetVersion.objects.get(dataset__organisation=enterprise.organisation,
                                          dataset__kind=DatasetKind.PAYMENTS)
    on_make_up = {row[0] for row in duckdb.connect().execute(
        "SELECT payment_id FROM read_parquet(?) WHERE paid_on = ? AND amount >= 10000",
        [str(store.version_files(payments)["payments"]), make_up]).fetchall()}
    assert on_make_up and not on_make_up & set(holiday_hits)


def test_alerts_are_part_way_through_handling(built: Built) -> None:
    enterprise, fed = _user("enterprise"), _user("fed")
    for user in (enterprise, fed):
        alerts = Alert.objects.filter(organisation=user.organisation)
        statuses = set(alerts.values_list("status", "resolution"))
        assert {(AlertStatus.NEW, ""), (AlertStatus.ASSIGNED, ""),
                (AlertStatus.INVESTIGATING, ""), (AlertStatus.CLOSED, AlertResolution.CONFIRMED),
                (AlertStatus.CLOSED, AlertResolution.FALSE_POSITIVE)} <= statuses
        handled = alerts.exclude(status=AlertStatus.NEW)
        assert all(a.assignee == user and a.due_on for a in handled)
        assert all(a.resolution_note for a in alerts.filter(status=AlertStatus.CLOSED))
    split = Alert.objects.get(organisation=enterprise.organisation, rule_code="L001",
                              resolution=AlertResolution.CONFIRMED)
    assert split.linked_risk_point is not None
    assert AlertLink.objects.filter(point=split.linked_risk_point, source="monitoring",
                                    reference=split.number).exists()
    # The link is the register's only one, and it raised the point in this year's open round.
    assert AlertLink.objects.filter(point__organisation=enterprise.organisation).count() == 1
    item = RoundItem.objects.get(point=split.linked_risk_point,
                                 round__status=RoundStatus.IN_PROGRESS)
    assert item.likelihood == min(5, item.prior_likelihood + 1)
    report = verify_chain()
    assert report.ok, report.reason
    assert not AuditRecord.objects.filter(actor__isnull=False).exists()  # all by the system


def test_the_same_seed_gives_the_same_data_and_alerts(built: Built) -> None:
    assert _sources() == built.earlier_sources
    assert _alerts() == built.earlier_alerts
    assert len(built.earlier_alerts) > 80
    if list(Organisation.objects.order_by("pk").values_list("pk", flat=True)) == built.earlier_pks:
        assert _fingerprints() == built.earlier_fingerprints  # fingerprints include the pk


def test_demo_users_see_their_own_populated_pages(built: Built) -> None:
    enterprise, fed = _user("enterprise"), _user("fed")
    for user, own, foreign in ((enterprise, "L001", "R024"), (fed, "R024", "L001")):
        client = Client()
        client.force_login(user)
        datasets = client.get(reverse("monitoring_dataset_list"))
        assert datasets.status_code == 200
        shown = Alert.objects.filter(organisation=user.organisation, rule_code=own).first()
        hidden = Alert.objects.exclude(organisation=user.organisation).filter(
            rule_code=foreign).first()
        assert shown is not None and hidden is not None
        for alert, present in ((shown, True), (hidden, False)):
            listed = client.get(reverse("monitoring_alert_list"), {"q": alert.number})
            link = reverse("monitoring_alert_detail", args=[alert.pk])
            assert listed.status_code == 200 and (link in listed.content.decode()) is present
        dashboard = client.get(reverse("monitoring_dashboard"))
        assert dashboard.status_code == 200 and own in dashboard.content.decode()
    payments = DatasetVersion.objects.get(dataset__organisation=enterprise.organisation,
                                          dataset__kind=DatasetKind.PAYMENTS)
    client = Client()
    client.force_login(enterprise)
    assert "付款记录" in client.get(reverse("monitoring_dataset_list")).content.decode()
    page = client.get(reverse("monitoring_dataset_version", args=[payments.pk]))
    assert page.status_code == 200 and f"{payments.rows}" in page.content.decode()
