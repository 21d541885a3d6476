"""资格联审 pages: past checks with the year's roll-up, a new check, one check's result and its
export.

Who may read checks (``eligibility.require_read_checks``): the officers who may run them
(federation, chamber — a chamber sees the checks its own officers ran) and the federation's
auditors; enterprises and departments get 403. Scope (``restrict`` / ``access``) then decides
which checks: others answer 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate
from qinglian.core.permissions import access, has_perm, require, restrict
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id
from qinglian.registry.views.people import acting_user

from ..choices import EligibilityPurpose, NomineeKind
from ..eligibility import (
    UNVERIFIED,
    do_check_eligibility,
    require_read_checks,
    rollups,
    visible_checks,
)
from ..eligibility_lists import MAX_NOMINEES
from ..forms_eligibility import EligibilityCheckForm
from ..models import EligibilityCheck, Nominee

OUTCOMES = {"eligible": True, "ineligible": False}


def _year(text: str | None) -> int | None:
    if text and text.isascii() and text.isdigit() and len(text) == 4:
        return int(text)
    return None


@login_required
@require_GET
def eligibility_list(request: HttpRequest) -> HttpResponse:
    """Past checks, newest first, by year and purpose; the year's roll-up above them."""
    require_read_checks(request.user)
    checks = visible_checks(request.user)
    years = sorted({d.year for d in checks.datetimes("submitted_at", "year")}, reverse=True)
    year = _year(request.GET.get("year"))
    purpose = request.GET.get("purpose", "")
    listed = checks.filter(submitted_at__year=year) if year else checks
    if purpose in EligibilityPurpose.values:
        listed = listed.filter(purpose=purpose)
    this_year = timezone.localdate().year
    return render(request, "evaluation/eligibility/list.html", {
        "page_obj": paginate(request, listed.annotate(
            eligible_count=F("nominee_count") - F("ineligible_count")).order_by("-submitted_at", "-id")),
        "years": years, "year": year, "purpose": purpose,
        "purposes": EligibilityPurpose.choices,
        "rollup_year": year or this_year, "is_this_year": (year or this_year) == this_year,
        "rollups": rollups(checks, year or this_year),
        "can_check": has_perm(request.user, "evaluation.check_eligibility"),
    })


def _federations(user: Any) -> QuerySet[Organisation] | None:
    """The federations to choose from (administrator only; officers use their own)."""
    if user.role == Role.ADMIN:
        return restrict(Organisation.objects.all(), user)
    return None


def _own_federation(user: Any) -> Organisation | None:
    home = jurisdiction_id(user)
    return Organisation.objects.filter(pk=home).first() if home is not None else None


@login_required
@require_http_methods(["GET", "POST"])
def eligibility_create(request: HttpRequest) -> HttpResponse:
    """Submit a list; the whole list is checked for mistakes before anything is judged."""
    require(request.user, "evaluation.check_eligibility")
    actor = acting_user(request)
    form = EligibilityCheckForm(request.POST or None, request.FILES or None,
                                federations=_federations(actor))
    if request.method == "POST" and form.is_valid():
        federation = form.cleaned_data.get("federation") or _own_federation(actor)
        try:
            if federation is None:
                raise ValidationError(_("您的账户未关联工商联，不能开展资格联审"))
            check = do_check_eligibility(
                federation, purpose=form.cleaned_data["purpose"], title=form.cleaned_data["title"],
                entries=form.entries, actor=actor)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("资格联审完成：共 %(n)d 名人选，%(bad)d 名不符合条件") % {
                "n": check.nominee_count, "bad": check.ineligible_count})
            return redirect("eligibility_detail", pk=check.pk)
    return render(request, "evaluation/eligibility/form.html", {
        "form": form, "line_errors": form.line_errors, "max_nominees": MAX_NOMINEES,
        "ask_federation": "federation" in form.fields,
    })


def _nominees(check: EligibilityCheck, outcome: str) -> QuerySet[Nominee]:
    nominees = check.nominees.order_by("line", "id")
    if outcome in OUTCOMES:
        nominees = nominees.filter(eligible=OUTCOMES[outcome])
    return nominees


def _export(check: EligibilityCheck, nominees: QuerySet[Nominee]) -> HttpResponseBase:
    return xlsx_response(f"资格联审结果_{check.pk}", "联审结果", [
        Column(_("序号"), lambda n: n.line, 8),
        Column(_("类型"), lambda n: NomineeKind(n.kind).label, 8),
        Column(_("名称/姓名"), lambda n: n.name, 30),
        Column(_("证件号码"), lambda n: n.identifier_masked, 24),
        Column(_("结论"), lambda n: _("符合") if n.eligible else _("不符合"), 10),
        Column(_("不符合原因"), lambda n: "\n".join(n.reasons), 90),
    ], nominees.iterator(chunk_size=1000))


@login_required
@require_GET
def eligibility_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One check: who ran it, when, for what, and each nominee's outcome with every reason."""
    require_read_checks(request.user)
    check = access(visible_checks(request.user), request.user, pk)
    outcome = request.GET.get("outcome", "")
    nominees = _nominees(check, outcome)
    if request.GET.get("export") == "xlsx":
        require(request.user, "evaluation.export")
        return _export(check, nominees)
    unverified = sum(1 for reasons in check.nominees.filter(eligible=False).values_list(
        "reasons", flat=True) if set(reasons) <= UNVERIFIED)
    return render(request, "evaluation/eligibility/detail.html", {
        "check": check, "page_obj": paginate(request, nominees, per_page=50),
        "outcome": outcome, "unverified": unverified,
        "vetoed": check.ineligible_count - unverified,
        "eligible_count": check.nominee_count - check.ineligible_count,
        "can_export": has_perm(request.user, "evaluation.export"),
    })


urlpatterns = [
    path("eligibility/", eligibility_list, name="eligibility_list"),
    path("eligibility/new/", eligibility_create, name="eligibility_create"),
    path("eligibility/<int:pk>/", eligibility_detail, name="eligibility_detail"),
]
