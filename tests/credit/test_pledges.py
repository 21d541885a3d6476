"""Credit pledges (信用承诺): an enterprise pledges for itself and withdraws its pledge, an
officer enters one for an enterprise or a practitioner, records a breach (a negative record
pointing at the pledge) or confirms fulfilment; scopes and refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.credit import pledge_actions
from qinglian.credit.choices import PledgeStatus, RecordStatus
from qinglian.credit.models import CreditPledge, CreditRecord

from ..conftest import City

D = dt.date
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


PLEDGE = {"kind": "general", "title": "诚信经营、廉洁从业信用承诺书",
          "content": "本企业郑重承诺：依法诚信经营，不行贿、不受贿，按时足额支付员工工资。",
          "valid_until": "2027-11-23", "is_public": "on"}


@pytest.mark.django_db
def test_an_enterprise_pledges_for_itself_and_withdraws(city: City) -> None:
    client = city.client(Role.ENTERPRISE_USER)
    page = client.get("/credit/pledges/new/")
    assert page.status_code == 200 and "uscc" not in page.context["form"].fields
    response = client.post("/credit/pledges/new/", PLEDGE)
    assert response.status_code == 302
    pledge = CreditPledge.objects.get()
    assert pledge.organisation == city.enterprises[0] and pledge.pledged_on == D(2026, 11, 24)
    assert pledge.federation == city.federation and pledge.is_public
    detail = client.get(f"/credit/pledges/{pledge.pk}/").content.decode()
    assert 'data-testid="pledge-withdraw"' in detail and 'data-testid="breach-form"' not in detail
    assert client.post(f"/credit/pledges/{pledge.pk}/breach/", {"note": "x"}).status_code == 403
    response = client.post(f"/credit/pledges/{pledge.pk}/withdraw/", {"reason": "承诺内容有误，重新作出"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.WITHDRAWN and pledge.withdrawn_at is not None
    # a withdrawn pledge cannot be withdrawn again
    client.post(f"/credit/pledges/{pledge.pk}/withdraw/", {"reason": "再撤"})
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.WITHDRAWN


@pytest.mark.django_db
def test_an_enterprise_cannot_pledge_for_another(city: City) -> None:
    with pytest.raises(PermissionDenied):
        pledge_actions.do_make_pledge(city.enterprises[1], actor=city.users[Role.ENTERPRISE_USER],
                                      title="承诺", content="诚信")
    other = pledge_actions.do_make_pledge(city.enterprises[1], actor=None, title="承诺",
                                          content="诚信")
    client = city.client(Role.ENTERPRISE_USER)
    assert client.get(f"/credit/pledges/{other.pk}/").status_code == 404
    assert client.post(f"/credit/pledges/{other.pk}/withdraw/",
                       {"reason": "x"}).status_code == 404
    assert [p.pk for p in client.get("/credit/pledges/").context["page_obj"]] == []


@pytest.mark.django_db
def test_officer_enters_pledges_for_an_enterprise_and_a_practitioner(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/credit/pledges/new/", {
        **PLEDGE, "subject_kind": "enterprise", "uscc": city.enterprises[2].uscc})
    assert response.status_code == 302
    response = client.post("/credit/pledges/new/", {
        **PLEDGE, "subject_kind": "practitioner", "person": city.person.pk,
        "kind": "industry", "title": "从业人员廉洁从业承诺"})
    assert response.status_code == 302
    people = CreditPledge.objects.get(subject_kind="practitioner")
    assert people.person == city.person and people.subject_code == ""
    refused = client.post("/credit/pledges/new/", {
        **PLEDGE, "subject_kind": "enterprise", "uscc": city.outsider.uscc})
    assert refused.status_code == 200 and "uscc" in refused.context["form"].errors
    past = client.post("/credit/pledges/new/", {
        **PLEDGE, "subject_kind": "enterprise", "uscc": city.enterprises[1].uscc,
        "valid_until": "2026-01-01"})
    assert past.status_code == 200 and "valid_until" in past.context["form"].errors
    assert CreditPledge.objects.count() == 2


@pytest.mark.django_db
def test_a_breach_creates_a_negative_record_pointing_at_the_pledge(city: City) -> None:
    pledge = pledge_actions.do_make_pledge(city.enterprises[0], actor=None, title="按时支付工资承诺",
                                           content="按时足额支付员工工资")
    client = city.client(Role.CHAMBER_OFFICER)  # the enterprise is the chamber's member
    page = client.get(f"/credit/pledges/{pledge.pk}/").content.decode()
    assert 'data-testid="breach-form"' in page
    empty = client.post(f"/credit/pledges/{pledge.pk}/breach/", {"severity": "ordinary"})
    assert empty.status_code == 200 and "note" in empty.context["breach_form"].errors
    response = client.post(f"/credit/pledges/{pledge.pk}/breach/", {
        "note": "2026年10月拖欠员工工资，经劳动监察责令整改", "severity": "serious"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.BREACHED and pledge.breached_at is not None
    record = CreditRecord.objects.get()
    assert response["Location"] == f"/credit/records/{record.pk}/"
    assert record.pledge == pledge and record.category == "pledge_breach"
    assert record.severity == "serious" and record.polarity == "negative"
    assert record.organisation == city.enterprises[0] and record.source == "industry"
    assert record.decision_number == pledge.number and record.status == RecordStatus.RECORDED
    assert record.window_months == 36
    assert AuditRecord.objects.filter(event="credit_pledge.breached").exists()
    assert AuditRecord.objects.filter(event="credit_record.recorded").exists()
    detail = client.get(f"/credit/records/{record.pk}/").content.decode()
    assert pledge.number in detail
    with pytest.raises(TransitionNotAllowed):
        pledge_actions.do_record_breach(pledge, actor=city.users[Role.FEDERATION_OFFICER],
                                        note="再次")
    assert CreditRecord.objects.count() == 1


@pytest.mark.django_db
def test_default_severity_and_fulfilment(city: City) -> None:
    first = pledge_actions.do_make_pledge(city.enterprises[1], actor=None, title="承诺一",
                                          content="诚信")
    second = pledge_actions.do_make_pledge(city.enterprises[1], actor=None, title="承诺二",
                                           content="诚信")
    officer = city.users[Role.FEDERATION_OFFICER]
    record = pledge_actions.do_record_breach(first, actor=officer, note="违诺")
    assert record.severity == "ordinary" and record.window_months == 12
    assert record.source == "platform"
    client = city.client(Role.FEDERATION_OFFICER)
    assert client.post(f"/credit/pledges/{second.pk}/fulfil/").status_code == 302
    second.refresh_from_db()
    assert second.status == PledgeStatus.FULFILLED and second.fulfilled_at is not None


@pytest.mark.django_db
def test_scope_of_breaches(city: City) -> None:
    # enterprises[2] belongs to the other chamber: not this chamber's to judge
    other = pledge_actions.do_make_pledge(city.enterprises[2], actor=None, title="承诺",
                                          content="诚信")
    client = city.client(Role.CHAMBER_OFFICER)
    assert client.post(f"/credit/pledges/{other.pk}/breach/",
                       {"note": "违诺", "severity": "minor"}).status_code == 404
    with pytest.raises(PermissionDenied):
        pledge_actions.do_record_breach(other, actor=city.users[Role.CHAMBER_OFFICER],
                                        note="违诺")
    outsider = pledge_actions.do_make_pledge(city.outsider, actor=None, title="承诺",
                                             content="诚信")
    with pytest.raises(PermissionDenied):
        pledge_actions.do_record_breach(outsider, actor=city.users[Role.FEDERATION_OFFICER],
                                        note="违诺")
    assert not CreditRecord.objects.exists()


@pytest.mark.django_db
def test_list_filters_and_export(city: City) -> None:
    pledge_actions.do_make_pledge(city.enterprises[0], actor=None, title="诚信经营承诺",
                                  content="诚信")
    breached = pledge_actions.do_make_pledge(city.enterprises[1], actor=None, title="工资承诺",
                                             content="按时支付")
    pledge_actions.do_record_breach(breached, actor=None, note="拖欠工资")
    client = city.client(Role.FEDERATION_OFFICER)

    def count(query: str) -> int:
        return client.get(f"/credit/pledges/?{query}").context["page_obj"].paginator.count

    assert count("") == 2
    assert count("status=breached") == 1
    assert count("q=清风") == 1
    assert count("q=工资") == 1
    export = client.get("/credit/pledges/?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
