"""The red-flag rule engine: rule definitions, parameter binding, DuckDB and Spark runners.

A rule is one SQL file in DuckDB's dialect plus one :class:`Rule` definition (its metadata).
The SQL reads named input tables (Parquet files registered as views) and returns the columns
``group_name``, ``subject_id`` and ``value``; parameters appear as ``$name`` placeholders and are
bound as validated literals in the parsed syntax tree, never by string formatting. SQL shared
by several rules lives once in ``rules/<set>/fragments/<name>.sql`` and is called from a rule as
``{{ name(argument=identifier, ...) }}``; :mod:`.fragments` expands the calls (identifiers only)
before anything is parsed, so binding and the Spark transpiler see plain SQL.

Result contract (the same on every engine, see :func:`.results.normalise_hits`):

=================  ==========  ============================================================
column             required    meaning
=================  ==========  ============================================================
``group_name``     yes         kind of subject: OCID/Buyer/…; ledger rules Vendor/Unit/…
``subject_id``     yes         the flagged subject (an id, or "unit|vendor" for a pair)
``value``          yes         the rule's measure as DOUBLE (ratio, count, statistic, amount)
``unit``           no          the buying unit concerned (VARCHAR)
``vendor_id``      no          the vendor concerned (VARCHAR)
``occurred_on``    no          when the flagged activity happened (DATE, e.g. first payment)
``evidence_keys``  no          LIST(VARCHAR) of keys of ``Rule.evidence_table`` rows
=================  ==========  ============================================================

Each row becomes a :class:`Hit` (optional columns → ``unit``, ``vendor_id``, ``occurred_on``,
``evidence``: sorted keys; missing columns → "" / None / ()). The rows themselves are fetched
with ``DuckDBRunner.evidence_rows(rule, hit.evidence, limit=…)`` (models.EVIDENCE_LIMIT).
"""

from .binding import ParameterError, bind_sql, resolve_parameters
from .definitions import Parameter, ParameterKind, Rule, Severity, all_rules, get_rule, register
from .results import Hit

__all__ = [
    "Hit",
    "Parameter",
    "ParameterError",
    "ParameterKind",
    "Rule",
    "Severity",
    "all_rules",
    "bind_sql",
    "get_rule",
    "register",
    "resolve_parameters",
]
