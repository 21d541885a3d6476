"""The only code that writes declarations (礼品、宴请、捐赠申报) and thresholds.

Conflict rounds are in ``round_actions.py``. Every action is atomic, checks the permission
(403) and the scope, locks the rows it changes and records the change (before/after) and,
where something happened, a semantic event. State changes go through ``DECLARATION_FLOW``.
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
from qinglian.core.formatting import chinese_date
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.permissions import WRITE, require_in_scope, require_perm
from qinglian.core.validation import clean_text
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.models import Organisation, Person

from .choices import (
    DEFAULT_THRESHOLDS,
    EDITABLE,
    MAX_AMOUNT,
    DeclarationKind,
    DeclarationStatus,
    Direction,
    Disposal,
)
from .keys import counterparty_key, person_key
from .models import Declaration, Threshold
from .queries import declaring_organisations, threshold_for
from .workflow import DECLARATION_FLOW

Actor = User | None
EARLIEST = dt.date(2000, 1, 1)



def require_organisation(actor: Actor, organisation: Organisation) -> None:
    if actor is not None and not declaring_organisations(actor, WRITE).filter(
            pk=organisation.pk).exists():
        raise PermissionDenied("您只能办理本单位的申报")


def clean_amount(value: Any, what: str) -> Decimal:
    """A sum of money in yuan: not negative, at most two decimals, not absurdly large."""
    if value is None or value == "":
        raise ValidationError({what: "请填写金额"})
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({what: f"“{value}”不是金额"}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({what: "金额不能为负数"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({what: "金额最多保留两位小数（精确到分）"})
    if amount > MAX_AMOUNT:
        raise ValidationError({what: "金额过大，请核对"})
    return amount.quantize(Decimal("0.01"))


def clean_choice(value: Any, allowed: list[str], what: str, label: str) -> str:
    if value not in allowed:
        raise ValidationError({what: f"请选择{label}"})
    return str(value)


def clean_date(value: Any, what: str, today: dt.date, *, earliest: dt.date = EARLIEST) -> dt.date:
    if not isinstance(value, dt.date):
        raise ValidationError({what: "请填写日期"})
    if value > today:
        raise ValidationError({what: "日期不能晚于今天"})
    if value < earliest:
        raise ValidationError({what: f"日期不能早于 {chinese_date(earliest)}"})
    return value


def clean_links(organisation: Organisation, person: Person | None,
                user: User | None) -> tuple[Person | None, User | None]:
    """An optional person of the organisation's federation and account of the organisation."""
    if person is not None and person.federation_id not in (
            organisation.pk, organisation.federation_id):
        raise ValidationError({"person": "所选人员不属于本单位所在辖区的人员库"})
    if user is not None and user.organisation_id != organisation.pk:
        raise ValidationError({"user": "所选账号不是本单位的账号"})
    return person, user


# --- thresholds -------------------------------------------------------------------------------


@transaction.atomic
def do_set_thresholds(organisation: Organisation, amounts: dict[tuple[str, str], Any], *,
                      actor: Actor) -> int:
    """Set the organisation's thresholds per kind and direction; ``None`` (or the default
    amount) goes back to the default. Declarations already made keep the threshold they were
    made under. Returns how many thresholds changed."""
    require_perm(actor, "declarations.manage_thresholds")
    require_organisation(actor, organisation)
    lock(organisation)
    changed = 0
    for key, value in amounts.items():
        if key not in DEFAULT_THRESHOLDS:
            raise ValidationError(f"未知的申报类别：{key}")
        kind, direction = key
        amount = None if value in (None, "") else clean_amount(value, f"{direction}_{kind}")
        own = Threshold.objects.filter(organisation=organisation, kind=kind,
                                       direction=direction).first()
        if amount is None or amount == DEFAULT_THRESHOLDS[key]:
            if own is not None:
                record_change(own, AuditAction.DELETE, actor=actor, before=snapshot(own))
                own.delete()
                changed += 1
        elif own is None:
            own = Threshold.objects.create(organisation=organisation, kind=kind,
                                           direction=direction, amount=amount)
            record_change(own, AuditAction.CREATE, actor=actor, after=snapshot(own))
            changed += 1
        elif own.amount != amount:
            before = snapshot(own)
            own.amount = amount
            own.save()
            record_change(own, AuditAction.UPDATE, actor=actor, before=before,
                          after=snapshot(own))
            changed += 1
    if changed:
        record_event(organisation, "declaration_threshold.changed", actor=actor,
                     details={"changed": changed})
    return changed


# --- declarations -----------------------------------------------------------------------------


def _declarant(declaration: Declaration, fields: dict[str, Any]) -> None:
    declaration.declarant_name = clean_text(fields.get("declarant_name"), "declarant_name",
                                            limit=64)
    declaration.declarant_department = clean_text(
        fields.get("declarant_department"), "declarant_department", limit=64)
    declaration.declarant_post = clean_text(fields.get("declarant_post"), "declarant_post",
                                            required=False, limit=64)
    declaration.declarant_key = person_key(declaration.declarant_name,
                                           declaration.declarant_department)
    try:
        person, user = clean_links(declaration.organisation, fields.get("declarant_person"),
                                   fields.get("declarant_user"))
    except ValidationError as exc:
        raise ValidationError({f"declarant_{k}": v for k, v in exc.message_dict.items()}) from None
    declaration.declarant_person, declaration.declarant_user = person, user


def _declaration_fields(declaration: Declaration, fields: dict[str, Any], today: dt.date) -> None:
    _declarant(declaration, fields)
    declaration.kind = clean_choice(fields.get("kind"), DeclarationKind.values, "kind", "类别")
    declaration.direction = clean_choice(fields.get("direction"), Direction.values,
                                         "direction", "方向（收受或给予）")
    declaration.occurred_on = clean_date(fields.get("occurred_on"), "occurred_on", today)
    declaration.amount = clean_amount(fields.get("amount"), "amount")
    declaration.description = clean_text(fields.get("description"), "description", limit=255)
    declaration.counterparty = clean_text(fields.get("counterparty"), "counterparty", limit=128)
    declaration.counterparty_key = counterparty_key(declaration.counterparty)
    declaration.purpose = clean_text(fields.get("purpose"), "purpose", limit=2000)


def _apply_threshold(declaration: Declaration) -> None:
    """At or above the threshold in force → approval needed."""
    declaration.threshold = threshold_for(declaration.organisation, declaration.kind,
                                          declaration.direction)
    declaration.above_threshold = declaration.amount >= declaration.threshold


def _next_number(organisation: Organisation, year: int) -> str:
    """SB2026-0001, numbered per organisation and year of entry (the caller holds the
    organisation's lock, so two clerks never draw one number)."""
    prefix = f"SB{year}-"
    numbers = Declaration.objects.filter(organisation=organisation,
                                         number__startswith=prefix).values_list("number", flat=True)
    last = max((int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def _details(declaration: Declaration) -> dict[str, Any]:
    return {"amount": str(declaration.amount), "threshold": str(declaration.threshold)}


@transaction.atomic
def do_declare(organisation: Organisation, *, actor: Actor, today: dt.date | None = None,
               **fields: Any) -> Declaration:
    """Declare a gift, hospitality or donation given or received. At or above the
    organisation's threshold for its kind and direction it is submitted for approval; below
    it is recorded (登记) and needs nothing more."""
    require_perm(actor, "declarations.declare")
    require_organisation(actor, organisation)
    lock(organisation)
    day = today or timezone.localdate()
    declaration = Declaration(organisation=organisation,
                              entered_by=actor if actor is not None and actor.pk else None)
    _declaration_fields(declaration, fields, day)
    _apply_threshold(declaration)
    now = timezone.now()
    if declaration.above_threshold:
        declaration.status, declaration.submitted_at = DeclarationStatus.SUBMITTED, now
    else:
        declaration.status, declaration.recorded_at = DeclarationStatus.RECORDED, now
    declaration.number = _next_number(organisation, day.year)
    declaration.save()
    record_change(declaration, AuditAction.CREATE, actor=actor, after=snapshot(declaration))
    record_event(declaration, f"declaration.{declaration.status}", actor=actor,
                 details=_details(declaration))
    return declaration


@transaction.atomic
def do_update_declaration(declaration: Declaration, *, actor: Actor,
                          today: dt.date | None = None, **fields: Any) -> Declaration:
    """Correct a declaration nobody has decided on yet. It is held against the threshold in
    force now: crossing it moves the declaration between recorded and submitted."""
    require_perm(actor, "declarations.declare")
    require_in_scope(actor, declaration)
    lock(declaration)
    if declaration.status not in EDITABLE:
        raise ValidationError("已审批或已撤回的申报不能修改")
    before = snapshot(declaration)
    linked = declaration.declarant_user_id
    _declaration_fields(declaration, fields, today or timezone.localdate())
    if actor is not None and linked == actor.pk and declaration.declarant_user_id != linked:
        # Otherwise a declarant could unlink their own account and then approve.
        raise ValidationError({"declarant_user": "不能解除本人账号与本人申报的关联"})
    _apply_threshold(declaration)
    declaration.save()
    record_change(declaration, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(declaration))
    target = DeclarationStatus.SUBMITTED if declaration.above_threshold \
        else DeclarationStatus.RECORDED
    if target != declaration.status:
        DECLARATION_FLOW.apply(declaration, to=target, actor=actor,
                               note="修改后重新对照审批门槛")
    return declaration


def _decide(declaration: Declaration, to: str, *, note: str, actor: Actor) -> Declaration:
    require_perm(actor, "declarations.approve")
    require_in_scope(actor, declaration)
    lock(declaration)
    if actor is not None and actor.pk in (declaration.declarant_user_id, declaration.entered_by_id):
        # Segregation of duties: whoever declared or entered a declaration does not decide it.
        raise TransitionNotAllowed("不能审批本人申报或本人录入的申报，请由本单位其他有审批权限的人员审批")
    DECLARATION_FLOW.apply(declaration, to=to, actor=actor, note=note, changes={
        "decided_by": actor if actor is not None and actor.pk else None,
        "decision_note": note})
    return declaration


@transaction.atomic
def do_approve_declaration(declaration: Declaration, *, actor: Actor,
                           note: str = "") -> Declaration:
    """Approve a declaration at or above the threshold. The approver is a user of the
    organisation with the permission, never the declarant's own account nor the account that
    entered the declaration (an organisation needs a second account to approve)."""
    return _decide(declaration, DeclarationStatus.APPROVED,
                   note=clean_text(note, "note", required=False, limit=2000), actor=actor)


@transaction.atomic
def do_reject_declaration(declaration: Declaration, *, reason: str,
                          actor: Actor) -> Declaration:
    """Refuse a declaration (the gift is to be returned, the hospitality declined…); the
    reason is required and goes to the record and the audit trail."""
    return _decide(declaration, DeclarationStatus.REJECTED,
                   note=clean_text(reason, "reason", limit=2000), actor=actor)


@transaction.atomic
def do_withdraw_declaration(declaration: Declaration, *, reason: str,
                            actor: Actor) -> Declaration:
    """Withdraw a declaration nobody has decided on (entered twice, or by mistake). It stays on
    file, out of the registers' counts."""
    require_perm(actor, "declarations.declare")
    require_in_scope(actor, declaration)
    lock(declaration)
    DECLARATION_FLOW.apply(declaration, to=DeclarationStatus.WITHDRAWN, actor=actor,
                           note=reason, changes={
                               "withdrawn_reason": clean_text(reason, "reason", limit=255)})
    return declaration


@transaction.atomic
def do_record_disposal(declaration: Declaration, *, disposal: str, disposed_on: dt.date | None,
                       note: str = "", amount: Any = None, actor: Actor,
                       today: dt.date | None = None) -> Declaration:
    """Record what became of a received gift at or above the threshold: handed over to the
    organisation (上交), returned to the giver (退还), bought at its value (折价购买, with the
    price paid) or otherwise (其他, explained). A later record corrects the earlier one."""
    require_perm(actor, "declarations.declare")
    require_in_scope(actor, declaration)
    lock(declaration)
    if not declaration.needs_disposal:
        raise ValidationError("只有达到审批门槛的收受礼品需要登记处置情况")
    before = snapshot(declaration)
    declaration.disposal = clean_choice(disposal, Disposal.values, "disposal", "处置方式")
    declaration.disposed_on = clean_date(disposed_on, "disposed_on", today or timezone.localdate(),
                                         earliest=declaration.occurred_on)
    declaration.disposal_note = clean_text(note, "disposal_note",
                                           required=disposal == Disposal.OTHER, limit=255)
    declaration.disposal_amount = clean_amount(amount, "disposal_amount") \
        if disposal == Disposal.PURCHASED else None
    declaration.save()
    record_change(declaration, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(declaration))
    record_event(declaration, "declaration.disposed", actor=actor,
                 details={"disposal": declaration.disposal})
    return declaration
