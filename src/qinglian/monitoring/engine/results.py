"""The normalised output of a rule, the same for every engine."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definitions import Rule

#: The order results are listed in (the reference tool's group order).
GROUP_ORDER = {"OCID": 0, "Buyer": 1, "ProcuringEntity": 2, "Tenderer": 3}

#: The result columns every rule returns, then the optional ones a rule may add.
REQUIRED_COLUMNS = ("group_name", "subject_id", "value")
OPTIONAL_COLUMNS = ("unit", "vendor_id", "occurred_on", "evidence_keys")


@dataclass(frozen=True, order=True)
class Hit:
    """One flagged subject: ``value`` is the rule's measure (a ratio, a count, or a marker).

    The optional fields come from the optional result columns: the buying ``unit`` and the
    ``vendor_id`` concerned, the date the flagged activity happened (``occurred_on``, e.g. the
    first payment of a split purchase) and ``evidence`` — the keys (``Rule.evidence_key``) of
    the rows of ``Rule.evidence_table`` that make up the hit, sorted.
    """

    code: str
    group: str
    subject: str
    value: float
    unit: str = ""
    vendor_id: str = ""
    occurred_on: datetime.date | None = None
    evidence: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.group, self.subject)


def normalise_hits(
    code: str,
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    columns: Sequence[str] | None = None,
) -> list[Hit]:
    """Result rows from any engine → sorted, de-duplicated hits.

    A row is a mapping of column name to value, or a sequence in the order of ``columns``
    (default: the three required columns). Values are IEEE doubles on both engines; they are
    compared exactly, never rounded.
    """
    names = tuple(columns or REQUIRED_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing and columns is not None:
        raise ValueError(f"{code}: the result has no column {', '.join(missing)}")
    hits = set()
    for raw in rows:
        row = raw if isinstance(raw, Mapping) else dict(zip(names, raw, strict=False))
        group, subject, value = row["group_name"], row["subject_id"], row["value"]
        number = float(value)
        if math.isnan(number):
            raise ValueError(f"{code}: NaN value for {group} {subject}")
        occurred = row.get("occurred_on")
        if isinstance(occurred, datetime.datetime):
            occurred = occurred.date()
        keys = row.get("evidence_keys") or ()
        hits.add(
            Hit(
                code,
                str(group),
                str(subject),
                number,
                unit="" if row.get("unit") is None else str(row["unit"]),
                vendor_id="" if row.get("vendor_id") is None else str(row["vendor_id"]),
                occurred_on=occurred,
                evidence=tuple(sorted(str(key) for key in keys if key is not None)),
            )
        )
    return sorted(hits, key=lambda hit: (hit.code, GROUP_ORDER.get(hit.group, 9), hit.group, hit.subject))


def as_nested(hits: Iterable[Hit]) -> dict[str, dict[str, dict[str, float]]]:
    """The reference tool's result shape: group → subject → indicator code → value."""
    nested: dict[str, dict[str, dict[str, float]]] = {}
    for hit in hits:
        nested.setdefault(hit.group, {}).setdefault(hit.subject, {})[hit.code] = hit.value
    return nested


@dataclass
class RuleRun:
    """The outcome of one rule in a run: bound parameters, hits and time taken."""

    rule: Rule
    parameters: dict[str, Any]
    hits: list[Hit]
    seconds: float


@dataclass
class RunReport:
    engine: str
    runs: list[RuleRun] = field(default_factory=list)

    @property
    def hits(self) -> list[Hit]:
        return [hit for run in self.runs for hit in run.hits]

    @property
    def seconds(self) -> float:
        return sum(run.seconds for run in self.runs)

    def counts(self) -> dict[str, int]:
        return {run.rule.code: len(run.hits) for run in self.runs}
