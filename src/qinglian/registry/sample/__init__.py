"""The sample city: 杭州市 with its federation, chambers, departments and member enterprises.

Everything is built through the registry and core actions with ``actor=None`` — the system —
so each record is validated and audited exactly like real data, and the audit chain verifies.
One ``random.Random(seed)`` drives every choice: the same seed and reference day give the same
city, name for name and code for code.

The dates the actions stamp themselves (发布时间, 申请时间, 入会时间, the audit trail) are the
moment of seeding, as when paper records are entered into the platform; the business dates
(成立日期, 入会日期, 签署时间, 任职日期, 退会日期) are spread over the years before the reference day.

    lexicon.py   words and codes (Faker zh_CN + data/sample_city.json), Particulars
    plans.py     every enterprise decided before anything is written
    builder.py   the writes, through the actions, in the order things happen
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .builder import CityBuilder, ProgressFn
from .city import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DemoAccount,
    SampleCity,
    SampleCityError,
    database_is_empty,
    demo_accounts,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERNAMES",
    "MIN_ENTERPRISES",
    "SAMPLE_EXTENSIONS",
    "DemoAccount",
    "ProgressFn",
    "SampleCity",
    "SampleCityError",
    "build_sample_city",
    "database_is_empty",
    "demo_accounts",
    "register_sample_extension",
]

#: Later apps add their part of the sample city (campaigns, credit records…) without the
#: registry importing them: each registers ``extend(city, rng, today, progress)`` in its
#: AppConfig.ready(); they run in registration order inside the same transaction.
SampleExtension = Callable[[SampleCity, random.Random, dt.date, "ProgressFn | None"], None]
SAMPLE_EXTENSIONS: list[SampleExtension] = []


def register_sample_extension(fn: SampleExtension) -> SampleExtension:
    if fn not in SAMPLE_EXTENSIONS:
        SAMPLE_EXTENSIONS.append(fn)
    return fn


#: Enough for every chamber to have members and one application to be pending.
MIN_ENTERPRISES = 10


def build_sample_city(
    seed: int = 2026, enterprises: int = 600, progress: ProgressFn | None = None,
    today: dt.date | None = None,
) -> SampleCity:
    """Build the sample city in one transaction — all of it or nothing — into an empty
    database. ``progress(stage, done, total)`` is called as the work goes on."""
    if enterprises < MIN_ENTERPRISES:
        raise SampleCityError(f"示例城市至少需要 {MIN_ENTERPRISES} 家企业")
    if not database_is_empty():
        raise SampleCityError("数据库中已有数据，示例城市只能导入空数据库")
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets
    day = today or timezone.localdate()
    with transaction.atomic():
        city = CityBuilder(rng, day, progress).build(enterprises)
        for extend in SAMPLE_EXTENSIONS:
            extend(city, rng, day, progress)
        return city
