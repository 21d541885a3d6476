"""Credit records through the pages and the actions: entering (by code, picked, a
practitioner), publishing at once, changing before publication, correcting after it, revoking,
the record's life, the list's search, filters and export, and who may do what."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.credit import actions
from qinglian.credit.choices import RecordStatus
from qinglian.credit.models import CreditRecord, Objection
from qinglian.credit.record_queries import record_life

from ..conftest import USCC_HUAWEI, City

D = dt.date
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


def form(**override: Any) -> dict[str, Any]:
    data = {"subject_kind": "enterprise", "uscc": USCC_HUAWEI, "category": "penalty",
            "severity": "ordinary", "source": "administrative",
            "issuing_body": "杭州市市场监督管理局", "decision_number": "杭市监罚〔2026〕9号",
            "decision_date": "2026-11-20", "legal_basis": "《中华人民共和国广告法》第五十五条",
            "content": "发布虚假广告，罚款五万元", "amount": "50000", "window_months": ""}
    data.update(override)
    return {k: v for k, v in data.items() if v is not None}


def make(city: City, **extra: Any) -> CreditRecord:
    fields: dict[str, Any] = {"category": "penalty", "severity": "ordinary", "source": "administrative",
              "issuing_body": "杭州市市场监督管理局", "decision_number": "杭市监罚〔2026〕1号",
              "decision_date": D(2026, 11, 2), "legal_basis": "《广告法》",
              "content": "虚假宣传"}
    subject = extra.pop("subject", city.enterprises[0])
    fields.update(extra)
    return actions.do_create_record(subject, actor=None, **fields)


@pytest.mark.django_db
def test_officer_enters_a_record_by_code_and_publishes_it_at_once(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    assert client.get("/credit/records/new/").status_code == 200
    response = client.post("/credit/records/new/", form(publish="on", window_months="6"))
    assert response.status_code == 302
    record = CreditRecord.objects.get()
    assert response["Location"] == f"/credit/records/{record.pk}/"
    assert record.organisation == city.enterprises[0] and record.subject_code == USCC_HUAWEI
    assert record.status == RecordStatus.PUBLISHED and record.publish_from == D(2026, 11, 24)
    assert record.window_months == 6 and record.publish_until == D(2027, 5, 19)
    assert record.entered_by == city.users[Role.FEDERATION_OFFICER]
    page = client.get(f"/credit/records/{record.pk}/").content.decode()
    assert "公示中" in page and 'data-testid="life-created"' in page
    assert 'data-testid="life-published"' in page and 'data-testid="record-correct"' in page
    assert 'data-testid="record-edit"' not in page


@pytest.mark.django_db
def test_picked_enterprise_and_practitioner(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/credit/records/new/", form(
        uscc="", organisation=city.enterprises[1].pk, category="honour", severity="",
        decision_number="杭工商联〔2026〕5号", amount=""))
    assert response.status_code == 302
    honour = CreditRecord.objects.get(category="honour")
    assert honour.organisation == city.enterprises[1] and honour.polarity == "positive"
    assert honour.window_months == 36
    response = client.post("/credit/records/new/", form(
        subject_kind="practitioner", uscc="", person=city.person.pk,
        category="industry_sanction", source="industry", decision_number="自律〔2026〕1号"))
    assert response.status_code == 302
    sanction = CreditRecord.objects.get(category="industry_sanction")
    assert sanction.person == city.person and sanction.subject_code == ""
    assert sanction.subject_name == "周清源"


@pytest.mark.django_db
def test_form_errors_are_shown_on_their_fields(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    cases = [
        (form(severity=""), "severity", "失信程度"),
        (form(window_months="2"), "window_months", "3 至 12"),
        (form(uscc="91330100MA2XXXXXX1"), "uscc", "统一社会信用代码"),
        (form(uscc=city.outsider.uscc), "uscc", "没有该代码的企业"),
        (form(decision_date="2026-12-01"), "decision_date", "不能晚于今天"),
        (form(subject_kind="practitioner", uscc="", person=city.outsider_person.pk), "person",
         ""),
    ]
    for data, field, text in cases:
        response = client.post("/credit/records/new/", data)
        assert response.status_code == 200, field
        errors = response.context["form"].errors
        assert field in errors, (field, errors)
        assert text in " ".join(errors[field])
    assert not CreditRecord.objects.exists()


@pytest.mark.django_db
def test_a_chamber_enters_sanctions_for_its_own_members_only(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    page = client.get("/credit/records/new/")
    assert "publish" not in page.context["form"].fields  # chambers do not publish
    ok = client.post("/credit/records/new/", form(
        category="industry_sanction", source="industry", issuing_body="杭州市互联网商会",
        decision_number="互商自律〔2026〕1号", amount=""))
    assert ok.status_code == 302
    record = CreditRecord.objects.get()
    assert record.entered_by_org == city.chamber and record.status == RecordStatus.RECORDED
    refused = client.post("/credit/records/new/", form(
        uscc=city.enterprises[2].uscc, category="industry_sanction", source="industry",
        decision_number="互商自律〔2026〕2号"))
    assert refused.status_code == 200 and "uscc" in refused.context["form"].errors
    with pytest.raises(PermissionDenied):
        actions.do_create_record(city.enterprises[2], actor=city.users[Role.CHAMBER_OFFICER],
                                 category="industry_sanction", severity="minor",
                                 source="industry", issuing_body="商会", decision_number="x",
                                 decision_date=D(2026, 11, 1), legal_basis="规约",
                                 content="违规")
    # the chamber edits what it entered; it may not publish
    assert client.get(f"/credit/records/{record.pk}/edit/").status_code == 200
    assert client.post(f"/credit/records/{record.pk}/publish/").status_code == 403


@pytest.mark.django_db
def test_edit_before_publication_then_correct_after(city: City) -> None:
    record = make(city)
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.get(f"/credit/records/{record.pk}/edit/")
    assert page.status_code == 200 and "杭市监罚〔2026〕1号" in page.content.decode()
    response = client.post(f"/credit/records/{record.pk}/edit/", form(
        uscc=None, decision_number="杭市监罚〔2026〕1号之一", severity="serious"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.decision_number == "杭市监罚〔2026〕1号之一" and record.window_months == 36
    assert client.post(f"/credit/records/{record.pk}/publish/").status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    # published: editing sends the officer to the correction
    redirected = client.get(f"/credit/records/{record.pk}/edit/")
    assert redirected.status_code == 302
    with pytest.raises(ValidationError):
        actions.do_update_record(record, actor=city.users[Role.FEDERATION_OFFICER],
                                 content="改")
    no_reason = client.post(f"/credit/records/{record.pk}/correct/", form(uscc=None))
    assert no_reason.status_code == 200 and "reason" in no_reason.context["form"].errors
    corrected = client.post(f"/credit/records/{record.pk}/correct/", form(
        uscc=None, severity="ordinary", window_months="6", reason="异议成立，按复核结果更正"))
    assert corrected.status_code == 302
    record.refresh_from_db()
    assert record.severity == "ordinary" and record.window_months == 6
    assert record.status == RecordStatus.PUBLISHED
    life = record_life(record, D(2026, 11, 24))
    assert [e.kind for e in life] == ["created", "changed", "published", "corrected"]
    assert life[-1].note == "异议成立，按复核结果更正"


@pytest.mark.django_db
def test_revoke_and_the_life_with_an_objection(city: City) -> None:
    record = make(city, publish=True)
    Objection.objects.create(federation=city.federation, number="YY2026-0000001", record=record,
                             organisation=city.enterprises[0], reasons="处罚已撤销",
                             due_on=D(2026, 12, 3))
    CreditRecord.objects.filter(pk=record.pk).update(open_objections=1)
    client = city.client(Role.FEDERATION_OFFICER)
    page = client.get(f"/credit/records/{record.pk}/").content.decode()
    assert "异议处理中" in page and "YY2026-0000001" in page and 'data-testid="life-objected"' in page
    refused = client.post(f"/credit/records/{record.pk}/revoke/", {"reason": ""})
    assert refused.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    with time_machine.travel(dt.datetime(2026, 11, 24, 15, 0, tzinfo=TZ), tick=False):
        client = city.client(Role.FEDERATION_OFFICER)
        client.post(f"/credit/records/{record.pk}/revoke/", {"reason": "处罚决定已被撤销"})
    record.refresh_from_db()
    assert record.status == RecordStatus.REVOKED and record.revoked_at is not None
    kinds = [e.kind for e in record_life(record, D(2026, 11, 24))]
    assert kinds == ["created", "published", "objected", "revoked"]
    assert not client.get("/credit/records/?public=yes").context["page_obj"].object_list


@pytest.mark.django_db
def test_the_enterprise_reads_its_own_file_only(city: City) -> None:
    own = make(city)
    other = make(city, subject=city.enterprises[1], decision_number="杭市监罚〔2026〕2号")
    client = city.client(Role.ENTERPRISE_USER)
    listed = client.get("/credit/records/")
    assert [r.pk for r in listed.context["page_obj"]] == [own.pk]
    page = client.get(f"/credit/records/{own.pk}/").content.decode()
    assert 'data-testid="record-edit"' not in page and 'data-testid="record-publish"' not in page
    assert client.get(f"/credit/records/{other.pk}/").status_code == 404
    assert client.post(f"/credit/records/{own.pk}/edit/", form()).status_code == 403
    assert client.get("/credit/records/new/").status_code == 403


@pytest.mark.django_db
def test_search_filters_export_and_query_count(city: City, django_assert_max_num_queries: Any,
                                               ) -> None:
    for n in range(25):
        make(city, decision_number=f"杭市监罚〔2026〕{100 + n}号",
             decision_date=D(2026, 10, 1) + dt.timedelta(days=n), publish=n % 2 == 0)
    make(city, subject=city.enterprises[1], category="award", severity="",
         decision_number="杭政奖〔2026〕3号")
    client = city.client(Role.FEDERATION_OFFICER)

    def pks(query: str) -> int:
        return client.get(f"/credit/records/?{query}").context["page_obj"].paginator.count

    assert pks("") == 26
    assert pks("q=杭政奖") == 1
    assert pks(f"q={city.enterprises[1].uscc}") == 1
    assert pks("q=清风") == 1
    assert pks("polarity=positive") == 1
    assert pks("category=penalty&severity=ordinary") == 25
    assert pks("status=published") == 13
    assert pks("public=yes") == 13
    assert pks("date_from=2026-10-20&date_to=2026-10-22") == 3
    assert pks("source=court") == 0
    assert pks("category=nonsense") == 26  # an unknown value narrows nothing
    with django_assert_max_num_queries(12):
        client.get("/credit/records/?per_page=50")
    export = client.get("/credit/records/?category=award&export=xlsx")
    assert export.status_code == 200
    content = b"".join(export.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "记录编号" and len(rows) == 2 and rows[1][1] == "杭州清风软件有限公司"
