"""Recomputing every credit rating: set-wise SQL against the naive per-enterprise ORM loop.

Target (issue #4): 100,000 enterprises and 1,000,000 credit records — all ratings recomputed
in ≤ 30 s set-wise, ≥ 50× faster than the naive per-enterprise loop run beside it on the same
data. Both runs are checked to give identical ratings and contributing factors.

    python benchmarks/bench_credit_ratings.py                                 # SQLite, full size
    python benchmarks/bench_credit_ratings.py --database-url postgres://postgres@127.0.0.1:5432/qinglian_bench
    python benchmarks/bench_credit_ratings.py --sample 5000    # baseline on 5,000, extrapolated
    python benchmarks/bench_credit_ratings.py --enterprises 300 --records 3000   # smoke
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from typing import Any

import _setup


def naive_recompute(federation_id: int, today: Any, ids: list[int] | None = None) -> int:
    """The baseline: what per-object code does — each enterprise's public records loaded and
    counted in Python, its latest published grade looked up, its current rating compared and,
    when it changed, the old row flipped and the new row and lines saved one by one."""
    from django.db.models import F

    from qinglian.credit.models import CreditRecord, Rating, RatingLine
    from qinglian.credit.queries import public_records_q
    from qinglian.credit.rating_actions import active_model
    from qinglian.credit.ratings import MAX_POINTS, MIN_POINTS, letter_for
    from qinglian.evaluation.models import Assessment
    from qinglian.registry.models import Organisation

    model = active_model(federation_id)
    factors = {(f.category, f.severity): f for f in model.factors.all()}
    grade_points = dict(model.grade_factors.values_list("grade", "points"))
    bands = list(model.bands.values_list("rating", "min_points"))
    enterprises = Organisation.objects.filter(federation_id=federation_id, kind="enterprise")
    if ids is not None:
        enterprises = enterprises.filter(pk__in=ids)
    changed = 0
    for ent in enterprises.order_by("pk"):
        counts = Counter((r.category, r.severity) for r in CreditRecord.objects.filter(
            public_records_q(today), organisation=ent, subject_kind="enterprise"))
        lines = []
        for key, n in counts.items():
            factor = factors.get(key)
            if factor is not None and factor.points:
                kept = min(n, factor.cap)
                lines.append((factor.category, factor.severity, "", kept, factor.points * kept))
        latest = (Assessment.objects.filter(enterprise=ent, status="published")
                  .order_by("-campaign__year", F("published_at").desc(nulls_last=True), "-id")
                  .first())
        grade = latest.grade if latest is not None else ""
        if grade_points.get(grade):
            lines.append(("", "", grade, 1, grade_points[grade]))
        points = max(MIN_POINTS, min(MAX_POINTS, model.base_points + sum(x[4] for x in lines)))
        letter = letter_for(points, bands)
        old = Rating.objects.filter(organisation=ent, is_current=True).first()
        if old is not None and (old.model_id, old.points, old.rating, old.grade) == (
                model.pk, points, letter, grade) and sorted(lines) == sorted(
                old.lines.values_list("category", "severity", "grade", "count", "points")):
            continue
        if old is not None:
            old.is_current = False
            old.save(update_fields=["is_current"])
        rating = Rating.objects.create(organisation=ent, model=model, points=points,
                                       rating=letter, grade=grade, computed_at=_now())
        RatingLine.objects.bulk_create(
            RatingLine(rating=rating, category=c, severity=s, grade=g, count=k, points=p)
            for c, s, g, k, p in lines)
        changed += 1
    return changed


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def snapshot(ids: list[int] | None = None) -> list[tuple[Any, ...]]:
    """Every current rating with its factors, in a comparable form."""
    from qinglian.credit.models import Rating, RatingLine

    ratings = Rating.objects.filter(is_current=True)
    lines = RatingLine.objects.filter(rating__is_current=True)
    if ids is not None:
        ratings = ratings.filter(organisation_id__in=ids)
        lines = lines.filter(rating__organisation_id__in=ids)
    by_org: dict[int, list[tuple[Any, ...]]] = {}
    for row in lines.values_list("rating__organisation_id", "category", "severity", "grade",
                                 "count", "points"):
        by_org.setdefault(row[0], []).append(row[1:])
    return [(*row, tuple(sorted(by_org.get(row[0], []))))
            for row in ratings.order_by("organisation_id").values_list(
                "organisation_id", "model_id", "points", "rating", "grade")]


def reset(ids: list[int] | None = None) -> None:
    from django.db import connection

    from qinglian.credit.models import Rating, RatingLine

    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(f"DELETE FROM {RatingLine._meta.db_table}")
            cursor.execute(f"DELETE FROM {Rating._meta.db_table}")
        else:
            RatingLine.objects.filter(rating__organisation_id__in=ids).delete()
            Rating.objects.filter(organisation_id__in=ids).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--sample", type=int, default=0,
                        help="基线只逐个计算这么多家企业，再按比例推算全量耗时（默认：全量运行基线）")
    args = parser.parse_args()
    _setup.configure(args.database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("flush", interactive=False, verbosity=0)  # a benchmark database: start empty

    from _credit_data import build_credit_data
    from qinglian.credit.rating_actions import active_model
    from qinglian.credit.ratings import recompute_ratings

    started = time.perf_counter()
    data = build_credit_data(enterprises=args.enterprises, records=args.records)
    load = time.perf_counter() - started
    fed, today = data["federation_id"], data["today"]
    fates = "，".join(f"{k} {v:,}" for k, v in sorted(data["records_by_fate"].items()))
    print(f"数据库：{connection.vendor}；企业 {data['enterprises']:,} 家，信用记录 "
          f"{args.records:,} 条（{fates}），有清廉指数等级 {data['graded']:,} 家"
          f"（装载 {load:.1f} s）")
    active_model(fed)  # installed once, outside the timings

    started = time.perf_counter()
    counts = recompute_ratings(fed, today=today)
    setwise = time.perf_counter() - started
    started = time.perf_counter()
    again = recompute_ratings(fed, today=today)
    unchanged = time.perf_counter() - started
    one = data["enterprise_ids"][len(data["enterprise_ids"]) // 2]
    started = time.perf_counter()
    recompute_ratings(fed, [one], today=today)
    single = time.perf_counter() - started
    assert again.changed == 0, "第二次计算不应改写任何评级"
    distribution = Counter(row[3] for row in snapshot())
    print(f"评级分布：{'，'.join(f'{k} {v:,}' for k, v in sorted(distribution.items()))}")

    sample = None
    if args.sample and args.sample < data["enterprises"]:
        step = max(1, data["enterprises"] // args.sample)
        sample = data["enterprise_ids"][::step][:args.sample]
    expected = snapshot(sample)
    reset(sample)
    started = time.perf_counter()
    with transaction.atomic():
        naive_changed = naive_recompute(fed, today, sample)
    naive = time.perf_counter() - started
    assert snapshot(sample) == expected, "逐个计算与集合计算的结果不一致"
    assert naive_changed == len(expected)

    print(f"{'方法':<30}{'耗时 s':>10}")
    print(f"{'集合计算（全部企业，首次）':<24}{setwise:>10.2f}")
    print(f"{'集合计算（全部企业，无变化）':<23}{unchanged:>10.2f}")
    print(f"{'集合计算（单个企业，记录变化时）':<21}{single:>10.3f}")
    if sample is None:
        print(f"{'基线：逐企业 ORM 循环（全量）':<24}{naive:>10.2f}")
        ratio = naive / setwise
        note = "基线全量运行"
    else:
        full = naive * data["enterprises"] / len(sample)
        print(f"{f'基线：逐企业 ORM 循环（抽样 {len(sample):,} 家）':<24}{naive:>10.2f}")
        print(f"{'基线：按抽样推算全量':<25}{full:>10.2f}")
        ratio = full / setwise
        note = f"基线为抽样 {len(sample):,} 家按比例推算，非实测"
    print(f"加速比 {ratio:.1f}×（目标 ≥ 50×）；集合计算 {setwise:.2f} s（目标 ≤ 30 s）；"
          f"写入评级 {counts.changed:,} 条；两种方法结果一致；{note}")


if __name__ == "__main__":
    main()
