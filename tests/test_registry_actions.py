from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from qinglian.core.audit import verify_chain
from qinglian.core.models import AuditRecord
from qinglian.registry import actions
from qinglian.registry.choices import MembershipStatus
from qinglian.registry.queries import unsigned_memberships

from .conftest import City, make_uscc

pytestmark = pytest.mark.django_db


def test_admission_needs_signed_current_commitment(city: City) -> None:
    ent = actions.do_create_organisation(
        actor=None, kind="enterprise", name="杭州新会员科技有限公司", uscc=make_uscc(50),
        federation=city.federation, region="330106", industry="65",
    )
    officer = city.users["chamber_officer"]
    m = actions.do_apply_membership(actor=officer, member=ent, organisation=city.chamber)
    with pytest.raises(ValidationError, match="尚未签署现行承诺书"):
        actions.do_admit_member(m, actor=officer)
    m.refresh_from_db()
    assert m.status == MembershipStatus.APPLIED
    sig = actions.do_sign_commitment(
        actor=officer, commitment=city.commitment, member=ent, signer_name="王五",
    )
    assert sig.text_sha256 == city.commitment.text_sha256
    actions.do_admit_member(m, actor=officer)
    assert m.status == MembershipStatus.ADMITTED
    assert m.admitted_at is not None and m.joined_on is not None
    events = list(AuditRecord.objects.filter(object_type="registry.membership",
                                             object_id=str(m.pk)).values_list("event", flat=True))
    assert "membership.admitted" in events
    assert verify_chain().ok


def test_new_commitment_version_creates_resign_items(city: City) -> None:
    officer = city.users["chamber_officer"]
    assert unsigned_memberships(officer).count() == 0
    v2 = actions.do_draft_commitment(actor=officer, organisation=city.chamber, body="第二版正文")
    actions.do_publish_commitment(v2, actor=officer)
    city.commitment.refresh_from_db()
    assert city.commitment.status == "superseded"
    pending = unsigned_memberships(officer)
    assert {m.member_id for m in pending} == {city.enterprises[0].pk, city.enterprises[1].pk}
    actions.do_sign_commitment(actor=officer, commitment=v2, member=city.enterprises[0],
                               signer_name="张三")
    assert {m.member_id for m in unsigned_memberships(officer)} == {city.enterprises[1].pk}


def test_revocation_needs_reason_and_terminal_states_are_final(city: City) -> None:
    officer = city.users["chamber_officer"]
    m = city.memberships[0]
    with pytest.raises(ValidationError):
        actions.do_change_membership_status(m, to=MembershipStatus.REVOKED, actor=officer)
    actions.do_change_membership_status(m, to=MembershipStatus.REVOKED, actor=officer,
                                        note="严重违反自律公约")
    from qinglian.core.workflow import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        actions.do_change_membership_status(m, to=MembershipStatus.ADMITTED, actor=officer)


def test_enterprise_user_cannot_admit(city: City) -> None:
    from django.core.exceptions import PermissionDenied

    m = actions.do_apply_membership(
        actor=city.users["enterprise_user"], member=city.enterprises[0],
        organisation=city.other_chamber,
    )
    with pytest.raises(PermissionDenied):
        actions.do_admit_member(m, actor=city.users["enterprise_user"])
