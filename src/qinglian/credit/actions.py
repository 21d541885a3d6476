"""The only code that writes credit records (信用记录).

Listings, objections and repair are in ``listing_actions.py``, ``objection_actions.py`` and
``repair_actions.py``; pledges in ``pledge_actions.py``; the dual-publicity import in
``imports.py``. Every action is atomic, checks the permission (403) and the scope, locks what it
changes, records the change and a semantic event, and tells the ratings that an enterprise's
records changed (``hooks.records_changed``, after commit).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.numbers import next_number
from qinglian.core.permissions import WRITE, require_in_scope, require_perm, restrict
from qinglian.core.validation import clean_text
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.choices import OPEN_MEMBERSHIP, OrganisationKind
from qinglian.registry.models import Membership, Organisation, Person
from qinglian.registry.queries import jurisdiction_id

from .choices import (
    CATEGORY_POLARITY,
    Polarity,
    RecordCategory,
    RecordStatus,
    Severity,
    Source,
    SubjectKind,
    WindowKind,
)
from .hooks import records_changed
from .models import CreditPledge, CreditPolicy, CreditRecord, WindowRule
from .windows import apply_window, check_window, window_rules
from .workflow import RECORD_FLOW

Actor = User | None
EARLIEST = dt.date(1990, 1, 1)
MAX_AMOUNT = Decimal("99999999999999.99")



def federation_of(actor: Actor, subject: Organisation | Person) -> Organisation:
    """The federation keeping the subject's credit file; the actor must work in it."""
    federation_id = subject.federation_id
    if federation_id is None:
        raise ValidationError("该主体未归属任何工商联，无法建立信用档案")
    if actor is not None and actor.role != "admin" and jurisdiction_id(actor) != federation_id:
        raise PermissionDenied("只能办理本辖区主体的信用事项")
    return Organisation.objects.get(pk=federation_id)


def clean_date(value: Any, what: str, *, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({what: "请填写日期"})
    if value < EARLIEST:
        raise ValidationError({what: f"日期不能早于 {EARLIEST:%Y-%m-%d}"})
    if value > today:
        raise ValidationError({what: "日期不能晚于今天"})
    return value


def clean_amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({"amount": "金额格式不正确"}) from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError({"amount": "金额应为不小于 0 的合理数值"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "金额最多保留两位小数"})
    return amount


def _subject(record: CreditRecord, subject: Organisation | Person) -> None:
    if isinstance(subject, Organisation):
        if subject.kind != OrganisationKind.ENTERPRISE:
            raise ValidationError({"organisation": "信用记录的主体应为企业或从业人员"})
        record.subject_kind, record.organisation = SubjectKind.ENTERPRISE, subject
        record.subject_name, record.subject_code = subject.name, subject.uscc or ""
    else:
        record.subject_kind, record.person = SubjectKind.PRACTITIONER, subject
        record.subject_name, record.subject_code = subject.name, ""


def record_fields(record: CreditRecord, fields: dict[str, Any], *, today: dt.date) -> None:
    """Validate and set the editable fields; the polarity follows the category."""
    category = fields.get("category", record.category)
    if category not in RecordCategory.values:
        raise ValidationError({"category": "请选择信用记录类别"})
    record.category = category
    record.polarity = CATEGORY_POLARITY[category]
    severity = fields.get("severity", record.severity) or ""
    if record.polarity == Polarity.NEGATIVE:
        if severity not in Severity.values:
            raise ValidationError({"severity": "失信信息须选择失信程度（轻微 / 一般 / 严重）"})
    else:
        severity = ""
    record.severity = severity
    source = fields.get("source", record.source)
    if source not in Source.values:
        raise ValidationError({"source": "请选择信息来源"})
    record.source = source
    record.issuing_body = clean_text(fields.get("issuing_body", record.issuing_body),
                                     "issuing_body", limit=128)
    record.decision_number = clean_text(fields.get("decision_number", record.decision_number),
                                        "decision_number", limit=64)
    record.decision_date = clean_date(fields.get("decision_date", record.decision_date),
                                      "decision_date", today=today)
    record.legal_basis = clean_text(fields.get("legal_basis", record.legal_basis),
                                    "legal_basis", limit=2000)
    record.content = clean_text(fields.get("content", record.content), "content", limit=4000)
    record.amount = clean_amount(fields.get("amount", record.amount))


def _changed(record: CreditRecord) -> None:
    if record.organisation_id is not None:
        records_changed([record.organisation_id])


@transaction.atomic
def do_create_record(subject: Organisation | Person, *, actor: Actor,
                     today: dt.date | None = None, window_months: int | None = None,
                     publish: bool = False, pledge: CreditPledge | None = None,
                     **fields: Any) -> CreditRecord:
    """Enter a credit record about an enterprise or a practitioner. Its window is fixed from
    the federation's rules; ``publish`` publishes it at once (officers who may); ``pledge``
    is the pledge whose breach the record states."""
    require_perm(actor, "credit.manage_record")
    day = today or timezone.localdate()
    federation = federation_of(actor, subject)
    if actor is not None and actor.role == "chamber_officer":
        if isinstance(subject, Organisation):
            if not Membership.objects.filter(
                    organisation_id=actor.organisation_id or 0, member=subject,
                    status__in=[s.value for s in OPEN_MEMBERSHIP]).exists():
                raise PermissionDenied("商会只能录入本会会员的信用记录")
        elif not restrict(Person.objects.filter(pk=subject.pk), actor, WRITE).exists():
            raise PermissionDenied("商会只能录入本会会员企业从业人员的信用记录")
    lock(federation)
    record = CreditRecord(federation=federation,
                          entered_by=actor if actor is not None and actor.pk else None,
                          entered_by_org_id=getattr(actor, "organisation_id", None),
                          pledge=pledge)
    _subject(record, subject)
    record_fields(record, fields, today=day)
    apply_window(record, window_months)
    record.number = next_number(CreditRecord, "XY", day.year)
    record.full_clean(exclude=["federation", "organisation", "person", "entered_by",
                               "entered_by_org", "pledge"])
    record.save()
    record_change(record, AuditAction.CREATE, actor=actor, after=snapshot(record))
    record_event(record, "credit_record.recorded", actor=actor,
                 details={"category": record.category, "severity": record.severity})
    if publish:
        do_publish_record(record, actor=actor, today=day)
    else:
        _changed(record)
    return record


@transaction.atomic
def do_publish_record(record: CreditRecord, *, actor: Actor,
                      today: dt.date | None = None) -> CreditRecord:
    """Publish a record: it is public from today to the end of its window (a record whose
    rule says "not published", or whose window has already ended, is refused)."""
    require_perm(actor, "credit.publish_record")
    require_in_scope(actor, record)
    record = lock(record)
    day = today or timezone.localdate()
    if not record.to_publish:
        raise ValidationError("按公示期限规则，该信息不对外公示")
    if record.publish_until is not None and record.publish_until < day:
        raise ValidationError("该信息的公示期已届满，无需公示")
    RECORD_FLOW.apply(record, to=RecordStatus.PUBLISHED, actor=actor,
                      changes={"publish_from": day})
    _changed(record)
    return record


@transaction.atomic
def do_revoke_record(record: CreditRecord, *, actor: Actor, reason: str) -> CreditRecord:
    """Revoke a record entered in error or whose decision was annulled. It leaves the public
    view; its history is kept; blacklist listings resting only on revoked or repaired records
    leave due process with it."""
    from .listing_actions import end_listings_on_revoked  # listing_actions imports this module

    require_in_scope(actor, record)
    reason = clean_text(reason, "reason", limit=500)
    record = lock(record)
    RECORD_FLOW.apply(record, to=RecordStatus.REVOKED, actor=actor, note=reason)
    end_listings_on_revoked(record, actor=actor)
    _changed(record)
    return record


@transaction.atomic
def do_correct_record(record: CreditRecord, *, actor: Actor, reason: str,
                      today: dt.date | None = None, window_months: int | None = None,
                      **fields: Any) -> CreditRecord:
    """Correct a record's content (after an objection found it wrong): the fields change,
    the window is recomputed from the corrected decision date and severity, and the change
    is recorded with its reason. The status does not change."""
    require_perm(actor, "credit.publish_record")
    require_in_scope(actor, record)
    reason = clean_text(reason, "reason", limit=500)
    record = lock(record)
    if record.status in (RecordStatus.REVOKED, RecordStatus.REPAIRED):
        raise ValidationError("已撤销或已修复的记录不能更正")
    day = today or timezone.localdate()
    before = snapshot(record)
    record_fields(record, fields, today=day)
    try:
        apply_window(record, window_months if window_months is not None
                     else record.window_months or None)
    except ValidationError:
        if window_months is not None:
            raise
        apply_window(record)  # the kept length no longer fits the corrected severity
    record.save()
    record_change(record, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(record))
    record_event(record, "credit_record.corrected", actor=actor, details={"reason": reason})
    _changed(record)
    return record


@transaction.atomic
def do_update_record(record: CreditRecord, *, actor: Actor, today: dt.date | None = None,
                     window_months: int | None = None, **fields: Any) -> CreditRecord:
    """Change a record that is not yet published (待公示). After publication a change is a
    correction with its reason (``do_correct_record``)."""
    require_perm(actor, "credit.manage_record")
    require_in_scope(actor, record)
    record = lock(record)
    if record.status != RecordStatus.RECORDED:
        raise ValidationError("已公示的记录不能直接修改，请通过“更正”办理并说明原因")
    day = today or timezone.localdate()
    before = snapshot(record)
    record_fields(record, fields, today=day)
    apply_window(record, window_months)
    record.full_clean(exclude=["federation", "organisation", "person", "entered_by",
                               "entered_by_org", "pledge"])
    record.save()
    record_change(record, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(record))
    _changed(record)
    return record


def do_publish_records(records: list[CreditRecord], *, actor: Actor,
                       today: dt.date | None = None) -> tuple[int, list[str]]:
    """Publish several records (the dual-publicity queue's "publish selected"). Each is
    published in its own transaction; a refusal names the record and does not stop the
    others. Returns how many were published and the refusals."""
    require_perm(actor, "credit.publish_record")
    published, refusals = 0, []
    for record in records:
        try:
            do_publish_record(record, actor=actor, today=today)
        except (ValidationError, PermissionDenied, TransitionNotAllowed) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refusals.append(f"{record.number}：{text}")
        else:
            published += 1
    return published, refusals


def _federation_officer(actor: Actor, federation: Organisation) -> None:
    require_perm(actor, "credit.manage_rules")
    if federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError("公示期限规则和办理时限由工商联设置")
    if actor is not None and actor.role != "admin" and jurisdiction_id(actor) != federation.pk:
        raise PermissionDenied("只能设置本工商联的规则")


@transaction.atomic
def do_set_window_rules(federation: Organisation, rules: dict[str, tuple[bool, int, int]], *,
                        actor: Actor) -> int:
    """Set the federation's publication windows (one rule per ``WindowKind``) inside the legal
    bounds. Changes apply to records entered afterwards; records already entered keep the
    window they were given. Returns how many rules changed."""
    _federation_officer(actor, federation)
    lock(federation)
    errors: dict[str, list[str]] = {}
    for kind, (publish, low, high) in rules.items():
        if kind not in WindowKind.values:
            raise ValidationError(f"未知的信息类别：{kind}")
        try:
            check_window(kind, publish, low, high)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    current = {w.kind: w for w in window_rules(federation.pk)}
    changed = 0
    for kind, (publish, low, high) in rules.items():
        old = current[kind]
        if (old.publish, old.min_months, old.max_months) == (publish, low, high):
            continue
        rule = WindowRule.objects.filter(federation=federation, kind=kind).first()
        before = snapshot(rule) if rule is not None else None
        if rule is None:
            rule = WindowRule(federation=federation, kind=kind)
        rule.publish, rule.min_months, rule.max_months = publish, low, high
        rule.save()
        record_change(rule, AuditAction.UPDATE if before else AuditAction.CREATE, actor=actor,
                      before=before, after=snapshot(rule))
        record_event(rule, "credit_window.changed", actor=actor, details={
            "kind": kind, "from": [old.publish, old.min_months, old.max_months],
            "to": [publish, low, high]})
        changed += 1
    return changed


POLICY_FIELDS = ("objection_window_days", "objection_handling_days", "repair_handling_days")


@transaction.atomic
def do_set_credit_policy(federation: Organisation, *, actor: Actor,
                         **days: int) -> CreditPolicy:
    """Set the federation's due-process clocks in working days (1–60 each): the objection
    window after a listing is notified, and the time to handle an objection and a repair."""
    _federation_officer(actor, federation)
    lock(federation)
    policy = CreditPolicy.objects.filter(federation=federation).first()
    before = snapshot(policy) if policy is not None else None
    if policy is None:
        policy = CreditPolicy(federation=federation)
    errors = {}
    for name in POLICY_FIELDS:
        value = days.get(name, getattr(policy, name))
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 60:
            errors[name] = "应为 1 至 60 之间的工作日数"
        else:
            setattr(policy, name, value)
    if errors:
        raise ValidationError(errors)
    policy.save()
    after = snapshot(policy)
    if before != after:
        record_change(policy, AuditAction.UPDATE if before else AuditAction.CREATE,
                      actor=actor, before=before, after=after)
    return policy
