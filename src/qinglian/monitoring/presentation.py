"""How alert values, rule parameters and evidence read to people (pages, CSV and xlsx).

Values are formatted by the *kind* of the rule's measure or of the parameter (an amount in
yuan, a share, a count, days, an index), never guessed from their magnitude:
amounts read ``1,200,000.00`` (thousands separators, 2 decimals; templates add 元), shares
``37.5%``, counts and days whole numbers, the HHI a whole number, MAD 4 decimals.

Personal data in evidence (bank accounts, ID numbers, phones) is masked with one helper,
:func:`mask_evidence_value`, on every page and export (see views/alerts.py for who may export
raw evidence).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import math
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from qinglian.core.crypto import mask_address, mask_bank_account, mask_id_number, mask_phone

from .engine.definitions import GROUP_LABELS, Parameter, ParameterKind, Rule
from .rules.ocds import GROUP_EXPLANATIONS


class ValueKind(enum.StrEnum):
    AMOUNT = "amount"  # yuan
    SHARE = "share"  # a ratio 0–1 shown as a percentage
    COUNT = "count"
    DAYS = "days"
    INDEX = "index"  # HHI 0–10000, a whole number
    DECIMAL = "decimal"  # a statistic (MAD): 4 decimals
    MARKER = "marker"  # 1 = flagged; the value says nothing more


#: The kind of each rule's measure (``Hit.value``).
VALUE_KINDS: dict[str, ValueKind] = {
    "L001": ValueKind.AMOUNT, "L001P": ValueKind.AMOUNT, "L002": ValueKind.AMOUNT,
    "L003": ValueKind.SHARE, "L004": ValueKind.DECIMAL, "L005": ValueKind.AMOUNT,
    "L006": ValueKind.INDEX, "L007": ValueKind.AMOUNT, "L008": ValueKind.COUNT,
    "L009": ValueKind.MARKER, "L010": ValueKind.COUNT, "L011": ValueKind.DAYS,
    "L012": ValueKind.SHARE,
    "R003": ValueKind.MARKER, "R018": ValueKind.MARKER, "R024": ValueKind.SHARE,
    "R025": ValueKind.SHARE, "R028": ValueKind.MARKER, "R030": ValueKind.MARKER,
    "R035": ValueKind.COUNT, "R036": ValueKind.MARKER, "R038": ValueKind.SHARE,
    "R048": ValueKind.COUNT, "R058": ValueKind.SHARE,
}

#: Groups whose hits carry a flag rather than the rule's measure (the tenderers of a flagged
#: process: Cardinal gives them 0.0; see rules/ocds GROUP_EXPLANATIONS).
GROUP_VALUE_KINDS: dict[tuple[str, str], ValueKind] = dict.fromkeys(
    GROUP_EXPLANATIONS, ValueKind.MARKER)

#: The unit shown after a value of each kind.
UNITS = {ValueKind.AMOUNT: "元", ValueKind.DAYS: "天", ValueKind.COUNT: ""}

#: Parameters whose kind the label does not say (keyed by rule code and parameter name).
PARAMETER_KINDS: dict[tuple[str, str], ValueKind] = {
    ("L003", "share"): ValueKind.SHARE,
    ("L006", "top_share"): ValueKind.SHARE,
    ("L006", "hhi"): ValueKind.INDEX,
    ("L004", "mad_threshold"): ValueKind.DECIMAL,
    ("L004", "chi_square_critical"): ValueKind.DECIMAL,
    ("L012", "threshold"): ValueKind.SHARE,
    ("R024", "threshold"): ValueKind.SHARE,
    ("R025", "threshold"): ValueKind.SHARE,
    ("R038", "threshold"): ValueKind.SHARE,
    ("R058", "threshold"): ValueKind.SHARE,
}


def parameter_kind(rule: Rule, parameter: Parameter) -> ValueKind | None:
    """A parameter's kind: from the table above, else from the unit its label names."""
    kind = PARAMETER_KINDS.get((rule.code, parameter.name))
    if kind is not None:
        return kind
    if parameter.label.endswith("（元）"):
        return ValueKind.AMOUNT
    if parameter.label.endswith("（天）"):
        return ValueKind.DAYS
    if parameter.kind == ParameterKind.INTEGER:
        return ValueKind.COUNT
    if parameter.kind == ParameterKind.DECIMAL:
        return ValueKind.DECIMAL
    return None


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def format_value(value: Any, kind: ValueKind | None, *, unit: bool = False) -> str:
    """One number as people read it (see the module docs); ``unit`` appends 元 / 天."""
    number = _number(value)
    if number is None:
        return "" if value is None else str(value)
    if kind == ValueKind.AMOUNT:
        text = f"{number:,.2f}"
    elif kind == ValueKind.SHARE:
        text = f"{(number * 100).quantize(Decimal('0.1')).normalize():f}%"
    elif kind in (ValueKind.COUNT, ValueKind.DAYS, ValueKind.INDEX, ValueKind.MARKER):
        text = f"{number.quantize(Decimal(1)):,f}" if number == number.to_integral_value() \
            else f"{number.quantize(Decimal('0.01')):,f}"
    elif kind == ValueKind.DECIMAL:
        text = f"{number.quantize(Decimal('0.0001')):f}"
    else:
        text = f"{number.normalize():f}" if number == number.to_integral_value() \
            else f"{number:f}"
    suffix = UNITS.get(kind) if unit and kind is not None else None
    return f"{text} {suffix}" if suffix else text


def value_kind(rule_code: str, group: str = "") -> ValueKind | None:
    """The kind of a hit's value: the rule's measure, or a flag for some groups."""
    return GROUP_VALUE_KINDS.get((rule_code, group)) or VALUE_KINDS.get(rule_code)


#: What a count counts, per rule (项 of contact data, 次 of joint bids, …).
COUNT_UNITS = {"L008": "项", "L010": "次", "R035": "家", "R048": "类"}


def alert_value(alert: Any) -> str:
    """The alert's measure for the list, detail and exports, with its unit; nothing for a flag
    (its value says nothing more than that the alert exists)."""
    kind = value_kind(alert.rule_code, alert.group)
    if kind == ValueKind.MARKER:
        return ""
    text = format_value(alert.value, kind, unit=True)
    counted = COUNT_UNITS.get(alert.rule_code)
    return f"{text} {counted}" if counted and text else text


#: xlsx number formats by kind (cells stay numbers).
NUMBER_FORMATS = {
    ValueKind.AMOUNT: "#,##0.00", ValueKind.SHARE: "0.0%", ValueKind.COUNT: "#,##0",
    ValueKind.DAYS: "#,##0", ValueKind.INDEX: "#,##0", ValueKind.DECIMAL: "0.0000",
    ValueKind.MARKER: "0",
}


def _parameter_text(rule: Rule, name: str, value: Any) -> str:
    try:
        parameter = rule.parameter(name)
    except KeyError:
        return display(value)
    if isinstance(value, list | tuple | set | frozenset | dict) or value is None:
        return display(value)
    return format_value(value, parameter_kind(rule, parameter))


def display(value: Any) -> str:
    """A parameter value that is not a number: sets, mappings, nothing."""
    if isinstance(value, list | tuple | frozenset | set):
        return "、".join(sorted(str(v) for v in value)) or "（全部）"
    if isinstance(value, dict):
        return "；".join(f"{k} {v} 天" if isinstance(v, int) else f"{k} {v}"
                        for k, v in sorted(value.items())) or "（无）"
    if isinstance(value, float):
        return format_value(value, None)
    return "（未设置）" if value is None else str(value)


def explain(rule: Rule, hit: Any, parameters: Mapping[str, Any]) -> str:
    """The Chinese explanation of one hit, every number formatted by its kind."""
    values = {name: _parameter_text(rule, name, value) for name, value in parameters.items()}
    occurred = getattr(hit, "occurred_on", None)
    template = GROUP_EXPLANATIONS.get((rule.code, hit.group), rule.explanation)
    return template.format(
        **values, group=GROUP_LABELS.get(hit.group, hit.group), subject=hit.subject,
        value=format_value(hit.value, value_kind(rule.code, hit.group)),
        unit=getattr(hit, "unit", "") or "（未知单位）",
        vendor_id=getattr(hit, "vendor_id", "") or "（未知）",
        occurred_on="" if occurred is None else str(occurred),
    )


def parameter_rows(rule: Rule | None, parameters: Mapping[str, Any]) -> list[dict[str, str]]:
    """A run's parameter values for pages: Chinese label (with its unit) and formatted value."""
    rows = []
    for name, value in parameters.items():
        label = name
        if rule is not None:
            with contextlib.suppress(KeyError):
                label = rule.parameter(name).label
        text = _parameter_text(rule, name, value) if rule is not None else display(value)
        rows.append({"name": name, "label": label, "value": text})
    return rows


# --- subjects ---------------------------------------------------------------------------------

_PARTS = {
    "Vendor": ("供应商", "员工"),
    "Unit": ("单位", "期间"),
}


#: The role of each part of a subject, for its name (see names.py).
_ROLES = {"Vendor": ("vendor", "employee"), "Bidders": ("vendor",), "Employee": ("employee",),
          "Tenderer": ("party",), "Buyer": ("party",), "ProcuringEntity": ("party",)}
#: ``(role, code) → name`` ("" when not known).
NameOf = Callable[[str, str], str]


def _named(code: str, role: str | None, name_of: NameOf | None) -> str:
    name = name_of(role, code) if name_of is not None and role is not None else ""
    return f"{code} {name}" if name else code


def subject_label(group: str, subject: str, name_of: NameOf | None = None) -> str:
    """``Vendor`` / ``V001|E002`` → 供应商 V001 · 员工 E002: the group in Chinese and a
    composite key split into its named parts; with ``name_of``, each code followed by its
    name (供应商 V001 杭州某某贸易有限公司 · 员工 E002 张三（采购部）)."""
    group_label = GROUP_LABELS.get(group, group)
    roles = _ROLES.get(group, ())
    if "|" not in subject:
        role = roles[0] if roles else None
        return f"{group_label} {_named(subject, role, name_of)}"
    parts = subject.split("|")
    names = _PARTS.get(group)
    if group == "Bidders":
        return f"{group_label} " + "、".join(_named(p, "vendor", name_of) for p in parts)
    if names and len(parts) == len(names):
        labelled = zip(names, parts, roles or (None,) * len(parts), strict=False)
        return " · ".join(f"{n} {_named(p, r, name_of)}" for n, p, r in labelled)
    return f"{group_label} " + " · ".join(parts)


# --- masking ----------------------------------------------------------------------------------

#: Canonical evidence columns holding personal data, and how each is masked.
MASKED_COLUMNS = {"bank_account": "bank", "id_number": "id", "phone": "phone",
                  "address": "address"}


def mask_evidence_value(column: str, value: Any, *, business: bool = False) -> Any:
    """A value of an evidence column, masked when the column holds personal data. A
    ``business`` row (a vendor's) keeps its address: a registered address is public."""
    how = MASKED_COLUMNS.get(column)
    if how is None or value is None or value == "" or (business and how == "address"):
        return value
    text = str(value).strip()
    if how == "bank":
        return mask_bank_account(text)
    if how == "id":
        return mask_id_number(text)
    if how == "address":
        return mask_address(text)
    return mask_phone("".join(ch for ch in text if not ch.isspace()))


def cell_text(value: Any) -> str:
    """An evidence value as text: numbers plain (never scientific), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)
