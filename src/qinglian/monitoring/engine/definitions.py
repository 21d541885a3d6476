"""Rule definitions: one :class:`Rule` per red flag, registered once by code."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class Severity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return {"high": "高", "medium": "中", "low": "低"}[self.value]


class ParameterKind(enum.StrEnum):
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    #: A set of strings; given as a list or as a pipe-separated string ("open|selective").
    TEXT_SET = "text_set"
    #: A mapping of string to integer (e.g. a threshold per procurement method detail).
    TEXT_TO_INTEGER = "text_to_integer"


@dataclass(frozen=True)
class Parameter:
    """A setting of a rule: its type, default, bounds and what it means."""

    name: str
    kind: ParameterKind
    default: Any
    label: str
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    #: ``None`` is a meaningful value (e.g. "no fixed threshold: use the quartile fence").
    optional: bool = False

    def __post_init__(self) -> None:
        if not _IDENTIFIER.match(self.name):
            raise ValueError(f"parameter name {self.name!r} is not a lower-case identifier")


@dataclass(frozen=True)
class Rule:
    """A red-flag rule: its SQL (DuckDB dialect) and everything a person needs to know about it."""

    code: str
    name_zh: str
    name_en: str
    #: What scheme the rule catches, in Chinese.
    catches: str
    severity: Severity
    #: Why a subject was flagged, in Chinese; ``{subject}``, ``{group}`` and ``{value}`` are
    #: filled from the hit, and ``{<parameter>}`` from the parameter values of the run
    #: (``monitoring.presentation.explain``, every number formatted by its kind).
    explanation: str
    #: The groups the rule reports on, e.g. ("OCID", "Tenderer").
    groups: tuple[str, ...]
    #: The named input tables the SQL reads.
    inputs: tuple[str, ...]
    sql_path: Path
    parameters: tuple[Parameter, ...] = ()
    #: The Open Contracting Partnership red-flag identifier, where one applies.
    red_flag: str = ""
    #: The source the rule must agree with (e.g. the reference tool's documentation).
    reference: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    #: Where a hit's ``evidence_keys`` point: the input table and its key column
    #: (e.g. "payments", "payment_id"); empty for rules without evidence rows.
    evidence_table: str = ""
    evidence_key: str = ""

    @cached_property
    def sql(self) -> str:
        """The rule's SQL as binding and the runners see it: the file's text with its calls of
        shared fragments expanded (see :mod:`.fragments`); raises ``FragmentError`` if a call is
        not well formed."""
        from .fragments import load_rule_sql

        return load_rule_sql(self.sql_path)

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)


GROUP_LABELS = {
    "OCID": "采购项目",
    "Buyer": "采购人",
    "ProcuringEntity": "采购代理机构",
    "Tenderer": "投标人",
    "Vendor": "供应商",
    "Unit": "单位",
    "Tender": "招标项目",
    "Contract": "合同",
    "Payment": "付款",
    "Employee": "员工",
    "Bidders": "投标人组合",
}


_REGISTRY: dict[str, Rule] = {}


def register(rules: Iterable[Rule]) -> None:
    """Add rules to the registry; a code can be defined only once."""
    for rule in rules:
        existing = _REGISTRY.get(rule.code)
        if existing is not None and existing != rule:
            raise ValueError(f"rule {rule.code} is defined twice")
        _REGISTRY[rule.code] = rule


def _load_builtin_rules() -> None:
    from qinglian.monitoring.rules import ledger, ocds  # noqa: F401  (register the built-in rules)


def get_rule(code: str) -> Rule:
    _load_builtin_rules()
    return _REGISTRY[code]


def all_rules(*, tag: str | None = None) -> list[Rule]:
    _load_builtin_rules()
    rules = sorted(_REGISTRY.values(), key=lambda rule: rule.code)
    return [rule for rule in rules if tag is None or tag in rule.tags]
