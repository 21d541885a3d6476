"""Names beside codes (名称): vendor, employee and OCDS party names for the alerts on a page.

Alerts keep codes (``GYS0012``, ``E0069``, ``CN-USCC-…``); people need names. They are looked
up at display time, for the ids on the page only, from each organisation's latest ready
dataset version (vendors / employees ledgers, the OCDS dataset's flattened tables): one DB
query for the versions, then one DuckDB query per kind of name over the Parquet files with the
ids as a parameter list (never formatted into the SQL). A version is immutable, so a lookup is
cached by (files, ids). No dataset, an id not found, or an OCDS version imported before names
were kept: the code alone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from django.db.models import QuerySet

from .choices import DatasetKind, LoadStatus
from .models import DatasetVersion
from .run_actions import version_files

#: Roles a code can play in a subject, and the dataset kind its name comes from.
VENDOR, EMPLOYEE, PARTY = "vendor", "employee", "party"
_KINDS = {VENDOR: DatasetKind.VENDORS.value, EMPLOYEE: DatasetKind.EMPLOYEES.value,
          PARTY: DatasetKind.OCDS.value}

#: Subject groups whose (single) subject is a code of a role.
GROUP_ROLES = {"Vendor": VENDOR, "Employee": EMPLOYEE, "Tenderer": PARTY, "Buyer": PARTY,
               "ProcuringEntity": PARTY}

# Each query returns (file, id, name, detail) rows for the ids given as the second parameter.
_VENDOR_SQL = """SELECT filename, vendor_id, any_value(name), NULL
FROM read_parquet(?::VARCHAR[], filename = true, union_by_name = true)
WHERE vendor_id IN (SELECT unnest(?::VARCHAR[])) AND name IS NOT NULL
GROUP BY filename, vendor_id"""
_EMPLOYEE_SQL = """SELECT filename, employee_id, any_value(name), any_value(department)
FROM read_parquet(?::VARCHAR[], filename = true, union_by_name = true)
WHERE employee_id IN (SELECT unnest(?::VARCHAR[])) AND name IS NOT NULL
GROUP BY filename, employee_id"""
# OCDS names: tenderers, suppliers, buyers and procuring entities as the releases name them.
_PARTY_SQL = """WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS id),
named AS (
  SELECT filename, tenderer_id AS id, tenderer_name AS name
  FROM read_parquet(?::VARCHAR[], filename = true)
  UNION ALL SELECT filename, supplier_id, supplier_name FROM read_parquet(?::VARCHAR[], filename = true)
  UNION ALL SELECT filename, buyer_id, buyer_name FROM read_parquet(?::VARCHAR[], filename = true)
  UNION ALL SELECT filename, procuring_entity_id, procuring_entity_name
  FROM read_parquet(?::VARCHAR[], filename = true)
)
SELECT regexp_replace(filename, '/[^/]*$', '') AS directory, n.id, min(n.name), NULL
FROM named AS n SEMI JOIN wanted AS w ON w.id = n.id
WHERE n.name IS NOT NULL AND n.name <> ''
GROUP BY directory, n.id"""
_PARTY_TABLES = ("ocds_bid_tenderers", "ocds_award_suppliers", "ocds_releases",
                 "ocds_releases")


@functools.lru_cache(maxsize=256)
def _lookup(role: str, locations: tuple[str, ...],
            ids: tuple[str, ...]) -> tuple[tuple[str, str, str, str | None], ...]:
    """(location, id, name, detail) rows for ``ids``: ``locations`` are the ledger files, or
    the OCDS versions' directories (cached: versions are immutable)."""
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        if role == PARTY:
            params: list[Any] = [list(ids)] + [
                [f"{d}/{table}.parquet" for d in locations] for table in _PARTY_TABLES]
            rows = con.execute(_PARTY_SQL, params).fetchall()
        else:
            sql = _VENDOR_SQL if role == VENDOR else _EMPLOYEE_SQL
            rows = con.execute(sql, [list(locations), list(ids)]).fetchall()
    except duckdb.Error:
        return ()  # an older version without the name columns: codes alone
    finally:
        con.close()
    return tuple((str(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows)


def latest_versions(organisations: Iterable[int] | QuerySet[Any],
                    kinds: Iterable[str]) -> dict[tuple[int, str], DatasetVersion]:
    """(organisation id, kind) → its latest ready version, in one query. ``organisations``
    may be a queryset of ids (a subquery: the query then runs even when it selects none)."""
    found: dict[tuple[int, str], DatasetVersion] = {}
    versions = (DatasetVersion.objects
                .filter(dataset__organisation_id__in=organisations, dataset__kind__in=list(kinds),
                        status=LoadStatus.READY, version__isnull=False)
                .select_related("dataset")
                .order_by("dataset__organisation_id", "dataset__kind", "-version"))
    for version in versions:
        found.setdefault((version.dataset.organisation_id, version.dataset.kind), version)
    return found


def _files(version: DatasetVersion, kind: str) -> Path | None:
    table = "ocds_releases" if kind == DatasetKind.OCDS else kind
    try:
        path = version_files(version).get(table)
    except ValueError:
        return None
    return path if path is not None and path.exists() else None


@dataclass
class Names:
    """Names found for (organisation, role, code); ``label`` writes ``code name``."""

    found: dict[tuple[int, str, str], str] = field(default_factory=dict)

    def name(self, organisation_id: int, role: str, code: str) -> str:
        return self.found.get((organisation_id, role, code), "")

    def label(self, organisation_id: int, role: str, code: str) -> str:
        name = self.name(organisation_id, role, code)
        return f"{code} {name}" if name else code

    def of(self, organisation_id: int) -> Any:
        """``(role, code) → name`` for one organisation (what ``subject_label`` takes)."""
        return lambda role, code: self.name(organisation_id, role, code)


def find_names(wanted: Mapping[tuple[int, str], set[str]],
               versions: Mapping[tuple[int, str], DatasetVersion]) -> Names:
    """Names of the wanted codes: (organisation, role) → codes, read from ``versions``."""
    names = Names()
    for role, kind in _KINDS.items():
        files: dict[str, int] = {}
        ids: set[str] = set()
        for (organisation_id, wanted_role), codes in wanted.items():
            version = versions.get((organisation_id, kind))
            path = _files(version, kind) if wanted_role == role and version and codes else None
            if path is not None:
                files[str(path) if role != PARTY else str(path.parent)] = organisation_id
                ids |= codes
        if not files:
            continue
        for where, code, name, detail in _lookup(role, tuple(sorted(files)), tuple(sorted(ids))):
            owner = files.get(where)
            if owner is None or code not in wanted.get((owner, role), ()):
                continue
            names.found[(owner, role, code)] = (
                f"{name}（{detail}）" if detail else name)
    return names


def subject_codes(group: str, subject: str, vendor_id: str = "") -> list[tuple[str, str]]:
    """The (role, code) pairs an alert names: its subject's parts and its vendor."""
    codes: list[tuple[str, str]] = []
    parts = subject.split("|")
    if group == "Vendor" and len(parts) == 2:
        codes += [(VENDOR, parts[0]), (EMPLOYEE, parts[1])]
    elif group == "Bidders":
        codes += [(VENDOR, part) for part in parts]
    elif group in GROUP_ROLES and len(parts) == 1:
        codes.append((GROUP_ROLES[group], subject))
    if vendor_id:
        codes.append((VENDOR, vendor_id))
    return codes


def names_for_alerts(alerts: Iterable[Any]) -> Names:
    """Names of everything the given alerts name (one DB query, at most one DuckDB query per
    kind of name)."""
    wanted: dict[tuple[int, str], set[str]] = {}
    for alert in alerts:
        for role, code in subject_codes(alert.group, alert.subject, alert.vendor_id):
            wanted.setdefault((alert.organisation_id, role), set()).add(code)
    if not wanted:
        return Names()
    kinds = {_KINDS[role] for _org, role in wanted}
    versions = latest_versions(sorted({org for org, _role in wanted}), kinds)
    return find_names(wanted, versions)
