"""The only code that writes conflict-of-interest rounds (利益冲突年度申报): the round, its
roster, and each person's declaration of interests.

A round belongs to one organisation and one year. Its roster lists who must declare (entered
one by one, uploaded as .xlsx/.csv, or carried over from an earlier round). While the round is
open each person declares either that they have no conflict of interest or every interest of
their own or of a relative in a vendor, customer, competitor or other counterparty, with its
nature and the measures taken (回避 …); declaring again replaces the earlier declaration. After
the due date the people who have not declared are overdue. State changes go through
``CONFLICT_ROUND_FLOW``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_event, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.registry.models import Organisation, Person

from .actions import (
    Actor,
    clean_choice,
    clean_links,
    clean_text,
    require_in_scope,
    require_organisation,
    require_perm,
)
from .choices import CounterpartyKind, InterestHolder, InterestNature, RoundStatus
from .keys import counterparty_key, person_key
from .models import ConflictRound, Interest, RosterEntry
from .roster import RosterRow, roster_errors
from .workflow import CONFLICT_ROUND_FLOW

#: The most interests one person declares in one round (a form, not a database, limit).
MAX_INTERESTS = 30


def _require_open(conflict_round: ConflictRound) -> None:
    if conflict_round.status != RoundStatus.OPEN:
        raise ValidationError("该轮利益冲突申报已结束，不能再修改")


@transaction.atomic
def do_open_conflict_round(organisation: Organisation, *, year: int, due_on: dt.date,
                           actor: Actor, title: str = "",
                           copy_from: ConflictRound | None = None) -> ConflictRound:
    """Open the organisation's round for a year, optionally with the roster of an earlier
    round (the same staff usually declare every year). One round per organisation and year."""
    require_perm(actor, "declarations.manage_round")
    require_organisation(actor, organisation)
    lock(organisation)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "年度应为四位年份"})
    if not isinstance(due_on, dt.date):
        raise ValidationError({"due_on": "请填写申报截止日期"})
    if ConflictRound.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError({"year": f"本单位 {year} 年度的利益冲突申报已经发起"})
    if copy_from is not None and copy_from.organisation_id != organisation.pk:
        raise ValidationError({"copy_from": "只能沿用本单位以往的申报人名单"})
    conflict_round = ConflictRound.objects.create(
        organisation=organisation, year=int(year), due_on=due_on,
        title=clean_text(title, "title", required=False, limit=128)
        or f"{year} 年度利益冲突申报",
        created_by=actor if actor is not None and actor.pk else None)
    record_change(conflict_round, AuditAction.CREATE, actor=actor, after=snapshot(conflict_round))
    if copy_from is not None:
        rows = [RosterRow(n, e.name, e.department, e.post)
                for n, e in enumerate(copy_from.entries.order_by("department", "name"), 1)]
        _add_rows(conflict_round, rows, actor=actor)
    return conflict_round


@transaction.atomic
def do_close_conflict_round(conflict_round: ConflictRound, *, actor: Actor) -> ConflictRound:
    """End the round: nobody declares any more; who has not declared stays on the record."""
    require_perm(actor, "declarations.manage_round")
    require_in_scope(actor, conflict_round)
    lock(conflict_round)
    CONFLICT_ROUND_FLOW.apply(conflict_round, to=RoundStatus.CLOSED, actor=actor)
    return conflict_round


@transaction.atomic
def do_reopen_conflict_round(conflict_round: ConflictRound, *, actor: Actor) -> ConflictRound:
    """Reopen a closed round, to take declarations that came late."""
    require_perm(actor, "declarations.manage_round")
    require_in_scope(actor, conflict_round)
    lock(conflict_round)
    CONFLICT_ROUND_FLOW.apply(conflict_round, to=RoundStatus.OPEN, actor=actor,
                              changes={"closed_at": None})
    return conflict_round


def _add_rows(conflict_round: ConflictRound, rows: Sequence[RosterRow], *, actor: Actor) -> int:
    existing = set(conflict_round.entries.values_list("person_key", flat=True))
    errors = roster_errors(rows, existing)
    if errors:
        raise ValidationError([f"第 {e.row} 行：{e.reason}" for e in errors])
    entries = [RosterEntry(round=conflict_round, name=r.name, department=r.department,
                           post=r.post, person_key=r.key) for r in rows]
    RosterEntry.objects.bulk_create(entries)
    added = RosterEntry.objects.filter(round=conflict_round,
                                       person_key__in=[r.key for r in rows]).order_by("pk")
    record_many([AuditEntry(e, AuditAction.CREATE, after=snapshot(e)) for e in added],
                actor=actor)
    return len(entries)


@transaction.atomic
def do_import_roster(conflict_round: ConflictRound, rows: Sequence[RosterRow], *,
                     actor: Actor, file_name: str = "") -> int:
    """Add the people of an uploaded roster, all or none (``roster.read_roster`` has checked
    the file; the rows are checked again against the roster as it is now)."""
    require_perm(actor, "declarations.manage_round")
    require_in_scope(actor, conflict_round)
    lock(conflict_round)
    _require_open(conflict_round)
    if not rows:
        raise ValidationError("名单中没有人员")
    added = _add_rows(conflict_round, rows, actor=actor)
    record_event(conflict_round, "conflict_round.roster_imported", actor=actor,
                 details={"added": added, "file": file_name[:255]})
    return added


@transaction.atomic
def do_add_roster_entry(conflict_round: ConflictRound, *, name: str, department: str,
                        actor: Actor, post: str = "", person: Person | None = None,
                        user: Any = None) -> RosterEntry:
    """Put one person on the roster, optionally linked to the people register or an account."""
    require_perm(actor, "declarations.manage_round")
    require_in_scope(actor, conflict_round)
    lock(conflict_round)
    _require_open(conflict_round)
    name = clean_text(name, "name", limit=64)
    department = clean_text(department, "department", limit=64)
    key = person_key(name, department)
    if conflict_round.entries.filter(person_key=key).exists():
        raise ValidationError({"name": f"{name}（{department}）已在申报人名单中"})
    person, user = clean_links(conflict_round.organisation, person, user)
    entry = RosterEntry.objects.create(
        round=conflict_round, name=name, department=department, person_key=key,
        post=clean_text(post, "post", required=False, limit=64), person=person, user=user)
    record_change(entry, AuditAction.CREATE, actor=actor, after=snapshot(entry))
    return entry


@transaction.atomic
def do_remove_roster_entry(entry: RosterEntry, *, actor: Actor) -> None:
    """Take someone off the roster (left the organisation, listed by mistake) — only before
    they have declared: a declaration on file is never deleted."""
    require_perm(actor, "declarations.manage_round")
    require_in_scope(actor, entry)
    lock(entry)
    _require_open(entry.round)
    if entry.declared_at is not None:
        raise ValidationError(f"{entry.name} 已经申报，不能从名单中移除")
    record_change(entry, AuditAction.DELETE, actor=actor, before=snapshot(entry))
    entry.delete()


def _interest(entry: RosterEntry, number: int, values: dict[str, Any]) -> Interest:
    """One interest from the form, its errors named by line (第 2 项)."""
    try:
        holder = clean_choice(values.get("holder"), InterestHolder.values, "holder",
                              "利益关系人（本人或亲属）")
        relative = holder == InterestHolder.RELATIVE
        counterparty = clean_text(values.get("counterparty"), "counterparty", limit=128)
        return Interest(
            entry=entry, holder=holder,
            holder_name=clean_text(values.get("holder_name"), "holder_name", required=relative,
                                   limit=64) if relative else "",
            relation=clean_text(values.get("relation"), "relation", required=relative,
                                limit=32) if relative else "",
            counterparty=counterparty, counterparty_key=counterparty_key(counterparty),
            counterparty_kind=clean_choice(values.get("counterparty_kind"),
                                           CounterpartyKind.values, "counterparty_kind",
                                           "单位类型"),
            nature=clean_choice(values.get("nature"), InterestNature.values, "nature",
                                "利益性质"),
            detail=clean_text(values.get("detail"), "detail", required=False, limit=255),
            measures=clean_text(values.get("measures"), "measures", limit=255))
    except ValidationError as exc:
        raise ValidationError({f"{k}": [f"第 {number} 项：{m}" for m in v]
                               for k, v in exc.message_dict.items()}) from None


@transaction.atomic
def do_declare_conflicts(entry: RosterEntry, *, no_conflict: bool,
                         interests: Sequence[dict[str, Any]], actor: Actor,
                         statement: str = "") -> RosterEntry:
    """Record one person's declaration: no conflict of interest, or every interest (their own
    or a relative's) with the measures taken. Declaring again replaces the earlier one; the
    round must be open."""
    require_perm(actor, "declarations.declare")
    require_in_scope(actor, entry)
    lock(entry)
    _require_open(entry.round)
    if no_conflict and interests:
        raise ValidationError("声明“无利益冲突”时不能同时填写利益关系")
    if not no_conflict and not interests:
        raise ValidationError("请填写利益关系，或声明无利益冲突")
    if len(interests) > MAX_INTERESTS:
        raise ValidationError(f"一次最多申报 {MAX_INTERESTS} 项利益关系")
    new = [_interest(entry, n, values) for n, values in enumerate(interests, 1)]
    before = snapshot(entry)
    old = list(entry.interests.all())
    record_many([AuditEntry(i, AuditAction.DELETE, before=snapshot(i)) for i in old], actor=actor)
    entry.interests.all().delete()
    Interest.objects.bulk_create(new)
    record_many([AuditEntry(i, AuditAction.CREATE, after=snapshot(i))
                 for i in entry.interests.order_by("pk")], actor=actor)
    entry.no_conflict, entry.declared_at = no_conflict, timezone.now()
    entry.statement = clean_text(statement, "statement", required=False, limit=2000)
    entry.declared_by = actor if actor is not None and actor.pk else None
    entry.save()
    record_change(entry, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(entry))
    record_event(entry, "conflict.declared", actor=actor, details={
        "no_conflict": no_conflict, "interests": len(new),
        "late": timezone.localdate() > entry.round.due_on})
    return entry
