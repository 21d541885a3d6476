"""The whole yearly cycle through the real actions: open, self-assess, review, spot check,
publish, veto, re-check and republish, exemplars."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.audit import verify_chain
from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.evaluation import actions, result_actions, review_actions
from qinglian.evaluation.choices import (
    FAIL_GRADE,
    AssessmentStatus,
    CampaignStatus,
    FrameworkStatus,
    RecheckStatus,
    ReviewDecision,
)
from qinglian.evaluation.framework_actions import do_update_framework, framework_spec
from qinglian.evaluation.models import Answer, DimensionScore, ResultRevision
from qinglian.evaluation.results import recompute_results

from .world import PDF, World, accept_all, answer_all, open_campaign, publish

pytestmark = pytest.mark.django_db

FED, CH, ENT = Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER


def _answer(world: World, enterprise: Any, code: str) -> Answer:
    return Answer.objects.select_related("indicator", "assessment").get(
        assessment=world.of(enterprise), indicator__code=code)


def test_opening_freezes_framework_creates_answers_and_fills_computed(city: Any, world: World) -> None:
    assert world.framework.status == FrameworkStatus.FROZEN
    assert world.campaign.status == CampaignStatus.SELF_ASSESSMENT
    assert world.campaign.self_assessment_due is not None
    assert set(world.assessments) == {e.pk for e in city.enterprises}
    own = world.of(city.enterprises[0])
    assert own.chamber_id == city.chamber.pk and own.answers.count() == 8
    signed = _answer(world, city.enterprises[0], "WH02")
    assert signed.score_hundredths == 5000 and "第 1 版承诺书" in signed.computed_note
    with pytest.raises(ValidationError, match="已启用并冻结"):
        do_update_framework(world.framework, framework_spec(world.framework), actor=None)


def test_enterprise_cannot_submit_incomplete_or_without_required_evidence(city: Any, world: World) -> None:
    user = city.users[ENT]
    own = world.of(city.enterprises[0])
    with pytest.raises(ValidationError) as missing:
        actions.do_submit_assessment(own, actor=user)
    assert any("尚未填报" in m for m in missing.value.messages)
    rule = _answer(world, city.enterprises[0], "JY01")
    actions.do_save_answer(rule, actor=user, bool_value=True)
    assert world.of(city.enterprises[0]).status == AssessmentStatus.DRAFT
    with pytest.raises(ValidationError) as no_file:
        actions.do_submit_assessment(own, actor=user)
    assert any("JY01 采购内控制度：须上传佐证材料" in m for m in no_file.value.messages)


def test_evidence_is_checked_by_content(city: Any, world: World) -> None:
    user = city.users[ENT]
    rule = _answer(world, city.enterprises[0], "JY01")
    with pytest.raises(ValidationError, match="按文件内容判断"):
        actions.do_upload_evidence(rule, SimpleUploadedFile("a.pdf", b"MZ\x90\x00exe"), actor=user)
    evidence = actions.do_upload_evidence(rule, SimpleUploadedFile("制度.pdf", PDF), actor=user)
    assert evidence.file.name.endswith(".pdf") and evidence.original_name == "制度.pdf"
    with pytest.raises(ValidationError, match="相同的文件"):
        actions.do_upload_evidence(rule, SimpleUploadedFile("copy.pdf", PDF), actor=user)


def test_enterprise_cannot_touch_another_enterprise(city: Any, world: World) -> None:
    other = _answer(world, city.enterprises[1], "JG02")
    with pytest.raises(ValidationError, match="管理范围"):
        actions.do_save_answer(other, actor=city.users[ENT], bool_value=True)


def test_chamber_review_adjust_needs_comment_and_return_goes_back(city: Any, world: World) -> None:
    user, officer = city.users[ENT], city.users[CH]
    own = world.of(city.enterprises[0])
    answer_all(own, user)
    actions.do_submit_assessment(own, actor=user)
    with pytest.raises(ValidationError, match="管理范围"):  # the other chamber's member
        other = world.of(city.enterprises[2])
        review_actions.do_review_answer(other.answers.first(), decision=ReviewDecision.ACCEPTED,
                                 actor=officer)
    adjust = _answer(world, city.enterprises[0], "JG01")
    with pytest.raises(ValidationError, match="调整说明"):
        review_actions.do_review_answer(adjust, decision=ReviewDecision.ADJUSTED, points="60", actor=officer)
    with pytest.raises(ValidationError, match=r"0 到 120\.00 分之间"):
        review_actions.do_review_answer(adjust, decision=ReviewDecision.ADJUSTED, points="121",
                                 comment="过高", actor=officer)
    review_actions.do_review_answer(adjust, decision=ReviewDecision.ADJUSTED, points="60.5",
                             comment="抽查记录不全", actor=officer)
    adjust.refresh_from_db()
    assert adjust.score_hundredths == 6050 and adjust.self_hundredths == 12000
    returned = _answer(world, city.enterprises[0], "JY01")
    review_actions.do_review_answer(returned, decision=ReviewDecision.RETURNED,
                             comment="请补充制度发文", actor=officer)
    with pytest.raises(ValidationError, match="未给出初审意见"):
        review_actions.do_complete_review(own, actor=officer)
    for answer in own.answers.filter(decision=ReviewDecision.PENDING).exclude(
            indicator__method="computed"):
        review_actions.do_review_answer(answer, decision=ReviewDecision.ACCEPTED, actor=officer)
    review_actions.do_complete_review(own, actor=officer)
    assert world.of(city.enterprises[0]).status == AssessmentStatus.RETURNED
    actions.do_save_answer(returned, actor=user, bool_value=True, note="已补充")
    returned.refresh_from_db()
    assert returned.decision == ReviewDecision.PENDING
    actions.do_submit_assessment(own, actor=user)
    review_actions.do_review_answer(returned, decision=ReviewDecision.ACCEPTED, actor=officer)
    review_actions.do_complete_review(own, actor=officer)
    assert world.of(city.enterprises[0]).status == AssessmentStatus.REVIEWED


def test_publish_computes_exact_results_ranks_and_revisions(city: Any, world: World) -> None:
    e0, e1, e2 = city.enterprises
    publish(city, world, strengths={e0.pk: "good", e1.pk: "fair", e2.pk: "poor"})
    assert world.campaign.status == CampaignStatus.PUBLISHED
    assert world.campaign.recheck_due is not None
    for assessment in world.campaign.assessments.all():
        dims = DimensionScore.objects.filter(assessment=assessment)
        answers = Answer.objects.filter(assessment=assessment)
        assert assessment.total_hundredths == sum(d.score_hundredths for d in dims)
        assert assessment.total_hundredths == sum(a.score_hundredths for a in answers)
        assert assessment.status == AssessmentStatus.PUBLISHED
        assert ResultRevision.objects.get(assessment=assessment, revision=1).grade == assessment.grade
    best, fair, poor = world.of(e0), world.of(e1), world.of(e2)
    # e0: party org none (0) + 150 + 200 + 150 + 150 + 50 (signed) + 120 + 80 = 900
    assert best.total == Decimal("900.00") and best.grade == "标杆"
    assert (best.rank_chamber, best.peers_chamber, best.below_chamber) == (1, 2, 1)
    assert best.percentile("chamber") == 100 and fair.percentile("chamber") == 0
    assert fair.rank_chamber == 2 and poor.rank_chamber == 1 and poor.peers_chamber == 1
    assert poor.grade == FAIL_GRADE
    assert verify_chain().ok


def test_veto_after_publication_republishes_as_fail(city: Any, world: World) -> None:
    publish(city, world)
    e0 = city.enterprises[0]
    item = world.framework.negative_items.get(code="N02")
    result_actions.do_confirm_finding(world.of(e0), item=item, found_on=dt.date(2026, 3, 2),
                                      source="杭人社监〔2026〕12号", actor=city.users[FED])
    vetoed = world.of(e0)
    assert vetoed.vetoed and vetoed.grade == FAIL_GRADE and vetoed.revision == 2
    assert vetoed.total == Decimal("900.00")  # the score stands; the grade is vetoed
    assert vetoed.rank_chamber == 2  # a vetoed enterprise ranks after the others
    assert ResultRevision.objects.filter(assessment=vetoed).count() == 2


def test_recheck_within_window_adjust_and_republish(city: Any, world: World) -> None:
    e0 = city.enterprises[0]
    publish(city, world, strengths={e0.pk: "fair"})
    own, fed = world.of(e0), city.users[FED]
    with pytest.raises(ValidationError, match="期限已过"):
        result_actions.do_file_recheck(own, reason="x", actor=city.users[ENT],
                                       today=world.campaign.recheck_due + dt.timedelta(days=1))
    recheck = result_actions.do_file_recheck(own, reason="培训记录漏报", actor=city.users[ENT])
    with pytest.raises(ValidationError, match="待处理"):
        result_actions.do_file_recheck(own, reason="again", actor=city.users[ENT])
    answer = _answer(world, e0, "WH01")
    result_actions.do_adjust_answer(answer, points="150", comment="补充材料属实", actor=fed)
    result_actions.do_decide_recheck(recheck, note="予以改正", actor=fed)
    recheck.refresh_from_db()
    after = world.of(e0)
    assert recheck.status == RecheckStatus.CHANGED
    assert recheck.after_hundredths == after.total_hundredths > recheck.before_hundredths  # type: ignore[operator]
    assert after.revision == 2
    # A second request, nothing changed: upheld, no new revision.
    second = result_actions.do_file_recheck(after, reason="再议", actor=city.users[ENT])
    result_actions.do_decide_recheck(second, note="维持", actor=fed)
    second.refresh_from_db()
    assert second.status == RecheckStatus.UPHELD and world.of(e0).revision == 2


def test_spot_check_is_reproducible_and_drawn_once(city: Any, world: World) -> None:
    fed = city.users[FED]
    for enterprise_id, assessment in world.assessments.items():
        from .world import _chamber_user, _enterprise_user

        user = _enterprise_user(city, enterprise_id)
        answer_all(assessment, user)
        actions.do_submit_assessment(assessment, actor=user)
        accept_all(assessment, _chamber_user(city, assessment.chamber_id))
    actions.do_start_chamber_review(world.campaign, actor=fed)
    actions.do_start_federation_review(world.campaign, actor=fed)
    sample = result_actions.do_draw_spot_check(world.campaign, actor=fed, seed=20261124)
    population = sorted(a.pk for a in world.assessments.values())
    assert sample == result_actions.spot_check_sample(population, world.campaign.spot_check_share,
                                                      20261124)
    assert len(sample) == 1  # ceil(3 × 10%)
    with pytest.raises(ValidationError, match="不能重抽"):
        result_actions.do_draw_spot_check(world.campaign, actor=fed)
    event = AuditRecord.objects.filter(event="campaign.spot_check_drawn").get()
    assert event.after["seed"] == 20261124 and event.after["sample"] == sample


def test_exemplar_needs_top_grade_and_no_finding(city: Any, world: World) -> None:
    e0, e1 = city.enterprises[:2]
    publish(city, world, strengths={e0.pk: "good", e1.pk: "fair"})
    fed = city.users[FED]
    with pytest.raises(ValidationError, match="最高等级"):
        result_actions.do_nominate_exemplar(world.campaign, e1, citation="好", actor=fed)
    exemplar = result_actions.do_nominate_exemplar(world.campaign, e0, citation="制度健全", actor=fed)
    result_actions.do_set_exemplar_status(exemplar, to="published", actor=fed)
    assert exemplar.status == "published" and exemplar.published_at is not None


def test_recompute_is_idempotent(city: Any, world: World) -> None:
    publish(city, world)
    before = list(world.campaign.assessments.values_list("total_hundredths", "grade", "rank_region"))
    recompute_results(world.campaign)
    assert list(world.campaign.assessments.values_list(
        "total_hundredths", "grade", "rank_region")) == before


def test_second_campaign_same_name_refused(city: Any, world: World) -> None:
    with pytest.raises(ValidationError, match="已有名为"):
        open_campaign(city, framework=world.framework)


def test_exemplar_publication_rechecks_obstacles(city: Any, world: World) -> None:
    e0 = city.enterprises[0]
    publish(city, world)
    fed = city.users[FED]
    exemplar = result_actions.do_nominate_exemplar(world.campaign, e0, citation="制度健全", actor=fed)
    result_actions.do_confirm_finding(world.of(e0), item=world.framework.negative_items.first(),
                                      found_on=dt.date(2026, 5, 1), source="判决书", actor=fed)
    with pytest.raises(ValidationError, match="不能公布为示范企业"):
        result_actions.do_set_exemplar_status(exemplar, to="published", actor=fed)
    result_actions.do_set_exemplar_status(exemplar, to="withdrawn", actor=fed)
