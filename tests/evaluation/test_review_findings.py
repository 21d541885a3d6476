"""Reviewer R1's findings on the integrity-index core (issue #3).

Each test fails on the code as reviewed and states, in its docstring, what is wrong and what
the fixed behaviour is. SQLite only; every test builds the small city and world of
``tests/evaluation/world.py`` through the real actions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.core.permissions import restrict
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.evaluation import actions, result_actions, review_actions
from qinglian.evaluation.choices import (
    AssessmentStatus,
    CampaignStatus,
    RecheckStatus,
    ReviewDecision,
    ScoringMethod,
)
from qinglian.evaluation.framework_actions import validate_spec
from qinglian.evaluation.models import Answer, Evidence, ResultRevision
from qinglian.evaluation.scoring import score_answer
from qinglian.registry import actions as registry_actions
from tests.conftest import make_user

from .world import PDF, TEST_SPEC, World, _enterprise_user, answer_all, publish

pytestmark = pytest.mark.django_db

FED, CH, ENT = Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER
REFUSED = (ValidationError, PermissionDenied, TransitionNotAllowed)


def _answer(world: World, enterprise: Any, code: str) -> Answer:
    return Answer.objects.select_related("indicator", "assessment").get(
        assessment=world.of(enterprise), indicator__code=code)


def _submit(city: Any, world: World, enterprise: Any, strength: str = "good") -> None:
    user = _enterprise_user(city, enterprise.pk)
    own = world.of(enterprise)
    answer_all(own, user, strength=strength)
    actions.do_submit_assessment(own, actor=user)


# --- 1. re-check outcome falsified by another assessment's republication ---------------------

def test_republishing_one_assessment_silently_changes_another_published_total(
        city: Any, world: World) -> None:
    """``_republish`` calls ``recompute_results`` for the WHOLE campaign. When two re-checks
    are open and the federation has adjusted both, deciding the first one rewrites the second
    enterprise's published total in place — no new revision, no event. Deciding the second
    re-check then compares against the already-changed total and records it as UPHELD (维持原
    结果) although its score changed. Expected: a republication changes only the assessment
    being republished (ranks may move), so the second decision is CHANGED with revision 2 and
    every published total always equals its latest ResultRevision."""
    e0, e1 = city.enterprises[:2]
    publish(city, world)
    fed = city.users[FED]
    r0 = result_actions.do_file_recheck(world.of(e0), reason="漏报", actor=city.users[ENT])
    r1 = result_actions.do_file_recheck(world.of(e1), reason="漏报",
                                        actor=_enterprise_user(city, e1.pk))
    result_actions.do_adjust_answer(_answer(world, e0, "JG02"), points="0", comment="核减",
                                    actor=fed)
    result_actions.do_adjust_answer(_answer(world, e1, "JG02"), points="0", comment="核减",
                                    actor=fed)
    result_actions.do_decide_recheck(r0, note="改正", actor=fed)

    second = world.of(e1)
    latest = ResultRevision.objects.filter(assessment=second).order_by("-revision").first()
    assert latest is not None and second.total_hundredths == latest.total_hundredths, (
        "the second enterprise's published total changed without a new revision")

    fresh = type(r1).objects.get(pk=r1.pk)  # as the decide view loads it
    result_actions.do_decide_recheck(fresh, note="改正", actor=fed)
    fresh.refresh_from_db()
    assert fresh.status == RecheckStatus.CHANGED
    assert world.of(e1).revision == 2


# --- 2. unreviewed / returned scores published -----------------------------------------------

def test_answer_returned_for_evidence_is_published_at_full_self_score(
        city: Any, world: World) -> None:
    """The chamber returns JY01 (boolean, evidence required, 200 points) for more evidence;
    ``do_review_answer`` sets ``chamber_hundredths = None`` so the effective score falls back
    to the self-assessed 200. If the enterprise never resubmits, ``do_publish_campaign``
    publishes the rejected 200 points. Expected: an answer the reviewer returned (and did not
    get back) earns 0 in the published result."""
    e0 = city.enterprises[0]
    _submit(city, world, e0)
    fed, officer = city.users[FED], city.users[CH]
    actions.do_start_chamber_review(world.campaign, actor=fed)
    returned = _answer(world, e0, "JY01")
    review_actions.do_review_answer(returned, decision=ReviewDecision.RETURNED,
                             comment="制度文件未盖章", actor=officer)
    review_actions.do_accept_remaining(world.of(e0), actor=officer)
    review_actions.do_complete_review(world.of(e0), actor=officer)
    assert world.of(e0).status == AssessmentStatus.RETURNED
    actions.do_start_federation_review(world.campaign, actor=fed)
    result_actions.do_publish_campaign(world.campaign, actor=fed)
    returned.refresh_from_db()
    assert returned.score_hundredths == 0
    assert world.of(e0).total_hundredths == 90000 - 20000


def test_unsubmitted_draft_scores_evidence_required_yes_without_evidence(
        city: Any, world: World) -> None:
    """A draft that was never submitted is "published as it stands": JY01 (yes/no *with
    required evidence*) answered "yes" with no file earns its full 200 points, although the
    same answer could never have been submitted (``missing_for_submission``). Expected: at
    publication an evidence-required answer without evidence earns 0."""
    e0 = city.enterprises[0]
    fed = city.users[FED]
    actions.do_save_answer(_answer(world, e0, "JY01"), actor=city.users[ENT], bool_value=True)
    actions.do_start_chamber_review(world.campaign, actor=fed)
    actions.do_start_federation_review(world.campaign, actor=fed)
    result_actions.do_publish_campaign(world.campaign, actor=fed)
    assert _answer(world, e0, "JY01").score_hundredths == 0


# --- 4. campaign actions skip the scope check ------------------------------------------------

def test_other_federation_officer_can_drive_another_federations_campaign(
        city: Any, world: World) -> None:
    """The campaign writers (``do_update_campaign``, ``do_open_campaign``,
    ``do_start_chamber_review``, ``do_start_federation_review``, ``do_draw_spot_check``,
    ``do_publish_campaign``, ``do_close_campaign``) check the permission but never
    ``_require_scope(actor, campaign)``, unlike every assessment writer (and, since ca3bd9f,
    ``do_set_exemplar_status``). A federation officer
    of 宁波 can move Hangzhou's campaign. Expected: refused like any out-of-scope write."""
    stranger = make_user("fed_nb", FED, city.other_federation)
    with pytest.raises(REFUSED):
        actions.do_start_chamber_review(world.campaign, actor=stranger)
    world.campaign.refresh_from_db()
    assert world.campaign.status == CampaignStatus.SELF_ASSESSMENT


def test_other_federation_officer_can_publish_another_federations_results(
        city: Any, world: World) -> None:
    """Same defect on the most consequential transition: ``do_publish_campaign`` by another
    federation's officer publishes and locks every result. Expected: refused."""
    fed = city.users[FED]
    actions.do_start_chamber_review(world.campaign, actor=fed)
    actions.do_start_federation_review(world.campaign, actor=fed)
    stranger = make_user("fed_nb", FED, city.other_federation)
    with pytest.raises(REFUSED):
        result_actions.do_publish_campaign(world.campaign, actor=stranger)


# --- 5. spot-check size computed with a float ------------------------------------------------

def test_spot_check_sample_size_drifts_with_float_share() -> None:
    """``spot_check_sample`` computes ``ceil(len × float(share))``; 100 × 0.07 is
    7.000000000000001 in binary floating point, so a 7 % sample of 100 reviewed enterprises
    draws 8, not 7 (likewise 50 × 14 % → 8, 200 × 55 % → 111); the issue asks for no float
    drift. Expected: Decimal arithmetic — ``ceil(Decimal(100) × Decimal("0.070")) == 7``."""
    assert len(result_actions.spot_check_sample(list(range(1, 101)), Decimal("0.070"), 7)) == 7
    assert len(result_actions.spot_check_sample(list(range(1, 51)), Decimal("0.140"), 7)) == 7
    assert len(result_actions.spot_check_sample(list(range(1, 201)), Decimal("0.550"), 7)) == 110


# --- 6. state-machine holes ------------------------------------------------------------------

def test_chamber_can_complete_review_during_federation_review(city: Any, world: World) -> None:
    """``do_complete_review`` checks neither the campaign state (``do_review_answer`` does:
    REVIEWING) nor anything but pending decisions, so a chamber officer can still move an
    assessment SUBMITTED → REVIEWED (or → RETURNED, which the enterprise can no longer
    answer) after the federation's review has started and the spot-check population may
    already be drawn. Expected: refused outside the chamber-review window."""
    e0 = city.enterprises[0]
    _submit(city, world, e0)
    fed, officer = city.users[FED], city.users[CH]
    actions.do_start_chamber_review(world.campaign, actor=fed)
    review_actions.do_accept_remaining(world.of(e0), actor=officer)
    actions.do_start_federation_review(world.campaign, actor=fed)
    with pytest.raises(ValidationError):
        review_actions.do_complete_review(world.of(e0), actor=officer)
    assert world.of(e0).status == AssessmentStatus.SUBMITTED


def test_finding_can_be_withdrawn_after_campaign_is_closed(city: Any, world: World) -> None:
    """``do_confirm_finding`` refuses a closed campaign, but ``do_withdraw_finding`` has no
    campaign-state check: withdrawing a veto after closing silently republishes a closed,
    locked result (new revision, grade back up). Expected: refused once the campaign is
    closed, like confirming."""
    e0 = city.enterprises[0]
    publish(city, world)
    fed = city.users[FED]
    finding = result_actions.do_confirm_finding(
        world.of(e0), item=world.framework.negative_items.get(code="N02"),
        found_on=dt.date(2026, 1, 5), source="杭人社监〔2026〕1号", actor=fed)
    world.campaign.refresh_from_db()
    actions.do_close_campaign(world.campaign, actor=fed,
                              today=world.campaign.recheck_due + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        result_actions.do_withdraw_finding(finding, reason="撤销", actor=fed)
    assert world.of(e0).revision == 2


def test_campaign_can_be_closed_with_an_open_recheck(city: Any, world: World) -> None:
    """``do_close_campaign`` only applies the table: a campaign closes while a re-check is
    still filed (and before ``recheck_due``). Afterwards ``do_adjust_answer`` refuses (campaign
    not PUBLISHED) but ``do_decide_recheck`` still runs, so the request can only be "upheld".
    Expected: closing is refused while a re-check is open (and before the window ends)."""
    e0 = city.enterprises[0]
    publish(city, world)
    result_actions.do_file_recheck(world.of(e0), reason="漏报", actor=city.users[ENT])
    with pytest.raises(ValidationError):
        actions.do_close_campaign(world.campaign, actor=city.users[FED])


def test_changing_an_accepted_answer_after_return_keeps_the_chamber_score(
        city: Any, world: World) -> None:
    """When an assessment is RETURNED the enterprise may edit every answer, but only answers
    whose decision is RETURNED go back to PENDING. An answer the chamber already ACCEPTED
    keeps its decision and its ``chamber_hundredths``: the enterprise can change JY01 from
    "yes" to "no" (and delete its evidence), resubmit, and JY01 still scores the accepted 200
    — an answer of 否 with no evidence scoring full marks, never seen again by the chamber.
    Expected: any change to a decided answer resets it to PENDING (chamber score cleared)."""
    e0 = city.enterprises[0]
    user, officer, fed = city.users[ENT], city.users[CH], city.users[FED]
    _submit(city, world, e0)
    actions.do_start_chamber_review(world.campaign, actor=fed)
    review_actions.do_review_answer(_answer(world, e0, "JG01"), decision=ReviewDecision.RETURNED,
                             comment="请补充监督记录", actor=officer)
    review_actions.do_accept_remaining(world.of(e0), actor=officer)
    review_actions.do_complete_review(world.of(e0), actor=officer)
    accepted = _answer(world, e0, "JY01")
    assert accepted.decision == ReviewDecision.ACCEPTED and accepted.score_hundredths == 20000
    actions.do_save_answer(accepted, actor=user, bool_value=False)
    accepted.refresh_from_db()
    assert accepted.decision == ReviewDecision.PENDING
    assert accepted.score_hundredths == 0


def test_chamber_can_adjust_a_computed_indicator(city: Any, world: World) -> None:
    """Computed indicators "come from platform data: the chamber need not (and cannot) change
    them" (``do_complete_review``), yet ``do_review_answer`` accepts ADJUSTED / RETURNED on a
    computed answer, and the chamber score then overrides the platform's figure.
    Expected: ``do_review_answer`` refuses computed indicators."""
    e0 = city.enterprises[0]
    _submit(city, world, e0)
    actions.do_start_chamber_review(world.campaign, actor=city.users[FED])
    signed = _answer(world, e0, "WH02")
    assert signed.indicator.method == ScoringMethod.COMPUTED
    with pytest.raises(ValidationError):
        review_actions.do_review_answer(signed, decision=ReviewDecision.ADJUSTED, points="0",
                                 comment="不认可", actor=city.users[CH])


# --- 7. scope: a chamber the enterprise has left ---------------------------------------------

def test_chamber_keeps_write_scope_over_enterprise_that_withdrew(city: Any, world: World) -> None:
    """``assessment_q`` gives a chamber officer every assessment whose copied ``chamber_id``
    is its own, forever. After the enterprise withdraws from the chamber (退会) the chamber
    still reviews and scores it (and reads its evidence), whereas the registry's own scope
    stops chamber writes to anyone no longer an admitted/suspended member. Expected: WRITE
    scope requires an active membership (the federation reassigns or reviews instead)."""
    e0 = city.enterprises[0]
    _submit(city, world, e0)
    actions.do_start_chamber_review(world.campaign, actor=city.users[FED])
    membership = next(m for m in city.memberships if m.member_id == e0.pk)
    registry_actions.do_change_membership_status(membership, to="withdrawn", actor=None,
                                                 note="退会")
    with pytest.raises(ValidationError):
        review_actions.do_review_answer(_answer(world, e0, "JG01"), decision=ReviewDecision.ADJUSTED,
                                 points="0", comment="已退会", actor=city.users[CH])


def test_chamber_reads_an_unsubmitted_draft_and_its_evidence(city: Any, world: World) -> None:
    """Read scope for a chamber officer is every assessment of its chamber in a non-draft
    campaign, whatever the assessment's state, and ``Answer`` / ``Evidence`` inherit it: the
    chamber reads the enterprise's half-finished draft (self-scores, notes) and downloads
    evidence the enterprise uploaded but has not submitted (and may still delete). Expected:
    the chamber sees answers and evidence only once submitted (status ≠ pending / draft);
    the progress board's counts do not need the rows."""
    e0 = city.enterprises[0]
    rule = _answer(world, e0, "JY01")
    actions.do_save_answer(rule, actor=city.users[ENT], bool_value=True, note="草稿")
    actions.do_upload_evidence(rule, SimpleUploadedFile("草稿.pdf", PDF), actor=city.users[ENT])
    assert world.of(e0).status == AssessmentStatus.DRAFT
    officer = city.users[CH]
    assert not restrict(Evidence.objects.filter(answer=rule), officer).exists()
    assert not restrict(Answer.objects.filter(pk=rule.pk), officer).exists()


# --- 8. validation and audit gaps ------------------------------------------------------------

def test_answer_number_is_scored_before_being_rounded_to_four_places(
        city: Any, world: World) -> None:
    """``do_save_answers`` scores the number as given, then the DecimalField(14, 4) stores it
    rounded: 89.99999 % scores the 60 % band of WH01 (below 90) but is kept as 90.0000, which
    scores 100 %. The stored answer no longer justifies its score. Expected: refuse more than
    four decimals (ValidationError), or score the value as stored."""
    e0 = city.enterprises[0]
    answer = _answer(world, e0, "WH01")
    try:
        actions.do_save_answer(answer, actor=city.users[ENT], number=Decimal("89.99999"))
    except ValidationError:
        return
    answer.refresh_from_db()
    assert score_answer(answer.indicator, number=answer.number) == answer.self_hundredths


def test_grade_bands_may_put_fail_grade_above_a_passing_grade() -> None:
    """``_band_errors`` requires a band named 不达标 and a band at 0, but not that they are
    the same band: bands 标杆 ≥ 800, 不达标 ≥ 400, 达标 ≥ 0 validate, so 700 points grade
    不达标 and 300 points 达标. Expected: 不达标 must be the 0-point (lowest) band."""
    spec = dict(TEST_SPEC)
    spec["bands"] = [("标杆", 800), ("不达标", 400), ("达标", 0)]
    assert validate_spec(spec)  # type: ignore[arg-type]


def test_complete_review_changes_computed_answers_without_audit(city: Any, world: World) -> None:
    """``do_complete_review`` sets every computed answer's decision PENDING → ACCEPTED with a
    bare ``QuerySet.update`` and writes no audit record for those answers (every other answer
    change is audited). Expected: an UPDATE audit record per changed answer."""
    e0 = city.enterprises[0]
    _submit(city, world, e0)
    actions.do_start_chamber_review(world.campaign, actor=city.users[FED])
    review_actions.do_accept_remaining(world.of(e0), actor=city.users[CH])
    computed = list(world.of(e0).answers.filter(indicator__method=ScoringMethod.COMPUTED))
    before = {a.pk: AuditRecord.objects.filter(object_id=str(a.pk), action="update",
                                               object_type="evaluation.answer").count()
              for a in computed}
    review_actions.do_complete_review(world.of(e0), actor=city.users[CH])
    for answer in computed:
        answer.refresh_from_db()
        assert answer.decision == ReviewDecision.ACCEPTED
        after = AuditRecord.objects.filter(object_id=str(answer.pk), action="update",
                                           object_type="evaluation.answer").count()
        assert after > before[answer.pk], f"no audit record for computed answer {answer.pk}"


# --- 9. N+1 ----------------------------------------------------------------------------------

def test_fill_computed_runs_queries_per_answer(city: Any, world: World) -> None:
    """``fill_computed`` (run by ``do_open_campaign`` over every participant, and at each
    submission) calls each source per answer; ``commitment_signed`` and
    ``key_posts_recorded`` query per enterprise, so opening a 100,000-enterprise campaign
    issues hundreds of thousands of queries inside one locked transaction. Expected: sources
    answer in batches — the query count does not grow with the number of assessments."""
    assessments = list(world.campaign.assessments.order_by("pk"))
    with CaptureQueriesContext(connection) as one:
        actions.fill_computed(assessments[:1])
    with CaptureQueriesContext(connection) as three:
        actions.fill_computed(assessments)
    assert len(three.captured_queries) == len(one.captured_queries)

