"""State machines as tables.

An app declares its machine once::

    MEMBERSHIP_FLOW = Workflow(
        state_field="status",
        transitions={
            (APPLIED, ADMITTED): "registry.admit_member",
            ...
        },
        event_prefix="membership",
    )

``MEMBERSHIP_FLOW.apply(obj, to=ADMITTED, actor=user)`` checks the pair is in the table and
the actor's role holds its permission, stamps ``<to>_at`` when the model has such a field,
saves, and records the change and a semantic event. Anything not in the table raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .audit import record_change, record_event, snapshot
from .choices import AuditAction
from .permissions import has_perm


class TransitionNotAllowed(Exception):
    """A state change the machine's table does not list, or the actor may not make."""


@dataclass
class Workflow:
    state_field: str
    transitions: dict[tuple[str, str], str]
    event_prefix: str
    labels: dict[str, str] = field(default_factory=dict)
    after_commit: dict[str, Callable[[Any], None]] = field(default_factory=dict)

    def allowed_targets(self, obj: models.Model, user: Any) -> list[str]:
        current = getattr(obj, self.state_field)
        return [
            to for (frm, to), perm in self.transitions.items()
            if frm == current and has_perm(user, perm)
        ]

    def label(self, state: str) -> str:
        return self.labels.get(state, state)

    def apply(
        self, obj: models.Model, *, to: str, actor: Any, note: str = "",
        changes: dict[str, Any] | None = None,
    ) -> None:
        current = getattr(obj, self.state_field)
        perm = self.transitions.get((current, to))
        if perm is None:
            raise TransitionNotAllowed(
                f"不允许从“{self.label(current)}”变为“{self.label(to)}”"
            )
        if actor is not None and not has_perm(actor, perm):
            raise TransitionNotAllowed("您没有执行此状态变更的权限")
        with transaction.atomic():
            before = snapshot(obj)
            for name, value in (changes or {}).items():
                setattr(obj, name, value)
            setattr(obj, self.state_field, to)
            stamp = f"{to}_at"
            if any(f.name == stamp for f in obj._meta.concrete_fields):
                setattr(obj, stamp, timezone.now())
            obj.save()
            record_change(obj, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(obj))
            record_event(
                obj, f"{self.event_prefix}.{to}", actor=actor,
                details={"from": current, "to": to, "note": note} if note else
                {"from": current, "to": to},
            )
            side_effect = self.after_commit.get(to)
            if side_effect is not None:
                transaction.on_commit(lambda: side_effect(obj))
