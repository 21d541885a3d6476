"""Shared fixtures: a small city built through the real actions, and one user per role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.registry import actions
from qinglian.registry.identifiers import synthesise_uscc
from qinglian.registry.models import Commitment, Membership, Organisation, Person

PASSWORD = "Qinglian-Test-2026"

#: The city's commitments were published on paper before the platform; members signed since.
PUBLISHED_AT = dt.datetime(2024, 1, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# Real, valid unified social credit codes (check characters verified with python-stdnum).
USCC_HUAWEI = "914403001922038216"


def make_uscc(n: int) -> str:
    """A valid USCC for test enterprise number n (registered in Hangzhou, 330100)."""
    return synthesise_uscc("330100", 900_000 + n)


@dataclass
class City:
    federation: Organisation
    other_federation: Organisation
    chamber: Organisation
    other_chamber: Organisation
    department: Organisation
    enterprises: list[Organisation]
    outsider: Organisation  # an enterprise in another federation's jurisdiction
    commitment: Commitment
    memberships: list[Membership]
    person: Person  # legal representative of enterprises[0]
    outsider_person: Person  # a person in the other federation
    users: dict[str, User] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        client = Client()
        client.force_login(self.users[role])
        return client


def make_user(username: str, role: str, organisation: Organisation | None, **extra: Any) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, organisation=organisation,
        display_name=extra.pop("display_name", username), **extra,
    )
    return user


def build_city() -> City:
    fed = actions.do_create_organisation(
        actor=None, kind="federation", name="杭州市工商业联合会", short_name="杭州市工商联",
        region="330100",
    )
    other_fed = actions.do_create_organisation(
        actor=None, kind="federation", name="宁波市工商业联合会", region="330200",
    )
    chamber = actions.do_create_organisation(
        actor=None, kind="chamber", name="杭州市互联网商会", federation=fed,
        chamber_kind="industry", region="330100", uscc=synthesise_uscc("330100", 1, authority="5", kind="1"),
    )
    other_chamber = actions.do_create_organisation(
        actor=None, kind="chamber", name="杭州市温州商会", federation=fed,
        chamber_kind="hometown", region="330100", hometown_region="330300",
    )
    department = actions.do_create_organisation(
        actor=None, kind="department", name="杭州市市场监督管理局", federation=fed, region="330100",
    )
    enterprises = [
        actions.do_create_organisation(
            actor=None, kind="enterprise", name="华为技术有限公司", uscc=USCC_HUAWEI,
            federation=fed, region="330106", industry="39", ownership="private", size="large",
            tags=["listed", "key"],
        ),
        actions.do_create_organisation(
            actor=None, kind="enterprise", name="杭州清风软件有限公司", uscc=make_uscc(1),
            federation=fed, region="330108", industry="65", ownership="private", size="small",
            tags=["high_tech"],
        ),
        actions.do_create_organisation(
            actor=None, kind="enterprise", name="杭州瓯江贸易有限公司", uscc=make_uscc(2),
            federation=fed, region="330102", industry="51", ownership="private", size="micro",
        ),
    ]
    outsider = actions.do_create_organisation(
        actor=None, kind="enterprise", name="宁波港湾物流有限公司", uscc=make_uscc(3),
        federation=other_fed, region="330203", industry="58", ownership="state",
    )
    commitment = actions.do_draft_commitment(
        actor=None, organisation=chamber, body="我单位自愿加入杭州市互联网商会，郑重承诺：依法经营，不行贿受贿……",
    )
    actions.do_publish_commitment(commitment, actor=None, published_at=PUBLISHED_AT)
    other_commitment = actions.do_draft_commitment(
        actor=None, organisation=other_chamber, body="我单位郑重承诺：诚信经营，廉洁从业……",
    )
    actions.do_publish_commitment(other_commitment, actor=None, published_at=PUBLISHED_AT)
    memberships = []
    for ent, host, commit in (
        (enterprises[0], chamber, commitment),
        (enterprises[1], chamber, commitment),
        (enterprises[2], other_chamber, other_commitment),
    ):
        m = actions.do_apply_membership(actor=None, member=ent, organisation=host)
        actions.do_sign_commitment(actor=None, commitment=commit, member=ent, signer_name="法人代表")
        actions.do_admit_member(m, actor=None)
        memberships.append(m)
    person = actions.do_create_person(
        actor=None, name="周清源", federation=fed, id_number="330106198501011231",
        phone="13705710001", is_party_member=True,
    )
    actions.do_add_position(actor=None, person=person, organisation=enterprises[0],
                            title="legal_representative")
    outsider_person = actions.do_create_person(
        actor=None, name="李港", federation=other_fed, phone="13900001111",
    )
    actions.do_add_position(actor=None, person=outsider_person, organisation=outsider,
                            title="legal_representative")
    city = City(fed, other_fed, chamber, other_chamber, department, enterprises, outsider,
                commitment, memberships, person, outsider_person)
    city.users = {
        Role.ADMIN: make_user("admin", Role.ADMIN, None, is_staff=True),
        Role.FEDERATION_OFFICER: make_user("fed", Role.FEDERATION_OFFICER, fed),
        Role.CHAMBER_OFFICER: make_user("chamber", Role.CHAMBER_OFFICER, chamber),
        Role.ENTERPRISE_USER: make_user("enterprise", Role.ENTERPRISE_USER, enterprises[0]),
        Role.DEPARTMENT_HANDLER: make_user("dept", Role.DEPARTMENT_HANDLER, department),
        Role.AUDITOR: make_user("auditor", Role.AUDITOR, fed),
    }
    return city


@pytest.fixture
def city(db: None) -> City:
    return build_city()


@pytest.fixture(autouse=True, scope="session")
def _data_directory_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What the platform writes under QINGLIAN_HOME while it runs (monitoring datasets and
    runs — the sample city loads some —, imports) goes to a temporary directory, never into
    the checkout's ``var/``, where a test's dataset version would replace a developer's demo
    data of the same number."""
    from django.test import override_settings

    with override_settings(QINGLIAN_HOME=tmp_path_factory.mktemp("qinglian-home")):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    test_security.py checks the real setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
