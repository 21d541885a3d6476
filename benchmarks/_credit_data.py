"""Bulk credit data for benchmarks: a federation, chambers, enterprises with valid USCCs and
pinyin initials, their memberships, published integrity grades for some, and credit records
of every category and severity — most published and inside their window, some expired, some
repaired, some never published.

Benchmark data only: it bypasses the actions (no audit trail, no hooks) and fills the current,
migrated database with multi-row inserts (``COPY`` on PostgreSQL). Used by
``bench_credit_ratings.py`` and the portal's benchmark.

    from _credit_data import build_credit_data
    stats = build_credit_data(enterprises=100_000, records=1_000_000)
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

SURNAMES = ["华信", "恒达", "博远", "天成", "金桥", "瑞丰", "安泰", "宏图", "汇通", "嘉禾", "鼎盛",
            "中科", "青山", "海纳", "东方", "明德", "新源", "立诚", "正泰", "永安"]
MIDDLES = ["智能", "科技", "电子", "建设", "物流", "食品", "医药", "纺织", "机械", "数据", "环保",
           "新材料", "文化", "能源", "农业", "软件"]
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司"]
CITY = ("杭州", "330100")
REGIONS = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112"]
INDUSTRIES = ["65", "64", "51", "47", "62", "39", "58", "72"]
CHAMBERS = ["杭州市互联网商会", "杭州市温州商会", "杭州市建筑业协会", "杭州市物流行业协会",
            "杭州市医药行业协会", "杭州市餐饮行业协会"]
ISSUERS = ["杭州市市场监督管理局", "杭州市人力资源和社会保障局", "杭州市中级人民法院",
           "杭州市生态环境局", "杭州市税务局"]

#: (category, polarity, weight); negative categories draw a severity.
CATEGORIES = [("honour", "positive", 12), ("award", "positive", 10), ("exemplar", "positive", 2),
              ("pledge_kept", "positive", 12), ("licence", "neutral", 35),
              ("penalty", "negative", 18), ("judgment", "negative", 3),
              ("industry_sanction", "negative", 3), ("wage_arrears", "negative", 3),
              ("pledge_breach", "negative", 2)]
SEVERITIES = [("minor", 55), ("ordinary", 35), ("serious", 10)]
#: (publish?, window months) per window kind, as DEFAULT_WINDOWS fixes at entry.
WINDOWS = {"minor": (False, 0), "ordinary": (True, 12), "serious": (True, 36), "": (True, 36)}
GRADES = [("标杆", 10), ("优秀", 30), ("达标", 45), ("不达标", 15)]


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                               rows)


def _add_months(day: dt.date, months: int) -> dt.date:
    from qinglian.credit.windows import add_months

    return add_months(day, months)


def _enterprise_rows(fed_id: int, count: int, now: dt.datetime,
                     rng: random.Random) -> list[tuple[Any, ...]]:
    from qinglian.registry import industries
    from qinglian.registry.identifiers import name_initials, name_pinyin, synthesise_uscc

    initials = {w: name_initials(w) for w in [*SURNAMES, *MIDDLES, *SUFFIXES, CITY[0]]}
    pinyin = {w: name_pinyin(w) for w in initials}
    rows = []
    for n in range(count):
        parts = [CITY[0], SURNAMES[n % 20], MIDDLES[(n // 20) % 16], SUFFIXES[n % 3]]
        serial = f"{n:06d}"
        name = f"{parts[0]}{parts[1]}{parts[2]}{serial}{parts[3]}"
        industry = INDUSTRIES[rng.randrange(8)]
        rows.append((
            now, now, "enterprise", name, f"{parts[1]}{parts[2]}",
            synthesise_uscc(CITY[1], 10_000 + n),
            (initials[parts[0]] + initials[parts[1]] + initials[parts[2]] + serial
             + initials[parts[3]])[:128],
            " ".join([pinyin[parts[0]], pinyin[parts[1]], pinyin[parts[2]], serial,
                      pinyin[parts[3]]])[:512],
            fed_id, REGIONS[rng.randrange(8)], "", "", "", industry,
            industries.SECTION_OF.get(industry, ""), "private", "", "none", 0, False, "", ""))
    return rows


ORG_COLUMNS = ["created_at", "updated_at", "kind", "name", "short_name", "uscc", "name_initials",
               "name_pinyin", "federation_id", "region", "address", "chamber_kind",
               "hometown_region", "industry", "industry_section", "ownership", "size",
               "party_org_form", "party_member_count", "is_group_member", "contact_phone",
               "description"]
RECORD_COLUMNS = [
    "created_at", "updated_at", "federation_id", "number", "subject_kind", "organisation_id",
    "subject_name", "subject_code", "category", "polarity", "severity", "source", "issuing_body",
    "decision_number", "decision_date", "legal_basis", "content", "status", "to_publish",
    "window_months", "min_months", "dual_publicity", "publish_due", "publish_from",
    "publish_until", "repair_from", "published_at", "repaired_at", "open_objections"]
MIN_MONTHS = {"minor": 0, "ordinary": 3, "serious": 12}


def _record_row(n: int, fed_id: int, ent: tuple[int, str, str], today: dt.date,
                now: dt.datetime, rng: random.Random) -> tuple[tuple[Any, ...], str]:
    """One record and its fate (public / expired / repaired / unpublished)."""
    category, polarity = rng.choices([(c, p) for c, p, _ in CATEGORIES],
                                     weights=[w for _, _, w in CATEGORIES])[0]
    severity = (rng.choices([s for s, _ in SEVERITIES], weights=[w for _, w in SEVERITIES])[0]
                if polarity == "negative" else "")
    publish, months = WINDOWS[severity]
    fate = rng.random()
    # most decisions are recent enough to be inside their window; about 12 % lie before it
    if fate < 0.12 and publish:
        decided = today - dt.timedelta(days=months * 31 + rng.randrange(1, 400))
    else:
        decided = today - dt.timedelta(days=rng.randrange(1, max(2, months * 28 or 60)))
    status, published_at, repaired_at = "published", now, None
    if not publish or 0.12 <= fate < 0.15:
        status, published_at = "recorded", None
    elif polarity == "negative" and 0.15 <= fate < 0.20:
        status, repaired_at = "repaired", now
    until = _add_months(decided, months) if publish else None
    dual = category in ("licence", "penalty")
    row = (now, now, fed_id, f"XY{today.year}-{n:07d}", "enterprise", ent[0], ent[1], ent[2],
           category, polarity, severity, "administrative", ISSUERS[n % len(ISSUERS)],
           f"杭市监罚〔{decided.year}〕{n % 9000 + 1}号", decided, "依据有关法律法规", "基准记录",
           status, publish, months if publish else 0,
           MIN_MONTHS.get(severity, 0) if publish else 0, dual,
           decided + dt.timedelta(days=9) if dual else None,
           decided if status != "recorded" else None, until,
           _add_months(decided, MIN_MONTHS[severity]) if polarity == "negative" else None,
           published_at, repaired_at, 0)
    kept = status == "published" and publish and until is not None and until >= today >= decided
    return row, "public" if kept else status if status != "published" else "expired"


def _grades(fed_id: int, chambers: list[int], ents: list[tuple[int, str, str]], today: dt.date,
            now: dt.datetime, rng: random.Random) -> int:
    """A published campaign of last year grading about half of the enterprises."""
    from qinglian.evaluation.framework_actions import do_install_framework
    from qinglian.evaluation.models import Assessment, Campaign
    from qinglian.registry.models import Organisation

    spec = {"code": "BENCH-CREDIT", "name": "基准指标体系", "negative_items": [],
            "dimensions": [{"code": "D0", "name": "清廉经营", "indicators": [
                {"code": "D0.01", "name": "合规经营", "max_points": "1000",
                 "method": "boolean"}]}]}
    fed = Organisation.objects.get(pk=fed_id)
    framework = do_install_framework(fed, spec, actor=None)  # type: ignore[arg-type]
    campaign = Campaign.objects.create(federation=fed, framework=framework, year=today.year - 1,
                                       name="基准年度评价", status="published")
    graded = ents[::2]
    _insert(Assessment._meta.db_table,
            ["created_at", "updated_at", "campaign_id", "enterprise_id", "chamber_id", "industry",
             "region", "status", "spot_checked", "grade", "vetoed", "revision", "published_at"],
            [(now, now, campaign.pk, eid, chambers[i % len(chambers)], "", "", "published",
              False, rng.choices([g for g, _ in GRADES], weights=[w for _, w in GRADES])[0],
              False, 1, now) for i, (eid, _, _) in enumerate(graded)])
    return len(graded)


def build_credit_data(*, enterprises: int, records: int, seed: int = 7) -> dict[str, Any]:
    """Fill the database; return the federation's and chambers' ids, the enterprises' ids and
    counts of records by fate (``public`` = inside its window today)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from qinglian.credit.models import CreditRecord
    from qinglian.registry.models import Membership, Organisation

    rng = random.Random(seed)
    now, today = timezone.now(), timezone.localdate()
    fates: dict[str, int] = {}
    with transaction.atomic():
        fed = Organisation.objects.create(kind="federation", name="杭州市工商业联合会",
                                          region=CITY[1])
        chambers = [Organisation.objects.create(kind="chamber", name=name, federation=fed,
                                                region=CITY[1], chamber_kind="industry")
                    for name in CHAMBERS]
        org_table = Organisation._meta.db_table
        rows = _enterprise_rows(fed.pk, enterprises, now, rng)
        for start in range(0, len(rows), 20_000):
            _insert(org_table, ORG_COLUMNS, rows[start:start + 20_000])
        ents = list(Organisation.objects.filter(federation=fed, kind="enterprise")
                    .order_by("pk").values_list("pk", "name", "uscc"))
        chamber_ids = [c.pk for c in chambers]
        _insert(Membership._meta.db_table,
                ["created_at", "updated_at", "member_id", "organisation_id", "role", "status",
                 "joined_on", "note"],
                [(now, now, eid, chamber_ids[i % len(chamber_ids)], "member", "admitted",
                  today - dt.timedelta(days=400), "") for i, (eid, _, _) in enumerate(ents)])
        graded = _grades(fed.pk, chamber_ids, ents, today, now, rng) if ents else 0
        batch: list[tuple[Any, ...]] = []
        for n in range(records):
            # a few enterprises carry many records; most carry some; some carry none
            ent = ents[min(int(rng.paretovariate(1.2)) - 1, len(ents) - 1)
                       if rng.random() < 0.1 else rng.randrange(len(ents))]
            row, fate = _record_row(n + 1, fed.pk, ent, today, now, rng)
            fates[fate] = fates.get(fate, 0) + 1
            batch.append(row)
            if len(batch) >= 50_000:
                _insert(CreditRecord._meta.db_table, RECORD_COLUMNS, batch)
                batch = []
        _insert(CreditRecord._meta.db_table, RECORD_COLUMNS, batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"federation_id": fed.pk, "chamber_ids": chamber_ids,
            "enterprise_ids": [e[0] for e in ents], "enterprises": len(ents),
            "records": records, "records_by_fate": fates, "graded": graded, "today": today}
