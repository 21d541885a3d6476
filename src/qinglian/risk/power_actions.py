"""The only code that writes power lists and negative lists (权力清单 / 负面清单).

Each organisation keeps, for its "number one" (主要负责人), a power list — what the post may
decide, on what basis and by what procedure — and a negative list — what it must not do, with
the constraint that prevents it. Both are versioned: a new version starts as a draft copied
from the one in force, is edited item by item, and publishing it supersedes the old version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.registry.models import Organisation

from .actions import Actor, clean_text, require_in_scope, require_perm, require_register
from .choices import ListKind, ListStatus, RiskLevel
from .models import PowerList, PowerListItem

DEFAULT_TITLES = {ListKind.POWER: "主要负责人权力清单", ListKind.NEGATIVE: "主要负责人负面清单"}


def current_list(organisation: Organisation, kind: str) -> PowerList | None:
    return PowerList.objects.filter(organisation=organisation, kind=kind,
                                    status=ListStatus.PUBLISHED).first()


def _editable(power_list: PowerList) -> None:
    if power_list.status != ListStatus.DRAFT:
        raise ValidationError("已发布的清单不能修改；请起草新版本后再修改")


@transaction.atomic
def do_draft_power_list(organisation: Organisation, *, kind: str, actor: Actor,
                        title: str = "", holder: str = "") -> PowerList:
    """A new draft version, starting from the items of the version in force."""
    require_perm(actor, "risk.manage_power_list")
    require_register(actor, organisation)
    if kind not in ListKind.values:
        raise ValidationError({"kind": f"未知清单类型：{kind}"})
    org = lock(organisation)
    if PowerList.objects.filter(organisation=org, kind=kind, status=ListStatus.DRAFT).exists():
        raise ValidationError("该清单已有草稿版本，请在草稿上修改")
    source = current_list(org, kind)
    latest = PowerList.objects.filter(organisation=org, kind=kind).aggregate(v=Max("version"))
    power_list = PowerList.objects.create(
        organisation=org, kind=kind, version=int(latest["v"] or 0) + 1, based_on=source,
        title=clean_text(title, "title", required=False, limit=128)
        or (source.title if source else DEFAULT_TITLES[ListKind(kind)]),
        holder=clean_text(holder, "holder", required=False, limit=64)
        or (source.holder if source else "主要负责人（“一把手”）"),
    )
    if source is not None:
        PowerListItem.objects.bulk_create([
            PowerListItem(power_list=power_list, code=i.code, name=i.name, basis=i.basis,
                          procedure=i.procedure, level=i.level, sort=i.sort)
            for i in source.items.all()])
    record_change(power_list, AuditAction.CREATE, actor=actor, after=snapshot(power_list))
    return power_list


@transaction.atomic
def do_save_power_item(power_list: PowerList, *, actor: Actor,
                       item: PowerListItem | None = None, **fields: Any) -> PowerListItem:
    """Add an item to a draft list, or edit one: code, power or prohibition, basis,
    procedure or constraint, risk level."""
    require_perm(actor, "risk.manage_power_list")
    require_in_scope(actor, power_list)
    lock(power_list)
    _editable(power_list)
    if item is not None and item.power_list_id != power_list.pk:
        raise ValidationError("该事项不属于这份清单")
    before = snapshot(item) if item is not None else None
    target = item or PowerListItem(power_list=power_list)
    target.code = clean_text(fields.get("code"), "code", limit=16)
    target.name = clean_text(fields.get("name"), "name", limit=128)
    target.basis = clean_text(fields.get("basis"), "basis", required=False)
    target.procedure = clean_text(fields.get("procedure"), "procedure", required=False)
    level = fields.get("level", RiskLevel.MEDIUM)
    if level not in RiskLevel.values:
        raise ValidationError({"level": f"未知风险等级：{level}"})
    target.level = level
    if item is None:
        top = power_list.items.aggregate(s=Max("sort"))["s"]
        target.sort = int(top or 0) + 1
    if power_list.items.filter(code=target.code).exclude(pk=target.pk).exists():
        raise ValidationError({"code": f"序号 {target.code} 已存在"})
    target.save()
    if before is None:
        record_change(target, AuditAction.CREATE, actor=actor, after=snapshot(target))
    else:
        record_change(target, AuditAction.UPDATE, actor=actor, before=before,
                      after=snapshot(target))
    return target


@transaction.atomic
def do_delete_power_item(item: PowerListItem, *, actor: Actor) -> None:
    require_perm(actor, "risk.manage_power_list")
    require_in_scope(actor, item.power_list)
    _editable(lock(item.power_list))
    record_change(item, AuditAction.DELETE, actor=actor, before=snapshot(item))
    item.delete()


@transaction.atomic
def do_publish_power_list(power_list: PowerList, *, actor: Actor) -> PowerList:
    """Put a draft in force; the version in force until now is superseded (kept as history)."""
    require_perm(actor, "risk.manage_power_list")
    require_in_scope(actor, power_list)
    lock(power_list)
    _editable(power_list)
    if not power_list.items.exists():
        raise ValidationError("清单中还没有事项，不能发布")
    now = timezone.now()
    old = current_list(power_list.organisation, power_list.kind)
    if old is not None:
        before = snapshot(old)
        old.status, old.superseded_at = ListStatus.SUPERSEDED, now
        old.save(update_fields=["status", "superseded_at", "updated_at"])
        record_change(old, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(old))
    before = snapshot(power_list)
    power_list.status, power_list.published_at = ListStatus.PUBLISHED, now
    power_list.save(update_fields=["status", "published_at", "updated_at"])
    record_change(power_list, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(power_list))
    record_event(power_list, "power_list.published", actor=actor, details={
        "version": power_list.version, "superseded": old.version if old else None})
    return power_list
