"""Restricted reads of the audit trail.

The whole trail is read by the roles that audit the platform (``core.view_audit``); nobody may
change it, so its "change" scope is always empty. One object's history is read by anyone who
may see that object and holds ``core.view_history`` (see ``history_of``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import AuditRecord
from .permissions import READ, access, has_perm, register_scope, restrict

HISTORY_LIMIT = 100


@register_scope(AuditRecord)
def _scope_audit_records(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if action != READ or not has_perm(user, "core.view_audit"):
        return qs.none()
    return qs


@dataclass
class AuditFilter:
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    event: str = ""
    actor: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    request_id: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def list_audit_records(user: Any, f: AuditFilter) -> QuerySet[AuditRecord]:
    """The audit records this user may read, newest first, narrowed by the filter.

    Dates are whole days in Asia/Shanghai: ``date_to`` includes that day.
    """
    qs = restrict(AuditRecord.objects.all(), user)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.event:
        qs = qs.filter(event__startswith=f.event)
    if f.actor:
        qs = qs.filter(actor_name__icontains=f.actor)
    if f.date_from:
        qs = qs.filter(occurred_at__gte=_day_start(f.date_from))
    if f.date_to:
        qs = qs.filter(occurred_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    if f.request_id:
        qs = qs.filter(request_id=f.request_id.strip().lower())
    return qs.order_by("-id")


def recorded_object_types(user: Any) -> list[str]:
    """The object types that occur in the trail (for the filter select)."""
    return sorted(
        restrict(AuditRecord.objects.all(), user)
        .order_by().values_list("object_type", flat=True).distinct()
    )


def recorded_events(user: Any) -> list[str]:
    return sorted(
        restrict(AuditRecord.objects.exclude(event=""), user)
        .order_by().values_list("event", flat=True).distinct()
    )


def resolve_model(label: str) -> type[models.Model]:
    """``registry.membership`` → the model class; an unknown label is a 404 like a missing object."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404("未找到该记录") from exc


def history_of(user: Any, label: str, object_id: str) -> tuple[models.Model, QuerySet[AuditRecord]]:
    """The object (only if the user may see it) and its change records and events, newest first.

    A model without a registered data scope cannot be shown to anyone: it answers 404.
    """
    model = resolve_model(label)
    try:
        obj = access(model._default_manager.all(), user, object_id)
    except LookupError as exc:
        raise Http404("未找到该记录") from exc
    records = AuditRecord.objects.filter(
        object_type=f"{model._meta.app_label}.{model._meta.model_name}", object_id=str(obj.pk),
    ).order_by("-id")
    return obj, records
