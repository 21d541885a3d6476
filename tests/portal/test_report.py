"""The credit report PDF and its verification round trip."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from qinglian.core.models import AuditRecord
from qinglian.credit.models import CreditReport
from qinglian.portal.actions import do_issue_credit_report
from qinglian.portal.report import (
    digest_groups,
    digest_of,
    grouped,
    normalise_code,
    report_content,
    report_html,
)
from tests.conftest import City

from .conftest import ID_NUMBER, PHONE

pytestmark = pytest.mark.django_db


def test_report_pdf_is_issued_audited_and_verifiable(city: City, world: SimpleNamespace) -> None:
    huawei = city.enterprises[0]
    response = Client().post(f"/portal/enterprises/{huawei.uscc}/report/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert not response.cookies
    report = CreditReport.objects.get()
    assert report.organisation_id == huawei.pk and len(report.code) == 16
    assert report.code in response["Content-Disposition"]
    assert report.summary["name"] == "华为技术有限公司" and report.summary["black"] == 1
    assert AuditRecord.objects.filter(event="credit_report.issued", actor__isnull=True).exists()

    # typed as printed, in lower case, with spaces instead of dashes: still found
    typed = grouped(report.code).lower().replace("-", " ")
    html = Client().get("/portal/verify/", {"code": typed}).content.decode()
    assert "真实有效" in html and "华为技术有限公司" in html
    assert digest_groups(report.digest) in html
    assert grouped(report.code) in html

    html = Client().get("/portal/verify/", {"code": "AAAA-BBBB-CCCC-DDDD"}).content.decode()
    assert "未找到该验证码" in html


def test_digest_covers_exactly_what_the_report_says(city: City, world: SimpleNamespace) -> None:
    issued = do_issue_credit_report(str(city.enterprises[0].uscc))
    assert issued is not None
    report, profile = issued
    content = report_content(profile, code=report.code, issued_at=report.issued_at)
    assert digest_of(content) == report.digest
    content["records"][0]["content"] = "篡改后的内容"
    assert digest_of(content) != report.digest
    html = report_html(profile, report)
    assert digest_groups(report.digest) in html and grouped(report.code) in html
    assert PHONE not in html and ID_NUMBER not in html


def test_codes_are_random_and_read_forgivingly() -> None:
    assert normalise_code("abcd-efgh 0123") == "ABCDEFGHOI23"


def test_unknown_enterprise_gets_no_report(city: City) -> None:
    assert Client().post("/portal/enterprises/914403001922038217/report/").status_code == 404
    assert not CreditReport.objects.exists()


def test_verify_and_report_are_rate_limited(city: City, settings: object) -> None:
    settings.PORTAL_VERIFY_RATE = "2/m"  # type: ignore[attr-defined]
    client = Client()
    assert client.get("/portal/verify/?code=x").status_code == 200
    assert client.get("/portal/verify/?code=y").status_code == 200
    response = client.get("/portal/verify/?code=z")
    assert response.status_code == 429 and response["Retry-After"]


def test_report_embeds_the_chinese_fonts(city: City, world: SimpleNamespace) -> None:
    from weasyprint import HTML

    issued = do_issue_credit_report(str(city.enterprises[0].uscc))
    assert issued is not None
    report, profile = issued
    document = HTML(string=report_html(profile, report)).render()
    document.write_pdf()
    names = {font.name.decode() for font in document.fonts.values()}
    assert any("Noto-Sans-CJK-SC" in name for name in names), names
