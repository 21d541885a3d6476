"""The admission journey in a real browser: a chamber officer applies an enterprise, finds
"批准入会" blocked until the integrity commitment is signed, records the signature with a scan,
admits the member and sees 已入会."""

from __future__ import annotations

import pytest
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, build_city, make_uscc

from qinglian.registry import actions
from qinglian.registry.choices import MembershipStatus
from qinglian.registry.models import Membership, Signature

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_chamber_officer_admits_a_member_after_the_pledge(page) -> None:  # type: ignore[no-untyped-def]
    city = build_city()
    newcomer = actions.do_create_organisation(
        actor=None, kind="enterprise", name="杭州明湖智能科技有限公司", uscc=make_uscc(77),
        federation=city.federation, region="330106", industry="65",
    )
    sign_in(page, "chamber", PASSWORD)
    page.wait_for_url(page.base_url + "/")

    page.goto(page.base_url + "/memberships/apply/")
    page.fill("[data-testid=member-lookup]", "明湖")
    page.wait_for_function(
        "document.querySelectorAll('#id_member option[value]:not([value=\"\"])').length === 1")
    page.select_option("[data-testid=member-select]", str(newcomer.pk))
    page.select_option("#id_organisation", str(city.chamber.pk))
    page.click("[data-testid=apply-submit]")

    membership = Membership.objects.get(member=newcomer)
    page.wait_for_url(f"{page.base_url}/memberships/{membership.pk}/")
    admit = page.locator("[data-testid=admit]")
    assert admit.is_disabled()
    assert "须先签署现行承诺书（第 1 版）" in page.inner_text("[data-testid=admit-blocked]")
    assert city.commitment.text_sha256 in page.inner_text("[data-testid=current-commitment]")

    page.fill("#id_signer_name", "周明")
    page.fill("#id_signer_title", "法定代表人")
    page.set_input_files("#id_scan", files=[{
        "name": "承诺书签字盖章.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.click("[data-testid=sign-submit]")
    page.wait_for_selector("[data-testid=signature]")
    assert "与现行正文一致" in page.inner_text("[data-testid=signature]")
    assert Signature.objects.get(member=newcomer).scan.name.endswith(".pdf")

    assert page.locator("[data-testid=admit]").is_enabled()
    page.click("[data-testid=admit]")
    page.wait_for_selector("text=会员状态已变更为“已入会”")
    assert page.inner_text("[data-testid=membership-status]").strip() == "已入会"
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ADMITTED
    page.wait_for_selector("[data-testid=history-entry]")
    screenshot(page, "admission")
