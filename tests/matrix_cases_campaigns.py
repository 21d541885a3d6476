"""Permission matrix rows for the campaign and assessment pages (年度评价、企业自评、商会初审、
工商联复核、复核申请).

Objects, built through the real actions and cached on the city:

* the open 2026 campaign of ``world(city)`` (self-assessment): 华为 (enterprises[0], the
  enterprise user's own, reviewed by the chamber officer's 互联网商会) with an evidence file and a
  confirmed negative-list finding; 瓯江 (enterprises[2]) belongs to the other chamber, so the
  chamber officer and the enterprise user get 404 for it;
* a draft campaign (drafts are the federation's business: 404 for chamber and enterprise);
* a published 2025 campaign with an open re-check request of 华为 (and its evidence file).

An enterprise's unsubmitted draft is its own: the chamber officer reads its answers and evidence
only once submitted.

Writes that the action refuses for the object's state still show who may call them: the role
check (403) comes before the scope (404), and a refused action re-renders (200) or redirects
with a message (302).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.choices import Role
from qinglian.evaluation import actions, result_actions
from qinglian.evaluation.models import Answer, Campaign, Evidence, NegativeFinding, RecheckRequest
from tests.evaluation.world import PDF, World, open_campaign, publish, world

A = {200}
R = {302}
F = {403}
N = {404}


def _fed(city: Any) -> Any:
    return city.users[Role.FEDERATION_OFFICER]


def _assessment(city: Any, index: int = 0) -> int:
    return int(world(city).assessments[city.enterprises[index].pk].pk)


def _answer(city: Any, code: str, index: int = 0) -> Answer:
    return Answer.objects.get(assessment_id=_assessment(city, index), indicator__code=code)


def _draft(city: Any) -> int:
    existing = Campaign.objects.filter(federation=city.federation, name="草稿评价").first()
    if existing is None:
        existing = actions.do_create_campaign(
            city.federation, framework=world(city).framework, year=2027, name="草稿评价",
            actor=_fed(city))
    return int(existing.pk)


def _evidence(city: Any) -> int:
    existing = Evidence.objects.filter(answer__assessment_id=_assessment(city)).first()
    if existing is None:
        existing = actions.do_upload_evidence(
            _answer(city, "JY01"), SimpleUploadedFile("制度.pdf", PDF), actor=city.users[Role.ENTERPRISE_USER])
    return int(existing.pk)


def _finding(city: Any) -> int:
    existing = NegativeFinding.objects.filter(assessment_id=_assessment(city)).first()
    if existing is None:
        w = world(city)
        existing = result_actions.do_confirm_finding(
            w.of(city.enterprises[0]), item=w.framework.negative_items.get(code="N02"),
            found_on=w.campaign.created_at.date(), source="杭人社监〔2026〕12号", actor=_fed(city))
    return int(existing.pk)


def published(city: Any) -> World:
    """A published 2025 campaign of the same framework, with 华为's open re-check request."""
    cached = getattr(city, "_h2_published", None)
    if cached is None:
        cached = publish(city, open_campaign(city, year=2025, name="2025 年度清廉企业评价",
                                             framework=world(city).framework))
        result_actions.do_file_recheck(cached.of(city.enterprises[0]), reason="培训记录漏报",
                                       actor=city.users[Role.ENTERPRISE_USER])
        city._h2_published = cached
    return cached


def _published_assessment(city: Any, index: int) -> int:
    return int(published(city).assessments[city.enterprises[index].pk].pk)


def _published_evidence(city: Any) -> int:
    return int(Evidence.objects.get(answer__assessment_id=_published_assessment(city, 0)).pk)


def _published_answer(city: Any) -> int:
    return int(Answer.objects.get(assessment_id=_published_assessment(city, 0),
                                  indicator__code="JG02").pk)


def _recheck(city: Any) -> int:
    return int(RecheckRequest.objects.get(assessment_id=_published_assessment(city, 0)).pk)


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    _campaigns(case, statuses)
    _assessments(case, statuses)
    _reviews(case, statuses)
    _rechecks(case, statuses)


def _campaigns(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    base = "/evaluation/campaigns"
    open_id = lambda c: world(c).campaign.pk  # noqa: E731
    case("campaign_list", lambda c: f"{base}/", statuses(A, dept=F))
    case("campaign_list", lambda c: f"{base}/?year=2026&status=self_assessment",
         statuses(A, dept=F), label="（筛选）")
    case("campaign_create", lambda c: f"{base}/new/", statuses(F, admin=A, fed=A))
    case("campaign_detail", lambda c: f"{base}/{open_id(c)}/", statuses(A, dept=F))
    case("campaign_detail", lambda c: f"{base}/{open_id(c)}/?show=late&q=hw",
         statuses(A, dept=F), label="（看板筛选）")
    case("campaign_detail", lambda c: f"{base}/{open_id(c)}/?export=xlsx",
         statuses(A, ent=F, dept=F), label="（导出）")
    case("campaign_detail", lambda c: f"{base}/{_draft(c)}/",
         statuses(A, chamber=N, ent=N, dept=F), label="（草稿）")
    case("campaign_edit", lambda c: f"{base}/{_draft(c)}/edit/", statuses(F, admin=A, fed=A))
    case("campaign_edit", lambda c: f"{base}/{open_id(c)}/edit/", statuses(F, admin=R, fed=R),
         label="（已启动：回到详情）")
    case("campaign_transition", lambda c: f"{base}/{_draft(c)}/transition/",
         statuses(F, admin=R, fed=R), method="post", data=lambda c: {"to": "self_assessment"})
    case("campaign_transition", lambda c: f"{base}/{open_id(c)}/transition/",
         statuses(F, admin=R, fed=R), method="post", data=lambda c: {"to": "published"},
         label="（表中没有的变更）")
    case("campaign_spot_check", lambda c: f"{base}/{open_id(c)}/spot-check/",
         statuses(F, admin=R, fed=R), method="post", data=lambda c: {"seed": "7"})


def _assessments(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    base = "/evaluation/assessments"
    case("assessment_list", lambda c: f"{base}/", statuses(A, dept=F))
    case("assessment_list", lambda c: f"{base}/?year=2026&status=pending&q=hw",
         statuses(A, dept=F), label="（筛选）")
    case("assessment_detail", lambda c: f"{base}/{_assessment(c)}/", statuses(A, dept=F))
    case("assessment_detail", lambda c: f"{base}/{_assessment(c, 2)}/",
         statuses(A, chamber=N, ent=N, dept=F), label="（其他商会的企业）")
    case("assessment_submit", lambda c: f"{base}/{_assessment(c)}/submit/",
         statuses(F, ent=A), method="post")  # nothing answered: the page lists what is missing
    case("assessment_submit", lambda c: f"{base}/{_assessment(c, 2)}/submit/",
         statuses(F, ent=N), method="post", label="（其他企业）")
    save = lambda c: f"{base}/answers/{_answer(c, 'JG02').pk}/save/"  # noqa: E731
    case("assessment_save_answer", save, statuses(F, ent=R), method="post",
         data=lambda c: {f"a{_answer(c, 'JG02').pk}-bool_value": "1"})
    case("assessment_save_answer", lambda c: f"{base}/answers/{_answer(c, 'JG02', 2).pk}/save/",
         statuses(F, ent=N), method="post", label="（其他企业）")
    case("assessment_evidence", lambda c: f"{base}/evidence/{_published_evidence(c)}/",
         statuses(A, dept=F))
    case("assessment_evidence", lambda c: f"{base}/evidence/{_evidence(c)}/",
         statuses(A, chamber=N, dept=F), label="（未提交的草稿）")
    case("assessment_delete_evidence", lambda c: f"{base}/evidence/{_evidence(c)}/delete/",
         statuses(F, ent=R), method="post")


def _reviews(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    base = "/evaluation/assessments"
    # Published (chamber) or not yet in its review (federation): the action refuses and the
    # card comes back with the reason (200). An unsubmitted draft is not the chamber's (404).
    case("assessment_review_answer", lambda c: f"{base}/answers/{_published_answer(c)}/review/",
         statuses(F, chamber=A), method="post",
         data=lambda c: {f"r{_published_answer(c)}-decision": "accepted"})
    case("assessment_review_answer", lambda c: f"{base}/answers/{_answer(c, 'JG02').pk}/review/",
         statuses(F, chamber=N), method="post", label="（未提交的草稿）",
         data=lambda c: {f"r{_answer(c, 'JG02').pk}-decision": "accepted"})
    case("assessment_review_answer",
         lambda c: f"{base}/answers/{_answer(c, 'JG02', 2).pk}/review/",
         statuses(F, chamber=N), method="post", label="（其他商会的企业）")
    case("assessment_adjust_answer", lambda c: f"{base}/answers/{_answer(c, 'JG02').pk}/adjust/",
         statuses(F, admin=A, fed=A), method="post",
         data=lambda c: {f"f{_answer(c, 'JG02').pk}-points": "10",
                         f"f{_answer(c, 'JG02').pk}-comment": "核减"})
    case("assessment_complete_review", lambda c: f"{base}/{_assessment(c)}/complete-review/",
         statuses(F, chamber=R), method="post")
    case("assessment_confirm_finding", lambda c: f"{base}/{_assessment(c)}/findings/",
         statuses(F, admin=R, fed=R), method="post", data=lambda c: {
             "item": world(c).framework.negative_items.get(code="N01").pk,
             "found_on": "2025-01-02", "source": "杭检〔2026〕3号"})
    case("assessment_withdraw_finding", lambda c: f"{base}/findings/{_finding(c)}/withdraw/",
         statuses(F, admin=R, fed=R), method="post", data=lambda c: {"reason": "认定有误"})


def _rechecks(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    base = "/evaluation/assessments"
    case("recheck_list", lambda c: f"{base}/rechecks/", statuses(A, dept=F))
    case("recheck_list", lambda c: f"{base}/rechecks/?status=&q=hw", statuses(A, dept=F),
         label="（筛选）")
    case("recheck_file", lambda c: f"{base}/{_published_assessment(c, 0)}/recheck/",
         statuses(F, ent=A))
    case("recheck_file", lambda c: f"{base}/{_published_assessment(c, 2)}/recheck/",
         statuses(F, ent=N), label="（其他企业）")
    case("recheck_decide", lambda c: f"{base}/rechecks/{_recheck(c)}/",
         statuses(F, admin=A, fed=A))
