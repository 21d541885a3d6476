"""The statutory calendar as a table the rule engines read (``non_working_days``).

L005 (payments on non-working days) joins payments to this table, so both engines decide
with the same days: weekends that are not make-up working days, and statutory holidays
(chinese-calendar, plus the federation's ``WorkdayOverride`` rows when the database is
reachable). A year the calendar does not know yet falls back to Monday–Friday, as
``core.workdays`` does, and :func:`write_calendar` returns that year's warning.

Columns: ``day`` DATE, ``kind`` VARCHAR ('weekend' or 'holiday').
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

logger = logging.getLogger(__name__)

TABLE = "non_working_days"
#: The canonical date column of each kind a dataset's years are read from.
DATE_COLUMNS = {
    "payments": "paid_on",
    "purchase_orders": "ordered_on",
    "contracts": "signed_on",
    "contract_amendments": "amended_on",
    "tenders": "published_on",
}


def _is_workday(day: dt.date, *, overrides: bool) -> bool:
    if overrides:
        try:
            from qinglian.core.workdays import is_workday

            return is_workday(day)
        except Exception:  # no database (a benchmark, a worker without Django): the package only
            logger.debug("workday overrides unavailable; chinese-calendar alone", exc_info=True)
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def non_working_days(years: Iterable[int], *, overrides: bool = True) -> list[tuple[dt.date, str]]:
    """Every non-working day of ``years``: (day, 'weekend' | 'holiday')."""
    days = []
    for year in sorted(set(years)):
        day = dt.date(year, 1, 1)
        while day.year == year:
            if not _is_workday(day, overrides=overrides):
                days.append((day, "weekend" if day.weekday() >= 5 else "holiday"))
            day += dt.timedelta(days=1)
    return days


def calendar_warnings(years: Iterable[int]) -> list[str]:
    from qinglian.core.workdays import calendar_warning

    return [text for year in sorted(set(years)) if (text := calendar_warning(year))]


def dataset_years(inputs: Mapping[str, Path | list[Path]]) -> set[int]:
    """The calendar years the date columns of the given Parquet tables span."""
    years: set[int] = set()
    connection = duckdb.connect()
    try:
        for kind, paths in inputs.items():
            column = DATE_COLUMNS.get(kind)
            if column is None:
                continue
            files = [str(p) for p in (paths if isinstance(paths, list) else [paths])]
            relation = connection.read_parquet(files)
            if column not in relation.columns:
                continue
            rows = relation.aggregate(f"min({column}), max({column})").fetchall()
            row = rows[0] if rows else None
            if row and row[0] is not None:
                years.update(range(row[0].year, row[1].year + 1))
    finally:
        connection.close()
    return years


def write_calendar(path: Path, years: Iterable[int], *, overrides: bool = True) -> Path:
    """Write the ``non_working_days`` table of ``years`` to the Parquet file ``path``."""
    rows = non_working_days(years, overrides=overrides)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    try:
        connection.execute("CREATE TABLE days (day DATE, kind VARCHAR)")
        if rows:
            connection.executemany("INSERT INTO days VALUES (?, ?)", rows)
        connection.table("days").order("day").write_parquet(str(path))
    finally:
        connection.close()
    return path


def calendar_input(directory: Path, inputs: Mapping[str, Path | list[Path]], *,
                   overrides: bool = True) -> dict[str, Path | list[Path]]:
    """``inputs`` plus the ``non_working_days`` table for the years they span (written to
    ``directory``), ready for a runner."""
    years = dataset_years(inputs) or {dt.datetime.now(tz=dt.UTC).year}
    path = write_calendar(Path(directory) / f"{TABLE}.parquet", years, overrides=overrides)
    return {**inputs, TABLE: path}
