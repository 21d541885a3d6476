"""Declarations written through the actions: thresholds, approval per role, disposal,
withdrawal, corrections that cross the threshold, and the audit trail they leave."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qinglian.core.audit import verify_chain
from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord, User
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.declarations import actions
from qinglian.declarations.choices import DeclarationStatus as S
from qinglian.declarations.models import Threshold
from qinglian.declarations.queries import threshold_for, threshold_table
from tests.conftest import City

from .conftest import DAY, declare

pytestmark = pytest.mark.django_db

ADMIN, FED, CH, ENT, DEPT, AUDITOR = (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                      Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER, Role.AUDITOR)


# --- thresholds -------------------------------------------------------------------------------


def test_defaults_apply_until_the_organisation_sets_its_own(city: City) -> None:
    ent = city.enterprises[0]
    assert threshold_for(ent, "gift", "received") == Decimal(200)
    assert threshold_for(ent, "hospitality", "given") == Decimal(500)
    assert threshold_for(ent, "donation", "given") == Decimal(0)
    changed = actions.do_set_thresholds(ent, {("gift", "received"): "1000",
                                              ("hospitality", "given"): Decimal(500)},
                                        actor=city.users[ENT])
    assert changed == 1  # 500 is the default: nothing stored for it
    assert threshold_for(ent, "gift", "received") == Decimal(1000)
    assert threshold_for(city.enterprises[1], "gift", "received") == Decimal(200)
    rows = {(r.kind, r.direction): r for r in threshold_table(ent)}
    assert not rows[("gift", "received")].is_default
    assert rows[("hospitality", "given")].is_default
    assert actions.do_set_thresholds(ent, {("gift", "received"): None},
                                     actor=city.users[ENT]) == 1
    assert not Threshold.objects.exists()


@pytest.mark.parametrize("value", ["-1", "12.345", "abc", "1e20"])
def test_bad_threshold_amounts_are_refused(city: City, value: str) -> None:
    with pytest.raises(ValidationError):
        actions.do_set_thresholds(city.enterprises[0], {("gift", "received"): value},
                                  actor=city.users[ENT])


@pytest.mark.parametrize(("role", "allowed"), [(ENT, True), (CH, False), (FED, False),
                                               (AUDITOR, False), (DEPT, False), (ADMIN, True)])
def test_who_sets_an_enterprises_thresholds(city: City, role: str, allowed: bool) -> None:
    run = lambda: actions.do_set_thresholds(  # noqa: E731
        city.enterprises[0], {("gift", "received"): "300"}, actor=city.users[role])
    if allowed:
        assert run() == 1
    else:
        with pytest.raises(PermissionDenied):
            run()


@pytest.mark.parametrize(("amount", "status"), [
    (Decimal("199.99"), S.RECORDED), (Decimal(200), S.SUBMITTED), (Decimal(5000), S.SUBMITTED)])
def test_at_or_above_the_threshold_needs_approval(city: City, amount: Decimal, status: str) -> None:
    declaration = declare(city.enterprises[0], city.users[ENT], amount=amount)
    assert declaration.status == status
    assert declaration.threshold == Decimal(200)
    assert declaration.above_threshold == (status == S.SUBMITTED)
    assert (declaration.submitted_at is not None) == (status == S.SUBMITTED)
    assert (declaration.recorded_at is not None) == (status == S.RECORDED)
    event = AuditRecord.objects.filter(event=f"declaration.{status}").get()
    assert event.object_id == str(declaration.pk)


def test_every_donation_given_needs_approval_and_own_thresholds_apply(city: City) -> None:
    ent = city.enterprises[0]
    assert declare(ent, kind="donation", direction="given", amount=Decimal(1)).status == S.SUBMITTED
    actions.do_set_thresholds(ent, {("hospitality", "received"): "800"}, actor=None)
    assert declare(ent, kind="hospitality", amount=Decimal(700)).status == S.RECORDED
    assert declare(ent, kind="hospitality", amount=Decimal(800)).status == S.SUBMITTED


def test_a_declaration_keeps_the_threshold_it_was_made_under(city: City) -> None:
    ent = city.enterprises[0]
    declaration = declare(ent, amount=Decimal(250))
    actions.do_set_thresholds(ent, {("gift", "received"): "1000"}, actor=None)
    declaration.refresh_from_db()
    assert declaration.threshold == Decimal(200) and declaration.status == S.SUBMITTED


def test_numbers_run_per_organisation_and_year(city: City) -> None:
    first = declare(city.enterprises[0])
    second = declare(city.enterprises[0])
    other = declare(city.enterprises[1])
    assert (first.number, second.number, other.number) == (
        f"SB{DAY.year}-0001", f"SB{DAY.year}-0002", f"SB{DAY.year}-0001")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("declarant_name", " ", "此项为必填项"),
    ("kind", "bribe", "请选择类别"),
    ("amount", Decimal(-5), "金额不能为负数"),
    ("amount", "12.345", "精确到分"),
    ("occurred_on", DAY + dt.timedelta(days=1), "日期不能晚于今天"),
    ("counterparty", "", "此项为必填项"),
])
def test_bad_declarations_are_refused_with_a_reason(city: City, field: str, value: object,
                                                    message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        declare(city.enterprises[0], city.users[ENT], **{field: value})
    assert message in str(caught.value.message_dict[field])


@pytest.mark.parametrize(("role", "target", "allowed"), [
    (ENT, 0, True), (ENT, 1, False), (CH, 0, False), (FED, 0, False), (AUDITOR, 0, False),
    (DEPT, 0, False), (CH, "chamber", True), (FED, "federation", True), (ADMIN, 1, True)])
def test_who_may_declare_for_which_organisation(city: City, role: str, target: object,
                                                allowed: bool) -> None:
    organisation = {"chamber": city.chamber, "federation": city.federation}.get(
        str(target)) or city.enterprises[int(str(target))]
    if allowed:
        assert declare(organisation, city.users[role]).pk
    else:
        with pytest.raises(PermissionDenied):
            declare(organisation, city.users[role])


def test_declarant_links_must_belong_to_the_organisation(city: City) -> None:
    with pytest.raises(ValidationError) as caught:
        declare(city.enterprises[0], declarant_user=city.users[CH])
    assert "declarant_user" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        declare(city.enterprises[0], declarant_person=city.outsider_person)
    assert "declarant_person" in caught.value.message_dict
    linked = declare(city.enterprises[0], declarant_person=city.person,
                     declarant_user=city.users[ENT])
    assert linked.declarant_person == city.person


# --- approval ---------------------------------------------------------------------------------


def test_approval_and_rejection(city: City, second_enterprise_user: User) -> None:
    ent = city.enterprises[0]
    approved = actions.do_approve_declaration(declare(ent, amount=Decimal(600)),
                                              actor=city.users[ENT], note="同意，按规定上交")
    assert approved.status == S.APPROVED and approved.approved_at is not None
    assert approved.decided_by == city.users[ENT] and approved.decision_note == "同意，按规定上交"
    with pytest.raises(ValidationError) as caught:
        actions.do_reject_declaration(declare(ent, amount=Decimal(600)), reason=" ",
                                      actor=city.users[ENT])
    assert "reason" in caught.value.message_dict
    rejected = actions.do_reject_declaration(declare(ent, amount=Decimal(600)),
                                             reason="礼品价值过高，应予退还", actor=second_enterprise_user)
    assert rejected.status == S.REJECTED and rejected.rejected_at is not None
    event = AuditRecord.objects.get(event="declaration.rejected")
    assert event.after is not None
    assert event.after["note"] == "礼品价值过高，应予退还"
    assert verify_chain().ok


def test_the_declarant_never_approves_their_own(city: City, second_enterprise_user: User) -> None:
    declaration = declare(city.enterprises[0], amount=Decimal(600),
                          declarant_user=city.users[ENT])
    with pytest.raises(TransitionNotAllowed, match="不能审批本人申报"):
        actions.do_approve_declaration(declaration, actor=city.users[ENT])
    with pytest.raises(TransitionNotAllowed):
        actions.do_reject_declaration(declaration, reason="x", actor=city.users[ENT])
    actions.do_approve_declaration(declaration, actor=second_enterprise_user)
    assert declaration.status == S.APPROVED


@pytest.mark.parametrize(("role", "error"), [
    (CH, PermissionDenied), (FED, PermissionDenied), (AUDITOR, PermissionDenied),
    (DEPT, PermissionDenied)])
def test_other_organisations_never_decide(city: City, role: str, error: type[Exception]) -> None:
    declaration = declare(city.enterprises[0], amount=Decimal(600))
    with pytest.raises(error):
        actions.do_approve_declaration(declaration, actor=city.users[role])
    declaration.refresh_from_db()
    assert declaration.status == S.SUBMITTED


def test_only_submitted_declarations_are_decided(city: City) -> None:
    recorded = declare(city.enterprises[0], amount=Decimal(50))
    with pytest.raises(TransitionNotAllowed, match="不允许从“已登记”变为“已批准”"):
        actions.do_approve_declaration(recorded, actor=city.users[ENT])
    approved = actions.do_approve_declaration(declare(city.enterprises[0], amount=Decimal(600)),
                                              actor=city.users[ENT])
    with pytest.raises(TransitionNotAllowed):
        actions.do_reject_declaration(approved, reason="改主意", actor=city.users[ENT])


def test_withdrawal_needs_a_reason_and_only_before_a_decision(city: City) -> None:
    declaration = declare(city.enterprises[0], amount=Decimal(50))
    with pytest.raises(ValidationError):
        actions.do_withdraw_declaration(declaration, reason="", actor=city.users[ENT])
    actions.do_withdraw_declaration(declaration, reason="重复录入", actor=city.users[ENT])
    assert declaration.status == S.WITHDRAWN and declaration.withdrawn_reason == "重复录入"
    approved = actions.do_approve_declaration(declare(city.enterprises[0], amount=Decimal(600)),
                                              actor=city.users[ENT])
    with pytest.raises(TransitionNotAllowed):
        actions.do_withdraw_declaration(approved, reason="x", actor=city.users[ENT])


def test_corrections_move_across_the_threshold(city: City) -> None:
    declaration = declare(city.enterprises[0], amount=Decimal(150))
    fields = {"declarant_name": "王建国", "declarant_department": "采购部", "kind": "gift",
              "direction": "received", "occurred_on": DAY, "description": "茶叶两盒",
              "counterparty": "杭州清风软件有限公司", "purpose": "春节走访"}
    actions.do_update_declaration(declaration, actor=city.users[ENT], today=DAY,
                                  amount=Decimal(1500), **fields)
    assert declaration.status == S.SUBMITTED and declaration.above_threshold
    actions.do_update_declaration(declaration, actor=city.users[ENT], today=DAY,
                                  amount=Decimal(100), **fields)
    assert declaration.status == S.RECORDED
    events = list(AuditRecord.objects.filter(object_id=str(declaration.pk),
                                             event__startswith="declaration.")
                  .order_by("id").values_list("event", flat=True))
    assert events == ["declaration.recorded", "declaration.submitted", "declaration.recorded"]
    actions.do_withdraw_declaration(declaration, reason="录错", actor=None)
    with pytest.raises(ValidationError, match="不能修改"):
        actions.do_update_declaration(declaration, actor=None, today=DAY, amount=1, **fields)


# --- disposal ---------------------------------------------------------------------------------


def test_received_gifts_above_the_threshold_get_a_disposal(city: City) -> None:
    gift = declare(city.enterprises[0], amount=Decimal(800))
    assert gift.needs_disposal
    actions.do_record_disposal(gift, disposal="handed_over", disposed_on=DAY, actor=city.users[ENT],
                               today=DAY)
    assert gift.disposal == "handed_over" and gift.disposal_amount is None
    actions.do_record_disposal(gift, disposal="purchased", disposed_on=DAY, amount="800",
                               actor=city.users[ENT], today=DAY)
    assert gift.disposal_amount == Decimal(800)
    assert AuditRecord.objects.filter(event="declaration.disposed").count() == 2


@pytest.mark.parametrize(("overrides", "message"), [
    ({"disposal": "other", "note": ""}, "此项为必填项"),
    ({"disposal": "purchased", "amount": None}, "请填写金额"),
    ({"disposal": "burnt"}, "请选择处置方式"),
    ({"disposed_on": DAY - dt.timedelta(days=1)}, "日期不能早于"),
])
def test_disposal_is_checked(city: City, overrides: dict[str, object], message: str) -> None:
    gift = declare(city.enterprises[0], amount=Decimal(800))
    values: dict[str, object] = {"disposal": "returned", "disposed_on": DAY, "note": "",
                                 "amount": None}
    values.update(overrides)
    with pytest.raises(ValidationError, match=message):
        actions.do_record_disposal(gift, actor=None, today=DAY, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("overrides", [
    {"amount": Decimal(100)}, {"kind": "hospitality", "amount": Decimal(900)},
    {"direction": "given", "amount": Decimal(900)}])
def test_no_disposal_for_others(city: City, overrides: dict[str, Any]) -> None:
    declaration = declare(city.enterprises[0], **overrides)
    assert not declaration.needs_disposal
    with pytest.raises(ValidationError, match="只有达到审批门槛的收受礼品"):
        actions.do_record_disposal(declaration, disposal="returned", disposed_on=DAY,
                                   actor=None, today=DAY)
