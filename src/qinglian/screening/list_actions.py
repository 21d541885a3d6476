"""The only code that writes watch lists and their entries. Atomic and audited.

An organisation keeps its own restricted lists (本单位限制名单); a federation also uploads
external lists (行业黑名单, 制裁名单 …) that apply to its whole jurisdiction. Every change to a
list's entries raises its version, which each screening records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_change, record_event, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.normalise import company_name, company_names
from qinglian.core.permissions import WRITE, require, restrict
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.identifiers import clean_uscc
from qinglian.registry.models import Organisation

from .choices import ListKind
from .lists import NAME_MAX, EntryLine, LineError, ListError
from .models import WatchEntry, WatchList
from .queries import home_id

Actor = User | None


def _require_owner(owner: Organisation, kind: str, actor: Actor) -> None:
    if actor is None:
        return
    require(actor, "screening.manage_list")
    if kind == ListKind.EXTERNAL:
        require(actor, "screening.upload_external")
    if home_id(actor) != owner.pk:
        raise PermissionDenied("只能管理本单位的名单")


def _require_list(watch_list: WatchList, actor: Actor) -> None:
    if actor is None:
        return
    _require_owner(watch_list.owner, watch_list.kind, actor)
    if not restrict(WatchList.objects.filter(pk=watch_list.pk), actor, WRITE).exists():
        raise PermissionDenied("只能管理本单位的名单")


@transaction.atomic
def do_create_watch_list(owner: Organisation, *, kind: str, name: str, source: str = "",
                         actor: Actor) -> WatchList:
    """A new, empty list. External lists belong to a federation and apply to its jurisdiction."""
    _require_owner(owner, kind, actor)
    errors: dict[str, str] = {}
    if kind not in ListKind.values:
        errors["kind"] = "请选择名单类型"
    elif kind == ListKind.EXTERNAL and owner.kind != OrganisationKind.FEDERATION:
        errors["kind"] = "外部名单由工商联上传，适用于本辖区"
    if not name.strip():
        errors["name"] = "请填写名单名称"
    elif len(name.strip()) > 128:
        errors["name"] = "名单名称不能超过 128 个字符"
    if len(source) > 255:
        errors["source"] = "来源不能超过 255 个字符"
    if errors:
        raise ValidationError(errors)
    watch_list = WatchList.objects.create(owner=owner, kind=kind, name=name.strip(),
                                          source=source.strip())
    record_change(watch_list, AuditAction.CREATE, actor=actor, after=snapshot(watch_list))
    return watch_list


def _bump(watch_list: WatchList, actor: Actor, **changes: Any) -> None:
    before = snapshot(watch_list)
    watch_list.version += 1
    for field, value in changes.items():
        setattr(watch_list, field, value)
    watch_list.save()
    record_change(watch_list, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(watch_list))


def _checked(entry: EntryLine) -> EntryLine:
    errors: list[LineError] = []
    name = entry.name.strip()
    if not name:
        errors.append(LineError(entry.line, "", "缺少名称"))
    elif len(name) > NAME_MAX:
        errors.append(LineError(entry.line, name[:20], f"名称不能超过 {NAME_MAX} 个字符"))
    if entry.uscc:
        try:
            entry = replace(entry, uscc=clean_uscc(entry.uscc))
        except ValueError as exc:  # the form and the file reader check too; the action decides
            errors.append(LineError(entry.line, entry.uscc, str(exc)))
    if entry.listed_on and entry.expires_on and entry.expires_on < entry.listed_on:
        errors.append(LineError(entry.line, entry.expires_on.isoformat(), "有效期至早于列入日期"))
    if errors:
        raise ListError(errors)
    return entry


@transaction.atomic
def do_add_watch_entry(watch_list: WatchList, *, name: str, uscc: str = "", reason: str = "",
                       listed_on: dt.date | None = None, expires_on: dt.date | None = None,
                       actor: Actor) -> WatchEntry:
    """Put one name on the list (the list's version goes up)."""
    _require_list(watch_list, actor)
    try:
        line = _checked(EntryLine(0, name, uscc, reason, listed_on, expires_on))
    except ListError as exc:
        raise ValidationError({"name": [e.reason for e in exc.errors]}) from exc
    lock(watch_list)
    last = watch_list.entries.order_by("-line").values_list("line", flat=True).first() or 0
    entry = WatchEntry.objects.create(
        watch_list=watch_list, line=last + 1, name=line.name.strip(), uscc=line.uscc,
        core=company_name(line.name).core, reason=line.reason.strip(), listed_on=listed_on,
        expires_on=expires_on)
    record_change(entry, AuditAction.CREATE, actor=actor, after=snapshot(entry))
    _bump(watch_list, actor)
    return entry


@transaction.atomic
def do_remove_watch_entry(entry: WatchEntry, *, actor: Actor) -> None:
    """Take a name off its list. Past hits keep their copy of it."""
    watch_list = entry.watch_list
    _require_list(watch_list, actor)
    lock(watch_list)
    before = snapshot(entry)
    record_change(entry, AuditAction.DELETE, actor=actor, before=before)
    entry.delete()
    _bump(watch_list, actor)


@transaction.atomic
def do_upload_watch_entries(watch_list: WatchList, *, entries: Sequence[EntryLine],
                            replace: bool, file_name: str = "", actor: Actor) -> int:
    """Add an uploaded file's entries to the list, or replace the list's entries with them.
    The rows were validated as a whole (``lists.read_entry_file``): all of them or none."""
    _require_list(watch_list, actor)
    for entry in entries:
        _checked(entry)
    lock(watch_list)
    gone = list(watch_list.entries.all()) if replace else []
    removed = len(gone)
    audit = [AuditEntry(e, AuditAction.DELETE, before=snapshot(e)) for e in gone]
    if replace:
        watch_list.entries.all().delete()
    start = 0 if replace else (
        watch_list.entries.order_by("-line").values_list("line", flat=True).first() or 0)
    cores = company_names([e.name.strip() for e in entries])
    created = WatchEntry.objects.bulk_create([
        WatchEntry(watch_list=watch_list, line=start + position, name=e.name.strip(),
                   uscc=e.uscc, core=n.core, reason=e.reason.strip(), listed_on=e.listed_on,
                   expires_on=e.expires_on)
        for position, (e, n) in enumerate(zip(entries, cores, strict=True), start=1)
    ], batch_size=2000)
    # Who came off and who went on a list is part of its history, entry by entry.
    audit += [AuditEntry(e, AuditAction.CREATE, after=snapshot(e)) for e in created]
    record_many(audit, actor=actor)
    _bump(watch_list, actor, uploaded_at=timezone.now())
    record_event(watch_list, "screening_list.uploaded", actor=actor, details={
        "file": file_name, "added": len(entries), "removed": removed, "replace": replace,
        "version": watch_list.version})
    return len(entries)
