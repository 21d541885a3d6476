"""The audit trail as people read it: field names, values and before → after rows in Chinese.

The records keep raw values (codes, ids, ISO dates); these functions turn them into what the
users know (“已入会”, 2026年11月24日, 是/否) using the model's own field definitions.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from .choices import AuditAction
from .formatting import chinese_date
from .models import AuditRecord
from .permissions import restrict

#: Semantic events in words, registered by each app (see ``register_event_labels``).
#: Unknown events are shown by their code.
EVENT_LABELS: dict[str, str] = {}


def register_event_labels(labels: dict[str, str]) -> None:
    """Apps name their own events (core knows none of the domain's nouns)."""
    EVENT_LABELS.update(labels)


#: Detail keys that events carry, in words.
DETAIL_LABELS: dict[str, str] = {
    "from": "原状态",
    "to": "新状态",
    "note": "备注",
    "reason": "原因",
    "version": "版本",
    "sha256": "正文 SHA-256",
    "commitment_id": "承诺书编号",
    "organisation": "商会/协会",
    "members_to_resign": "需重签会员数",
    "tags": "企业标签",
}

ACTION_BADGES: dict[str, str] = {
    AuditAction.CREATE: "success",
    AuditAction.UPDATE: "warning",
    AuditAction.DELETE: "danger",
    AuditAction.EVENT: "info",
}


@dataclass(frozen=True)
class DiffRow:
    key: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = model_for(object_type)
    return str(model._meta.verbose_name) if model else object_type


def event_label(event: str, details: Any = None) -> str:
    """The event in words. A state change may have its own words depending on where it came
    from (registered as ``<event>.from.<state>``, e.g. admitted again after a suspension)."""
    if isinstance(details, dict) and details.get("from"):
        specific = EVENT_LABELS.get(f"{event}.from.{details['from']}")
        if specific:
            return specific
    return EVENT_LABELS.get(event, event)


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if key in (field.name, field.attname):
            return field  # type: ignore[return-value]
    if key in ("from", "to"):
        return _field(model, "status")
    return None


class RelatedNames:
    """Names of the objects a record points to, looked up once each.

    A foreign key shows its target's name only when the reader may see that target (its
    data scope); otherwise, or for models without a scope, it stays "#id". Many-to-many
    values point at reference lists (enterprise tags) and are named directly.
    """

    def __init__(self, user: Any) -> None:
        self.user = user
        self._names: dict[tuple[type[models.Model], str], str] = {}

    def prime(self, records: list[AuditRecord]) -> None:
        """Look up every foreign key the records mention in one restricted query per model,
        so a page of records costs a fixed number of queries, not one per linked object."""
        wanted: dict[type[models.Model], set[str]] = {}
        for record in records:
            model = model_for(record.object_type)
            for values in (record.before, record.after):
                if not isinstance(values, dict):
                    continue
                for key, value in values.items():
                    field = _field(model, key)
                    if value in (None, "") or field is None or not field.many_to_one:
                        continue
                    target = field.related_model
                    if isinstance(target, type) and (target, str(value)) not in self._names:
                        wanted.setdefault(target, set()).add(str(value))
        for target, pks in wanted.items():
            try:
                found = {str(o.pk): str(o) for o in
                         restrict(target._default_manager.filter(pk__in=pks), self.user)}
            except (LookupError, ValueError, TypeError):
                found = {}
            for pk in pks:
                self._names[(target, pk)] = found.get(pk, f"#{pk}")

    def foreign(self, model: type[models.Model], pk: Any) -> str:
        key = (model, str(pk))
        if key not in self._names:
            try:
                obj = restrict(model._default_manager.filter(pk=pk), self.user).first()
            except (LookupError, ValueError, TypeError):
                obj = None
            self._names[key] = str(obj) if obj is not None else f"#{pk}"
        return self._names[key]

    def many(self, model: type[models.Model], pks: list[Any]) -> str:
        missing = [pk for pk in pks if (model, str(pk)) not in self._names]
        if missing:
            for obj in model._default_manager.filter(pk__in=missing):
                self._names[(model, str(obj.pk))] = str(obj)
        return "、".join(self._names.get((model, str(pk)), str(pk)) for pk in pks) or "—"


def field_label(model: type[models.Model] | None, key: str) -> str:
    if key in DETAIL_LABELS:
        return DETAIL_LABELS[key]
    field = _field(model, key)
    return str(field.verbose_name) if field is not None else key


def _iso_date(text: str, with_time: bool) -> str:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return chinese_date(value if with_time else value.date())


def display_value(model: type[models.Model] | None, key: str, value: Any,
                  names: RelatedNames | None = None) -> str:
    """A stored value as the user reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    field = _field(model, key)
    if isinstance(value, list):
        if isinstance(field, models.ManyToManyField) and names is not None:
            return names.many(field.related_model, value)  # type: ignore[arg-type]
        return "、".join(display_value(model, key, v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _iso_date(value, with_time=True)
    if isinstance(field, models.DateField) and isinstance(value, str):
        return _iso_date(value, with_time=False)
    if isinstance(field, models.ForeignKey):
        if names is not None:
            return names.foreign(field.related_model, value)  # type: ignore[arg-type]
        return f"#{value}"
    return str(value)


#: Bookkeeping columns that say nothing to a reader.
HIDDEN_KEYS = {"id", "created_at", "updated_at", "name_initials", "name_pinyin"}


def diff_rows(record: AuditRecord, names: RelatedNames | None = None) -> list[DiffRow]:
    """Before → after for a change, the details for an event; one row per field.

    A new object lists only the fields that were filled in.
    """
    model = model_for(record.object_type)
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    created = record.action == AuditAction.CREATE
    rows = []
    for key in dict.fromkeys([*before.keys(), *after.keys()]):
        if key in HIDDEN_KEYS or (created and after.get(key) in (None, "", [])):
            continue
        rows.append(DiffRow(
            key=key,
            label=field_label(model, key),
            before=(display_value(model, key, before.get(key), names)
                    if record.before is not None else ""),
            after=display_value(model, key, after.get(key), names),
        ))
    return rows


@dataclass(frozen=True)
class HistoryEntry:
    """One audit record prepared for a page."""

    record: AuditRecord
    title: str
    badge: str
    rows: list[DiffRow]
    type_label: str


def history_entry(record: AuditRecord, names: RelatedNames | None = None) -> HistoryEntry:
    if record.action == AuditAction.EVENT:
        title = event_label(record.event, record.after)
    else:
        title = f"{record.get_action_display()}{object_type_label(record.object_type)}"
    return HistoryEntry(
        record=record, title=title, badge=ACTION_BADGES.get(record.action, "secondary"),
        rows=diff_rows(record, names), type_label=object_type_label(record.object_type),
    )
