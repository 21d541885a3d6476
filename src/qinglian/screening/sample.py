"""Partner screening in the sample city: the federation's external list, the demo enterprise's
own restricted list, and one screening of its suppliers with a confirmed hit and a false
positive.

Registered as a sample-city extension (``registry.sample.register_sample_extension``); every
write goes through the actions as the system (``actor=None``), so it is validated and audited.
"""

from __future__ import annotations

import datetime as dt
import random

from qinglian.core.normalise import company_names, regions_compatible
from qinglian.registry.models import Organisation
from qinglian.registry.sample import ProgressFn, SampleCity

from .actions import do_review_hit, do_screen_parties
from .choices import HitStatus
from .list_actions import do_create_watch_list, do_upload_watch_entries
from .lists import EntryLine, PartyLine
from .models import Hit
from .synthetic import NameMaker

REASONS = ("围标串标", "向采购人员行贿", "以虚假材料骗取中标", "拖欠农民工工资", "合同欺诈")


def _demo_enterprise(city: SampleCity) -> Organisation:
    name = next(a.organisation for a in city.accounts if a.username == "enterprise")
    return next(e for e in city.enterprises if e.name == name)


def _entries(names: list[str], rng: random.Random, today: dt.date) -> list[EntryLine]:
    return [EntryLine(line, name, "", rng.choice(REASONS),
                      today - dt.timedelta(days=rng.randrange(30, 700)))
            for line, name in enumerate(names, start=1)]


def build_sample_screening(city: SampleCity, rng: random.Random, today: dt.date,
                           progress: ProgressFn | None) -> None:
    maker = NameMaker(rng.randrange(1_000_000), common_share=0.0)  # names that read well
    external = do_create_watch_list(city.federation, kind="external", name="行业失信黑名单",
                                    source="市建筑业协会、市餐饮商会 2026 年通报", actor=None)
    listed = maker.names(60)
    do_upload_watch_entries(external, entries=_entries(listed, rng, today), replace=False,
                            file_name="行业失信黑名单.xlsx", actor=None)
    enterprise = _demo_enterprise(city)
    own = do_create_watch_list(enterprise, kind="own", name="本企业限制交易名单",
                               source="采购部", actor=None)
    restricted = maker.names(12)
    do_upload_watch_entries(own, entries=_entries(restricted, rng, today), replace=False,
                            file_name="限制交易名单.xlsx", actor=None)
    suppliers = [maker.variant(name)[0] for name in (*listed[:3], restricted[0])]
    elsewhere = next((n for n in company_names(restricted[1:])
                      if n.region and not regions_compatible(n.region, "上海")), None)
    if elsewhere is not None:  # a namesake in another city: a false positive to review
        suppliers.append(f"上海{elsewhere.core}有限公司")
    suppliers += maker.names(15)
    screening = do_screen_parties(
        enterprise, parties=[PartyLine(i, n) for i, n in enumerate(suppliers, start=1)],
        input_kind="paste", title="2026 年度供应商准入", actor=None)
    hits = list(Hit.objects.filter(party__screening=screening).order_by("party__line", "id"))
    if hits:
        do_review_hit(hits[0], to=HitStatus.CONFIRMED, note="与名单企业为同一主体，暂停合作",
                      actor=None)
    for hit in hits[1:]:
        if "地区不同" in hit.explanation:
            do_review_hit(hit, to=HitStatus.FALSE_POSITIVE, note="外地同名企业，与名单企业无关",
                          actor=None)
            break
