"""Credit ratings (信用评价), computed set-wise inside the database.

The default model every federation starts with (``DEFAULT_*``; a federation edits it as a new
version, see ``rating_actions``):

* base 80 points;
* each record inside its public window (``queries.public_records_q``) adds or takes away the
  points of its category (and, for negative records, severity), counting at most ``cap``
  records of a kind — positive information rewards but cannot bury serious dishonesty;
* the latest PUBLISHED integrity-index grade of the enterprise (by evaluation year, then
  publication time, as ``evaluation.eligibility`` reads it) adds 标杆 +10, 优秀 +5, 达标 0,
  不达标 −20;
* points clamp to 0 … 100 and fall into bands A ≥ 90, B ≥ 75, C ≥ 60, D below.

``recompute_ratings`` runs a fixed number of SQL statements whatever the number of enterprises
(temporary tables, ``INSERT … SELECT … GROUP BY``, a window function for the latest grade,
``CASE`` for caps, clamping and bands), on SQLite and PostgreSQL alike. A new ``Rating`` row
(with its ``RatingLine`` rows, the contributing factors) is written only for enterprises
whose rating changed — points, letter, grade, model or factors — and the old row stays as
history (``is_current`` False). Records leave their window with time, not by any event:
``qinglian recompute_ratings`` (daily) catches those up.
"""

# Table names come from the models' metadata and constants, never from input; every value
# is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from qinglian.core.audit import record_event
from qinglian.evaluation.models import Assessment, Campaign
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.models import Organisation

from . import hooks
from .choices import RatingLetter, RecordCategory, RecordStatus, Severity, SubjectKind
from .models import CreditRecord, GradeFactor, Rating, RatingBand, RatingFactor, RatingLine
from .models import RatingModel as RatingModelRow

P, N = RecordCategory, Severity

#: (category, severity, points per record, at most this many records count). Licences are
#: neutral information: no factor.
DEFAULT_FACTORS: tuple[tuple[str, str, int, int], ...] = (
    (P.HONOUR, "", 5, 3),
    (P.AWARD, "", 5, 3),
    (P.EXEMPLAR, "", 8, 1),
    (P.PLEDGE_KEPT, "", 2, 3),
    (P.PENALTY, N.MINOR, -5, 3),
    (P.PENALTY, N.ORDINARY, -15, 3),
    (P.PENALTY, N.SERIOUS, -40, 2),
    (P.JUDGMENT, N.MINOR, -10, 3),
    (P.JUDGMENT, N.ORDINARY, -25, 3),
    (P.JUDGMENT, N.SERIOUS, -50, 2),
    (P.INDUSTRY_SANCTION, N.MINOR, -5, 3),
    (P.INDUSTRY_SANCTION, N.ORDINARY, -15, 3),
    (P.INDUSTRY_SANCTION, N.SERIOUS, -35, 2),
    (P.WAGE_ARREARS, N.MINOR, -10, 3),
    (P.WAGE_ARREARS, N.ORDINARY, -20, 3),
    (P.WAGE_ARREARS, N.SERIOUS, -45, 2),
    (P.PLEDGE_BREACH, N.MINOR, -5, 3),
    (P.PLEDGE_BREACH, N.ORDINARY, -15, 3),
    (P.PLEDGE_BREACH, N.SERIOUS, -30, 2),
)
#: Points of the latest published integrity-index grade (evaluation.choices: DEFAULT_GRADE_BANDS).
DEFAULT_GRADES: tuple[tuple[str, int], ...] = (("标杆", 10), ("优秀", 5), ("达标", 0),
                                               ("不达标", -20))
DEFAULT_BANDS: tuple[tuple[str, int], ...] = (("A", 90), ("B", 75), ("C", 60), ("D", 0))
DEFAULT_BASE_POINTS = 80
DEFAULT_MODEL_NAME = "信用评价默认模型"
MIN_POINTS, MAX_POINTS = 0, 100
#: Above this many enterprises a "these changed" recompute covers the whole federation
#: instead (same result: unchanged ratings are never rewritten; keeps the SQL one statement).
MAX_LISTED_IDS = 5000
#: SQLite page cache during a full recompute (KiB).
SQLITE_CACHE_KIB = 256 * 1024

#: The scratch tables of one recompute (temporary: private to the connection).
ENTERPRISES, LINES, FRESH = "qinglian_rating_ents", "qinglian_rating_lines", "qinglian_rating_new"


@dataclass(frozen=True)
class RecomputeCounts:
    enterprises: int
    changed: int

    def as_details(self) -> dict[str, int]:
        return {"enterprises": self.enterprises, "changed": self.changed}


def _tables() -> dict[str, str]:
    return {
        "org": Organisation._meta.db_table,
        "record": CreditRecord._meta.db_table,
        "factor": RatingFactor._meta.db_table,
        "grade_factor": GradeFactor._meta.db_table,
        "band": RatingBand._meta.db_table,
        "rating": Rating._meta.db_table,
        "line": RatingLine._meta.db_table,
        "assessment": Assessment._meta.db_table,
        "campaign": Campaign._meta.db_table,
    }


def band_case(model: RatingModelRow, column: str) -> tuple[str, list[Any]]:
    """CASE over ``column`` (points) giving the letter; the lowest band is the ELSE."""
    bands = list(model.bands.order_by("-min_points").values_list("rating", "min_points"))
    if not bands:
        bands = list(DEFAULT_BANDS)
    whens, params = [], []
    for letter, min_points in bands[:-1]:
        whens.append(f"WHEN {column} >= %s THEN %s")
        params.extend([min_points, letter])
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, bands[-1][0]]


def letter_for(points: int, bands: list[tuple[str, int]]) -> str:
    """The letter ``points`` earn (the Python twin of ``band_case``, for tests and pages)."""
    ordered = sorted(bands, key=lambda b: -b[1])
    for letter, min_points in ordered[:-1]:
        if points >= min_points:
            return letter
    return ordered[-1][0] if ordered else RatingLetter.D


def _scope_sql(federation_id: int, organisation_ids: list[int] | None) -> tuple[str, list[Any]]:
    t = _tables()
    sql = (f"SELECT id FROM {t['org']} WHERE kind = %s AND federation_id = %s")
    params: list[Any] = [OrganisationKind.ENTERPRISE, federation_id]
    if organisation_ids is not None:
        if organisation_ids:
            sql += f" AND id IN ({', '.join(['%s'] * len(organisation_ids))})"
            params.extend(organisation_ids)
        else:
            sql += " AND 1 = 0"
    return sql, params


def _latest_grade_sql() -> str:
    """Each enterprise's latest published integrity grade (year, then publication, then id)."""
    t = _tables()
    return (f"SELECT enterprise_id, grade FROM (SELECT a.enterprise_id, a.grade, "
            f"ROW_NUMBER() OVER (PARTITION BY a.enterprise_id ORDER BY c.year DESC, "
            f"a.published_at DESC NULLS LAST, a.id DESC) AS rn "
            f"FROM {t['assessment']} a JOIN {t['campaign']} c ON c.id = a.campaign_id "
            f"JOIN {ENTERPRISES} e ON e.id = a.enterprise_id "
            f"WHERE a.status = 'published') g WHERE rn = 1")


def _statements(model: RatingModelRow, federation_id: int, organisation_ids: list[int] | None,
                today: dt.date, now: dt.datetime) -> list[tuple[str, list[Any]]]:
    t = _tables()
    postgres = connection.vendor == "postgresql"
    true = "TRUE" if postgres else "1"
    false = "FALSE" if postgres else "0"
    distinct = "IS DISTINCT FROM" if postgres else "IS NOT"
    scope, scope_params = _scope_sql(federation_id, organisation_ids)
    letter, letter_params = band_case(model, "n.points")
    capped = "CASE WHEN COUNT(*) > f.cap THEN f.cap ELSE COUNT(*) END"
    # SQLite keeps no statistics on the scratch tables: CROSS JOIN fixes its join order — the
    # whole table of records read in storage order for a full recompute, the few enterprises'
    # records through their index otherwise (PostgreSQL plans both well by itself).
    join = "JOIN" if postgres else "CROSS JOIN"
    if organisation_ids is None:
        sources = f"{t['record']} r {join} {ENTERPRISES} e ON e.id = r.organisation_id"
    else:
        sources = f"{t['record']} r"
    records = (
        f"SELECT r.organisation_id, f.category, f.severity, '' AS grade, {capped} AS cnt, "
        f"f.points * ({capped}) AS pts FROM {sources} "
        f"{join} {t['factor']} f ON f.model_id = %s AND f.category = r.category "
        f"AND f.severity = r.severity "
        f"WHERE r.subject_kind = %s AND r.status = %s AND r.to_publish = {true} "
        f"{'' if organisation_ids is None else f'AND r.organisation_id IN (SELECT id FROM {ENTERPRISES}) '}"
        f"AND r.publish_from <= %s AND r.publish_until >= %s AND f.points <> 0 "
        f"GROUP BY r.organisation_id, f.id, f.category, f.severity, f.cap, f.points")
    record_params: list[Any] = [model.pk, SubjectKind.ENTERPRISE, RecordStatus.PUBLISHED,
                                today, today]
    grades = (
        f"SELECT g.enterprise_id, '', '', g.grade, 1, gf.points FROM ({_latest_grade_sql()}) g "
        f"JOIN {t['grade_factor']} gf ON gf.model_id = %s AND gf.grade = g.grade "
        f"WHERE gf.points <> 0")
    old_lines = (
        f"SELECT o.organisation_id, l.category, l.severity, l.grade, l.count, l.points "
        f"FROM {ENTERPRISES} e {join} {t['rating']} o ON o.organisation_id = e.id "
        f"AND o.is_current {join} {t['line']} l ON l.rating_id = o.id")
    new_lines = f"SELECT organisation_id, category, severity, grade, cnt, pts FROM {LINES}"
    differing = (f"SELECT organisation_id FROM ({new_lines} EXCEPT {old_lines}) d1 "
                 f"UNION SELECT organisation_id FROM ({old_lines} EXCEPT {new_lines}) d2")
    raw = "%s + COALESCE(s.pts, 0)"
    fresh = (
        f"CREATE TEMPORARY TABLE {FRESH} AS SELECT n.organisation_id, n.points, "
        f"{letter} AS rating, n.grade FROM ("
        f"SELECT e.id AS organisation_id, CASE WHEN {raw} > {MAX_POINTS} THEN {MAX_POINTS} "
        f"WHEN {raw} < {MIN_POINTS} THEN {MIN_POINTS} ELSE {raw} END AS points, "
        f"COALESCE(g.grade, '') AS grade FROM {ENTERPRISES} e "
        f"LEFT JOIN (SELECT organisation_id, SUM(pts) AS pts FROM {LINES} "
        f"GROUP BY organisation_id) s ON s.organisation_id = e.id "
        f"LEFT JOIN ({_latest_grade_sql()}) g ON g.enterprise_id = e.id) n "
        f"LEFT JOIN {t['rating']} o ON o.organisation_id = n.organisation_id AND o.is_current "
        f"WHERE o.id IS NULL OR o.model_id <> %s OR o.points <> n.points "
        f"OR o.rating <> {letter} OR o.grade {distinct} n.grade "
        f"OR n.organisation_id IN ({differing})")
    base = model.base_points
    return [
        *((f"DROP TABLE IF EXISTS {name}", []) for name in (ENTERPRISES, LINES, FRESH)),
        (f"CREATE TEMPORARY TABLE {ENTERPRISES} AS {scope}", scope_params),
        (f"CREATE TEMPORARY TABLE {LINES} AS {records} UNION ALL {grades}",
         [*record_params, model.pk]),
        (fresh, [*letter_params, base, base, base, model.pk, *letter_params]),
        (f"UPDATE {t['rating']} SET is_current = {false} WHERE is_current "
         f"AND organisation_id IN (SELECT organisation_id FROM {FRESH})", []),
        (f"INSERT INTO {t['rating']} (organisation_id, model_id, points, rating, grade, "
         f"is_current, computed_at) SELECT organisation_id, %s, points, rating, grade, {true}, %s "
         f"FROM {FRESH}", [model.pk, now]),
        (f"INSERT INTO {t['line']} (rating_id, category, severity, grade, count, points) "
         f"SELECT r.id, l.category, l.severity, l.grade, l.cnt, l.pts FROM {LINES} l "
         f"JOIN {FRESH} n ON n.organisation_id = l.organisation_id "
         f"JOIN {t['rating']} r ON r.organisation_id = l.organisation_id AND r.model_id = %s "
         f"AND r.is_current", [model.pk]),
    ]


def _count(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {table}")
    return int(cursor.fetchone()[0])


@transaction.atomic
def recompute_ratings(federation_id: int, organisation_ids: list[int] | None = None,
                      today: dt.date | None = None, *, actor: Any = None,
                      model: RatingModelRow | None = None) -> RecomputeCounts:
    """Recompute the ratings of a federation's enterprises (all, or ``organisation_ids``)
    under its active model, installing the default model on first use. One audit event per
    run (``credit_rating.recomputed``) with the counts; none for a run that changed nothing
    for a few enterprises (the record's own event already tells why)."""
    from .rating_actions import active_model  # the actions module imports this one

    model = model or active_model(federation_id)
    ids = None if organisation_ids is None else sorted(set(organisation_ids))
    if ids is not None and len(ids) > MAX_LISTED_IDS:
        ids = None
    day = today or timezone.localdate()
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # room for the hash aggregates (this transaction only)
            cursor.execute("SET LOCAL work_mem = '256MB'")
        elif ids is None:
            # a full recompute reads every record once: a page cache that holds them (this
            # run only; the connection's own size is put back below)
            cursor.execute("PRAGMA cache_size")
            kept_cache = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            for sql, params in _statements(model, federation_id, ids, day, timezone.now()):
                cursor.execute(sql, params)
                if postgres and sql.startswith(f"CREATE TEMPORARY TABLE {ENTERPRISES}"):
                    cursor.execute(f"ANALYZE {ENTERPRISES}")  # the planner's row estimate
            counts = RecomputeCounts(_count(cursor, ENTERPRISES), _count(cursor, FRESH))
            for name in (ENTERPRISES, LINES, FRESH):
                cursor.execute(f"DROP TABLE {name}")
        finally:
            if not postgres and ids is None:
                cursor.execute(f"PRAGMA cache_size = {int(kept_cache)}")
    if ids is None or counts.changed:
        record_event(model, "credit_rating.recomputed", actor=actor,
                     details={**counts.as_details(), "scope": "all" if ids is None else "some",
                              "on": day.isoformat()})
    return counts


def _recompute_changed(organisation_ids: list[int]) -> None:
    """``hooks.on_records_changed``: the enterprises' federations, each recomputed for just
    those enterprises, inside the transaction that changed their records."""
    by_federation: dict[int, list[int]] = {}
    for pk, federation_id in Organisation.objects.filter(
            pk__in=organisation_ids, kind=OrganisationKind.ENTERPRISE,
            federation_id__isnull=False).values_list("pk", "federation_id"):
        by_federation.setdefault(federation_id, []).append(pk)
    for federation_id, ids in sorted(by_federation.items()):
        recompute_ratings(federation_id, ids)


hooks.on_records_changed(_recompute_changed)
