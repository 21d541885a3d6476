"""Due process of the red and black lists, objections and credit repair, driven by the users'
own requests with the clock frozen: an officer proposes → notifies → the enterprise objects →
the handler upholds → the officer decides "listed" (refused before the objection window has
passed) → publishes → the listing is public → repair approved → the listing is removed and the
record leaves the public view."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinglian.core.choices import Role
from qinglian.core.workdays import working_days_after
from qinglian.credit import integration, listing_actions, objection_actions
from qinglian.credit.choices import ListingStatus, ObjectionStatus, RecordStatus, RepairStatus
from qinglian.credit.listing_rules import BLACKLIST_RULE, propose_by_rules
from qinglian.credit.models import (
    CreditFile,
    CreditPledge,
    Listing,
    Objection,
    Rating,
    RatingModel,
    RepairApplication,
)
from qinglian.credit.queries import public_listings_q, public_records_q
from qinglian.evaluation.eligibility import judge
from qinglian.evaluation.hooks import exemplar_blockers
from tests.conftest import City
from tests.matrix_cases_credit_process import pdf, penalty

pytestmark = pytest.mark.django_db

FED, CH, ENT = Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER
DAY = dt.date(2026, 9, 25)  # a Friday before the National Day holiday (Oct 1–7, Oct 10 worked)


def at(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC),
                               tick=False)


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_full_due_process_by_requests(city: City) -> None:
    ent = city.enterprises[0]
    fed, user = city.client(FED), city.client(ENT)
    with at(DAY):
        record = penalty(ent, today=DAY, decided=dt.date(2026, 9, 20))
        # the officer proposes, choosing the basis record and a measure
        page = fed.get(f"/credit/listings/new/?org={ent.pk}")
        assert record.number in page.content.decode()
        response = fed.post("/credit/listings/new/", {
            "organisation": ent.pk, "list_kind": "black", "reasons": "以回扣方式销售商品，情节严重",
            "basis": "《行业自律公约》第十条", "records": [record.pk],
            "measures": ["no_awards", "no_nomination"]})
        listing = Listing.objects.get()
        assert response.status_code == 302 and listing.status == ListingStatus.PROPOSED
        assert listing.expires_on == record.publish_until  # the basis record's window
        assert user.get(f"/credit/listings/{listing.pk}/").status_code == 404  # not told yet
        fed.post(f"/credit/listings/{listing.pk}/notify/")
        listing.refresh_from_db()
        assert listing.status == ListingStatus.NOTIFIED
        # ten working days across the National Day holiday and the make-up Saturday
        assert listing.objection_due == working_days_after(DAY, 10) == dt.date(2026, 10, 15)
        # the enterprise sees the notice with reasons, basis and deadline
        mine = user.get("/credit/mine/").content.decode()
        assert "以回扣方式销售商品" in mine and "《行业自律公约》第十条" in mine
        assert "2026年10月15日" in mine
        response = user.post(f"/credit/objections/new/?listing={listing.pk}",
                             {"reasons": "罚款已缴清，情节轻微", "evidence": [pdf()]})
        objection = Objection.objects.get()
        assert response.status_code == 302
        assert objection.due_on == working_days_after(DAY, 7)
        assert str(CreditFile.objects.get().file.name).startswith("credit/")
        listing.refresh_from_db()
        assert listing.open_objections == 1
        # deciding "listed" now is refused: window open and an objection open
        response = fed.post(f"/credit/listings/{listing.pk}/decide/",
                            {"decision": "listed"}, follow=True)
        assert "届满后方可决定列入" in messages_of(response)
        response = fed.post(f"/credit/objections/{objection.pk}/handle/",
                            {"outcome_kind": "upheld", "outcome": ""})
        assert response.status_code == 200  # outcome text is required
        fed.post(f"/credit/objections/{objection.pk}/handle/",
                 {"outcome_kind": "upheld", "outcome": "处罚决定合法有效，维持"})
        objection.refresh_from_db()
        listing.refresh_from_db()
        assert objection.status == ObjectionStatus.UPHELD and listing.open_objections == 0
    with at(dt.date(2026, 10, 15)):
        fed = city.client(FED)  # a fresh sign-in: sessions expire while the clock moves
        response = fed.post(f"/credit/listings/{listing.pk}/decide/", {"decision": "listed"},
                            follow=True)
        assert "2026年10月15日 届满" in messages_of(response)
        listing.refresh_from_db()
        assert listing.status == ListingStatus.NOTIFIED
    with at(dt.date(2026, 10, 16)):
        fed, user = city.client(FED), city.client(ENT)
        fed.post(f"/credit/listings/{listing.pk}/decide/", {"decision": "listed"})
        fed.post(f"/credit/listings/{listing.pk}/publish/")
        listing.refresh_from_db()
        assert listing.status == ListingStatus.PUBLISHED
        today = dt.date(2026, 10, 16)
        assert Listing.objects.filter(public_listings_q(today), pk=listing.pk).exists()
        assert integration.blacklist_blocks_exemplar in integration.__dict__.values()
        assert any("列入黑名单" in r for r in exemplar_blockers(ent))
        assert any("列入黑名单" in r for r in judge([ent], today).get(ent.pk, []))
        # repair is refused before the minimum window (a year for a serious record)
        text = user.get(f"/credit/repairs/new/?record={record.pk}").content.decode()
        assert "严重失信信息须公示满最短公示期" in text
    repair_day = record.repair_from
    assert repair_day is not None
    with at(repair_day):
        fed, user = city.client(FED), city.client(ENT)
        response = user.post(f"/credit/repairs/new/?record={record.pk}", {
            "correction": "已缴清罚款并完成合规整改", "pledge": "今后依法经营，不再给予回扣",
            "evidence": [pdf("缴款凭证.pdf")]})
        application = RepairApplication.objects.get()
        assert response.status_code == 302
        assert CreditPledge.objects.get(pk=application.pledge_id).kind == "repair"
        fed.post(f"/credit/repairs/{application.pk}/decide/", {"decision": "approve"})
        application.refresh_from_db()
        record.refresh_from_db()
        listing.refresh_from_db()
        assert application.status == RepairStatus.APPROVED
        assert record.status == RecordStatus.REPAIRED
        assert not type(record).objects.filter(public_records_q(repair_day), pk=record.pk).exists()
        assert listing.status == ListingStatus.REMOVED and listing.removal_reason == "repaired"
        assert not Listing.objects.filter(public_listings_q(repair_day)).exists()
        assert exemplar_blockers(ent) == []


def test_objection_counter_and_withdrawal(city: City) -> None:
    ent = city.enterprises[0]
    with at(DAY):
        record = penalty(ent, today=DAY, decided=DAY)
        objection = objection_actions.do_file_objection(record, actor=city.users[ENT],
                                                        reasons="金额有误", today=DAY)
        record.refresh_from_db()
        assert record.open_objections == 1
        with pytest.raises(ValidationError, match="已有处理中的异议"):
            objection_actions.do_file_objection(record, actor=city.users[ENT], reasons="再提")
        response = city.client(ENT).post(f"/credit/objections/{objection.pk}/withdraw/")
        assert response.status_code == 302
        record.refresh_from_db()
        objection.refresh_from_db()
        assert record.open_objections == 0 and objection.status == ObjectionStatus.WITHDRAWN
        # someone else's enterprise user may not object to this record
        other = city.enterprises[1]
        with pytest.raises(PermissionDenied):
            objection_actions.do_file_objection(penalty(other, today=DAY, decided=DAY),
                                                actor=city.users[ENT], reasons="不是我的")


def test_corrected_objection_corrects_the_record(city: City) -> None:
    with at(DAY):
        record = penalty(city.enterprises[0], today=DAY, decided=DAY)
        objection = objection_actions.do_file_objection(record, actor=city.users[ENT],
                                                        reasons="应为一般失信", today=DAY)
        with pytest.raises(ValidationError):
            objection_actions.do_handle_objection(objection, actor=city.users[FED],
                                                  corrected=True, outcome="成立")
        city.client(FED).post(f"/credit/objections/{objection.pk}/handle/", {
            "outcome_kind": "corrected", "outcome": "经核实为一般失信", "severity": "ordinary"})
        record.refresh_from_db()
        objection.refresh_from_db()
        assert objection.status == ObjectionStatus.CORRECTED
        assert record.severity == "ordinary" and record.open_objections == 0


def test_bad_files_are_refused_by_content(city: City) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with at(DAY):
        record = penalty(city.enterprises[0], today=DAY, decided=DAY)
        fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = city.client(ENT).post(f"/credit/objections/new/?record={record.pk}",
                                         {"reasons": "理由", "evidence": [fake]})
        assert response.status_code == 200 and "按文件内容判断" in response.content.decode()
        assert not Objection.objects.exists()


def test_overdue_objection_escalates_across_the_holiday(city: City) -> None:
    start = dt.date(2026, 9, 29)
    with at(start):
        late = penalty(city.enterprises[0], today=start, decided=start)
        early = penalty(city.enterprises[1], today=start, decided=start)
        objection_actions.do_file_objection(early, actor=None, reasons="后提", today=start)
        overdue = objection_actions.do_file_objection(late, actor=None, reasons="先提",
                                                      today=start)
    # 7 working days: Sep 30, Oct 8, 9, 10 (make-up Saturday), 12, 13, 14
    assert overdue.due_on == dt.date(2026, 10, 14)
    with at(dt.date(2026, 10, 14)):
        page = city.client(FED).get("/credit/").content.decode()
        assert 'data-testid="overdue-badge"' not in page
    with at(dt.date(2026, 10, 15)):
        page = city.client(FED).get("/credit/").content.decode()
        assert 'data-testid="overdue-badge"' in page
        listing = city.client(FED).get("/credit/objections/")
        rows = list(listing.context["page_obj"])
        assert all(r.overdue_first for r in rows)  # both are overdue now


def test_scope_and_permissions(city: City) -> None:
    with at(DAY):
        outsider_record = penalty(city.outsider, today=DAY, decided=DAY)
        outsider = listing_actions.do_propose_listing(
            city.outsider, actor=None, list_kind="black", reasons="理由", basis="依据",
            records=[outsider_record], measures=["no_awards"], today=DAY)
        assert city.client(FED).get(f"/credit/listings/{outsider.pk}/").status_code == 404
        assert city.client(FED).post(f"/credit/listings/{outsider.pk}/notify/").status_code == 404
        with pytest.raises(PermissionDenied):
            listing_actions.do_propose_listing(
                city.outsider, actor=city.users[FED], list_kind="red", reasons="r", basis="b",
                measures=["priority"], today=DAY)
        # a chamber proposes only for its own members (enterprises[2] is in another chamber)
        with pytest.raises(PermissionDenied):
            listing_actions.do_propose_listing(
                city.enterprises[2], actor=city.users[CH], list_kind="red", reasons="r",
                basis="b", measures=["priority"], today=DAY)
        made = listing_actions.do_propose_listing(
            city.enterprises[0], actor=city.users[CH], list_kind="red", reasons="r", basis="b",
            measures=["priority"], today=DAY)
        assert made.expires_on == dt.date(2029, 9, 24)
        with pytest.raises(ValidationError, match="不能重复提议"):
            listing_actions.do_propose_listing(
                city.enterprises[0], actor=city.users[FED], list_kind="red", reasons="r",
                basis="b", measures=["priority"], today=DAY)
        with pytest.raises(ValidationError):
            listing_actions.do_propose_listing(
                city.enterprises[1], actor=city.users[FED], list_kind="red", reasons="r",
                basis="b", measures=["no_awards"], today=DAY)  # a blacklist measure


def test_rejection_needs_a_reason_and_expired_listings_are_removed(city: City) -> None:
    ent = city.enterprises[0]
    with at(DAY):
        listing = listing_actions.do_propose_listing(
            ent, actor=None, list_kind="red", reasons="守信典型", basis="办法",
            measures=["priority"], expires_on=DAY + dt.timedelta(days=30), today=DAY)
        with pytest.raises(ValidationError):
            listing_actions.do_decide_listing(listing, actor=city.users[FED], listed=False)
        listing_actions.do_notify_listing(listing, actor=None, today=DAY)
    with at(dt.date(2026, 10, 20)):
        listing_actions.do_decide_listing(listing, actor=None, listed=True)
        listing_actions.do_publish_listing(listing, actor=None)
    with at(dt.date(2026, 11, 1)):
        page = city.client(FED).get("/credit/listings/").content.decode()
        assert "已到期待移出" in page
        assert not Listing.objects.filter(public_listings_q(dt.date(2026, 11, 1))).exists()
        city.client(FED).post("/credit/listings/remove-expired/")
        listing.refresh_from_db()
        assert listing.status == ListingStatus.REMOVED and listing.removal_reason == "expired"


def test_rules_propose_a_blacklisting_once(city: City) -> None:
    ent = city.enterprises[1]
    with at(DAY):
        record = penalty(ent, today=DAY, decided=DAY)
        model = RatingModel.objects.create(federation=city.federation, name="默认", version=99,
                                           is_active=False)
        Rating.objects.filter(organisation=ent).update(is_current=False)
        Rating.objects.create(organisation=ent, model=model, points=40, rating="D",
                              computed_at=dt.datetime(2026, 9, 25, tzinfo=dt.UTC))
        response = city.client(FED).post("/credit/listings/by-rules/")
        assert response.status_code == 302
        made = Listing.objects.get(organisation=ent)
        assert made.rule_code == BLACKLIST_RULE and made.origin == "rule"
        assert list(made.records.all()) == [record]
        assert propose_by_rules(city.federation, actor=city.users[FED], today=DAY) == []


def test_dashboard_query_count_is_pinned(city: City) -> None:
    with at(DAY):
        for ent in city.enterprises:
            record = penalty(ent, today=DAY, decided=DAY)
            objection_actions.do_file_objection(record, actor=None, reasons="异议", today=DAY)
        client = city.client(FED)
        client.get("/credit/")
        with CaptureQueriesContext(connection) as few:
            assert client.get("/credit/").status_code == 200
        for _ in range(3):
            record = penalty(city.enterprises[0], today=DAY, decided=DAY, severity="ordinary")
            objection_actions.do_file_objection(record, actor=None, reasons="异议", today=DAY)
        with CaptureQueriesContext(connection) as more:
            client.get("/credit/")
        assert len(more) == len(few) <= 20
