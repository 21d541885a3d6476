"""The officers' writes on an assessment: the chamber's review of each indicator and its
completion (初审), the federation's final adjustment (复核) and negative-list findings.

Each view checks the role (403) before the scope (404), calls one action, and shows the
action's own refusal in Chinese; a refused form comes back with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qinglian.core.permissions import WRITE, access, require
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.views.people import acting_user

from .. import result_actions, review_actions
from ..choices import AssessmentStatus, ReviewDecision
from ..forms_assessments import AdjustForm, CompleteReviewForm, FindingForm, ReasonForm, ReviewForm
from ..models import Answer, Assessment, NegativeFinding
from . import assessment_page as page


def _answer(request: HttpRequest, pk: int) -> Answer:
    return access(Answer.objects.select_related("indicator", "assessment__campaign"),
                  request.user, pk, WRITE)


def _after_card_post(request: HttpRequest, answer: Answer, bound: page.BoundForms,
                     saved: bool, done: str) -> HttpResponse:
    if page.is_htmx(request):
        return page.render_card(request, answer, bound)
    if saved:
        messages.success(request, done)
        return redirect(page.anchor(answer.assessment_id, answer.pk))
    assessment = access(page.access_assessment_q(), request.user, answer.assessment_id)
    return page.render_page(request, assessment, bound)


@login_required
@require_POST
def assessment_review_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The chamber accepts, adjusts (points and a comment) or returns one indicator."""
    require(request.user, "evaluation.review")
    answer = _answer(request, pk)
    form = ReviewForm(request.POST, answer=answer)
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            review_actions.do_review_answer(answer, decision=data["decision"], points=data["points"],
                                     comment=data["comment"], actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            saved = True
    bound = page.BoundForms.none() if saved else page.BoundForms({}, {answer.pk: form}, {})
    label = ReviewDecision(form.cleaned_data["decision"]).label if saved else ""
    return _after_card_post(request, answer, bound, saved, _("“%(name)s”：%(decision)s") % {
        "name": answer.indicator.name, "decision": label})


@login_required
@require_POST
def assessment_complete_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Finish the chamber's review: reviewed, or back to the enterprise if anything was returned."""
    require(request.user, "evaluation.review")
    assessment = access(Assessment.objects.select_related("enterprise"), request.user, pk, WRITE)
    form = CompleteReviewForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        review_actions.do_complete_review(assessment, actor=acting_user(request), note=note)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        if assessment.status == AssessmentStatus.RETURNED:
            messages.warning(request, _("初审完成：有指标退回，已退回%(name)s补充佐证") % {
                "name": assessment.enterprise.name})
        else:
            messages.success(request, _("初审完成：%(name)s 的自评已审核通过") % {
                "name": assessment.enterprise.name})
    return redirect("assessment_detail", pk=assessment.pk)


@login_required
@require_POST
def assessment_adjust_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The federation's final score of one indicator (in its review, or during a re-check)."""
    require(request.user, "evaluation.final_review")
    answer = _answer(request, pk)
    form = AdjustForm(request.POST, answer=answer)
    saved = False
    if form.is_valid():
        try:
            result_actions.do_adjust_answer(answer, points=form.cleaned_data["points"],
                                            comment=form.cleaned_data["comment"],
                                            actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            saved = True
    bound = page.BoundForms.none() if saved else page.BoundForms({}, {}, {answer.pk: form})
    return _after_card_post(request, answer, bound, saved, _("已调整“%(name)s”的复核得分") % {
        "name": answer.indicator.name})


@login_required
@require_POST
def assessment_confirm_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a confirmed negative-list item: it vetoes the grade (一票否决)."""
    require(request.user, "evaluation.manage_finding")
    assessment = access(page.access_assessment_q(), request.user, pk, WRITE)
    form = FindingForm(request.POST, items=assessment.campaign.framework.negative_items.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            result_actions.do_confirm_finding(
                assessment, item=data["item"], found_on=data["found_on"], source=data["source"],
                description=data["description"], actor=acting_user(request))
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            messages.success(request, _("已认定负面清单事项“%(item)s”，该企业等级一票否决") % {
                "item": data["item"].name})
            return redirect(page.anchor(assessment.pk) + "#findings")
    return page.render_page(request, assessment, finding_form=form)


@login_required
@require_POST
def assessment_withdraw_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a finding, with the reason; a published result is republished."""
    require(request.user, "evaluation.manage_finding")
    finding = access(NegativeFinding.objects.select_related("item", "assessment"), request.user,
                     pk, WRITE)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤销理由"))
    else:
        try:
            result_actions.do_withdraw_finding(finding, reason=form.cleaned_data["reason"],
                                               actor=acting_user(request))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已撤销负面清单认定“%(item)s”") % {"item": finding.item.name})
    return redirect(page.anchor(finding.assessment_id) + "#findings")


urlpatterns = [
    path("assessments/answers/<int:pk>/review/", assessment_review_answer,
         name="assessment_review_answer"),
    path("assessments/answers/<int:pk>/adjust/", assessment_adjust_answer,
         name="assessment_adjust_answer"),
    path("assessments/<int:pk>/complete-review/", assessment_complete_review,
         name="assessment_complete_review"),
    path("assessments/<int:pk>/findings/", assessment_confirm_finding,
         name="assessment_confirm_finding"),
    path("assessments/findings/<int:pk>/withdraw/", assessment_withdraw_finding,
         name="assessment_withdraw_finding"),
]
