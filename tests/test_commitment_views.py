"""Commitment pages: drafting (pre-filled), publishing (re-sign items appear), signing by an
enterprise and by an officer on its behalf, the re-sign list and its export, scope and permissions."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.registry import actions
from qinglian.registry.choices import CommitmentStatus
from qinglian.registry.models import Commitment, Signature

from .conftest import City

pytestmark = pytest.mark.django_db


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


@pytest.fixture
def v2(city: City) -> Commitment:
    """A second version of the Internet chamber's commitment, drafted and published."""
    draft = actions.do_draft_commitment(actor=None, organisation=city.chamber,
                                        body="第二版：我单位郑重承诺，拒绝一切形式的商业贿赂……")
    return actions.do_publish_commitment(draft, actor=None)


@pytest.mark.parametrize("role", list(Role.values))
def test_commitment_list_opens_for_every_role(city: City, role: str) -> None:
    assert city.client(role).get(reverse("commitment_list")).status_code == 200


def test_list_shows_versions_and_counts_in_scope(city: City) -> None:
    page = _text(city.client(Role.CHAMBER_OFFICER).get(reverse("commitment_list")))
    assert city.chamber.name in page and city.other_chamber.name not in page
    assert "第 1 版" in page and "在册会员 2 家" in page
    assert '<span class="fw-semibold">2</span> / 2' in page
    fed = _text(city.client(Role.FEDERATION_OFFICER).get(reverse("commitment_list")))
    assert city.chamber.name in fed and city.other_chamber.name in fed
    ent = _text(city.client(Role.ENTERPRISE_USER).get(reverse("commitment_list")))
    assert city.chamber.name in ent and city.other_chamber.name not in ent and "已签署" in ent


def test_draft_is_prefilled_with_the_current_text(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    page = _text(client.get(reverse("commitment_create")))
    assert city.commitment.body in page and "正文已按第 1 版预填" in page
    response = client.post(reverse("commitment_create"), {
        "organisation": city.chamber.pk, "title": "清廉企业共建承诺书",
        "body": "第二版正文：依法经营，拒绝商业贿赂。"})
    draft = Commitment.objects.get(organisation=city.chamber, version=2)
    assert response.status_code == 302
    assert response.url == reverse("commitment_detail", args=[draft.pk])
    assert draft.status == CommitmentStatus.DRAFT
    page = _text(client.get(response.url))
    assert "草稿" in page and draft.text_sha256 in page and 'data-testid="commitment-publish"' in page


def test_first_version_gets_the_standard_text(city: City) -> None:
    chamber = actions.do_create_organisation(
        actor=None, kind="association", name="杭州市软件行业协会", federation=city.federation,
        chamber_kind="association", region="330100")
    page = _text(city.client(Role.FEDERATION_OFFICER).get(
        reverse("commitment_create"), {"organisation": chamber.pk}))
    assert "本单位自愿加入杭州市软件行业协会" in page and "坚决拒绝商业贿赂" in page
    assert "已预填标准文本" in page


def test_empty_body_is_refused_inline(city: City) -> None:
    response = city.client(Role.CHAMBER_OFFICER).post(reverse("commitment_create"), {
        "organisation": city.chamber.pk, "title": "清廉企业共建承诺书", "body": "   "})
    assert "承诺书正文不能为空" in _text(response) and "is-invalid" in _text(response)
    assert not Commitment.objects.filter(organisation=city.chamber, version=2).exists()


def test_draft_for_a_chamber_out_of_scope_is_refused(city: City) -> None:
    response = city.client(Role.CHAMBER_OFFICER).post(reverse("commitment_create"), {
        "organisation": city.other_chamber.pk, "title": "清廉企业共建承诺书", "body": "正文"})
    assert "所选商会/协会不存在或不在您的管理范围内" in _text(response)


@pytest.mark.parametrize("role", [Role.ENTERPRISE_USER, Role.AUDITOR, Role.DEPARTMENT_HANDLER])
def test_draft_and_publish_forbidden_without_permission(city: City, role: str) -> None:
    draft = actions.do_draft_commitment(actor=None, organisation=city.chamber, body="第二版")
    client = city.client(role)
    assert client.get(reverse("commitment_create")).status_code == 403
    assert client.post(reverse("commitment_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == CommitmentStatus.DRAFT


def test_publishing_creates_resign_items(city: City) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    draft = actions.do_draft_commitment(actor=None, organisation=city.chamber, body="第二版正文")
    page = _text(client.get(reverse("commitment_detail", args=[draft.pk])))
    assert "全部 2 家在册会员都需要重新签署新版本" in page  # the confirm dialog
    response = client.post(reverse("commitment_publish", args=[draft.pk]), follow=True)
    assert "已发布第 2 版承诺书；2 家在册会员需要重新签署" in _text(response)
    draft.refresh_from_db()
    city.commitment.refresh_from_db()
    assert draft.status == CommitmentStatus.PUBLISHED
    assert city.commitment.status == CommitmentStatus.SUPERSEDED
    page = _text(response)
    assert 'data-testid="resign-count">2<' in page
    assert "华为技术有限公司" in page and "杭州清风软件有限公司" in page
    resign = _text(client.get(reverse("resign_list")))
    assert resign.count('data-testid="resign-row"') == 2 and "第 1 版" in resign
    assert AuditRecord.objects.filter(event="commitment.published",
                                      object_id=str(draft.pk)).exists()


def test_publish_twice_is_refused(city: City, v2: Commitment) -> None:
    response = city.client(Role.CHAMBER_OFFICER).post(
        reverse("commitment_publish", args=[v2.pk]), follow=True)
    assert "只能发布草稿状态的承诺书" in _text(response)


def test_publish_out_of_scope_is_404(city: City) -> None:
    draft = actions.do_draft_commitment(actor=None, organisation=city.other_chamber, body="第二版")
    client = city.client(Role.CHAMBER_OFFICER)
    assert client.post(reverse("commitment_publish", args=[draft.pk])).status_code == 404
    assert client.get(reverse("commitment_detail", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.status == CommitmentStatus.DRAFT


def test_detail_scope(city: City) -> None:
    url = reverse("commitment_detail", args=[city.commitment.pk])
    for role in (Role.ADMIN, Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER,
                 Role.AUDITOR):
        assert city.client(role).get(url).status_code == 200, role
    assert city.client(Role.DEPARTMENT_HANDLER).get(url).status_code == 404
    other = Commitment.objects.get(organisation=city.other_chamber)
    assert city.client(Role.ENTERPRISE_USER).get(
        reverse("commitment_detail", args=[other.pk])).status_code == 404


def test_enterprise_user_resigns_a_new_version(city: City, v2: Commitment) -> None:
    client = city.client(Role.ENTERPRISE_USER)
    resign = _text(client.get(reverse("resign_list")))
    assert "华为技术有限公司" in resign and "立即签署" in resign
    assert "杭州清风软件有限公司" not in resign  # not its own
    page = _text(client.get(reverse("commitment_sign", args=[v2.pk])))
    assert v2.body in page and v2.text_sha256 in page
    response = client.post(reverse("commitment_sign", args=[v2.pk]), {
        "signer_name": "任正非", "signer_title": "法定代表人", "next": reverse("resign_list")})
    assert response.status_code == 302 and response.url == reverse("resign_list")
    signature = Signature.objects.get(commitment=v2, member=city.enterprises[0])
    assert signature.text_sha256 == v2.text_sha256
    assert "没有待重签的承诺书" in _text(client.get(reverse("resign_list")))
    # Signing the same version again is refused with a message.
    again = client.get(reverse("commitment_sign", args=[v2.pk]), follow=True)
    assert "该承诺书当前不能签署" in _text(again)


def test_enterprise_cannot_sign_for_a_chamber_it_does_not_belong_to(city: City) -> None:
    other = Commitment.objects.get(organisation=city.other_chamber)
    response = city.client(Role.ENTERPRISE_USER).post(
        reverse("commitment_sign", args=[other.pk]), {"signer_name": "任正非"})
    assert response.status_code == 404


def test_officer_records_a_signature_for_a_chosen_member(city: City, v2: Commitment) -> None:
    client = city.client(Role.CHAMBER_OFFICER)
    page = _text(client.get(reverse("commitment_sign", args=[v2.pk]),
                            {"member": city.enterprises[1].pk}))
    assert "杭州清风软件有限公司" in page and "华为技术有限公司" in page
    response = client.post(reverse("commitment_sign", args=[v2.pk]), {
        "member": city.enterprises[2].pk, "signer_name": "王五"})  # another chamber's member
    assert "所选企业不是该商会尚未签署此版本的会员" in _text(response)
    response = client.post(reverse("commitment_sign", args=[v2.pk]), {
        "member": city.enterprises[1].pk, "signer_name": "李清风", "signer_title": "总经理"})
    assert response.status_code == 302
    signature = Signature.objects.get(commitment=v2, member=city.enterprises[1])
    assert signature.signed_by == city.users[Role.CHAMBER_OFFICER]
    page = _text(client.get(reverse("commitment_detail", args=[v2.pk])))
    assert 'data-testid="resign-count">1<' in page and "李清风" in page


def test_signing_a_superseded_version_is_refused(city: City, v2: Commitment) -> None:
    response = city.client(Role.CHAMBER_OFFICER).get(
        reverse("commitment_sign", args=[city.commitment.pk]), follow=True)
    assert "该承诺书当前不能签署" in _text(response)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DEPARTMENT_HANDLER])
def test_sign_forbidden_without_permission(city: City, role: str) -> None:
    assert city.client(role).get(
        reverse("commitment_sign", args=[city.commitment.pk])).status_code == 403


def test_resign_list_export(city: City, v2: Commitment) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get(reverse("resign_list"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
                .iter_rows(values_only=True))
    assert rows[0] == ("会员企业", "统一社会信用代码", "所属商会/协会", "会员状态", "现行版本", "已签最新版本")
    assert sorted(r[0] for r in rows[1:]) == ["华为技术有限公司", "杭州清风软件有限公司"]
    assert all(r[4] == 2 and r[5] == 1 for r in rows[1:])
    assert city.client(Role.ENTERPRISE_USER).get(
        reverse("resign_list"), {"export": "xlsx"}).status_code == 403


def test_resign_list_filter_by_chamber(city: City, v2: Commitment) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    page = _text(client.get(reverse("resign_list"), {"chamber": city.other_chamber.pk}))
    assert "没有待重签的承诺书" in page
    page = _text(client.get(reverse("resign_list"), {"chamber": city.chamber.pk, "q": "hwjs"}))
    assert page.count('data-testid="resign-row"') == 1


@pytest.mark.parametrize("role", list(Role.values))
def test_resign_list_opens_for_every_role(city: City, role: str) -> None:
    assert city.client(role).get(reverse("resign_list")).status_code == 200
