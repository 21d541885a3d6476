"""Re-check requests (复核申请): the enterprise files one within the window after publication,
the federation lists the open ones with their due dates and decides each.

Adjustments during a re-check are made on the assessment page (``do_adjust_answer`` allows
them while a request is open); deciding republishes the result if the score or grade moved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinglian.core.paging import paginate, query_without_page
from qinglian.core.permissions import WRITE, access, has_perm, require, restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.models import Organisation
from qinglian.registry.queries import search_q
from qinglian.registry.views.people import acting_user

from .. import result_actions
from ..choices import RecheckStatus
from ..forms_assessments import DecisionForm, ReasonForm
from ..models import RecheckRequest
from . import assessment_page as page


@login_required
@require_http_methods(["GET", "POST"])
def recheck_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise asks for a re-check of its published result, with its reason."""
    require(request.user, "evaluation.request_recheck")
    assessment = access(page.access_assessment_q(), request.user, pk, WRITE)
    form = ReasonForm(request.POST or None, label=_("申请理由"))
    if request.method == "POST" and form.is_valid():
        try:
            result_actions.do_file_recheck(assessment, reason=form.cleaned_data["reason"],
                                           actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("复核申请已提交，工商联将在规定期限内处理"))
            return redirect("assessment_detail", pk=assessment.pk)
    campaign = assessment.campaign
    return render(request, "evaluation/assessments/recheck_form.html", {
        "assessment": assessment, "campaign": campaign, "form": form,
        "window_open": (campaign.recheck_due is not None
                        and timezone.localdate() <= campaign.recheck_due),
        "open_recheck": page.has_open_recheck(assessment),
    })


@login_required
@require_GET
def recheck_list(request: HttpRequest) -> HttpResponse:
    """Re-check requests in scope; the open ones first, each with its due date."""
    require(request.user, "evaluation.view")
    qs = restrict(RecheckRequest.objects.all(), request.user)
    status = request.GET.get("status", RecheckStatus.FILED)
    if status in RecheckStatus.values:
        qs = qs.filter(status=status)
    text = request.GET.get("q", "").strip()[:64]
    if text:
        qs = qs.filter(assessment__enterprise__in=Organisation.objects.filter(search_q(text)))
    qs = qs.select_related("assessment__enterprise", "assessment__campaign",
                           "assessment__chamber").order_by("due_on", "filed_at", "id")
    return render(request, "evaluation/assessments/recheck_list.html", {
        "page_obj": paginate(request, qs), "status": status, "text": text,
        "statuses": RecheckStatus.choices, "query": query_without_page(request),
        "today": timezone.localdate(),
        "can_decide": has_perm(request.user, "evaluation.decide_recheck"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def recheck_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide a request after any adjustments: republished if changed, otherwise upheld."""
    require(request.user, "evaluation.decide_recheck")
    recheck = access(RecheckRequest.objects.select_related(
        "assessment__enterprise", "assessment__campaign", "assessment__chamber", "filed_by"),
        request.user, pk, WRITE)
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if recheck.status != RecheckStatus.FILED:
            messages.error(request, _("该复核申请已处理"))
            return redirect("recheck_decide", pk=recheck.pk)
        if form.is_valid():
            try:
                result_actions.do_decide_recheck(recheck, note=form.cleaned_data["note"],
                                                 actor=acting_user(request))
            except ValidationError as exc:
                form.apply_action_error(exc)
            except TransitionNotAllowed as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("复核申请已处理：%(status)s") % {
                    "status": recheck.get_status_display()})
                return redirect("assessment_detail", pk=recheck.assessment_id)
    return render(request, "evaluation/assessments/recheck_decide.html", {
        "recheck": recheck, "assessment": recheck.assessment, "form": form,
        "today": timezone.localdate(),
    })


urlpatterns = [
    path("assessments/rechecks/", recheck_list, name="recheck_list"),
    path("assessments/<int:pk>/recheck/", recheck_file, name="recheck_file"),
    path("assessments/rechecks/<int:pk>/", recheck_decide, name="recheck_decide"),
]
