"""The red-flag rule engine: rule definitions, parameter binding, DuckDB and Spark runners.

A rule is one SQL file in DuckDB's dialect plus one :class:`Rule` definition (its metadata).
The SQL reads named input tables (Parquet files registered as views) and returns the columns
``group_name``, ``subject_id`` and ``value``; parameters appear as ``$name`` placeholders and are
bound as validated literals in the parsed syntax tree, never by string formatting.
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
