"""Defects found by the adversarial review of the credit system (issue 4): each test failed
before its fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qinglian.core.choices import Role
from qinglian.core.imports import TableError
from qinglian.credit import actions, listing_actions, repair_actions
from qinglian.credit.choices import ListingStatus, RecordStatus, RemovalReason, RepairStatus
from qinglian.credit.imports import do_import_dual_publicity
from qinglian.credit.models import CreditRecord, Listing, Objection
from qinglian.credit.queries import public_listings_q
from qinglian.registry import actions as registry_actions
from qinglian.registry.models import Membership
from tests.conftest import City
from tests.matrix_cases_credit_process import pdf, penalty

from .test_dual_publicity import csv_bytes, penalty_row

pytestmark = pytest.mark.django_db

FED, CH, ENT = Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER
TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture(autouse=True)
def _home_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.QINGLIAN_HOME = tmp_path


# --- dual-publicity import --------------------------------------------------------------------


@pytest.mark.parametrize("fine", ["1e30", "1e999999", "123456789012345678901234567"])
def test_import_huge_fine_is_a_row_error_not_a_crash(city: City, frozen: Any,
                                                      fine: str) -> None:
    content = csv_bytes([penalty_row(number="大额-1", fine=fine)], encoding="utf-8")
    with pytest.raises(TableError) as caught:
        do_import_dual_publicity("penalty", content, "处罚.csv", actor=city.users[FED])
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "罚款金额（万元）")]
    assert not CreditRecord.objects.exists()


def test_import_huge_fine_through_the_page_gives_a_chinese_error(city: City,
                                                                 frozen: Any) -> None:
    content = csv_bytes([penalty_row(number="大额-2", fine="1e30")], encoding="utf-8")
    page = city.client(FED).post("/credit/dual-publicity/import/", {
        "kind": "penalty", "file": SimpleUploadedFile("处罚.csv", content)})
    assert page.status_code == 200
    assert "金额过大" in page.content.decode()


def test_reimport_in_halfwidth_of_a_fullwidth_number_is_a_duplicate(city: City,
                                                                   frozen: Any) -> None:
    """The first file spelled the number in full-width characters, the second in half-width
    (and lower case): the same decision, which must not be imported twice."""
    first = csv_bytes([penalty_row(number="杭市监罚〔２０２６〕ＡＢ１０１号")], encoding="utf-8")
    do_import_dual_publicity("penalty", first, "处罚.csv", actor=city.users[FED])
    again = csv_bytes([penalty_row(number="杭市监罚〔2026〕ab101号")], encoding="utf-8")
    with pytest.raises(TableError) as caught:
        do_import_dual_publicity("penalty", again, "处罚.csv", actor=city.users[FED])
    assert "重复" in caught.value.errors[0].reason
    assert CreditRecord.objects.count() == 1


# --- repair decisions -------------------------------------------------------------------------


def test_rejecting_an_already_decided_repair_is_a_message_not_a_500(city: City) -> None:
    day = dt.date(2026, 9, 25)
    with time_machine.travel(dt.datetime(2026, 9, 25, 10, tzinfo=TZ), tick=False):
        record = penalty(city.enterprises[0], today=day, decided=day - dt.timedelta(days=400))
        application = repair_actions.do_apply_repair(
            record, actor=city.users[ENT], correction="已缴清罚款", pledge="今后依法经营",
            files=[pdf()], today=day)
        repair_actions.do_decide_repair(application, actor=city.users[FED], approve=True)
        client = city.client(FED)
        client.raise_request_exception = False
        response = client.post(f"/credit/repairs/{application.pk}/decide/",
                               {"decision": "reject", "note": "材料不全"}, follow=True)
    assert response.status_code == 200
    assert "该申请已办结" in response.content.decode()
    application.refresh_from_db()
    assert application.status == RepairStatus.APPROVED


# --- revoking a record ends the listings resting on it ----------------------------------------


def _published_blacklisting(city: City, record: CreditRecord, day: dt.date) -> Listing:
    listing = listing_actions.do_propose_listing(
        record.organisation, actor=None, list_kind="black", reasons="严重失信",  # type: ignore[arg-type]
        basis="行业自律公约第十条", records=[record], measures=["no_awards"], today=day)
    listing_actions.do_notify_listing(listing, actor=None, today=day)
    later = day + dt.timedelta(days=30)
    listing_actions.do_decide_listing(listing, actor=None, listed=True, today=later)
    listing_actions.do_publish_listing(listing, actor=None, today=later)
    listing.refresh_from_db()
    return listing


def test_revoking_the_only_basis_record_removes_the_published_blacklisting(city: City) -> None:
    day = dt.date(2026, 9, 25)
    with time_machine.travel(dt.datetime(2026, 9, 25, 10, tzinfo=TZ), tick=False):
        record = penalty(city.enterprises[0], today=day, decided=day - dt.timedelta(days=5))
        listing = _published_blacklisting(city, record, day)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=TZ), tick=False):
        assert Listing.objects.filter(public_listings_q(dt.date(2026, 11, 2)),
                                      pk=listing.pk).exists()
        city.client(FED).post(f"/credit/records/{record.pk}/revoke/",
                              {"reason": "原处罚决定已被复议机关撤销"})
        record.refresh_from_db()
        listing.refresh_from_db()
        assert record.status == RecordStatus.REVOKED
        assert listing.status == ListingStatus.REMOVED
        assert listing.removal_reason == RemovalReason.REVOKED
        assert not Listing.objects.filter(public_listings_q(dt.date(2026, 11, 2)),
                                          pk=listing.pk).exists()


def test_revoking_a_basis_record_rejects_an_open_proposal(city: City) -> None:
    day = dt.date(2026, 9, 25)
    with time_machine.travel(dt.datetime(2026, 9, 25, 10, tzinfo=TZ), tick=False):
        record = penalty(city.enterprises[0], today=day, decided=day - dt.timedelta(days=5))
        listing = listing_actions.do_propose_listing(
            city.enterprises[0], actor=None, list_kind="black", reasons="严重失信",
            basis="行业自律公约第十条", records=[record], measures=["no_awards"], today=day)
        actions.do_revoke_record(record, actor=city.users[FED], reason="录入错误")
        listing.refresh_from_db()
        assert listing.status == ListingStatus.REJECTED
        # and a new proposal is not blocked by the dead one
        with pytest.raises(Exception, match="已撤销或已修复"):
            listing_actions.do_propose_listing(
                city.enterprises[0], actor=None, list_kind="black", reasons="严重失信",
                basis="行业自律公约第十条", records=[record], measures=["no_awards"], today=day)


def test_repair_ends_a_listing_whose_other_basis_was_revoked(city: City) -> None:
    """A blacklisting resting on a revoked and a repaired record rests on nothing."""
    day = dt.date(2026, 9, 25)
    ent = city.enterprises[0]
    with time_machine.travel(dt.datetime(2026, 9, 25, 10, tzinfo=TZ), tick=False):
        old = penalty(ent, today=day, decided=day - dt.timedelta(days=400))
        other = penalty(ent, today=day, decided=day - dt.timedelta(days=401))
        listing = listing_actions.do_propose_listing(
            ent, actor=None, list_kind="black", reasons="严重失信", basis="公约第十条",
            records=[old, other], measures=["no_awards"], today=day)
        CreditRecord.objects.filter(pk=other.pk).update(status=RecordStatus.REVOKED)
        application = repair_actions.do_apply_repair(
            old, actor=city.users[ENT], correction="已缴清罚款", pledge="今后依法经营",
            files=[pdf()], today=day)
        repair_actions.do_decide_repair(application, actor=city.users[FED], approve=True)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.REJECTED


# --- a chamber officer enters records only about its own members and their people -------------


def test_chamber_officer_cannot_enter_a_record_about_a_former_member(city: City,
                                                                     frozen: Any) -> None:
    membership = Membership.objects.get(organisation=city.chamber, member=city.enterprises[1])
    Membership.objects.filter(pk=membership.pk).update(status="withdrawn")
    with pytest.raises(PermissionDenied):
        actions.do_create_record(
            city.enterprises[1], actor=city.users[CH], category="industry_sanction",
            severity="ordinary", source="industry", issuing_body="杭州市互联网商会",
            decision_number="商会惩〔2026〕1号", decision_date=TODAY,
            legal_basis="商会章程", content="违反自律公约")


def test_chamber_officer_cannot_enter_a_record_about_another_chambers_person(
        city: City, frozen: Any) -> None:
    stranger = registry_actions.do_create_person(actor=None, name="王外会",
                                                 federation=city.federation)
    registry_actions.do_add_position(actor=None, person=stranger,
                                     organisation=city.enterprises[2],  # the other chamber's
                                     title="legal_representative")
    with pytest.raises(PermissionDenied):
        actions.do_create_record(
            stranger, actor=city.users[CH], category="industry_sanction",
            severity="ordinary", source="industry", issuing_body="杭州市互联网商会",
            decision_number="商会惩〔2026〕2号", decision_date=TODAY,
            legal_basis="商会章程", content="违反自律公约")
    # its own member's legal representative is fine
    actions.do_create_record(
        city.person, actor=city.users[CH], category="industry_sanction",
        severity="ordinary", source="industry", issuing_body="杭州市互联网商会",
        decision_number="商会惩〔2026〕3号", decision_date=TODAY,
        legal_basis="商会章程", content="违反自律公约")



# --- an objection to a basis record holds the listing ----------------------------------------


def test_objection_to_a_basis_record_holds_the_listing_decision_and_publication(
        city: City) -> None:
    from qinglian.credit import objection_actions
    from qinglian.credit.choices import ObjectionStatus

    day = dt.date(2026, 9, 1)
    record = penalty(city.enterprises[0], today=day, decided=day - dt.timedelta(days=10))
    listing = listing_actions.do_propose_listing(
        record.organisation, actor=None, list_kind="black", reasons="严重失信",  # type: ignore[arg-type]
        basis="行业自律公约第十条", records=[record], measures=["no_awards"], today=day)
    listing_actions.do_notify_listing(listing, actor=None, today=day)
    objection = objection_actions.do_file_objection(record, actor=None, reasons="处罚已被复议撤销",
                                                    files=[pdf()], today=day)
    later = day + dt.timedelta(days=40)
    with pytest.raises(ValidationError, match="有异议正在处理"):
        listing_actions.do_decide_listing(listing, actor=None, listed=True, today=later)
    objection_actions.do_handle_objection(objection, actor=None, corrected=False,
                                          outcome="经核实，处罚决定有效")
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.UPHELD
    listing_actions.do_decide_listing(listing, actor=None, listed=True, today=later)
    second = objection_actions.do_file_objection(record, actor=None, reasons="新的材料",
                                                 files=[pdf()], today=later)
    with pytest.raises(ValidationError, match="有异议正在处理"):
        listing_actions.do_publish_listing(listing, actor=None, today=later)
    assert second.status == ObjectionStatus.OPEN
