"""Roles, permissions and scopes.

Two questions are asked of every request:

* may this role do this action at all?  ``has_perm(user, "registry.admit_member")``
* which objects may it touch?           ``restrict(queryset, user, "view")``

Each app registers how its models are scoped (``register_scope``); core never imports the
apps. An object outside the scope answers 404 exactly like a missing one (``access``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from .choices import Role

M = TypeVar("M", bound=models.Model)
ScopeFn = Callable[[models.QuerySet[Any], Any, str], models.QuerySet[Any]]

READ = "view"
WRITE = "change"

#: What each role may do. Scope still applies on top of these.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({
        "monitoring.view", "monitoring.load", "monitoring.run", "monitoring.manage_alert",
        "monitoring.handle_alert", "monitoring.export",
        "credit.view", "credit.manage_record", "credit.publish_record", "credit.import",
        "credit.manage_rules", "credit.propose_listing", "credit.decide_listing",
        "credit.publish_listing", "credit.handle_objection", "credit.decide_repair",
        "credit.make_pledge", "credit.record_breach", "credit.manage_documents", "credit.export",
        "credit.view_dashboard", "credit.recompute_ratings",
        "declarations.view", "declarations.declare", "declarations.approve",
        "declarations.manage_thresholds", "declarations.manage_round", "declarations.export",
        "declarations.view_overview",
        "screening.view", "screening.export",
        "risk.view", "risk.manage_register", "risk.run_round", "risk.approve_round",
        "risk.manage_power_list", "risk.export", "risk.manage_library", "risk.view_overview",
        "risk.link_alert",
        "evaluation.view", "evaluation.manage_framework", "evaluation.manage_campaign",
        "evaluation.final_review", "evaluation.publish", "evaluation.decide_recheck",
        "evaluation.manage_finding", "evaluation.manage_exemplar", "evaluation.check_eligibility",
        "evaluation.view_eligibility", "evaluation.view_analytics",
        "evaluation.export",
        "registry.view", "registry.change_organisation", "registry.change_person",
        "registry.unmask_person", "registry.manage_membership", "registry.admit_member",
        "registry.manage_commitment", "registry.sign_commitment", "registry.import",
        "registry.export", "core.view_audit", "core.verify_audit", "core.view_history",
        "core.manage_users", "core.manage_tokens",
    }),
    Role.FEDERATION_OFFICER: frozenset({
        "monitoring.view", "monitoring.load", "monitoring.run", "monitoring.manage_alert",
        "monitoring.handle_alert", "monitoring.export",
        "credit.view", "credit.manage_record", "credit.publish_record", "credit.import",
        "credit.manage_rules", "credit.propose_listing", "credit.decide_listing",
        "credit.publish_listing", "credit.handle_objection", "credit.decide_repair",
        "credit.make_pledge", "credit.record_breach", "credit.manage_documents", "credit.export",
        "credit.view_dashboard", "credit.recompute_ratings",
        "declarations.view", "declarations.declare", "declarations.approve",
        "declarations.manage_thresholds", "declarations.manage_round", "declarations.export",
        "declarations.view_overview",
        "screening.view", "screening.screen", "screening.manage_list", "screening.review",
        "screening.export", "screening.compare",
        "screening.upload_external",
        "risk.view", "risk.manage_register", "risk.run_round", "risk.approve_round",
        "risk.manage_power_list", "risk.export", "risk.manage_library", "risk.view_overview",
        "risk.link_alert",
        "evaluation.view", "evaluation.manage_framework", "evaluation.manage_campaign",
        "evaluation.final_review", "evaluation.publish", "evaluation.decide_recheck",
        "evaluation.manage_finding", "evaluation.manage_exemplar", "evaluation.check_eligibility",
        "evaluation.view_eligibility", "evaluation.view_analytics",
        "evaluation.export",
        "registry.view", "registry.change_organisation", "registry.change_person",
        "registry.unmask_person", "registry.manage_membership", "registry.admit_member",
        "registry.manage_commitment", "registry.sign_commitment", "registry.import",
        "registry.export", "core.view_history", "core.manage_tokens",
    }),
    Role.CHAMBER_OFFICER: frozenset({
        "monitoring.view", "monitoring.load", "monitoring.run", "monitoring.manage_alert",
        "monitoring.handle_alert", "monitoring.export",
        "credit.view", "credit.manage_record", "credit.propose_listing", "credit.make_pledge",
        "credit.record_breach", "credit.manage_documents", "credit.export",
        "credit.view_dashboard",
        "declarations.view", "declarations.declare", "declarations.approve",
        "declarations.manage_thresholds", "declarations.manage_round", "declarations.export",
        "declarations.view_overview",
        "screening.view", "screening.screen", "screening.manage_list", "screening.review",
        "screening.export", "screening.compare",
        "risk.view", "risk.manage_register", "risk.run_round", "risk.approve_round",
        "risk.manage_power_list", "risk.export", "risk.view_overview",
        "evaluation.view", "evaluation.review", "evaluation.check_eligibility",
        "evaluation.view_eligibility", "evaluation.view_analytics",
        "evaluation.export",
        "registry.view", "registry.change_organisation", "registry.change_person",
        "registry.manage_membership", "registry.admit_member", "registry.manage_commitment",
        "registry.sign_commitment", "registry.import", "registry.export", "core.view_history",
    }),
    Role.ENTERPRISE_USER: frozenset({
        "monitoring.view", "monitoring.load", "monitoring.run", "monitoring.manage_alert",
        "monitoring.handle_alert", "monitoring.export",
        "credit.view", "credit.file_objection", "credit.apply_repair", "credit.make_pledge",
        "declarations.view", "declarations.declare", "declarations.approve",
        "declarations.manage_thresholds", "declarations.manage_round", "declarations.export",
        "screening.view", "screening.screen", "screening.manage_list", "screening.review",
        "screening.export", "screening.compare",
        "risk.view", "risk.manage_register", "risk.run_round", "risk.approve_round",
        "risk.manage_power_list", "risk.export",
        "evaluation.view", "evaluation.self_assess", "evaluation.request_recheck",
        "registry.view", "registry.apply_membership", "registry.sign_commitment",
        "registry.change_own_enterprise",
    }),
    Role.DEPARTMENT_HANDLER: frozenset({"registry.view"}),
    Role.AUDITOR: frozenset({
        "monitoring.view", "monitoring.export",
        "credit.view", "credit.export", "credit.view_dashboard",
        "declarations.view", "declarations.export", "declarations.view_overview",
        "screening.view", "screening.export",
        "risk.view", "risk.view_overview", "risk.export",
        "evaluation.view", "evaluation.export", "evaluation.view_eligibility",
        "evaluation.view_analytics",
        "registry.view", "registry.export", "core.view_audit", "core.verify_audit",
        "core.view_history",
    }),
}

_SCOPES: dict[type[models.Model], ScopeFn] = {}


def register_scope(model: type[models.Model]) -> Callable[[ScopeFn], ScopeFn]:
    def decorator(fn: ScopeFn) -> ScopeFn:
        _SCOPES[model] = fn
        return fn

    return decorator


def role_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return str(user.role)


def has_perm(user: Any, perm: str) -> bool:
    role = role_of(user)
    return role is not None and perm in ROLE_PERMISSIONS.get(role, frozenset())


def require(user: Any, perm: str) -> None:
    """Raise PermissionDenied (403) when the role may not do this at all."""
    if not has_perm(user, perm):
        raise PermissionDenied("您没有执行此操作的权限")


def restrict(queryset: models.QuerySet[M], user: Any, action: str = READ) -> models.QuerySet[M]:
    """The part of the queryset this user may see (action "view") or change ("change")."""
    if role_of(user) is None:
        return queryset.none()
    scope = _SCOPES.get(queryset.model)
    if scope is None:
        raise LookupError(f"{queryset.model.__name__} 没有登记数据范围")
    return scope(queryset, user, action)


def access(queryset: models.QuerySet[M], user: Any, pk: Any, action: str = READ) -> M:
    """The object with this key inside the user's scope, or 404 — the same 404 as missing."""
    try:
        return restrict(queryset, user, action).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该记录") from exc


# --- for action functions: ``actor=None`` is the system (CLI, sample city), which always may ----


def require_perm(actor: Any, perm: str) -> None:
    """The actor's role holds ``perm`` (403 otherwise); the system always may."""
    if actor is not None:
        require(actor, perm)


def require_in_scope(actor: Any, obj: models.Model, action: str = WRITE) -> None:
    """The actor may ``action`` this object under its model's scope; the system always may."""
    if actor is None:
        return
    if not restrict(type(obj)._default_manager.filter(pk=obj.pk), actor, action).exists():
        raise PermissionDenied("该记录不在您的管理范围内")
