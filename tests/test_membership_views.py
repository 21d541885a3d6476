"""Membership pages and the admission flow: apply, sign (with a checked scan), admit only after
signing, other status changes, scope (404) and permissions (403)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.registry import actions
from qinglian.registry.choices import MembershipStatus
from qinglian.registry.models import Membership, Organisation, Signature
from qinglian.registry.uploads import MAX_SCAN_BYTES

from .conftest import City, make_uscc, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def newcomer(city: City) -> Organisation:
    """An enterprise registered in the jurisdiction that belongs to no chamber yet."""
    return actions.do_create_organisation(
        actor=None, kind="enterprise", name="杭州明湖智能科技有限公司", uscc=make_uscc(77),
        federation=city.federation, region="330106", industry="65",
    )


@pytest.fixture
def applied(city: City, newcomer: Organisation) -> Membership:
    return actions.do_apply_membership(actor=None, member=newcomer, organisation=city.chamber)


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", list(Role.values))
def test_membership_list_opens_for_every_role(city: City, role: str) -> None:
    response = city.client(role).get(reverse("membership_list"))
    assert response.status_code == 200


def test_list_scope_and_filters(city: City, applied: Membership) -> None:
    chamber = city.client(Role.CHAMBER_OFFICER)
    page = _text(chamber.get(reverse("membership_list")))
    assert "华为技术有限公司" in page and "杭州明湖智能科技有限公司" in page
    assert "杭州瓯江贸易有限公司" not in page  # a member of another chamber
    page = _text(chamber.get(reverse("membership_list"), {"status": "applied"}))
    assert "杭州明湖智能科技有限公司" in page and "华为技术有限公司" not in page
    page = _text(chamber.get(reverse("membership_list"), {"q": "hwjs"}))
    assert "华为技术有限公司" in page and "杭州清风软件有限公司" not in page
    page = _text(city.client(Role.ENTERPRISE_USER).get(reverse("membership_list")))
    assert "华为技术有限公司" in page and "杭州清风软件有限公司" not in page
    fed = _text(city.client(Role.FEDERATION_OFFICER).get(
        reverse("membership_list"), {"chamber": city.other_chamber.pk}))
    assert "杭州瓯江贸易有限公司" in fed and "华为技术有限公司" not in fed


def test_list_htmx_returns_the_table(city: City) -> None:
    response = city.client(Role.CHAMBER_OFFICER).get(
        reverse("membership_list"), {"q": "清风"}, HTTP_HX_REQUEST="true")
    assert "杭州清风软件有限公司" in _text(response) and "<html" not in _text(response)


def test_export_rows_match_the_filter(city: City, applied: Membership) -> None:
    response = city.client(Role.CHAMBER_OFFICER).get(
        reverse("membership_list"), {"export": "xlsx", "status": "admitted"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "会员企业" and rows[0][-1] == "已签署现行承诺书"
    assert sorted(r[0] for r in rows[1:]) == sorted(["华为技术有限公司", "杭州清风软件有限公司"])
    assert all(r[4] == "已入会" and r[-1] == "是" for r in rows[1:])
    assert city.client(Role.ENTERPRISE_USER).get(
        reverse("membership_list"), {"export": "xlsx"}).status_code == 403


def test_chamber_officer_applies_an_enterprise_of_the_jurisdiction(
        city: City, newcomer: Organisation) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    options = _text(client.get(reverse("membership_apply"), {"lookup": "mhzn"},
                               HTTP_HX_REQUEST="true"))
    assert "杭州明湖智能科技有限公司" in options and "宁波港湾物流有限公司" not in options
    page = _text(client.get(reverse("membership_apply")))
    assert city.chamber.name in page and city.other_chamber.name not in page
    fallback = _text(client.get(reverse("membership_apply"), {"lookup": "清风"}))  # without htmx
    assert "杭州清风软件有限公司" in fallback and "杭州明湖智能科技有限公司" not in fallback
    response = client.post(reverse("membership_apply"), {
        "member": newcomer.pk, "organisation": city.chamber.pk, "role": "director"})
    membership = Membership.objects.get(member=newcomer)
    assert response.status_code == 302
    assert response.url == reverse("membership_detail", args=[membership.pk])
    assert membership.status == MembershipStatus.APPLIED and membership.role == "director"
    again = client.post(reverse("membership_apply"), {
        "member": newcomer.pk, "organisation": city.chamber.pk, "role": "member"})
    assert "已是或正在申请成为" in _text(again)


def test_out_of_scope_choices_are_refused(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    response = client.post(reverse("membership_apply"), {
        "member": city.outsider.pk, "organisation": city.other_chamber.pk, "role": "member"})
    page = _text(response)
    assert "所选企业不存在或不在您的管理范围内" in page
    assert "所选商会/协会不存在或不在您的管理范围内" in page
    assert not Membership.objects.filter(member=city.outsider).exists()


def test_enterprise_user_applies_only_for_itself(city: City) -> None:
    client = city.client(Role.ENTERPRISE_USER)
    page = _text(client.get(reverse("membership_apply")))
    assert city.other_chamber.name in page  # any chamber of the jurisdiction
    response = client.post(reverse("membership_apply"), {
        "member": city.enterprises[2].pk, "organisation": city.other_chamber.pk, "role": "member"})
    assert response.status_code == 302
    m = Membership.objects.get(organisation=city.other_chamber, status="applied")
    assert m.member == city.enterprises[0]  # its own enterprise, whatever was posted


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DEPARTMENT_HANDLER])
def test_apply_forbidden_without_permission(city: City, role: str) -> None:
    assert city.client(role).get(reverse("membership_apply")).status_code == 403


def test_detail_scope(city: City, applied: Membership) -> None:
    url = reverse("membership_detail", args=[applied.pk])
    for role in (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.AUDITOR):
        assert city.client(role).get(url).status_code == 200, role
    for role in (Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER):
        assert city.client(role).get(url).status_code == 404, role
    other = reverse("membership_detail", args=[city.memberships[2].pk])  # another chamber's
    assert city.client(Role.CHAMBER_OFFICER).get(other).status_code == 404
    assert city.client(Role.CHAMBER_OFFICER).get(
        reverse("membership_detail", args=[999999])).status_code == 404
    assert Client().get(url).status_code == 302


def test_admission_refused_before_signing_and_allowed_after(
        city: City, applied: Membership) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    detail = reverse("membership_detail", args=[applied.pk])
    page = _text(client.get(detail))
    assert "批准入会" in page and 'disabled aria-disabled="true" data-testid="admit"' in page
    assert city.commitment.text_sha256 in page and "第 1 版" in page
    # The server refuses regardless of the disabled button, with the action's message.
    response = client.post(reverse("membership_transition", args=[applied.pk]),
                           {"to": "admitted"}, follow=True)
    assert "尚未签署现行承诺书（第 1 版），不能入会" in _text(response)
    applied.refresh_from_db()
    assert applied.status == MembershipStatus.APPLIED
    # Record the signature on the flow page.
    response = client.post(detail, {"signer_name": "周明", "signer_title": "法定代表人"},
                           follow=True)
    assert "已记录签署" in _text(response)
    signature = Signature.objects.get(member=applied.member)
    assert signature.text_sha256 == city.commitment.text_sha256
    assert signature.signed_by == city.users[Role.CHAMBER_OFFICER]
    page = _text(client.get(detail))
    assert "与现行正文一致" in page and 'disabled aria-disabled="true" data-testid="admit"' not in page
    response = client.post(reverse("membership_transition", args=[applied.pk]),
                           {"to": "admitted"}, follow=True)
    applied.refresh_from_db()
    assert applied.status == MembershipStatus.ADMITTED and applied.joined_on is not None
    assert "会员状态已变更为“已入会”" in _text(response)
    assert AuditRecord.objects.filter(event="membership.admitted",
                                      object_id=str(applied.pk)).exists()


def test_sign_form_errors_inline(city: City, applied: Membership) -> None:
    response = city.client(Role.CHAMBER_OFFICER).post(
        reverse("membership_detail", args=[applied.pk]), {"signer_name": "", "signer_title": "董事长"})
    page = _text(response)
    assert "请填写签署人姓名" in page and "is-invalid" in page and 'value="董事长"' in page
    assert not Signature.objects.filter(member=applied.member).exists()


def test_scan_upload_rejects_a_renamed_exe(city: City, applied: Membership) -> None:
    fake = SimpleUploadedFile("scan.pdf", EXE, content_type="application/pdf")
    response = city.client(Role.CHAMBER_OFFICER).post(
        reverse("membership_detail", args=[applied.pk]),
        {"signer_name": "周明", "scan": fake})
    assert "扫描件只能是 PDF、JPG 或 PNG 文件" in _text(response)
    assert not Signature.objects.filter(member=applied.member).exists()


def test_scan_upload_rejects_too_large_files(city: City, applied: Membership) -> None:
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * MAX_SCAN_BYTES, content_type="application/pdf")
    response = city.client(Role.CHAMBER_OFFICER).post(
        reverse("membership_detail", args=[applied.pk]), {"signer_name": "周明", "scan": big})
    assert "扫描件不能超过 10 MB" in _text(response)
    assert not Signature.objects.filter(member=applied.member).exists()


def test_scan_upload_accepts_a_pdf_and_downloads_within_scope(
        city: City, applied: Membership) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    scan = SimpleUploadedFile("签字盖章.PDF", PDF, content_type="application/octet-stream")
    client.post(reverse("membership_detail", args=[applied.pk]),
                {"signer_name": "周明", "scan": scan})
    signature = Signature.objects.get(member=applied.member)
    assert signature.scan.name.endswith(".pdf")
    url = reverse("signature_scan", args=[signature.pk])
    assert url in _text(client.get(reverse("membership_detail", args=[applied.pk])))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    for role in (Role.FEDERATION_OFFICER, Role.ADMIN):
        assert city.client(role).get(url).status_code == 200
    # Another chamber's officer, an unrelated enterprise, a department: the same 404 as missing.
    other_officer = make_user("wenzhou", Role.CHAMBER_OFFICER, city.other_chamber)
    outsiders = Client()
    outsiders.force_login(other_officer)
    assert outsiders.get(url).status_code == 404
    for role in (Role.ENTERPRISE_USER, Role.DEPARTMENT_HANDLER):
        assert city.client(role).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_scan_download_without_scan_is_404(city: City) -> None:
    signature = Signature.objects.filter(member=city.enterprises[0]).first()
    assert signature is not None
    response = city.client(Role.ENTERPRISE_USER).get(reverse("signature_scan", args=[signature.pk]))
    assert response.status_code == 404


def test_enterprise_user_signs_its_own_application(city: City) -> None:
    m = actions.do_apply_membership(actor=None, member=city.enterprises[0],
                                    organisation=city.other_chamber)
    client = city.client(Role.ENTERPRISE_USER)
    page = _text(client.get(reverse("membership_detail", args=[m.pk])))
    assert 'data-testid="sign-form"' in page and "批准入会" not in page
    client.post(reverse("membership_detail", args=[m.pk]), {"signer_name": "任正非"})
    assert Signature.objects.filter(member=city.enterprises[0],
                                    commitment__organisation=city.other_chamber).exists()
    assert client.post(reverse("membership_transition", args=[m.pk]),
                       {"to": "admitted"}).status_code == 403


def test_revocation_needs_a_reason(city: City) -> None:
    m = city.memberships[0]
    client = city.client(Role.CHAMBER_OFFICER)
    page = _text(client.get(reverse("membership_detail", args=[m.pk])))
    for label in ("暂停", "退会", "取消会员资格"):
        assert label in page
    response = client.post(reverse("membership_transition", args=[m.pk]),
                           {"to": "revoked", "note": " "}, follow=True)
    assert "取消会员资格必须写明原因" in _text(response)
    m.refresh_from_db()
    assert m.status == MembershipStatus.ADMITTED
    client.post(reverse("membership_transition", args=[m.pk]),
                {"to": "revoked", "note": "经行业自律委员会决定：商业贿赂"})
    m.refresh_from_db()
    assert m.status == MembershipStatus.REVOKED and m.left_on is not None


def test_suspend_and_resume(city: City) -> None:
    m = city.memberships[1]
    client = city.client(Role.FEDERATION_OFFICER)
    client.post(reverse("membership_transition", args=[m.pk]), {"to": "suspended", "note": "整改"})
    m.refresh_from_db()
    assert m.status == MembershipStatus.SUSPENDED and m.suspended_at is not None
    assert "恢复" in _text(client.get(reverse("membership_detail", args=[m.pk])))
    client.post(reverse("membership_transition", args=[m.pk]), {"to": "admitted"})
    m.refresh_from_db()
    assert m.status == MembershipStatus.ADMITTED


def test_transition_not_in_the_table_is_refused(city: City) -> None:
    m = city.memberships[0]
    actions.do_change_membership_status(m, to="withdrawn", actor=None)
    response = city.client(Role.CHAMBER_OFFICER).post(
        reverse("membership_transition", args=[m.pk]), {"to": "admitted"}, follow=True)
    assert "不允许从“已退会”变为“已入会”" in _text(response)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DEPARTMENT_HANDLER, Role.ENTERPRISE_USER])
def test_transition_forbidden_without_permission(city: City, role: str) -> None:
    m = city.memberships[0]
    response = city.client(role).post(reverse("membership_transition", args=[m.pk]),
                                      {"to": "suspended"})
    assert response.status_code == 403
    m.refresh_from_db()
    assert m.status == MembershipStatus.ADMITTED


def test_transition_out_of_scope_is_404(city: City) -> None:
    response = city.client(Role.CHAMBER_OFFICER).post(
        reverse("membership_transition", args=[city.memberships[2].pk]), {"to": "suspended"})
    assert response.status_code == 404


def _query_counts(city: City, names: list[str]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = city.client(Role.CHAMBER_OFFICER)
    counts = {}
    for name in names:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(ctx.captured_queries)
    return counts


def test_list_pages_run_a_fixed_number_of_queries(city: City) -> None:
    """The first page costs the same whether the chamber has 5 or 17 applicants and people."""
    names = ["membership_list", "person_list", "commitment_list", "resign_list"]

    def grow(start: int, count: int) -> None:
        for i in range(start, start + count):
            ent = actions.do_create_organisation(
                actor=None, kind="enterprise", name=f"杭州测试{i}号科技有限公司",
                uscc=make_uscc(300 + i), federation=city.federation, region="330106")
            actions.do_apply_membership(actor=None, member=ent, organisation=city.chamber)
            person = actions.do_create_person(actor=None, name=f"测试{i}", federation=city.federation)
            actions.do_add_position(actor=None, person=person, organisation=ent,
                                    title="legal_representative")

    grow(0, 3)
    small = _query_counts(city, names)
    grow(3, 12)
    assert _query_counts(city, names) == small
    assert max(small.values()) <= 16
