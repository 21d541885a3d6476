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
    bands = list(campaign.framework.bands.order_by("-min_points").values_list("name", "min_points"))
    whens: list[str] = ["WHEN vetoed THEN %s"]
    params: list[int | str] = [FAIL_GRADE]
    for name, min_points in bands:
        whens.append("WHEN total_hundredths >= %s THEN %s")
        params.extend([min_points * 100, name])
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, FAIL_GRADE]


def _rank_columns() -> str:
    columns = []
    for group, column in GROUPS.items():
        part = f"PARTITION BY {column}"
        columns.append(
            f"RANK() OVER ({part} ORDER BY vetoed, total_hundredths DESC) AS rank_{group}, "
            f"RANK() OVER ({part} ORDER BY vetoed DESC, total_hundredths) - 1 AS below_{group}, "
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
    """
    t = _tables()
    case, case_params = _grade_case(campaign)
    sets = ", ".join(f"{kind}_{group} = r.{kind}_{group}"
                     for group in GROUPS for kind in ("rank", "below", "peers"))
    subset, subset_params = "", []
    if only is not None:
        subset = f" AND id IN ({', '.join(['%s'] * len(only))})" if only else " AND 1 = 0"
        subset_params = list(only)
    statements: list[tuple[str, list[int | str]]] = [
        (f"DELETE FROM {t['dimension_score']} WHERE assessment_id IN "  # noqa: S608
         f"(SELECT id FROM {t['assessment']} WHERE campaign_id = %s{subset})",
         [campaign.pk, *subset_params]),
        (f"INSERT INTO {t['dimension_score']} "  # noqa: S608
         f"(assessment_id, dimension_id, score_hundredths) "
         f"SELECT a.assessment_id, i.dimension_id, SUM(a.score_hundredths) "
         f"FROM {t['answer']} a JOIN {t['indicator']} i ON i.id = a.indicator_id "
         f"WHERE a.assessment_id IN (SELECT id FROM {t['assessment']} "
         f"WHERE campaign_id = %s{subset}) GROUP BY a.assessment_id, i.dimension_id",
         [campaign.pk, *subset_params]),
        (f"UPDATE {t['assessment']} SET "  # noqa: S608
         f"total_hundredths = COALESCE((SELECT SUM(d.score_hundredths) FROM "
         f"{t['dimension_score']} d WHERE d.assessment_id = {t['assessment']}.id), 0), "
         f"vetoed = EXISTS (SELECT 1 FROM {t['finding']} f WHERE f.assessment_id = "
         f"{t['assessment']}.id AND f.status = %s) WHERE campaign_id = %s{subset}",
         [FindingStatus.CONFIRMED, campaign.pk, *subset_params]),
        (f"UPDATE {t['assessment']} SET grade = {case} WHERE campaign_id = %s{subset}",  # noqa: S608
         [*case_params, campaign.pk, *subset_params]),
        (f"UPDATE {t['assessment']} SET {sets} FROM (SELECT id, {_rank_columns()} "  # noqa: S608
         f"FROM {t['assessment']} WHERE campaign_id = %s) r WHERE {t['assessment']}.id = r.id",
         [campaign.pk]),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
    return Assessment.objects.filter(campaign=campaign).count()
