"""The sample city: deterministic, valid identifiers, the commitment rule, one account per role.

Each test builds a small city (40 enterprises) through the real actions, as `qinglian seed`
does with 600.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import verify_chain
from qinglian.core.choices import Role
from qinglian.core.crypto import decrypt_text
from qinglian.core.models import AuditRecord, User
from qinglian.registry.choices import (
    CommitmentStatus,
    MembershipStatus,
    OrganisationKind,
    PartyOrgForm,
)
from qinglian.registry.identifiers import clean_id_number, clean_phone, clean_uscc
from qinglian.registry.models import Commitment, Membership, Organisation, Person, Signature
from qinglian.registry.queries import unsigned_memberships
from qinglian.registry.regions import region_name
from qinglian.registry.sample import (
    DEMO_PASSWORD,
    SampleCity,
    SampleCityError,
    build_sample_city,
)
from qinglian.registry.sample.lexicon import Particulars
from qinglian.registry.sample.plans import EnterprisePlanner

pytestmark = pytest.mark.django_db

ENTERPRISES = 40
TODAY = dt.date(2026, 11, 24)


class _Discard(Exception):
    """Raised to roll a built city back, leaving the database empty again."""


def _contents() -> dict[str, list[Any]]:
    return {
        "organisations": list(Organisation.objects.order_by("pk").values_list(
            "kind", "name", "uscc", "region", "industry", "address")),
        "people": [
            (p.name, decrypt_text(p.id_number_cipher), decrypt_text(p.phone_cipher))
            for p in Person.objects.order_by("pk")
        ],
        "memberships": list(Membership.objects.order_by("pk").values_list(
            "member__name", "organisation__name", "role", "status", "joined_on")),
        "signatures": list(Signature.objects.order_by("pk").values_list(
            "member__name", "commitment__version", "signer_name")),
    }


def _build_in_empty_database(seed: int) -> dict[str, list[Any]]:
    """Build a city into the empty test database, note what it holds, then roll it back."""
    assert not Organisation.objects.exists()
    contents: dict[str, list[Any]] = {}
    with contextlib.suppress(_Discard), transaction.atomic():
        build_sample_city(seed=seed, enterprises=ENTERPRISES, today=TODAY)
        contents = _contents()
        raise _Discard
    assert not Organisation.objects.exists()
    return contents


# The tests that need an empty database come first: the module's city (below) lives from
# its first use to the end of the module.


@pytest.fixture(scope="module")
def sample(django_db_setup: None, django_db_blocker: Any) -> Iterator[SampleCity]:
    """One city for the module's read-only tests, rolled back when they are done."""
    with django_db_blocker.unblock(), contextlib.suppress(_Discard), transaction.atomic():
        yield build_sample_city(seed=2026, enterprises=ENTERPRISES, today=TODAY)
        raise _Discard


def test_same_seed_builds_the_same_city() -> None:
    first = _build_in_empty_database(seed=7)
    second = _build_in_empty_database(seed=7)
    assert len(first["organisations"]) == 1 + 3 + 8 + ENTERPRISES
    assert len(first["people"]) > ENTERPRISES
    assert first == second


def test_another_seed_plans_another_city() -> None:
    def names(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [p.name for p in EnterprisePlanner(rng, Particulars(rng, TODAY)).plan(ENTERPRISES)]

    assert names(7) == names(7)
    assert names(7) != names(8)


def test_codes_and_numbers_are_valid_and_unique(sample: SampleCity) -> None:
    orgs = list(Organisation.objects.all())
    codes = [o.uscc for o in orgs if o.uscc]
    assert all(clean_uscc(code) == code for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(o.uscc for o in orgs if o.kind == OrganisationKind.ENTERPRISE)
    assert all(region_name(o.region) for o in orgs)
    names = [o.name for o in orgs]
    assert len(set(names)) == len(names)
    assert all(o.name.endswith("公司") for o in sample.enterprises)

    people = list(Person.objects.all())
    ids = [decrypt_text(p.id_number_cipher) for p in people]
    assert all(clean_id_number(number) == number for number in ids)
    assert len(set(ids)) == len(ids)
    # The order code is odd for men and even for women (GB 11643).
    assert all((int(n[16]) % 2 == 1) == (p.gender == "male") for p, n in zip(people, ids, strict=True))
    phones = [decrypt_text(p.phone_cipher) for p in people]
    assert all(clean_phone(phone) == phone for phone in phones)
    assert all(p.id_number_masked == n[:3] + "*" * 11 + n[-4:] for p, n in zip(people, ids, strict=True))


def test_every_admitted_member_signed_its_chambers_commitment(sample: SampleCity) -> None:
    ever_admitted = Membership.objects.filter(
        member__kind=OrganisationKind.ENTERPRISE, admitted_at__isnull=False,
    ).select_related("member", "organisation")
    assert ever_admitted.count() >= ENTERPRISES * 0.8
    for membership in ever_admitted:
        signatures = Signature.objects.filter(
            member=membership.member, commitment__organisation=membership.organisation,
        ).select_related("commitment")
        assert signatures.exists(), membership
        assert all(s.text_sha256 == s.commitment.text_sha256 for s in signatures)
        first = min(s.signed_at for s in signatures)
        assert timezone.localtime(first).date() <= membership.joined_on <= TODAY
    for membership in Membership.objects.filter(left_on__isnull=False):
        assert membership.joined_on is not None
        assert membership.joined_on <= membership.left_on <= TODAY
    statuses = Counter(Membership.objects.values_list("status", flat=True))
    assert statuses[MembershipStatus.APPLIED] >= 1
    assert statuses[MembershipStatus.ADMITTED] > statuses[MembershipStatus.APPLIED]


def test_every_chamber_has_a_published_commitment_and_one_was_revised(
    sample: SampleCity,
) -> None:
    for chamber in sample.chambers:
        assert Commitment.objects.filter(
            organisation=chamber, status=CommitmentStatus.PUBLISHED,
        ).count() == 1
    revised = Commitment.objects.get(organisation__name="杭州市互联网商会",
                                     status=CommitmentStatus.PUBLISHED)
    assert revised.version == 2
    assert "个人信息保护法" in revised.body and "一、坚持依法合规经营" in revised.body
    group = [c for c in sample.chambers if c.is_group_member]
    assert group and all(Membership.objects.filter(
        member=c, organisation=sample.federation, status=MembershipStatus.ADMITTED,
    ).exists() for c in group)


def test_party_organisations_follow_the_three_member_rule(sample: SampleCity) -> None:
    enterprises = Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)
    forms = Counter(enterprises.values_list("party_org_form", flat=True))
    assert forms[PartyOrgForm.OWN] > 0 and forms[PartyOrgForm.NONE] > 0
    assert not enterprises.filter(party_org_form=PartyOrgForm.OWN,
                                  party_member_count__lt=3).exists()
    assert not enterprises.filter(party_org_form=PartyOrgForm.NONE,
                                  party_member_count__gt=0).exists()


def test_one_demo_account_per_role(sample: SampleCity, settings: Any) -> None:
    # The module's city was built with the project's real hashers, before this test's
    # fast test hasher was put in place.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    users = list(User.objects.select_related("organisation").order_by("id"))
    assert Counter(u.role for u in users) == dict.fromkeys(Role.values, 1)
    assert all(u.password.startswith("argon2$") for u in users)
    assert users[0].check_password(DEMO_PASSWORD)
    by_name = {u.username: u for u in users}
    assert by_name["admin"].role == Role.ADMIN and by_name["admin"].organisation is None
    assert by_name["chamber"].organisation.name == "杭州市互联网商会"
    assert by_name["dept"].organisation.name == "杭州市市场监督管理局"
    assert by_name["fed"].organisation == by_name["auditor"].organisation == sample.federation
    # The enterprise user's company still has to re-sign the revised commitment.
    items = unsigned_memberships(by_name["enterprise"])
    assert [m.organisation.name for m in items] == ["杭州市互联网商会"]
    assert unsigned_memberships(by_name["chamber"]).count() >= 1
    assert [a.username for a in sample.accounts] == list(by_name)


def test_everything_is_audited_as_the_system_and_the_chain_verifies(sample: SampleCity) -> None:
    report = verify_chain()
    assert report.ok, report.reason
    assert report.checked == AuditRecord.objects.count()
    created = set(AuditRecord.objects.filter(
        object_type="registry.organisation", action="create",
    ).values_list("object_id", flat=True))
    assert created == {str(pk) for pk in Organisation.objects.values_list("pk", flat=True)}
    assert not AuditRecord.objects.filter(actor__isnull=False).exists()
    assert AuditRecord.objects.filter(event="membership.admitted").count() == (
        Membership.objects.filter(admitted_at__isnull=False).count()
    )


def test_refuses_a_database_that_holds_data(sample: SampleCity) -> None:
    before = Organisation.objects.count()
    with pytest.raises(SampleCityError, match="只能导入空数据库"):
        build_sample_city(enterprises=ENTERPRISES)
    assert Organisation.objects.count() == before


def test_sample_city_has_last_years_published_campaign(sample: SampleCity) -> None:
    from qinglian.evaluation.choices import CampaignStatus, ExemplarStatus, RecheckStatus
    from qinglian.evaluation.models import Campaign, Exemplar, RecheckRequest, ResultRevision

    last = Campaign.objects.get(year=TODAY.year - 1)
    assert last.status == CampaignStatus.PUBLISHED and last.spot_check_seed == TODAY.year - 1
    assessments = last.assessments.all()
    from qinglian.evaluation.actions import participants

    assert assessments.count() == len(participants(last)) > ENTERPRISES * 0.8  # active members
    assert assessments.filter(vetoed=True, grade="不达标").count() == 4
    assert {a.grade for a in assessments} >= {"标杆", "优秀", "达标", "不达标"}
    assert RecheckRequest.objects.get().status == RecheckStatus.CHANGED
    assert ResultRevision.objects.filter(revision=2).exists()
    assert Exemplar.objects.filter(status=ExemplarStatus.PUBLISHED).count() >= 1


def test_sample_city_has_this_years_open_campaign(sample: SampleCity) -> None:
    from qinglian.core.models import User
    from qinglian.evaluation.choices import AssessmentStatus, CampaignStatus
    from qinglian.evaluation.models import Campaign

    current = Campaign.objects.get(year=TODAY.year)
    assert current.status == CampaignStatus.SELF_ASSESSMENT
    statuses = set(current.assessments.values_list("status", flat=True))
    assert {AssessmentStatus.PENDING, AssessmentStatus.DRAFT, AssessmentStatus.SUBMITTED} <= statuses
    demo = User.objects.get(username="enterprise")
    assert current.assessments.get(enterprise=demo.organisation).status == AssessmentStatus.DRAFT
