"""What the assessment page shows and offers, decided once per request.

The same page serves three people: the enterprise filling in its self-assessment, the chamber
officer reviewing it, and the federation making final adjustments and recording negative-list
findings. ``Modes`` says which of those forms this user gets for this assessment now — each
flag mirrors the checks of the action it leads to, so a button is never offered that the
action would refuse for its state. The indicator cards are built by ``answer_card`` so that
an htmx save can re-render one card exactly as the full page does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qinglian.core.choices import Role
from qinglian.core.permissions import WRITE, access, has_perm, restrict

from ..actions import ANSWERING, REVIEWING, missing_for_submission
from ..choices import (
    EDITABLE_ASSESSMENT,
    AssessmentStatus,
    CampaignStatus,
    FindingStatus,
    RecheckStatus,
    ReviewDecision,
    ScoringMethod,
)
from ..forms_assessments import (
    AdjustForm,
    AnswerForm,
    CompleteReviewForm,
    FindingForm,
    ReasonForm,
    ReviewForm,
)
from ..models import Answer, Assessment, Evidence, NegativeFinding, RecheckRequest, points


@dataclass(frozen=True)
class Modes:
    """Which forms this user gets on this assessment now."""

    edit: bool = False       # the enterprise answers and uploads (do_save_answer)
    review: bool = False     # the chamber decides per indicator (do_review_answer)
    adjust: bool = False     # the federation's final score (do_adjust_answer)
    findings: bool = False   # negative-list findings (do_confirm_finding)
    recheck: bool = False    # the enterprise may file a re-check (do_file_recheck)


def access_assessment_q() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("campaign__framework", "campaign__federation",
                                             "enterprise", "chamber")


def modes_for(user: Any, assessment: Assessment, *, open_recheck: bool,
              today: dt.date | None = None) -> Modes:
    if not restrict(Assessment.objects.filter(pk=assessment.pk), user, WRITE).exists():
        return Modes()
    campaign, status = assessment.campaign, assessment.status
    day = today or timezone.localdate()
    return Modes(
        edit=(has_perm(user, "evaluation.self_assess") and campaign.status in ANSWERING
              and status in EDITABLE_ASSESSMENT),
        review=(has_perm(user, "evaluation.review") and campaign.status in REVIEWING
                and status == AssessmentStatus.SUBMITTED),
        adjust=(has_perm(user, "evaluation.final_review")
                and (campaign.status == CampaignStatus.FEDERATION_REVIEW
                     or (campaign.status == CampaignStatus.PUBLISHED and open_recheck))),
        findings=(has_perm(user, "evaluation.manage_finding")
                  and campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.CLOSED)),
        recheck=(has_perm(user, "evaluation.request_recheck")
                 and campaign.status == CampaignStatus.PUBLISHED
                 and status == AssessmentStatus.PUBLISHED and campaign.recheck_due is not None
                 and day <= campaign.recheck_due and not open_recheck),
    )


def has_open_recheck(assessment: Assessment) -> bool:
    return assessment.rechecks.filter(status=RecheckStatus.FILED).exists()


def scoped_answers(user: Any, assessment: Assessment) -> QuerySet[Answer]:
    """The assessment's answers as this user may read them (the scope of Answer, not only of
    the assessment: a scope that hides unsubmitted answers from a reviewer hides them here)."""
    return restrict(Answer.objects.filter(assessment=assessment), user)


def _loaded(user: Any, answers: QuerySet[Answer]) -> QuerySet[Answer]:
    evidence = restrict(Evidence.objects.order_by("uploaded_at", "id"), user)
    return answers.select_related("indicator__dimension").prefetch_related(
        Prefetch("evidence", queryset=evidence))


def answers_of(user: Any, assessment: Assessment) -> list[Answer]:
    """Every answer with its indicator, dimension and evidence — two queries."""
    return list(_loaded(user, scoped_answers(user, assessment)))


def answers_of_one(user: Any, assessment: Assessment, answer_id: int) -> Answer:
    """One answer of the assessment, loaded as ``answers_of`` loads them."""
    return _loaded(user, scoped_answers(user, assessment)).get(pk=answer_id)


def answer_text(answer: Answer) -> str:
    """The enterprise's answer in words: 是 / 完全落实 / 85 % / the computed note."""
    indicator = answer.indicator
    method = indicator.method
    if method == ScoringMethod.COMPUTED:
        return answer.computed_note or _("尚未计算")
    if method == ScoringMethod.BOOLEAN and answer.bool_value is not None:
        return _("是，已落实") if answer.bool_value else _("否，未落实")
    if method == ScoringMethod.LEVELS and answer.level is not None:
        levels = indicator.levels or []
        return str(levels[answer.level].get("label", "")) if answer.level < len(levels) else ""
    if answer.number is not None:
        return f"{format(answer.number.normalize(), 'f')} {indicator.unit}".strip()
    return _("未填报")


@dataclass
class BoundForms:
    """Forms re-shown with the user's input and errors after a refused POST, by answer id."""

    answer: dict[int, AnswerForm]
    review: dict[int, ReviewForm]
    adjust: dict[int, AdjustForm]

    @classmethod
    def none(cls) -> BoundForms:
        return cls({}, {}, {})


def answer_card(answer: Answer, modes: Modes, bound: BoundForms) -> dict[str, Any]:
    """One indicator card: the answer, its scores, and the forms this user gets."""
    computed = answer.indicator.method == ScoringMethod.COMPUTED
    card: dict[str, Any] = {"answer": answer, "indicator": answer.indicator,
                            "computed": computed, "text": answer_text(answer),
                            "evidence": list(answer.evidence.all()), "modes": modes}
    # A refused form comes back with its errors even when the state no longer offers it.
    card["answer_form"] = bound.answer.get(answer.pk) or (
        AnswerForm(answer=answer) if modes.edit and not computed else None)
    card["review_form"] = bound.review.get(answer.pk) or (
        ReviewForm(answer=answer) if modes.review and not computed else None)
    card["adjust_form"] = bound.adjust.get(answer.pk) or (
        AdjustForm(answer=answer) if modes.adjust else None)
    return card


def dimension_groups(answers: list[Answer], modes: Modes,
                     bound: BoundForms) -> list[dict[str, Any]]:
    """Cards grouped by dimension, each group with its self and effective subtotals."""
    groups = []
    for _dimension_id, members in groupby(answers, key=lambda a: a.indicator.dimension_id):
        items = list(members)
        groups.append({
            "dimension": items[0].indicator.dimension,
            "cards": [answer_card(a, modes, bound) for a in items],
            "max": sum((a.indicator.max_points for a in items), Decimal(0)),
            "self": points(sum(a.self_hundredths or 0 for a in items)),
            "score": points(sum(a.score_hundredths for a in items)),
        })
    return groups


def _two_places(value: Any) -> Decimal:
    """A summed DecimalField: SQLite returns 200, PostgreSQL 200.00 — show 200.00 on both."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def dimension_totals(user: Any, assessment: Assessment, answer: Answer) -> dict[str, Any]:
    """The subtotals of the answer's dimension, as ``dimension_groups`` gives them — one query."""
    summed = scoped_answers(user, assessment) \
        .filter(indicator__dimension_id=answer.indicator.dimension_id).aggregate(own=Sum("self_hundredths"), score=Sum("score_hundredths"),
                   max=Sum("indicator__max_points"))
    return {"dimension": answer.indicator.dimension, "self": points(summed["own"] or 0),
            "score": points(summed["score"] or 0), "max": _two_places(summed["max"])}


def self_totals(user: Any, assessment: Assessment) -> dict[str, Any]:
    """The live self-assessed total and how many indicators are answered — three queries."""
    answers = scoped_answers(user, assessment)
    summed = answers.aggregate(own=Sum("self_hundredths"), score=Sum("score_hundredths"),
                               max=Sum("indicator__max_points"))
    return {
        "self_total": points(summed["own"] or 0), "score_total": points(summed["score"] or 0),
        "max_total": _two_places(summed["max"]),
        "answered": answers.filter(self_hundredths__isnull=False).count(),
        "indicator_total": answers.count(),
    }


def _review_counts(decisions: list[tuple[str, str]]) -> dict[str, int]:
    return {
        "pending_reviews": sum(1 for decision, method in decisions
                               if decision == ReviewDecision.PENDING
                               and method != ScoringMethod.COMPUTED),
        "returned_reviews": sum(1 for decision, _method in decisions
                                if decision == ReviewDecision.RETURNED),
    }


def review_counts(user: Any, assessment: Assessment) -> dict[str, int]:
    """How many indicators still await the chamber's decision, and how many it returned."""
    return _review_counts(list(scoped_answers(user, assessment)
                               .values_list("decision", "indicator__method")))


def result_url(assessment: Assessment) -> str:
    """The results page of a published assessment, once that page exists."""
    if assessment.status != AssessmentStatus.PUBLISHED:
        return ""
    try:
        return reverse("result_detail", args=[assessment.pk])
    except NoReverseMatch:
        return ""


def side_panels(user: Any, assessment: Assessment, modes: Modes, answers: list[Answer],
                rechecks: list[RecheckRequest]) -> dict[str, Any]:
    """Findings, re-checks, the submit and complete-review panels."""
    findings = list(restrict(NegativeFinding.objects.select_related("item"), user)
                    .filter(assessment=assessment).order_by("-found_on", "-id"))
    return {
        "findings": findings,
        "veto_reasons": [f for f in findings if f.status == FindingStatus.CONFIRMED],
        "rechecks": [{"recheck": r, "before": points(r.before_hundredths),
                      "after": points(r.after_hundredths)} for r in rechecks],
        "missing": missing_for_submission(assessment) if modes.edit else [],
        **_review_counts([(a.decision, a.indicator.method) for a in answers]),
        "complete_form": CompleteReviewForm(),
        "finding_form": (FindingForm(items=assessment.campaign.framework.negative_items.all())
                         if modes.findings else None),
        "withdraw_form": ReasonForm(label=_("撤销理由")),
        "result_url": result_url(assessment),
    }


# --- rendering ------------------------------------------------------------------------------

def is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def anchor(assessment_id: int, answer_id: int | None = None) -> str:
    url = reverse("assessment_detail", args=[assessment_id])
    return f"{url}#answer-{answer_id}" if answer_id else url


def page_context(request: HttpRequest, assessment: Assessment,
                 bound: BoundForms | None = None) -> dict[str, Any]:
    user = request.user
    rechecks = list(restrict(RecheckRequest.objects.all(), user).filter(assessment=assessment)
                    .order_by("-filed_at", "-id"))
    open_recheck = any(r.status == RecheckStatus.FILED for r in rechecks)
    modes = modes_for(user, assessment, open_recheck=open_recheck)
    answers = answers_of(user, assessment)
    groups = dimension_groups(answers, modes, bound or BoundForms.none())
    return {
        "assessment": assessment, "campaign": assessment.campaign, "modes": modes,
        "groups": groups, "open_recheck": open_recheck,
        "is_officer": getattr(user, "role", None) != Role.ENTERPRISE_USER,
        "self_total": points(sum(a.self_hundredths or 0 for a in answers)),
        "score_total": points(sum(a.score_hundredths for a in answers)),
        "answered": sum(1 for a in answers if a.self_hundredths is not None),
        "indicator_total": len(answers),
        "max_total": sum((g["max"] for g in groups), Decimal(0)),
        "submit_problems": [],
        **side_panels(user, assessment, modes, answers, rechecks),
    }


def render_page(request: HttpRequest, assessment: Assessment, bound: BoundForms | None = None,
                **overrides: Any) -> HttpResponse:
    """The whole page; ``overrides`` replace parts of it (a refused form, submit problems)."""
    context = page_context(request, assessment, bound)
    context.update(overrides)
    return render(request, "evaluation/assessments/detail.html", context)


def render_card(request: HttpRequest, answer: Answer, bound: BoundForms) -> HttpResponse:
    """One indicator card for an htmx swap; the totals and the submit or complete-review panel
    come along out of band, so they never go stale."""
    assessment = access(access_assessment_q(), request.user, answer.assessment_id)
    user = request.user
    fresh = answers_of_one(user, assessment, answer.pk)
    modes = modes_for(request.user, assessment, open_recheck=has_open_recheck(assessment))
    context: dict[str, Any] = {"card": answer_card(fresh, modes, bound), "oob": True,
                               "assessment": assessment, "modes": modes,
                               "group": dimension_totals(user, assessment, fresh),
                               **self_totals(user, assessment)}
    if modes.edit:
        context["missing"] = missing_for_submission(assessment)
    if modes.review:
        context.update(review_counts(user, assessment))
    return render(request, "evaluation/assessments/partials/answer_card_response.html", context)
