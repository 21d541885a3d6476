"""Defects found in review, pinned so they stay fixed."""

from __future__ import annotations

import pytest

from qinglian.registry import actions

from .conftest import City

pytestmark = pytest.mark.django_db


def test_commitment_list_counts_every_pending_resign_item(city: City) -> None:
    """A leftover ORDER BY once joined the GROUP BY and every chamber showed "待重签 1 家"."""
    officer = city.users["chamber_officer"]
    v2 = actions.do_draft_commitment(actor=officer, organisation=city.chamber, body="第二版正文")
    actions.do_publish_commitment(v2, actor=officer)
    page = city.client("chamber_officer").get("/commitments/").content.decode()
    assert "待重签 2 家" in page


def test_chinese_first_even_when_the_browser_asks_for_english(city: City) -> None:
    client = city.client("federation_officer")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "工作台" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Dashboard" in client.get("/").content.decode()


def test_forbidden_and_missing_pages_are_branded_in_chinese(city: City) -> None:
    client = city.client("federation_officer")
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    assert "您没有执行此操作的权限" in forbidden.content.decode()
    missing = client.get(f"/organisations/{city.outsider.pk}/")
    assert missing.status_code == 404
    assert "未找到该记录或页面" in missing.content.decode()


def test_applying_for_an_enterprise_gives_a_chamber_no_write_access(city: City) -> None:
    """Review finding: an application alone once opened the enterprise to the chamber's edits."""
    from qinglian.core.permissions import restrict
    from qinglian.registry.models import Organisation

    officer = city.users["chamber_officer"]
    applicant = city.enterprises[2]  # member of the other chamber
    m = actions.do_apply_membership(actor=officer, member=applicant, organisation=city.chamber)
    readable = restrict(Organisation.objects.all(), officer)
    writable = restrict(Organisation.objects.all(), officer, "change")
    assert readable.filter(pk=applicant.pk).exists()
    assert not writable.filter(pk=applicant.pk).exists()
    actions.do_change_membership_status(m, to="withdrawn", actor=officer)
    assert not readable.filter(pk=applicant.pk).exists()


def test_enterprise_users_do_not_see_draft_commitments(city: City) -> None:
    draft = actions.do_draft_commitment(actor=None, organisation=city.chamber, body="尚在起草")
    client = city.client("enterprise_user")
    assert client.get(f"/commitments/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/commitments/{draft.pk}").status_code == 404
    assert city.client("chamber_officer").get(f"/commitments/{draft.pk}/").status_code == 200


def test_positions_in_other_jurisdictions_stay_hidden(city: City) -> None:
    actions.do_add_position(actor=None, person=city.person, organisation=city.outsider,
                            title="entrepreneur")
    data = city.client("federation_officer").get(f"/api/v1/people/{city.person.pk}").json()
    names = {p["organisation_name"] for p in data["positions"]}
    assert city.outsider.name not in names
    assert city.enterprises[0].name in names


def test_signatures_cannot_predate_the_version_or_lie_in_the_future(city: City) -> None:
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    officer = city.users["chamber_officer"]
    m = actions.do_apply_membership(actor=officer, member=city.enterprises[2],
                                    organisation=city.chamber)
    for when in (dt.datetime(2001, 1, 1, tzinfo=dt.UTC), timezone.now() + dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            actions.do_sign_commitment(actor=officer, commitment=city.commitment,
                                       member=m.member, signer_name="周明", signed_at=when)


def test_only_members_or_applicants_can_sign(city: City) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不是"):
        actions.do_sign_commitment(actor=None, commitment=city.commitment,
                                   member=city.enterprises[2], signer_name="周明")


def test_odd_ids_in_query_strings_are_ignored_not_500(city: City) -> None:
    client = city.client("chamber_officer")
    for value in ("²", "9" * 40, "-1"):
        assert client.get("/memberships/", {"chamber": value}).status_code == 200
        assert client.get("/commitments/unsigned/", {"chamber": value}).status_code == 200


def test_exported_list_cells_never_become_formulas() -> None:
    from qinglian.core.exports import _cell_value

    assert _cell_value(["=HYPERLINK(1)", "x"]) == "'=HYPERLINK(1)、x"
    assert _cell_value("@SUM(A1)") == "'@SUM(A1)"


def test_an_update_that_changes_nothing_writes_no_audit_record(city: City) -> None:
    from qinglian.core.models import AuditRecord

    before = AuditRecord.objects.count()
    ent = city.enterprises[1]
    actions.do_update_organisation(ent, actor=None, name=ent.name)
    actions.do_update_person(city.person, actor=None, name=city.person.name)
    assert AuditRecord.objects.count() == before


def test_control_characters_and_huge_numbers_in_cells() -> None:
    from qinglian.core.imports import cell_int, cell_text, display

    assert cell_text("杭州\x00清风\x07") == "杭州清风"
    assert display("a\x00b") == "ab"
    for value in ("99999999999", 1e12, 10**12):
        with pytest.raises(ValueError, match="过大"):
            cell_int(value)
    assert cell_int("1,200") == 1200


def test_audit_page_queries_do_not_grow_with_linked_objects(city: City, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from qinglian.registry.identifiers import synthesise_uscc

    client = city.client("auditor")
    client.get("/audit/?per_page=100")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get("/audit/?per_page=100")
    for n in range(15):
        org = actions.do_create_organisation(
            actor=None, kind="enterprise", name=f"杭州新增企业{n}有限公司",
            uscc=synthesise_uscc("330106", 5000 + n), federation=city.federation, region="330106",
        )
        m = actions.do_apply_membership(actor=None, member=org, organisation=city.chamber)
        actions.do_sign_commitment(actor=None, commitment=city.commitment, member=org,
                                   signer_name="周明")
        actions.do_admit_member(m, actor=None)
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        assert client.get("/audit/?per_page=100").status_code == 200
