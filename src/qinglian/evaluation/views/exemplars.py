"""Exemplary enterprises (示范企业): a campaign's nominations, nominating, publishing and
withdrawing, and the roll of published exemplars.

The federation nominates from the campaign's top grade; ``result_actions.do_nominate_exemplar``
refuses an enterprise with a negative-list finding, an open re-check, an open alert or a
sanction, and its reasons are shown on the form. Others see published exemplars only
(``restrict(Exemplar)``).
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qinglian.core.models import User
from qinglian.core.paging import paginate
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from .. import statistics as stats
from ..choices import AssessmentStatus, ExemplarStatus
from ..forms_results import ExemplarNominationForm
from ..models import Assessment, Campaign, Exemplar, points
from ..result_actions import do_nominate_exemplar, do_set_exemplar_status
from ..workflow import EXEMPLAR_FLOW


def _with_results(exemplars: QuerySet[Exemplar]) -> QuerySet[Exemplar]:
    """Each exemplar with its enterprise's published total (hundredths) and grade in that
    campaign, in the same query."""
    result = Assessment.objects.filter(
        campaign_id=OuterRef("campaign_id"), enterprise_id=OuterRef("enterprise_id"),
        status=AssessmentStatus.PUBLISHED)
    return exemplars.annotate(
        result_hundredths=Subquery(result.values("total_hundredths")[:1]),
        result_grade=Subquery(result.values("grade")[:1]),
    )


def _listed(exemplars: QuerySet[Exemplar]) -> list[Exemplar]:
    rows = list(_with_results(exemplars))
    for exemplar in rows:
        exemplar.result_total = points(exemplar.result_hundredths)  # type: ignore[attr-defined]
    return rows


@login_required
@require_GET
def exemplar_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's exemplars: every state for the federation, published ones for others."""
    require(request.user, "evaluation.view")
    campaign = access(Campaign.objects.select_related("framework"), request.user, pk)
    exemplars = _listed(restrict(Exemplar.objects.filter(campaign=campaign), request.user)
                        .select_related("enterprise")
                        .order_by("status", "enterprise__name_pinyin", "pk"))
    grades = stats.grade_names(campaign.framework)
    return render(request, "evaluation/results/exemplar_list.html", {
        "campaign": campaign, "exemplars": exemplars, "top_grade": grades[0] if grades else "",
        "has_results": stats.has_results(campaign),
        "can_manage": has_perm(request.user, "evaluation.manage_exemplar"),
        "published": ExemplarStatus.PUBLISHED, "nominated": ExemplarStatus.NOMINATED,
    })


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_nominate(request: HttpRequest, pk: int) -> HttpResponse:
    """Nominate an enterprise of the top grade; the action's refusals are shown on the form."""
    require(request.user, "evaluation.manage_exemplar")
    campaign = access(Campaign.objects.select_related("framework"), request.user, pk, WRITE)
    form = ExemplarNominationForm(request.POST or None, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            exemplar = do_nominate_exemplar(
                campaign, form.cleaned_data["enterprise"],
                citation=form.cleaned_data["citation"], actor=cast(User, request.user))
        except ValidationError as exc:
            form.put_errors(exc)
        else:
            messages.success(request, _("已推荐“%(name)s”为示范企业，待公布") % {
                "name": exemplar.enterprise.name})
            return redirect("exemplar_list", pk=campaign.pk)
    grades = stats.grade_names(campaign.framework)
    return render(request, "evaluation/results/exemplar_form.html", {
        "campaign": campaign, "form": form, "has_results": stats.has_results(campaign),
        "top_grade": grades[0] if grades else "",
    })


def _set_status(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    require(request.user, "evaluation.manage_exemplar")
    exemplar = access(Exemplar.objects.select_related("enterprise"), request.user, pk, WRITE)
    try:
        do_set_exemplar_status(exemplar, to=to, actor=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("示范企业“%(name)s”：%(status)s") % {
            "name": exemplar.enterprise.name, "status": EXEMPLAR_FLOW.label(to)})
    return redirect("exemplar_list", pk=exemplar.campaign_id)


@login_required
@require_POST
def exemplar_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, ExemplarStatus.PUBLISHED)


@login_required
@require_POST
def exemplar_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, ExemplarStatus.WITHDRAWN)


@login_required
@require_GET
def exemplar_roll(request: HttpRequest) -> HttpResponse:
    """The roll of published exemplars (示范企业名单), newest campaign first."""
    require(request.user, "evaluation.view")
    exemplars = _with_results(restrict(Exemplar.objects.filter(status=ExemplarStatus.PUBLISHED),
                                       request.user)
                              .select_related("campaign", "enterprise")
                              .order_by("-campaign__year", "-campaign_id",
                                        "enterprise__name_pinyin", "pk"))
    return render(request, "evaluation/results/exemplar_roll.html", {
        "page_obj": paginate(request, exemplars, per_page=50),
    })


urlpatterns: list[URLPattern] = [
    path("exemplars/", exemplar_roll, name="exemplar_roll"),
    path("exemplars/campaigns/<int:pk>/", exemplar_list, name="exemplar_list"),
    path("exemplars/campaigns/<int:pk>/nominate/", exemplar_nominate, name="exemplar_nominate"),
    path("exemplars/<int:pk>/publish/", exemplar_publish, name="exemplar_publish"),
    path("exemplars/<int:pk>/withdraw/", exemplar_withdraw, name="exemplar_withdraw"),
]
