"""The normalised output of a rule, the same for every engine."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definitions import Rule

#: The order results are listed in (the reference tool's group order).
GROUP_ORDER = {"OCID": 0, "Buyer": 1, "ProcuringEntity": 2, "Tenderer": 3}


@dataclass(frozen=True, order=True)
class Hit:
    """One flagged subject: ``value`` is the rule's measure (a ratio, a count, or a marker)."""

    code: str
    group: str
    subject: str
    value: float

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.group, self.subject)


def normalise_hits(code: str, rows: Iterable[tuple[Any, Any, Any]]) -> list[Hit]:
    """Rows of (group_name, subject_id, value) from any engine → sorted, de-duplicated hits.

    Values are IEEE doubles on both engines; they are compared exactly, never rounded.
    """
    hits = set()
    for group, subject, value in rows:
        number = float(value)
        if math.isnan(number):
            raise ValueError(f"{code}: NaN value for {group} {subject}")
        hits.add(Hit(code, str(group), str(subject), number))
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
