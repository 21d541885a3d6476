"""The audit trail: change records (before/after) and semantic events, hash-chained.

Every action calls record_change() or record_event() inside its transaction, so a rolled
back action leaves no audit record and a committed one always has its record.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction

from .choices import AuditAction
from .context import current_request
from .crypto import hmac_sm3_hex
from .models import AuditChainHead, AuditRecord, User

GENESIS = "0" * 64
#: Field names whose values never go into the audit trail in clear.
SECRET_FIELDS = {"password", "id_number_cipher", "phone_cipher", "token_sha256"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's concrete field values, JSON-safe, secrets left out. ``updated_at`` is
    left out too: it changes on every save, so comparing snapshots finds real changes only."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.name.endswith("_hash") or field.name == "updated_at":
            continue
        values[field.attname] = _jsonable(getattr(obj, field.attname))
    return values


def object_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def canonical(record: AuditRecord) -> bytes:
    body = {
        "id": record.pk,
        "occurred_at": record.occurred_at.isoformat(),
        "actor_id": record.actor_id,
        "actor_name": record.actor_name,
        "request_id": record.request_id,
        "source_ip": record.source_ip,
        "action": record.action,
        "event": record.event,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "before": record.before,
        "after": record.after,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    key = bytes.fromhex(settings.QINGLIAN_AUDIT_KEY)
    return hmac_sm3_hex(key, prev_hash.encode() + b"|" + canonical(record))


def _new_record(
    prev_hash: str,
    record_id: int,
    *,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    actor: User | None,
    event: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """An unsaved record that follows prev_hash in the chain."""
    ctx = current_request()
    actor_obj = actor if actor is not None and actor.pk else None
    record = AuditRecord(
        id=record_id,
        actor=actor_obj,
        actor_name=str(actor_obj) if actor_obj else "系统",
        request_id=ctx.request_id,
        source_ip=ctx.source_ip,
        action=action,
        event=event,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        prev_hash=prev_hash,
    )
    record.record_hash = chain_hash(prev_hash, record)
    return record


def lock_audit_chain() -> None:
    """Take the audit chain's head lock now, for the rest of the transaction.

    Every audited write ends by locking the head; a writer that also locks rows must take the
    head FIRST (``core.locking.lock`` and the bulk import do), so all writers lock in the same
    order — head, then rows — and two of them can never deadlock on PostgreSQL."""
    AuditChainHead.objects.select_for_update().filter(id=1).values_list("id").first()


def _changed_only(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = {k for k in after if before.get(k) != after.get(k)} - {"updated_at"}
    return {k: before.get(k) for k in sorted(changed)}, {k: after.get(k) for k in sorted(changed)}


@dataclass(frozen=True)
class AuditEntry:
    """One record for record_many(): a change (before/after), or an event when ``event`` is set."""

    obj: models.Model
    action: str
    event: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def _write(
    entries: Iterable[AuditEntry], *, actor: User | None, batch_size: int = 2000,
) -> tuple[int, AuditRecord | None]:
    """Append the entries under one lock of the chain head; (how many, the last record)."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        prev_hash, last_id, count = head.last_hash, head.last_record_id, 0
        pending: list[AuditRecord] = []
        record: AuditRecord | None = None
        for entry in entries:
            before, after = entry.before, entry.after
            if entry.action == AuditAction.UPDATE and before is not None and after is not None:
                before, after = _changed_only(before, after)
            record = _new_record(
                prev_hash, last_id + 1, action=entry.action, object_type=object_label(entry.obj),
                object_id=str(entry.obj.pk), object_repr=str(entry.obj), actor=actor,
                event=entry.event, before=before, after=after,
            )
            pending.append(record)
            prev_hash, last_id, count = record.record_hash, last_id + 1, count + 1
            if len(pending) >= batch_size:
                AuditRecord.objects.bulk_create(pending)
                pending = []
        if pending:
            AuditRecord.objects.bulk_create(pending)
        if count:
            head.last_record_id, head.last_hash, head.count = last_id, prev_hash, head.count + count
            head.save(update_fields=["last_record_id", "last_hash", "count"])
    return count, record


def record_change(
    obj: models.Model,
    action: str,
    *,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """Record a create / update / delete of a domain object with its before and after values
    (an update keeps only the fields that changed)."""
    _, record = _write([AuditEntry(obj, action, before=before, after=after)], actor=actor)
    assert record is not None
    return record


def record_event(
    obj: models.Model,
    event: str,
    *,
    actor: User | None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Record what happened (admitted, pledge signed, unmasked…) beside the change log."""
    _, record = _write([AuditEntry(obj, AuditAction.EVENT, event=event, after=details)],
                       actor=actor)
    assert record is not None
    return record


def record_many(
    entries: Iterable[AuditEntry], *, actor: User | None, batch_size: int = 2000
) -> int:
    """Append many records under one lock of the chain head (bulk imports): exactly the
    records and chain record_change()/record_event() would write one by one, in fewer
    queries. Returns how many records were appended."""
    count, _ = _write(entries, actor=actor, batch_size=batch_size)
    return count


@dataclass(frozen=True)
class ChainReport:
    checked: int
    ok: bool
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Walk the chain in id order; name the first record that is edited, missing or foreign."""
    prev = GENESIS
    expected_id = 1
    checked = 0
    for record in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        if record.pk != expected_id:
            return ChainReport(checked, False, expected_id,
                               f"缺少第 {expected_id} 条记录（被删除或编号被改动），下一条是第 {record.pk} 条")
        if record.prev_hash != prev:
            return ChainReport(checked, False, record.pk,
                               f"第 {record.pk} 条记录的前序哈希与链不符（记录被插入、删除或调换顺序）")
        if chain_hash(prev, record) != record.record_hash:
            return ChainReport(checked, False, record.pk, f"第 {record.pk} 条记录的内容被修改")
        prev = record.record_hash
        expected_id += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.count != checked or head.last_hash != prev):
        return ChainReport(checked, False, checked + 1,
                           f"链头记录了 {head.count} 条，实际只有 {checked} 条：末尾记录被删除")
    if head is None and checked:
        return ChainReport(checked, False, None, "链头缺失")
    return ChainReport(checked, True)
