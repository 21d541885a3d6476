"""The normalised output of a rule, the same for every engine."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice, repeat
from math import isnan
from operator import attrgetter, eq, itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .definitions import Rule

#: The order results are listed in (the reference tool's group order).
GROUP_ORDER = {"OCID": 0, "Buyer": 1, "ProcuringEntity": 2, "Tenderer": 3}

#: The result columns every rule returns, then the optional ones a rule may add.
REQUIRED_COLUMNS = ("group_name", "subject_id", "value")
OPTIONAL_COLUMNS = ("unit", "vendor_id", "occurred_on", "evidence_keys")


class Hit(NamedTuple):
    """One flagged subject: ``value`` is the rule's measure (a ratio, a count, or a marker).

    The optional fields come from the optional result columns: the buying ``unit`` and the
    ``vendor_id`` concerned, the date the flagged activity happened (``occurred_on``, e.g. the
    first payment of a split purchase) and ``evidence`` — the keys (``Rule.evidence_key``) of
    the rows of ``Rule.evidence_table`` that make up the hit, sorted.

    A named tuple: hits compare, sort and hash field by field in declaration order (as the frozen,
    ordered dataclass it replaces did), and a run's hundreds of thousands of hits are made by
    ``tuple.__new__`` over zipped result columns, without a Python call per hit.
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


_new_tuple = tuple.__new__


def normalise_hits(
    code: str,
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    columns: Sequence[str] | None = None,
) -> list[Hit]:
    """Result rows from any engine → sorted, de-duplicated hits.

    A row is a mapping of column name to value, or a sequence in the order of ``columns``
    (default: the three required columns). Values are IEEE doubles on both engines; they are
    compared exactly, never rounded.

    This is the row-wise path (Spark, tests); the DuckDB runner normalises in SQL and builds the
    hits from Arrow columns with :func:`hits_from_columns`.
    """
    names = tuple(columns or REQUIRED_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing and columns is not None:
        raise ValueError(f"{code}: the result has no column {', '.join(missing)}")
    # Read sequences by position; an absent optional column reads the None appended at the end.
    absent = len(names)
    pick = itemgetter(*(names.index(name) if name in names else absent
                        for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)))
    padded = any(name not in names for name in OPTIONAL_COLUMNS)
    hits: list[Hit] = []
    for raw in rows:
        if type(raw) is tuple or not isinstance(raw, Mapping):
            group, subject, value, unit, vendor, occurred, keys = pick(
                (*raw, None) if padded else raw
            )
        else:
            group, subject, value = raw["group_name"], raw["subject_id"], raw["value"]
            unit, vendor, occurred, keys = (raw.get(name) for name in OPTIONAL_COLUMNS)
        number = float(value)
        if number != number:  # NaN
            raise ValueError(f"{code}: NaN value for {group} {subject}")
        if isinstance(occurred, datetime.datetime):
            occurred = occurred.date()
        hits.append(_new_tuple(Hit, (
            code,
            group if type(group) is str else str(group),
            subject if type(subject) is str else str(subject),
            number,
            "" if unit is None else unit if type(unit) is str else str(unit),
            "" if vendor is None else vendor if type(vendor) is str else str(vendor),
            occurred,
            _evidence(keys),
        )))
    # One code per call: sort by subject (text, compared in C), then stably by group when there
    # are several, and drop repeated rows.
    hits.sort(key=_subject)
    if len({hit.group for hit in hits}) > 1:
        hits.sort(key=_group_order)
    return _unique(hits)


def hits_from_columns(
    code: str,
    group: Sequence[str],
    subject: Sequence[str],
    value: Sequence[float],
    unit: Iterable[str] | None = None,
    vendor_id: Iterable[str] | None = None,
    occurred_on: Iterable[datetime.date | None] | None = None,
    evidence: Iterable[tuple[str, ...]] | None = None,
    *,
    checked: bool = False,
) -> list[Hit]:
    """Hits from result columns that are already normalised and in hit order (text, doubles,
    dates, sorted key tuples; sorted by group order, group, subject — see
    ``DuckDBRunner``): checked for NaN and repeated rows (unless the caller has ``checked`` that
    there is neither), then zipped into hits in C."""
    if not checked and any(map(isnan, value)):
        at = next(i for i, v in enumerate(value) if isnan(v))
        raise ValueError(f"{code}: NaN value for {group[at]} {subject[at]}")
    hits: list[Hit] = list(map(_new_tuple, repeat(Hit), zip(
        repeat(code), group, subject, value,
        repeat("") if unit is None else unit,
        repeat("") if vendor_id is None else vendor_id,
        repeat(None) if occurred_on is None else occurred_on,
        repeat(()) if evidence is None else evidence,
    )))
    # Repeated (group, subject) keys are rare: look for one in C before walking the hits.
    if not checked and any(map(eq, islice(subject, 1, None), subject)) and any(
        s == t and g == h for s, t, g, h in zip(islice(subject, 1, None), subject,
                                                islice(group, 1, None), group, strict=False)
    ):
        return _unique(hits)
    return hits


def _unique(hits: list[Hit]) -> list[Hit]:
    """Sorted hits without repeated rows: rows repeat only within one (group, subject), so only
    those runs are compared whole and no hit is hashed."""
    unique: list[Hit] = []
    run: list[Hit] = []
    previous: tuple[str, str] | None = None
    for hit in hits:
        key = (hit.group, hit.subject)
        if key != previous:
            previous, run = key, [hit]
        elif hit in run:
            continue
        else:
            run.append(hit)
        unique.append(hit)
    return unique


def _evidence(keys: Any) -> tuple[str, ...]:
    """A hit's evidence keys, sorted text; one key may come as a bare string; NULLs dropped."""
    if not keys:
        return ()
    if isinstance(keys, str):
        return (keys,)
    if len(keys) == 1 and type(keys[0]) is str:
        return (keys[0],)
    try:
        ordered = sorted(keys)  # DuckDB and Spark hand back lists of str: sort them as they are
    except TypeError:  # a NULL among the keys, or mixed types
        ordered = sorted(str(key) for key in keys if key is not None)
    else:
        if type(ordered[0]) is not str or type(ordered[-1]) is not str:
            ordered = sorted(str(key) for key in ordered if key is not None)
    return tuple(ordered)


_subject = attrgetter("subject")


def _group_order(hit: Hit) -> tuple[int, str]:
    return (GROUP_ORDER.get(hit.group, 9), hit.group)


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
