from __future__ import annotations

from typing import TypeVar

from django.db import models

from .audit import lock_audit_chain

M = TypeVar("M", bound=models.Model)


def lock(obj: M) -> M:
    """Lock the object's row for the rest of the transaction and reload it in place.

    The caller's instance stays the one that gets changed, so it never goes stale. The audit
    chain's head is locked first: every writer locks head-then-rows (see lock_audit_chain).
    """
    lock_audit_chain()
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk").first()
    obj.refresh_from_db()
    return obj
