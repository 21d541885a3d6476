"""Defects found by the adversarial review of the public portal (issue 4): each test failed
before its fix."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qinglian.credit.document_actions import do_publish_document
from qinglian.credit.pledge_actions import do_make_pledge
from qinglian.portal import queries
from qinglian.portal.report import report_content
from tests.conftest import City

from .conftest import ID_NUMBER, PDF, PHONE

pytestmark = pytest.mark.django_db


def test_document_title_and_summary_never_show_phone_or_id_numbers(
        city: City, world: SimpleNamespace) -> None:
    document = do_publish_document(
        city.chamber, actor=city.users["chamber_officer"], kind="ethics_code",
        title=f"职业道德准则（咨询电话{PHONE}）",
        summary=f"联系人身份证{ID_NUMBER}，手机{PHONE}",
        upload=SimpleUploadedFile(f"准则-{PHONE}.pdf", PDF, content_type="application/pdf"))
    html = Client().get("/portal/documents/").content.decode()
    assert "职业道德准则" in html
    assert PHONE not in html and ID_NUMBER not in html
    download = Client().get(f"/portal/documents/{document.pk}/download/")
    assert download.status_code == 200 and PHONE not in download["Content-Disposition"]


def test_pledge_title_never_shows_a_phone_number(city: City, world: SimpleNamespace) -> None:
    do_make_pledge(city.enterprises[0], actor=None, title=f"守信承诺，监督电话{PHONE}",
                   content="依法诚信经营")
    uscc = str(city.enterprises[0].uscc)
    html = Client().get(f"/portal/enterprises/{uscc}/").content.decode()
    assert "守信承诺" in html and PHONE not in html
    profile = queries.enterprise_profile(uscc, timezone.localdate())
    assert profile is not None
    content = report_content(profile, code="X", issued_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert PHONE not in str(content)


def test_a_pledge_past_its_term_is_not_shown_as_in_force_and_none_is_dropped(
        city: City, world: SimpleNamespace) -> None:
    enterprise = city.enterprises[0]
    day = dt.date(2026, 1, 10)
    before = len(queries.enterprise_pledges(enterprise.pk, day))
    do_make_pledge(enterprise, actor=None, title="年度守信承诺", content="依法诚信经营",
                   valid_until=dt.date(2026, 6, 30), today=day)
    for n in range(55):
        do_make_pledge(enterprise, actor=None, title=f"第{n + 1}号承诺", content="按期履约",
                       today=day)
    in_term = queries.enterprise_pledges(enterprise.pk, dt.date(2026, 6, 30))
    lapsed = queries.enterprise_pledges(enterprise.pk, dt.date(2026, 7, 1))
    assert len(lapsed) == before + 56  # every public pledge, none cut off
    assert {p["status_label"] for p in in_term if p["title"] == "年度守信承诺"} == {"履行中"}
    assert {p["status_label"] for p in lapsed if p["title"] == "年度守信承诺"} == {"已过有效期"}
