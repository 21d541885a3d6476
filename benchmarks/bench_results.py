"""Recomputing a campaign's results at scale: set-wise SQL against the naive per-enterprise loop.

Target (issue #3): 100,000 enterprises × 40 indicators (4,000,000 answers) — dimension scores,
totals, vetoes, grades, ranks and percentiles within chamber, industry and region — in ≤ 10 s on
SQLite and on PostgreSQL, and ≥ 50× faster than the naive per-enterprise ORM loop run beside it
on the same data. Both runs are checked to give identical results.

    python benchmarks/bench_results.py                                   # SQLite, full size
    python benchmarks/bench_results.py --database-url postgres://postgres@127.0.0.1:5432/qinglian_bench
    python benchmarks/bench_results.py --no-baseline                     # set-wise only, 3 runs
    python benchmarks/bench_results.py --enterprises 300                 # smoke
"""

from __future__ import annotations

import argparse
import bisect
import random
import time
from collections import defaultdict
from typing import Any

import _setup

INDUSTRIES = ["65", "64", "51", "47", "62", "39", "58", "72"]
REGIONS = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112"]


def _spec(indicators: int) -> dict[str, Any]:
    per_dim = indicators // 4
    points = 1000 / (per_dim * 4)
    dims = []
    for d, name in enumerate(["清廉政治", "清廉经营", "清廉文化", "清廉监管"]):
        dims.append({"code": f"D{d}", "name": name, "indicators": [
            {"code": f"D{d}.{i:02d}", "name": f"指标{d}.{i}", "max_points": f"{points:.2f}",
             "method": "boolean"} for i in range(per_dim)]})
    return {"code": "BENCH", "name": "基准指标体系", "dimensions": dims,
            "negative_items": [{"code": "N01", "name": "行贿受贿"}]}


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def build_data(enterprises: int, indicators: int) -> Any:
    """Bulk-load one published-size campaign. Benchmark data only: it bypasses the actions."""
    from django.db import transaction
    from django.utils import timezone

    from qinglian.evaluation.framework_actions import do_install_framework
    from qinglian.evaluation.models import Answer, Assessment, Campaign, NegativeFinding
    from qinglian.registry.choices import OrganisationKind
    from qinglian.registry.identifiers import synthesise_uscc
    from qinglian.registry.models import Organisation

    rng = random.Random(2026)
    now = timezone.now()
    with transaction.atomic():
        fed = Organisation.objects.create(kind=OrganisationKind.FEDERATION, name="杭州市工商业联合会",
                                          region="330100")
        chambers = [Organisation.objects.create(kind=OrganisationKind.CHAMBER, name=f"第{i + 1}商会",
                                                federation=fed, region="330100") for i in range(20)]
        Organisation.objects.bulk_create(
            (Organisation(kind=OrganisationKind.ENTERPRISE, name=f"基准企业{n}", federation=fed,
                          uscc=synthesise_uscc("330100", n), region=REGIONS[n % 8],
                          industry=INDUSTRIES[(n * 7) % 8]) for n in range(enterprises)),
            batch_size=5000)
        framework = do_install_framework(fed, _spec(indicators), actor=None)  # type: ignore[arg-type]
        campaign = Campaign.objects.create(federation=fed, framework=framework, year=2026,
                                           name="基准评价", status="federation_review")
        ent_ids = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
                       .order_by("pk").values_list("pk", "region", "industry"))
        _insert(Assessment._meta.db_table,
                ["created_at", "updated_at", "campaign_id", "enterprise_id", "chamber_id", "industry",
                 "region", "status", "spot_checked", "grade", "vetoed", "revision"],
                [(now, now, campaign.pk, eid, chambers[n % 20].pk, industry, region, "reviewed",
                  False, "", False, 0) for n, (eid, region, industry) in enumerate(ent_ids)])
        assessment_ids = list(campaign.assessments.order_by("pk").values_list("pk", flat=True))
        inds = list(framework.indicators.order_by("pk").values_list("pk", "max_points"))
        rows: list[tuple[Any, ...]] = []
        for aid in assessment_ids:
            skill = rng.random()
            for iid, max_points in inds:
                score = int(max_points * 100) if rng.random() < skill else 0
                rows.append((aid, iid, "", "", "accepted", "", "", score, score, now))
            if len(rows) >= 200_000:
                _insert(Answer._meta.db_table, _ANSWER_COLUMNS, rows)
                rows = []
        if rows:
            _insert(Answer._meta.db_table, _ANSWER_COLUMNS, rows)
        item = framework.negative_items.get()
        for aid in rng.sample(assessment_ids, max(1, len(assessment_ids) // 100)):
            NegativeFinding.objects.create(assessment_id=aid, item=item, found_on=now.date(),
                                           source="基准")
    # A live database has planner statistics (PostgreSQL's autovacuum gathers them after a bulk
    # load); without them the planner guesses a few hundred answers and picks nested loops.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return campaign


_ANSWER_COLUMNS = ["assessment_id", "indicator_id", "computed_note", "note", "decision",
                   "chamber_comment", "federation_comment", "self_hundredths", "score_hundredths",
                   "updated_at"]


def naive_recompute(campaign: Any) -> None:
    """The baseline: what per-object code does — each enterprise's answers loaded and summed in
    Python, its dimension scores and result saved one by one, then ranks sorted in Python."""
    from qinglian.evaluation.choices import FAIL_GRADE
    from qinglian.evaluation.models import Answer, Assessment, DimensionScore
    from qinglian.evaluation.scoring import grade_for

    bands = list(campaign.framework.bands.values_list("name", "min_points"))
    assessments = list(Assessment.objects.filter(campaign=campaign))
    for assessment in assessments:
        dims: dict[int, int] = defaultdict(int)
        for answer in Answer.objects.filter(assessment=assessment).select_related("indicator"):
            dims[answer.indicator.dimension_id] += answer.score_hundredths
        for dimension_id, score in dims.items():
            DimensionScore.objects.update_or_create(
                assessment=assessment, dimension_id=dimension_id,
                defaults={"score_hundredths": score})
        assessment.total_hundredths = sum(dims.values())
        assessment.vetoed = assessment.findings.filter(status="confirmed").exists()
        assessment.grade = (FAIL_GRADE if assessment.vetoed
                            else grade_for(assessment.total_hundredths, bands, vetoed=False))
    for group in ("chamber_id", "industry", "region"):
        members: dict[Any, list[Any]] = defaultdict(list)
        for assessment in assessments:
            members[getattr(assessment, group)].append(assessment)
        name = group.removesuffix("_id")
        for peers in members.values():
            ordered = sorted((a.vetoed, -a.total_hundredths) for a in peers)
            for a in peers:
                k = (a.vetoed, -a.total_hundredths)
                setattr(a, f"rank_{name}", 1 + bisect.bisect_left(ordered, k))
                setattr(a, f"below_{name}", len(ordered) - bisect.bisect_right(ordered, k))
                setattr(a, f"peers_{name}", len(peers))
    for assessment in assessments:
        assessment.save()


def snapshot(campaign: Any) -> list[tuple[Any, ...]]:
    from qinglian.evaluation.models import DimensionScore

    fields = ["pk", "total_hundredths", "grade", "vetoed", *(f"{k}_{g}" for g in
              ("chamber", "industry", "region") for k in ("rank", "below", "peers"))]
    rows = list(campaign.assessments.order_by("pk").values_list(*fields))
    dims = list(DimensionScore.objects.filter(assessment__campaign=campaign)
                .order_by("assessment_id", "dimension_id")
                .values_list("assessment_id", "dimension_id", "score_hundredths"))
    return [*rows, *dims]


def reset(campaign: Any) -> None:
    from qinglian.evaluation.models import DimensionScore

    DimensionScore.objects.filter(assessment__campaign=campaign).delete()
    campaign.assessments.update(total_hundredths=None, grade="", rank_chamber=None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--database-url")
    parser.add_argument("--no-baseline", action="store_true",
                        help="只测集合计算（重复 3 次取中位数），不运行耗时很长的逐企业基线")
    args = parser.parse_args()
    _setup.configure(args.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("flush", interactive=False, verbosity=0)  # a benchmark database: start empty

    from qinglian.evaluation.results import recompute_results

    started = time.perf_counter()
    campaign = build_data(args.enterprises, args.indicators)
    load = time.perf_counter() - started
    answers = args.enterprises * (args.indicators // 4 * 4)
    print(f"数据库：{connection.vendor}；企业 {args.enterprises:,} 家 × 指标 {args.indicators} 项"
          f" = 填报 {answers:,} 条（装载 {load:.1f} s）")

    started = time.perf_counter()
    recompute_results(campaign)
    setwise = time.perf_counter() - started
    if args.no_baseline:
        runs = [setwise]
        for _ in range(2):
            started = time.perf_counter()
            recompute_results(campaign)
            runs.append(time.perf_counter() - started)
        print(f"集合计算 3 次：{', '.join(f'{r:.2f}' for r in runs)} s，中位数 "
              f"{sorted(runs)[1]:.2f} s（目标 ≤ 10 s）；未运行基线")
        return
    expected = snapshot(campaign)
    reset(campaign)

    started = time.perf_counter()
    with transaction.atomic():
        naive_recompute(campaign)
    naive = time.perf_counter() - started
    assert snapshot(campaign) == expected, "逐个计算与集合计算的结果不一致"

    print(f"{'方法':<28}{'耗时 s':>10}")
    print(f"{'集合计算（数据库内 SQL）':<24}{setwise:>10.2f}")
    print(f"{'基线：逐企业 ORM 循环':<22}{naive:>10.2f}")
    print(f"加速比 {naive / setwise:.1f}×（目标 ≥ 50×）；集合计算 {setwise:.2f} s（目标 ≤ 10 s）；"
          f"两种方法结果一致")


if __name__ == "__main__":
    main()
