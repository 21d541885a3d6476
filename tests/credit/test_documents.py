"""Chamber documents: publishing a PDF through the form, refusals, scope, withdrawal, and what
the portal shows."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.credit.document_actions import (
    MAX_DOCUMENT_BYTES,
    do_publish_document,
    do_withdraw_document,
)
from qinglian.credit.models import ChamberDocument
from tests.conftest import City

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "公约.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def test_chamber_officer_publishes_a_pdf_through_the_form(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    page = client.get("/credit/documents/new/").content.decode()
    assert "杭州市互联网商会" in page and "杭州市温州商会" not in page  # its own chamber only
    response = client.post("/credit/documents/new/", {
        "organisation": city.chamber.pk, "kind": "annual_report", "title": "2025年度行业自律报告",
        "year": "2025", "summary": "全年开展自律检查 12 次", "file": pdf("report.pdf"),
    })
    assert response.status_code == 302
    document = ChamberDocument.objects.get()
    assert document.is_public and document.year == 2025 and document.original_name == "report.pdf"
    assert document.file.read().startswith(b"%PDF")
    assert AuditRecord.objects.filter(event="credit_document.published").exists()
    listing = client.get("/credit/documents/").content.decode()
    assert "2025年度行业自律报告" in listing and "已公开" in listing
    portal = Client().get("/portal/documents/").content.decode()
    assert "2025年度行业自律报告" in portal and "年度自律报告" in portal


def test_form_refusals_are_clear_and_keyed(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    fake = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    html = client.post("/credit/documents/new/", {
        "organisation": city.chamber.pk, "kind": "convention", "title": "公约", "file": fake,
    }).content.decode()
    assert "只能上传 PDF 文件" in html
    html = client.post("/credit/documents/new/", {
        "organisation": city.chamber.pk, "kind": "annual_report", "title": "年报", "file": pdf(),
    }).content.decode()
    assert "年度自律报告须填写年度" in html
    assert not ChamberDocument.objects.exists()


def test_size_limit_and_scope_in_the_action(city: City) -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_DOCUMENT_BYTES)
    with pytest.raises(ValidationError) as exc:
        do_publish_document(city.chamber, actor=None, kind="convention", title="大文件", upload=big)
    assert "20 MB" in str(exc.value)
    with pytest.raises(PermissionDenied):  # a chamber officer publishes for its own chamber only
        do_publish_document(city.other_chamber, actor=city.users[Role.CHAMBER_OFFICER],
                            kind="convention", title="公约", upload=pdf())
    with pytest.raises(PermissionDenied):  # an enterprise is not a publisher
        do_publish_document(city.enterprises[0], actor=None, kind="convention", title="公约",
                            upload=pdf())
    with pytest.raises(PermissionDenied):
        do_publish_document(city.chamber, actor=city.users[Role.ENTERPRISE_USER],
                            kind="convention", title="公约", upload=pdf())
    # the federation officer publishes for any chamber of the jurisdiction
    doc = do_publish_document(city.other_chamber, actor=city.users[Role.FEDERATION_OFFICER],
                              kind="ethics_code", title="职业道德准则", upload=pdf())
    assert doc.organisation == city.other_chamber


def test_federation_sees_all_in_jurisdiction_and_chamber_only_its_own(city: City) -> None:
    do_publish_document(city.chamber, actor=None, kind="convention", title="互联网商会公约",
                        upload=pdf())
    do_publish_document(city.other_chamber, actor=None, kind="convention", title="温州商会公约",
                        upload=pdf(content=PDF + b"%other"))
    do_publish_document(city.other_federation, actor=None, kind="convention", title="宁波公约",
                        upload=pdf(content=PDF + b"%nb"))
    fed = city.client(Role.FEDERATION_OFFICER).get("/credit/documents/").content.decode()
    assert "互联网商会公约" in fed and "温州商会公约" in fed and "宁波公约" not in fed
    chamber = city.client(Role.CHAMBER_OFFICER).get("/credit/documents/").content.decode()
    assert "互联网商会公约" in chamber and "温州商会公约" not in chamber
    filtered = city.client(Role.FEDERATION_OFFICER).get(
        "/credit/documents/?q=温州").content.decode()
    assert "温州商会公约" in filtered and "互联网商会公约" not in filtered


def test_withdrawal_takes_it_off_the_portal_and_is_audited(city: City) -> None:
    doc = do_publish_document(city.chamber, actor=None, kind="convention", title="互联网商会公约",
                              upload=pdf())
    assert Client().get(f"/portal/documents/{doc.pk}/download/").status_code == 200
    response = city.client(Role.CHAMBER_OFFICER).post(f"/credit/documents/{doc.pk}/withdraw/",
                                                      {"reason": "已修订"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert not doc.is_public and doc.withdrawn_at is not None
    assert AuditRecord.objects.filter(event="credit_document.withdrawn").exists()
    assert Client().get(f"/portal/documents/{doc.pk}/download/").status_code == 404
    cache.clear()
    assert "互联网商会公约" not in Client().get("/portal/documents/").content.decode()
    # kept internally, still readable in scope
    assert city.client(Role.CHAMBER_OFFICER).get(
        f"/credit/documents/{doc.pk}/file/").status_code == 200
    with pytest.raises(ValidationError):
        do_withdraw_document(doc, actor=None)
