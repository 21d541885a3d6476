"""Restricted reads of the integrity index. Every view, API handler and export goes through these.

* federation officers and auditors see their federation's frameworks, campaigns and results;
* a chamber officer sees the assessments its chamber reviews (and the campaigns that are open);
* an enterprise user sees its own assessments, findings and re-check requests;
* drafts (frameworks, campaigns) are the federation's own business.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from qinglian.core.choices import Role
from qinglian.core.permissions import READ, has_perm, register_scope
from qinglian.registry.choices import ACTIVE_MEMBERSHIP
from qinglian.registry.models import Membership
from qinglian.registry.queries import jurisdiction_id

from .choices import AssessmentStatus, CampaignStatus, ExemplarStatus, FrameworkStatus
from .models import (
    Answer,
    Assessment,
    Campaign,
    DimensionScore,
    EligibilityCheck,
    Evidence,
    Exemplar,
    Framework,
    NegativeFinding,
    Nominee,
    RecheckRequest,
    ResultRevision,
)

FEDERATION_ROLES = {Role.FEDERATION_OFFICER, Role.AUDITOR}


def _home_id(user: Any) -> int | None:
    return getattr(user, "organisation_id", None)


def _federation_q(user: Any, field: str) -> Q:
    return Q(**{field: jurisdiction_id(user)})


def _none() -> Q:
    return Q(pk__in=[])


def _read_only(user: Any, action: str) -> bool:
    return user.role == Role.AUDITOR and action != READ


@register_scope(Framework)
def _scope_frameworks(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ADMIN:
        return qs
    if _read_only(user, action) or user.role == Role.DEPARTMENT_HANDLER:
        return qs.filter(_none())
    qs = qs.filter(_federation_q(user, "federation_id"))
    if not has_perm(user, "evaluation.manage_framework"):
        qs = qs.exclude(status=FrameworkStatus.DRAFT)
    return qs


@register_scope(Campaign)
def _scope_campaigns(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ADMIN:
        return qs
    if _read_only(user, action) or user.role == Role.DEPARTMENT_HANDLER:
        return qs.filter(_none())
    qs = qs.filter(_federation_q(user, "federation_id"))
    if user.role in FEDERATION_ROLES:
        return qs
    qs = qs.exclude(status=CampaignStatus.DRAFT)
    if user.role == Role.CHAMBER_OFFICER:
        return qs.filter(assessments__chamber_id=_home_id(user)).distinct()
    if user.role == Role.ENTERPRISE_USER:
        return qs.filter(assessments__enterprise_id=_home_id(user)).distinct()
    return qs.filter(_none())


def assessment_q(user: Any, action: str = READ, prefix: str = "") -> Q:
    """Q over Assessment (or, with a prefix such as "assessment__", a model that points to one)."""
    role = user.role
    if role == Role.ADMIN:
        return Q()
    if _read_only(user, action):
        return _none()
    if role in FEDERATION_ROLES:
        return Q(**{f"{prefix}campaign__federation_id": jurisdiction_id(user)})
    if role == Role.CHAMBER_OFFICER:
        q = Q(**{f"{prefix}chamber_id": _home_id(user)}) & ~Q(
            **{f"{prefix}campaign__status": CampaignStatus.DRAFT})
        if action != READ:
            # A chamber changes only what its current members submitted: an enterprise that
            # has withdrawn or been revoked is out of its hands (as in the registry).
            q &= Q(**{f"{prefix}enterprise__memberships__in": Membership.objects.filter(
                organisation_id=_home_id(user) or 0, status__in=[s.value for s in ACTIVE_MEMBERSHIP])})
        return q
    if role == Role.ENTERPRISE_USER:
        return Q(**{f"{prefix}enterprise_id": _home_id(user)}) & ~Q(
            **{f"{prefix}campaign__status": CampaignStatus.DRAFT})
    return _none()


@register_scope(Assessment)
def _scope_assessments(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(assessment_q(user, action))


def _via_assessment(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    return qs.filter(assessment_q(user, action, "assessment__"))


for _model in (DimensionScore, NegativeFinding, RecheckRequest, ResultRevision):
    register_scope(_model)(_via_assessment)

#: What an enterprise has not submitted yet is its own draft, not the chamber's to read.
UNSUBMITTED = (AssessmentStatus.PENDING, AssessmentStatus.DRAFT)


@register_scope(Answer)
def _scope_answers(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    qs = qs.filter(assessment_q(user, action, "assessment__"))
    if user.role == Role.CHAMBER_OFFICER:
        qs = qs.exclude(assessment__status__in=UNSUBMITTED)
    return qs


@register_scope(Evidence)
def _scope_evidence(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    qs = qs.filter(assessment_q(user, action, "answer__assessment__"))
    if user.role == Role.CHAMBER_OFFICER:
        qs = qs.exclude(answer__assessment__status__in=UNSUBMITTED)
    return qs


@register_scope(Exemplar)
def _scope_exemplars(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ADMIN:
        return qs
    if _read_only(user, action) or user.role == Role.DEPARTMENT_HANDLER:
        return qs.filter(_none())
    qs = qs.filter(campaign__federation_id=jurisdiction_id(user))
    if user.role in FEDERATION_ROLES:
        return qs
    return qs.filter(status=ExemplarStatus.PUBLISHED)


@register_scope(EligibilityCheck)
def _scope_checks(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    if user.role == Role.ADMIN:
        return qs
    if _read_only(user, action):
        return qs.filter(_none())
    if user.role in FEDERATION_ROLES:
        return qs.filter(federation_id=jurisdiction_id(user))
    if user.role == Role.CHAMBER_OFFICER:
        return qs.filter(submitted_by__organisation_id=_home_id(user))
    return qs.filter(_none())


@register_scope(Nominee)
def _scope_nominees(qs: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
    from qinglian.core.permissions import restrict

    return qs.filter(check_run__in=restrict(EligibilityCheck.objects.all(), user, action))
