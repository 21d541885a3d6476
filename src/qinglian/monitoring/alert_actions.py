"""Alerts (预警): raised from a run's hits, then handled to closure.

``record_hits`` (called by the run job, one transaction per rule) works set-wise: one query
reads the rule's existing alerts of the organisation, new fingerprints are created in bulk,
alerts seen again are updated in bulk (never duplicated: see fingerprints.py), and an open
alert the rule no longer finds on a *newer* dataset version is marked resolved-by-data. The
same data with other parameter values resolves nothing: only new data can clear evidence.

The handling actions follow the table in workflow.py: a manager assigns an alert to a user of
the same organisation with a due date in working days; the assignee (or a manager) starts the
investigation and closes it as a false positive (with the reason) or confirmed (with the
conclusion); a confirmed alert can be linked to the organisation's integrity risk point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, lock_audit_chain, record_event, record_many
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.numbers import next_numbers
from qinglian.core.permissions import WRITE, has_perm, require, restrict
from qinglian.core.workdays import working_days_after

from .choices import OPEN_ALERT, AlertResolution, AlertStatus
from .engine import Rule
from .fingerprints import hit_fingerprint
from .models import Alert, Run
from .presentation import explain, format_value, subject_label, value_kind
from .workflow import ALERT_FLOW, MANAGE

NUMBER_PREFIX = "YJ"
DEFAULT_DUE_DAYS = 10
_BATCH = 1000


def due_days() -> int:
    """Working days an assignee has to handle an alert (setting QINGLIAN_ALERT_DUE_DAYS)."""
    return int(getattr(settings, "QINGLIAN_ALERT_DUE_DAYS", DEFAULT_DUE_DAYS))


def next_alert_numbers(count: int, year: int) -> list[str]:
    """YJ2026-0000001…: a sequence per year (the caller holds the audit chain's lock, which
    serialises every audited writer)."""
    return next_numbers(Alert, NUMBER_PREFIX, year, count)


# --- from hits --------------------------------------------------------------------------------

@dataclass
class _Found:
    fingerprint: str
    hit: Any
    explanation: str


def _explain(rule: Rule, hit: Any, parameters: Mapping[str, Any]) -> str:
    """The hit's explanation, every number formatted by its kind (presentation.py)."""
    try:
        return explain(rule, hit, parameters)
    except (KeyError, IndexError, ValueError, TypeError):
        value = format_value(hit.value, value_kind(rule.code), unit=True)
        return f"{rule.name_zh}：{subject_label(hit.group, hit.subject)}（指标值 {value}）"


def _fill(alert: Alert, found: _Found, rows: list[dict[str, Any]], run: Run) -> None:
    hit = found.hit
    alert.value = hit.value
    alert.explanation = found.explanation
    alert.unit = str(getattr(hit, "unit", "") or "")[:128]
    alert.vendor_id = str(getattr(hit, "vendor_id", "") or "")[:64]
    alert.occurred_on = getattr(hit, "occurred_on", None)
    alert.evidence = rows
    alert.evidence_total = len(getattr(hit, "evidence", ()) or ())
    alert.last_run = run


_CONTENT_FIELDS = ["value", "explanation", "unit", "vendor_id", "occurred_on", "evidence",
                   "evidence_total", "status", "resolved_by_data_at"]


def _content(alert: Alert) -> tuple[Any, ...]:
    return tuple(getattr(alert, name) for name in _CONTENT_FIELDS)


def _newer(run_versions: Mapping[str, int], old: Mapping[str, int] | None, kinds: set[str]) -> bool:
    """Whether the run read a newer version of any ledger the rule reads than the run that
    last saw the alert."""
    old = old or {}
    return any(int(run_versions.get(k, 0)) > int(old.get(k, 0)) for k in kinds)


def record_hits(run: Run, rule: Rule, hits: Iterable[Any], *, parameters: Mapping[str, Any],
                evidence: Any = None) -> dict[str, Any]:
    """Turn one rule's hits into alerts (see the module docs); returns the rule's counts
    {hits, new, updated, resolved}. Runs inside the job's transaction for the rule."""
    from .run_actions import table_kind

    org = run.organisation_id
    found: dict[str, _Found] = {}
    for hit in hits:
        fp = hit_fingerprint(org, rule, hit)
        found.setdefault(fp, _Found(fp, hit, _explain(rule, hit, parameters)))
    if rule.code == "L008" and evidence is not None and found:
        from .conflicts import conflict_explanations

        texts = conflict_explanations(evidence.connection, [f.hit.subject for f in found.values()])
        for item in found.values():
            item.explanation = texts.get(item.hit.subject, item.explanation)
    rows = evidence.rows(rule, {fp: tuple(f.hit.evidence) for fp, f in found.items()
                                if getattr(f.hit, "evidence", ())}) if evidence else {}
    existing = {a.fingerprint: a for a in Alert.objects.filter(organisation_id=org,
                                                               rule_code=rule.code)}
    lock_audit_chain()
    now = timezone.now()
    fresh = [fp for fp in found if fp not in existing]
    numbers = next_alert_numbers(len(fresh), timezone.localdate().year)
    created = []
    for fp, number in zip(fresh, numbers, strict=True):
        alert = Alert(organisation_id=org, number=number, fingerprint=fp, rule_code=rule.code,
                      severity=str(rule.severity), group=found[fp].hit.group[:32],
                      subject=found[fp].hit.subject[:255], first_run=run)
        _fill(alert, found[fp], rows.get(fp, []), run)
        created.append(alert)
    Alert.objects.bulk_create(created, batch_size=_BATCH)
    changed: list[Alert] = []
    unchanged: list[Alert] = []
    reopened: list[Alert] = []
    for fp, alert in existing.items():
        if fp in found:
            before = _content(alert)
            _fill(alert, found[fp], rows.get(fp, []), run)
            if alert.status == AlertStatus.RESOLVED_BY_DATA:
                alert.status, alert.resolved_by_data_at = AlertStatus.NEW, None
                reopened.append(alert)
            alert.updated_at = now
            (changed if _content(alert) != before else unchanged).append(alert)
    # Seen again with the same content (the common case of a re-run): one UPDATE per chunk.
    for start in range(0, len(unchanged), _BATCH):
        Alert.objects.filter(pk__in=[a.pk for a in unchanged[start:start + _BATCH]]).update(
            last_run=run, updated_at=now)
    Alert.objects.bulk_update(changed, [*_CONTENT_FIELDS, "last_run", "updated_at"],
                              batch_size=_BATCH)
    seen = changed + unchanged
    resolved = _resolve_by_data(run, rule, existing, found, {table_kind(t) for t in rule.inputs},
                                now)
    record_many(
        [AuditEntry(a, AuditAction.EVENT, event="alert.raised",
                    after={"run": run.pk, "rule": rule.code, "subject": a.subject})
         for a in created]
        + [AuditEntry(a, AuditAction.EVENT, event="alert.reopened_by_data", after={"run": run.pk})
           for a in reopened]
        + [AuditEntry(a, AuditAction.EVENT, event="alert.resolved_by_data", after={"run": run.pk})
           for a in resolved],
        actor=None)
    return {"hits": len(found), "new": len(created), "updated": len(seen),
            "resolved": len(resolved)}


def _resolve_by_data(run: Run, rule: Rule, existing: Mapping[str, Alert],
                     found: Mapping[str, Any], kinds: set[str], now: dt.datetime) -> list[Alert]:
    gone = [a for fp, a in existing.items() if fp not in found and a.status in OPEN_ALERT]
    if not gone:
        return []
    seen_in = dict(Run.objects.filter(pk__in={a.last_run_id for a in gone if a.last_run_id})
                   .values_list("pk", "versions"))
    resolved = [a for a in gone
                if _newer(run.versions, seen_in.get(a.last_run_id or 0), kinds)]
    for alert in resolved:
        alert.status, alert.resolved_by_data_at, alert.updated_at = (
            AlertStatus.RESOLVED_BY_DATA, now, now)
    Alert.objects.bulk_update(resolved, ["status", "resolved_by_data_at", "updated_at"],
                              batch_size=_BATCH)
    return resolved


# --- handling ---------------------------------------------------------------------------------

def _writable(alert: Alert, actor: Any) -> None:
    if actor is not None and not restrict(Alert.objects.filter(pk=alert.pk), actor,
                                          WRITE).exists():
        raise PermissionDenied("该预警不在您的管理范围内")


def _assignee_or_manager(alert: Alert, actor: Any) -> None:
    if actor is None or has_perm(actor, MANAGE) or alert.assignee_id == actor.pk:
        return
    raise PermissionDenied("只有承办人或预警管理人员可以办理该预警")


@transaction.atomic
def do_assign_alert(alert: Alert, *, assignee: User, actor: Any,
                    due_on: dt.date | None = None) -> Alert:
    """Name the handler (a user of the alert's organisation) and the due date: N working days
    from today (statutory calendar, make-up working days included) unless given."""
    if actor is not None:
        require(actor, MANAGE)
    _writable(alert, actor)
    lock(alert)
    if not assignee.is_active or assignee.organisation_id != alert.organisation_id:
        raise ValidationError("承办人必须是本单位的在岗用户")
    today = timezone.localdate()
    due = due_on or working_days_after(today, due_days())
    if due < today:
        raise ValidationError("办理期限不能早于今天")
    ALERT_FLOW.apply(alert, to=AlertStatus.ASSIGNED, actor=actor,
                     note=f"承办人：{assignee.display_name or assignee.username}",
                     changes={"assignee": assignee, "due_on": due})
    return alert


@transaction.atomic
def do_start_investigation(alert: Alert, *, actor: Any, note: str = "") -> Alert:
    """The assignee (or a manager) starts checking the alert."""
    if actor is not None:
        require(actor, "monitoring.handle_alert")
    _writable(alert, actor)
    lock(alert)
    _assignee_or_manager(alert, actor)
    ALERT_FLOW.apply(alert, to=AlertStatus.INVESTIGATING, actor=actor, note=note.strip()[:500])
    return alert


@transaction.atomic
def do_close_alert(alert: Alert, *, resolution: str, note: str, actor: Any) -> Alert:
    """Close after investigation: a false positive needs its reason, a confirmed alert its
    conclusion."""
    if actor is not None:
        require(actor, "monitoring.handle_alert")
    _writable(alert, actor)
    lock(alert)
    _assignee_or_manager(alert, actor)
    if resolution not in AlertResolution.values:
        raise ValidationError("请选择办结结论（误报或属实）")
    note = (note or "").strip()
    if not note:
        raise ValidationError("误报须说明理由" if resolution == AlertResolution.FALSE_POSITIVE
                              else "属实须填写核查结论")
    ALERT_FLOW.apply(alert, to=AlertStatus.CLOSED, actor=actor, note=note[:500],
                     changes={"resolution": resolution, "resolution_note": note})
    return alert


@transaction.atomic
def do_link_alert_to_risk_point(alert: Alert, *, point_id: int, actor: Any) -> Alert:
    """A confirmed alert shows an integrity risk materialising: link it to the organisation's
    risk point (the point's next review starts one step more likely)."""
    from qinglian.risk.hooks import link_confirmed_alert
    from qinglian.risk.models import RiskPoint

    if actor is not None:
        require(actor, MANAGE)
    _writable(alert, actor)
    lock(alert)
    if alert.status != AlertStatus.CLOSED or alert.resolution != AlertResolution.CONFIRMED:
        raise ValidationError("只有核查属实的预警可以关联风险点")
    point = RiskPoint.objects.filter(pk=point_id, organisation_id=alert.organisation_id).first()
    if point is None:
        raise ValidationError("请选择本单位的廉洁风险点")
    # The person who links is the actor of the risk side too (risk.link_alert across the
    # jurisdiction, or risk.manage_register over the organisation's own register).
    link_confirmed_alert(point.pk, source="monitoring", reference=alert.number,
                         summary=alert.explanation[:255], actor=actor)
    before = alert.linked_risk_point_id
    alert.linked_risk_point = point
    alert.save(update_fields=["linked_risk_point", "updated_at"])
    record_event(alert, "alert.linked_risk_point", actor=actor,
                 details={"from": before, "to": point.pk})
    return alert
