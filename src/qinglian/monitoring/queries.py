"""Restricted reads of the early-warning app.

An organisation's ledgers, runs and alerts are its own business: every role sees only its own
organisation's (a federation officer the federation's own public-procurement data, an
enterprise user its enterprise's ledgers); the auditor reads its own organisation's; the
platform administrator sees everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qinglian.core.choices import Role
from qinglian.core.permissions import READ, register_scope

from .models import Alert, ColumnMapping, Dataset, DatasetVersion, Run


def _own(qs: QuerySet[Any], user: Any, action: str, field: str = "organisation") -> QuerySet[Any]:
    if user.role == Role.ADMIN:
        return qs
    home = getattr(user, "organisation_id", None)
    if home is None or user.role == Role.DEPARTMENT_HANDLER:
        return qs.none()
    if user.role == Role.AUDITOR and action != READ:
        return qs.none()
    return qs.filter(**{f"{field}_id": home})


@register_scope(Dataset)
def _scope_datasets(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _own(qs, user, action)


@register_scope(DatasetVersion)
def _scope_versions(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _own(qs, user, action, "dataset__organisation")


@register_scope(ColumnMapping)
def _scope_mappings(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _own(qs, user, action)


@register_scope(Run)
def _scope_runs(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _own(qs, user, action)


@register_scope(Alert)
def _scope_alerts(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return _own(qs, user, action)
