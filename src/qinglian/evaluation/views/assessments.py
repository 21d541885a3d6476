"""Assessment pages (企业评价): the list of one's assessments, the assessment page, and the
enterprise's writes on it — answers, evidence, submission.

The chamber's review, the federation's adjustments and findings live in
``assessment_reviews.py``; re-check requests in ``rechecks.py``. Their URLs join this module's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qinglian.core.choices import Role
from qinglian.core.paging import paginate, parse_id, query_without_page
from qinglian.core.permissions import WRITE, access, require, restrict
from qinglian.core.uploads import evidence_content_type
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.registry.models import Organisation
from qinglian.registry.queries import search_q
from qinglian.registry.views.people import acting_user

from .. import actions
from ..choices import AssessmentStatus
from ..forms_assessments import AnswerForm
from ..models import Answer, Assessment, Evidence
from . import assessment_page as page
from . import assessment_reviews, rechecks

# --- list ----------------------------------------------------------------------------------

@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    """An enterprise's assessments of every year (officers: those in their scope)."""
    require(request.user, "evaluation.view")
    qs = restrict(Assessment.objects.all(), request.user)
    years = sorted(set(qs.values_list("campaign__year", flat=True)), reverse=True)
    year = parse_id(request.GET.get("year"))
    if year:
        qs = qs.filter(campaign__year=year)
    status = request.GET.get("status", "")
    if status in AssessmentStatus.values:
        qs = qs.filter(status=status)
    text = request.GET.get("q", "").strip()[:64]
    if text:
        qs = qs.filter(enterprise__in=Organisation.objects.filter(search_q(text)))
    qs = qs.select_related("campaign", "enterprise", "chamber").order_by(
        "-campaign__year", "-campaign_id", "enterprise__name_pinyin", "id")
    return render(request, "evaluation/assessments/list.html", {
        "page_obj": paginate(request, qs), "years": years, "filters": request.GET,
        "statuses": AssessmentStatus.choices, "query": query_without_page(request),
        "is_enterprise": getattr(request.user, "role", None) == Role.ENTERPRISE_USER,
    })


# --- the assessment page -------------------------------------------------------------------

@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise in one campaign: answers, evidence, review, findings, result."""
    require(request.user, "evaluation.view")
    assessment = access(page.access_assessment_q(), request.user, pk)
    return page.render_page(request, assessment)


# --- the enterprise's writes ---------------------------------------------------------------

def _save_with_files(request: HttpRequest, answer: Answer, form: AnswerForm) -> int:
    """Save the answer and upload its new files together: all of it, or none of it."""
    actor = acting_user(request)
    with transaction.atomic():
        actions.do_save_answer(answer, actor=actor, **form.answer_values())
        for upload in form.cleaned_data.get("uploads") or []:
            try:
                actions.do_upload_evidence(answer, upload, actor=actor)
            except ValidationError as exc:
                raise ValidationError(
                    [f"{upload.name}：{message}" for message in exc.messages]) from exc
    return len(form.cleaned_data.get("uploads") or [])


@login_required
@require_POST
def assessment_save_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one indicator's answer as a draft, with any new evidence files."""
    require(request.user, "evaluation.self_assess")
    answer = access(Answer.objects.select_related("indicator", "assessment__campaign"),
                    request.user, pk, WRITE)
    form = AnswerForm(request.POST, request.FILES, answer=answer)
    saved, uploaded = False, 0
    if form.is_valid():
        try:
            uploaded = _save_with_files(request, answer, form)
        except ValidationError as exc:
            form.apply_action_error(exc)
        else:
            saved = True
    if page.is_htmx(request):
        bound = page.BoundForms.none() if saved else page.BoundForms({answer.pk: form}, {}, {})
        response = page.render_card(request, answer, bound)
        if saved:
            response["HX-Trigger"] = "answer-saved"
        return response
    if saved:
        messages.success(request, _("已保存“%(name)s”的草稿") % {"name": answer.indicator.name}
                         + (_("，上传 %(n)s 份佐证材料") % {"n": uploaded} if uploaded else ""))
        return redirect(page.anchor(answer.assessment_id, answer.pk))
    assessment = access(page.access_assessment_q(), request.user, answer.assessment_id)
    return page.render_page(request, assessment, page.BoundForms({answer.pk: form}, {}, {}))


@login_required
@require_POST
def assessment_delete_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an evidence file while the self-assessment is still editable."""
    require(request.user, "evaluation.self_assess")
    evidence = access(Evidence.objects.select_related("answer__assessment"), request.user, pk,
                      WRITE)
    answer = evidence.answer
    try:
        actions.do_delete_evidence(evidence, actor=acting_user(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if not page.is_htmx(request):
            messages.success(request, _("已删除佐证材料“%(name)s”") % {"name": evidence.original_name})
    if page.is_htmx(request):
        return page.render_card(request, answer, page.BoundForms.none())
    return redirect(page.anchor(answer.assessment_id, answer.pk))


@login_required
@require_GET
def assessment_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, through scope — never a public media URL; out of scope is a 404."""
    require(request.user, "evaluation.view")
    evidence = access(Evidence.objects.select_related("answer__indicator"), request.user, pk)
    name = evidence.file.name or ""
    if not name:
        raise Http404(_("该佐证材料没有文件"))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("佐证材料文件不存在")) from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                            content_type=evidence_content_type(name))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Submit the self-assessment for review; what is missing is listed on the page."""
    require(request.user, "evaluation.self_assess")
    assessment = access(page.access_assessment_q(), request.user, pk, WRITE)
    try:
        actions.do_submit_assessment(assessment, actor=acting_user(request))
    except ValidationError as exc:
        assessment = access(page.access_assessment_q(), request.user, pk)
        return page.render_page(request, assessment, submit_problems=exc.messages)
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("自评已提交，等待%(chamber)s初审") % {
            "chamber": assessment.chamber.name})
    return redirect("assessment_detail", pk=assessment.pk)


urlpatterns = [
    path("assessments/", assessment_list, name="assessment_list"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/submit/", assessment_submit, name="assessment_submit"),
    path("assessments/answers/<int:pk>/save/", assessment_save_answer,
         name="assessment_save_answer"),
    path("assessments/evidence/<int:pk>/", assessment_evidence, name="assessment_evidence"),
    path("assessments/evidence/<int:pk>/delete/", assessment_delete_evidence,
         name="assessment_delete_evidence"),
    *assessment_reviews.urlpatterns,
    *rechecks.urlpatterns,
]
