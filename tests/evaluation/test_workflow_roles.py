"""Every transition of every evaluation state machine, tried by every role through its action.

A role without the transition's permission gets PermissionDenied (nothing changes); a role with
it succeeds when the object is in its scope. The table below is the whole expectation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.evaluation import actions, result_actions, review_actions
from qinglian.evaluation.choices import AssessmentStatus, CampaignStatus, ReviewDecision
from qinglian.evaluation.models import Answer, Assessment, RecheckRequest
from qinglian.evaluation.workflow import (
    ASSESSMENT_FLOW,
    CAMPAIGN_FLOW,
    EXEMPLAR_FLOW,
    RECHECK_FLOW,
)

from .world import World, _chamber_user, accept_all, answer_all, open_campaign, publish

pytestmark = pytest.mark.django_db

ROLES = [Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER,
         Role.DEPARTMENT_HANDLER, Role.AUDITOR]
FED_ONLY = {Role.ADMIN, Role.FEDERATION_OFFICER}


def _own(city: Any, world: World) -> Assessment:
    return world.of(city.enterprises[0])


def _submitted(city: Any, world: World) -> Assessment:
    own = _own(city, world)
    answer_all(own, city.users[Role.ENTERPRISE_USER])
    actions.do_submit_assessment(own, actor=city.users[Role.ENTERPRISE_USER])
    return own


def _in_federation_review(city: Any, world: World) -> None:
    fed = city.users[Role.FEDERATION_OFFICER]
    own = _submitted(city, world)
    actions.do_start_chamber_review(world.campaign, actor=fed)
    accept_all(own, city.users[Role.CHAMBER_OFFICER])
    actions.do_start_federation_review(world.campaign, actor=fed)


def _recheck(city: Any, world: World) -> RecheckRequest:
    publish(city, world)
    return result_actions.do_file_recheck(_own(city, world), reason="漏报",
                                          actor=city.users[Role.ENTERPRISE_USER])


def _answer(city: Any, world: World, code: str = "JG02") -> Answer:
    return _own(city, world).answers.get(indicator__code=code)


def _after_window(campaign: Any) -> Any:
    return campaign.recheck_due + dt.timedelta(days=1)


# (name, prepare(city, world) -> subject, act(subject, actor), roles that may do it)
Step = tuple[str, Callable[[Any, World], Any], Callable[[Any, Any], Any], set[str]]
STEPS: list[Step] = [
    ("进入初审", lambda c, w: w.campaign,
     lambda s, a: actions.do_start_chamber_review(s, actor=a), FED_ONLY),
    ("填报", lambda c, w: _answer(c, w),
     lambda s, a: actions.do_save_answer(s, actor=a, bool_value=True), {Role.ENTERPRISE_USER}),
    ("提交", lambda c, w: (answer_all(_own(c, w), c.users[Role.ENTERPRISE_USER]), _own(c, w))[1],
     lambda s, a: actions.do_submit_assessment(s, actor=a), {Role.ENTERPRISE_USER}),
    ("初审", lambda c, w: (_submitted(c, w), _answer(c, w))[1],
     lambda s, a: review_actions.do_review_answer(s, decision=ReviewDecision.ACCEPTED, actor=a),
     {Role.CHAMBER_OFFICER}),
    ("完成初审", lambda c, w: _submitted(c, w),
     lambda s, a: (review_actions.do_accept_remaining(s, actor=a), review_actions.do_complete_review(s, actor=a)),
     {Role.CHAMBER_OFFICER}),
    ("进入复核", lambda c, w: (actions.do_start_chamber_review(
        w.campaign, actor=c.users[Role.FEDERATION_OFFICER]), w.campaign)[1],
     lambda s, a: actions.do_start_federation_review(s, actor=a), FED_ONLY),
    ("抽查", lambda c, w: (_in_federation_review(c, w), w.campaign)[1],
     lambda s, a: result_actions.do_draw_spot_check(s, actor=a, seed=1), FED_ONLY),
    ("调整得分", lambda c, w: (_in_federation_review(c, w), _answer(c, w))[1],
     lambda s, a: result_actions.do_adjust_answer(s, points="0", comment="抽查", actor=a), FED_ONLY),
    ("发布", lambda c, w: (_in_federation_review(c, w), w.campaign)[1],
     lambda s, a: result_actions.do_publish_campaign(s, actor=a), FED_ONLY),
    ("关闭", lambda c, w: publish(c, w).campaign,
     lambda s, a: actions.do_close_campaign(s, actor=a, today=_after_window(s)), FED_ONLY),
    ("申请复核", lambda c, w: (publish(c, w), _own(c, w))[1],
     lambda s, a: result_actions.do_file_recheck(s, reason="漏报", actor=a), {Role.ENTERPRISE_USER}),
    ("复核决定", _recheck,
     lambda s, a: result_actions.do_decide_recheck(s, note="维持", actor=a), FED_ONLY),
    ("推荐示范", lambda c, w: publish(c, w).campaign,
     lambda s, a: result_actions.do_nominate_exemplar(s, s.assessments.order_by("-total_hundredths")
                                                      .first().enterprise, citation="优秀", actor=a),
     FED_ONLY),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", STEPS, ids=[s[0] for s in STEPS])
def test_each_role_against_each_transition(city: Any, role: str, step: Step) -> None:
    _, prepare, act, allowed = step
    world = open_campaign(city)
    subject = prepare(city, world)
    actor = city.users[role]
    records = AuditRecord.objects.count()
    if role in allowed:
        act(subject, actor)
        assert AuditRecord.objects.count() > records
    else:
        with pytest.raises(PermissionDenied):
            act(subject, actor)
        assert AuditRecord.objects.count() == records


def test_other_chamber_officer_is_out_of_scope(city: Any) -> None:
    world = open_campaign(city)
    own = _submitted(city, world)
    stranger = _chamber_user(city, city.other_chamber.pk)
    with pytest.raises(ValidationError, match="管理范围"):
        review_actions.do_accept_remaining(own, actor=stranger)


def test_transitions_not_in_the_tables_are_refused(city: Any) -> None:
    world = open_campaign(city)
    fed = city.users[Role.FEDERATION_OFFICER]
    with pytest.raises(ValidationError, match="只能在工商联复核阶段"):
        result_actions.do_publish_campaign(world.campaign, actor=fed)
    from qinglian.core.workflow import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed, match="不允许从"):
        actions.do_close_campaign(world.campaign, actor=fed)
    assert world.of(city.enterprises[0]).status == AssessmentStatus.PENDING
    assert world.campaign.status == CampaignStatus.SELF_ASSESSMENT


def test_every_transition_permission_is_held_by_some_role() -> None:
    from qinglian.core.permissions import ROLE_PERMISSIONS

    held = set().union(*ROLE_PERMISSIONS.values())
    for flow in (CAMPAIGN_FLOW, ASSESSMENT_FLOW, RECHECK_FLOW, EXEMPLAR_FLOW):
        assert set(flow.transitions.values()) <= held
