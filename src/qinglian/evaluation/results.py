"""Set-wise computation of a campaign's results: dimension scores, totals, vetoes, grades, ranks.

Everything runs as a handful of SQL statements inside the database (SQLite ≥ 3.33 and
PostgreSQL both support ``UPDATE … FROM`` and window functions), never per enterprise in
Python: a campaign of 100,000 enterprises × 40 indicators recomputes in seconds
(``benchmarks/bench_results.py``). Points are integer hundredths, so the sums are exact.

Ranking puts vetoed enterprises after all others, then orders by total; ``below_*`` counts the
peers strictly behind, ``peers_*`` the group's size (percentile = below / (peers − 1)).
"""

from __future__ import annotations

from django.db import connection, transaction

from .choices import FAIL_GRADE, FindingStatus
from .models import Answer, Assessment, Campaign, DimensionScore, Indicator, NegativeFinding

GROUPS = {"chamber": "chamber_id", "industry": "industry", "region": "region"}


def _tables() -> dict[str, str]:
    return {
        "answer": Answer._meta.db_table,
        "assessment": Assessment._meta.db_table,
        "dimension_score": DimensionScore._meta.db_table,
        "indicator": Indicator._meta.db_table,
        "finding": NegativeFinding._meta.db_table,
    }


def _grade_case(campaign: Campaign) -> tuple[str, list[int | str]]:
    """CASE over ``r.vetoed`` and ``r.total`` giving the grade (a veto is always 不达标)."""
    bands = list(campaign.framework.bands.order_by("-min_points").values_list("name", "min_points"))
    whens: list[str] = ["WHEN r.vetoed THEN %s"]
    params: list[int | str] = [FAIL_GRADE]
    for name, min_points in bands:
        whens.append("WHEN r.total >= %s THEN %s")
        params.extend([min_points * 100, name])
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, FAIL_GRADE]


def _rank_columns() -> str:
    columns = []
    for group, column in GROUPS.items():
        part = f"PARTITION BY {column}"
        columns.append(
            f"RANK() OVER ({part} ORDER BY vetoed, total DESC) AS rank_{group}, "
            f"RANK() OVER ({part} ORDER BY vetoed DESC, total) - 1 AS below_{group}, "
            f"COUNT(*) OVER ({part}) AS peers_{group}"
        )
    return ", ".join(columns)


# Table names come from the models' metadata, never from input; every value is a parameter.
@transaction.atomic
def recompute_results(campaign: Campaign, only: list[int] | None = None) -> int:
    """Recompute the campaign's results from its answers' effective scores and its findings.

    ``only`` limits the scores (dimension scores, totals, vetoes, grades) to those assessments —
    a republication must not rewrite other published results in place; ranks are always
    recomputed for the whole campaign, since one changed total moves everyone's rank. Returns
    the number of assessments in the campaign.

    The answers are aggregated once into a temporary table (PostgreSQL may scan them in
    parallel there, which it never does for ``INSERT … SELECT``), which then feeds both the
    dimension scores and one ``UPDATE … FROM`` whose source computes totals and vetoes and,
    over them, the window functions of the three rank groups. Assessment rows whose results
    did not change are not rewritten.
    """
    t = _tables()
    postgres = connection.vendor == "postgresql"
    grade, grade_params = _grade_case(campaign)
    result_columns = ["total_hundredths", "vetoed", "grade",
                      *(f"{kind}_{group}" for group in GROUPS for kind in ("rank", "below", "peers"))]
    sources = ["r.total", "r.vetoed", grade,
               *(f"r.{kind}_{group}" for group in GROUPS for kind in ("rank", "below", "peers"))]
    sets = ", ".join(f"{column} = {source}" for column, source in zip(result_columns, sources,
                                                                       strict=True))
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    changed = " OR ".join(f"{t['assessment']}.{column} {distinct} {source}"
                          for column, source in zip(result_columns, sources, strict=True))
    chosen, chosen_params = "", []
    if only is not None:
        chosen = f" AND id IN ({', '.join(['%s'] * len(only))})" if only else " AND 1 = 0"
        chosen_params = list(only)
    fresh = f"s.id IN ({', '.join(['%s'] * len(only))})" if only else ("1 = 0" if only == [] else "1 = 1")
    scratch = "qinglian_dimension_totals"
    statements: list[tuple[str, list[int | str]]] = [
        (f"DROP TABLE IF EXISTS {scratch}", []),
        (f"CREATE TEMPORARY TABLE {scratch} AS "  # noqa: S608
         f"SELECT a.assessment_id, i.dimension_id, SUM(a.score_hundredths) AS score "
         f"FROM {t['answer']} a JOIN {t['indicator']} i ON i.id = a.indicator_id "
         f"WHERE a.assessment_id IN (SELECT id FROM {t['assessment']} "
         f"WHERE campaign_id = %s{chosen}) GROUP BY a.assessment_id, i.dimension_id",
         [campaign.pk, *chosen_params]),
        (f"DELETE FROM {t['dimension_score']} WHERE assessment_id IN "  # noqa: S608
         f"(SELECT id FROM {t['assessment']} WHERE campaign_id = %s{chosen})",
         [campaign.pk, *chosen_params]),
        (f"INSERT INTO {t['dimension_score']} "  # noqa: S608
         f"(assessment_id, dimension_id, score_hundredths) "
         f"SELECT assessment_id, dimension_id, score FROM {scratch}", []),
        (f"UPDATE {t['assessment']} SET {sets} "  # noqa: S608
         f"FROM (SELECT id, total, vetoed, {_rank_columns()} FROM ("
         f"SELECT s.id, s.chamber_id, s.industry, s.region, "
         f"CASE WHEN {fresh} THEN COALESCE(d.total, 0) ELSE s.total_hundredths END AS total, "
         f"CASE WHEN {fresh} THEN EXISTS (SELECT 1 FROM {t['finding']} f "
         f"WHERE f.assessment_id = s.id AND f.status = %s) ELSE s.vetoed END AS vetoed "
         f"FROM {t['assessment']} s LEFT JOIN (SELECT assessment_id, SUM(score) AS total "
         f"FROM {scratch} GROUP BY assessment_id) d ON d.assessment_id = s.id "
         f"WHERE s.campaign_id = %s) w) r WHERE {t['assessment']}.id = r.id AND ({changed})",
         [*grade_params, *chosen_params, *chosen_params, FindingStatus.CONFIRMED, campaign.pk,
          *grade_params]),
        (f"DROP TABLE {scratch}", []),
    ]
    with connection.cursor() as cursor:
        if postgres:
            # One group per assessment × dimension: give the hash aggregate room instead of
            # spilling to disk (this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for sql, params in statements:
            cursor.execute(sql, params)
    return Assessment.objects.filter(campaign=campaign).count()
