"""Early-warning data in the sample city (大数据监测预警示例数据).

Registered as a sample-city extension (``registry.sample.register_sample_extension``), so
``qinglian demo`` and ``qinglian seed`` build it in the same transaction as the city:

* the demo enterprise and two other member enterprises upload their ledgers (vendors, staff,
  purchase orders, payments, tenders, bids, contracts, amendments: about 18 months, a few
  thousand rows in all) with a handful of planted red flags for every ledger rule
  (``ledgers`` and ``red_flags``);
* the federation uploads a public-procurement dataset: OCDS compiled releases of 杭州市 buyers,
  planted so that every OCDS indicator has hits (``procurement``);
* each organisation runs all its rules; the demo enterprise's and the federation's alerts are
  then partly handled, assigned to the demo users ``enterprise`` and ``fed`` (``handling``).

Everything goes through the real path, as the system (``actor=None``, like every sample
extension: the audit trail shows the seed, not a person): ``do_upload_dataset`` → ``do_confirm_mapping`` → the
load job (``perform_load``, run here synchronously) → an immutable Parquet version under
``QINGLIAN_HOME`` with its profile; ``do_start_run`` → ``execute_run`` (synchronously, no
background thread) → alerts; the handling actions. The random choices come from a generator
derived from (not drawn from) the city's, so the same seed gives the same ledgers and alerts.

If anything fails the seed's transaction rolls back; the version and run directories this
extension wrote are removed before the error goes on. (A version directory left by a rolled
back seed would in any case be unreferenced and replaced by the next load that gets its
number.)
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.conf import settings

from qinglian.core.models import User
from qinglian.registry.models import Organisation
from qinglian.registry.sample import ProgressFn, SampleCity

from ..choices import LoadStatus, RunStatus
from ..engine import all_rules
from ..intake import store
from ..intake.load import perform_load
from ..intake_actions import do_confirm_mapping, do_upload_dataset
from ..models import DatasetVersion, Run
from ..run_actions import do_start_run, execute_run
from ..schemas import DatasetKind
from . import red_flags
from .handling import ENTERPRISE_PLAN, FEDERATION_PLAN, handle_alerts, link_to_risk_register
from .ledgers import LEDGER_KINDS, Calendar, LedgerMaker, csv_bytes
from .procurement import ReleaseMaker, releases_jsonl

STAGE = "大数据监测预警"
#: Other member enterprises with ledgers besides the demo enterprise.
OTHER_ENTERPRISES = 2
#: Member enterprises taking part in the public-procurement sample as tenderers.
MEMBER_TENDERERS = 12


class SampleMonitoringError(RuntimeError):
    """A sample load or run did not finish (its message says why)."""


class MonitoringSample:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng, self.today = rng, today
        self.calendar = Calendar.ending(today)
        self.written: list[Path] = []

    def load(self, organisation: Organisation, kind: str, name: str,
             content: bytes) -> DatasetVersion:
        """Upload, confirm the suggested column mapping, and load at once."""
        version = do_upload_dataset(organisation, kind, name=name, chunks=[content], actor=None)
        do_confirm_mapping(version, dict(version.mapping), actor=None, queue=False)
        perform_load(version.pk)
        version.refresh_from_db()
        if version.path:
            self.written.append(store.absolute(version.path))
        if version.status != LoadStatus.READY:
            raise SampleMonitoringError(f"示例数据“{name}”导入失败：{version.message}")
        return version

    def run(self, organisation: Organisation, tag: str) -> Run:
        codes = [rule.code for rule in all_rules() if tag in rule.tags]
        run = do_start_run(organisation, rules=codes, actor=None, queue=False)
        self.written.append(Path(settings.QINGLIAN_HOME) / "monitoring" / "runs" / str(run.pk))
        execute_run(run.pk)
        run.refresh_from_db()
        if run.status != RunStatus.SUCCEEDED:
            raise SampleMonitoringError(f"示例规则运行失败：{run.message}")
        return run

    def ledgers(self, enterprise: Organisation, number: int, *, full: bool) -> None:
        maker = LedgerMaker(self.rng, self.calendar, 1.4 if full else 0.6,
                            uscc_base=800_000 + 1000 * number)
        maker.staff()
        maker.suppliers()
        maker.purchases()
        maker.tendering()
        red_flags.ring(maker, 4 if full else 3)
        red_flags.plant(maker, full=full)
        maker.renumber()
        span = f"{self.calendar.start:%Y%m}-{self.today:%Y%m}"
        for kind in LEDGER_KINDS:
            self.load(enterprise, kind, f"{DatasetKind(kind).label}台账_{span}.csv",
                      csv_bytes(kind, maker.rows[kind]))
        self.run(enterprise, "ledger")

    def public_procurement(self, federation: Organisation, members: list[Organisation]) -> None:
        releases = ReleaseMaker(self.rng, self.calendar,
                                [(m.name, m.uscc) for m in members if m.uscc]).build()
        self.load(federation, DatasetKind.OCDS,
                  f"杭州市政府采购_OCDS_{self.calendar.start:%Y%m}-{self.today:%Y%m}.jsonl",
                  releases_jsonl(releases))
        self.run(federation, "ocds")

    def remove_written(self) -> None:
        for path in self.written:
            store.remove_tree(path)


def build_sample_monitoring(city: SampleCity, rng: random.Random, today: dt.date,
                            progress: ProgressFn | None) -> None:
    # A generator of its own, derived from the city's without drawing from it.
    copy = random.Random()  # noqa: S311 - sample data, not secrets
    copy.setstate(rng.getstate())
    local = random.Random(f"monitoring:{copy.random()}")  # noqa: S311
    users = {u.username: u for u in User.objects.filter(username__in=("enterprise", "fed"))
             .select_related("organisation")}
    enterprise_user, fed_user = users.get("enterprise"), users.get("fed")
    demo = enterprise_user.organisation if enterprise_user is not None else None
    others = [e for e in city.enterprises if demo is None or e.pk != demo.pk]
    chosen = ([demo] if demo is not None else []) + local.sample(others, OTHER_ENTERPRISES)
    total = len(chosen) + 1

    def report(done: int) -> None:
        if progress is not None:
            progress(STAGE, done, total)

    sample = MonitoringSample(local, today)
    try:
        for done, enterprise in enumerate(chosen, 1):
            sample.ledgers(enterprise, done, full=enterprise == demo)
            report(done)
        sample.public_procurement(city.federation, city.enterprises[:MEMBER_TENDERERS])
        if demo is not None and enterprise_user is not None:
            confirmed = handle_alerts(demo, enterprise_user, ENTERPRISE_PLAN)
            split = next((a for a in confirmed if a.rule_code == "L001"), None)
            if split is not None:
                link_to_risk_register(split)
        if fed_user is not None:
            handle_alerts(city.federation, fed_user, FEDERATION_PLAN)
        report(total)
    except BaseException:
        sample.remove_written()
        raise
