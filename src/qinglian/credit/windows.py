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
from .models import CreditPolicy, CreditRecord, WindowRule

#: Legal bounds of each rule (national credit-repair rules in force from 2026): the lowest
#: minimum and the highest maximum, in months. Positive and licence information: at most 5
#: years (the model's own ceiling).
LEGAL_BOUNDS: dict[str, tuple[int, int]] = {
    WindowKind.MINOR: (0, 3),
    WindowKind.ORDINARY: (3, 12),
    WindowKind.SERIOUS: (12, 36),
    WindowKind.OTHER: (0, 60),
}
#: Items due within this many working days show as "due soon" (临期).
DUE_SOON_WORKDAYS = 3


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
    """The last day inside a window of ``months`` counted from the decision date: the day
    before the same date that many months later; when that month has no such date (a window
    from 31 January, or from 29 February to a common year), the end of that month — as the
    Civil Code (art. 202) counts periods in months."""
    later = add_months(decision_date, months)
    if later.day < decision_date.day:  # clamped to the month's last day
        return later
    return later - dt.timedelta(days=1)


def publish_due(decision_date: dt.date) -> dt.date:
    return working_days_after(decision_date, DUAL_PUBLICITY_WORKDAYS)


def check_window(kind: str, publish: bool, min_months: int, max_months: int) -> None:
    """A rule must stay inside the legal bounds of its kind (ValidationError keyed by field:
    ``<kind>_min`` / ``<kind>_max``)."""
    low, high = LEGAL_BOUNDS[kind]
    label = WindowKind(kind).label
    errors: dict[str, str] = {}
    if min_months < low:
        errors[f"{kind}_min"] = f"{label}的最短公示期不能少于 {low} 个月"
    if max_months > high:
        errors[f"{kind}_max"] = f"{label}的最长公示期不能超过 {high} 个月"
    if min_months > max_months:
        errors[f"{kind}_min"] = "最短公示期不能长于最长公示期"
    if publish and max_months == 0:
        errors[f"{kind}_max"] = "对外公示时最长公示期应至少 1 个月"
    if errors:
        raise ValidationError(errors)


def due_soon_until(today: dt.date) -> dt.date:
    """The last due date that counts as "due soon" today."""
    return working_days_after(today, DUE_SOON_WORKDAYS)


def credit_policy(federation_id: int) -> CreditPolicy:
    """The federation's due-process clocks (an unsaved default when it has set none)."""
    policy = CreditPolicy.objects.filter(federation_id=federation_id).first()
    return policy if policy is not None else CreditPolicy(federation_id=federation_id)


def apply_window(record: CreditRecord, months: int | None = None,
                 rule: Window | None = None) -> None:
    """Fix the record's window from its federation's rule; ``months`` chooses a length inside
    the rule's bounds (default: the longest). ``rule`` saves the look-up in bulk imports."""
    if rule is None or rule.kind != record.window_kind:
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
