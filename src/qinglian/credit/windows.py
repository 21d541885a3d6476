"""Publication windows and deadlines.

* The window of a record comes from its federation's rule for its kind (``WindowRule``, else
  ``DEFAULT_WINDOWS``): whether it is published at all, and the minimum and maximum months.
  Both are counted from the decision date, as the national rules count them: the record is
  public until ``decision_date + window_months`` (the day before the same date that many
  months later) and its subject may apply for repair from ``decision_date + min_months``.
* Dual publicity (双公示): licences and penalties are due for publication within 7 working days
  of the decision (statutory holidays and make-up working days respected).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from qinglian.core.workdays import working_days_after

from .choices import (
    DEFAULT_WINDOWS,
    DUAL_PUBLICITY_CATEGORIES,
    DUAL_PUBLICITY_WORKDAYS,
    WindowKind,
)
from .models import CreditRecord, WindowRule


@dataclass(frozen=True)
class Window:
    kind: str
    publish: bool
    min_months: int
    max_months: int


def window_rule(federation_id: int, kind: str) -> Window:
    rule = WindowRule.objects.filter(federation_id=federation_id, kind=kind).first()
    if rule is not None:
        return Window(kind, rule.publish, rule.min_months, rule.max_months)
    publish, low, high = DEFAULT_WINDOWS[kind]
    return Window(kind, publish, low, high)


def window_rules(federation_id: int) -> list[Window]:
    return [window_rule(federation_id, kind) for kind in WindowKind.values]


def add_months(day: dt.date, months: int) -> dt.date:
    return day + relativedelta(months=months)


def window_end(decision_date: dt.date, months: int) -> dt.date:
    """The last day inside a window of ``months`` counted from the decision date."""
    return add_months(decision_date, months) - dt.timedelta(days=1)


def publish_due(decision_date: dt.date) -> dt.date:
    return working_days_after(decision_date, DUAL_PUBLICITY_WORKDAYS)


def apply_window(record: CreditRecord, months: int | None = None) -> None:
    """Fix the record's window from its federation's rule; ``months`` chooses a length inside
    the rule's bounds (default: the longest)."""
    rule = window_rule(record.federation_id, record.window_kind)
    if months is None:
        months = rule.max_months
    if not rule.min_months <= months <= rule.max_months:
        raise ValidationError({"window_months": (
            f"公示期应在 {rule.min_months} 至 {rule.max_months} 个月之间")})
    record.to_publish = rule.publish and months > 0
    record.window_months = months if record.to_publish else 0
    record.min_months = rule.min_months if record.to_publish else 0
    decision = record.decision_date
    record.publish_until = window_end(decision, record.window_months) if record.to_publish else None
    record.repair_from = add_months(decision, record.min_months) if record.is_negative else None
    record.dual_publicity = record.category in DUAL_PUBLICITY_CATEGORIES
    record.publish_due = publish_due(decision) if record.dual_publicity else None
