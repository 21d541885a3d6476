"""Writes the sample city through the actions, in the order things happen in a real city."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from qinglian.core.actions import do_create_user
from qinglian.core.choices import Role

from .. import actions
from ..choices import (
    EnterpriseSize,
    Gender,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
    Ownership,
    PartyOrgForm,
    PositionTitle,
)
from ..industries import DIVISIONS
from ..models import Commitment, Membership, Organisation, Person
from .city import DEMO_PASSWORD, DemoAccount, SampleCity
from .lexicon import Particulars, lexicon
from .plans import EnterprisePlan, EnterprisePlanner

#: progress(stage, done, total)
ProgressFn = Callable[[str, int, int], None]

NUMERALS = "一二三四五六七八九十"
HISTORY_YEARS = 8  # memberships date back at most this many years
RESIGN_SHARE = 0.65  # of active members who have re-signed a revised commitment
#: share of enterprises with a party-building liaison officer, by party organisation form
LIAISON_RATE: dict[str, float] = {
    PartyOrgForm.NONE.value: 0.7, PartyOrgForm.JOINT.value: 0.4,
    PartyOrgForm.ATTACHED.value: 0.4,
}
LEADER_TITLES: dict[str, str] = {
    MembershipRole.PRESIDENT.value: PositionTitle.PRESIDENT,
    MembershipRole.VICE_PRESIDENT.value: PositionTitle.VICE_PRESIDENT,
    MembershipRole.SUPERVISOR.value: PositionTitle.CHIEF_SUPERVISOR,
}


class CityBuilder:
    def __init__(self, rng: random.Random, today: dt.date, progress: ProgressFn | None) -> None:
        self.rng = rng
        self.today = today
        self.progress: ProgressFn = progress or (lambda stage, done, total: None)
        self.lex = lexicon()
        self.p = Particulars(rng, today)
        self.planner = EnterprisePlanner(rng, self.p)
        self.specs = self.planner.specs
        self.chambers: dict[str, Organisation] = {}
        self.commitments: dict[str, Commitment] = {}
        self.elections: dict[str, dt.date] = {}
        self.secretaries: dict[str, Person] = {}
        self.birth_years: dict[int, int] = {}

    def build(self, count: int) -> SampleCity:
        self.fed = self._federation()
        departments = self._departments()
        self._chambers()
        self._publish_commitments()
        self._group_memberships()
        plans = self.planner.plan(count)
        for done, plan in enumerate(plans, 1):
            self._create_enterprise(plan)
            if not plan.pending:
                self._join(plan, plan.chamber, plan.role)
                if plan.second_chamber:
                    self._join(plan, plan.second_chamber, MembershipRole.MEMBER)
            self.progress("企业", done, count)
        self._chamber_leaders(plans)
        self._change_statuses(plans)
        demo_member = self._revise_commitment(plans)
        self._pending_applications(plans)
        accounts = self._accounts(departments[0], demo_member)
        self.progress("演示账户", len(accounts), len(accounts))
        return SampleCity(self.fed, list(self.chambers.values()), departments,
                          [p.org for p in plans if p.org is not None], accounts)

    # --- people ----------------------------------------------------------------------------

    def _person(
        self, *, pool: str = "zhejiang", born: tuple[int, int] = (1962, 1995),
        party_rate: float = 0.2, male_rate: float = 0.8,
    ) -> Person:
        male = self.rng.random() < male_rate
        name = self.p.person_name(male)
        birthday, birthplace = self.p.birth(pool, *born)
        person = actions.do_create_person(
            actor=None, name=name, federation=self.fed,
            id_number=self.p.id_number(birthplace, birthday, male), phone=self.p.mobile(),
            gender=Gender.MALE if male else Gender.FEMALE,
            is_party_member=self.rng.random() < party_rate,
        )
        self.birth_years[person.pk] = birthday.year
        return person

    def _position(self, person: Person, org: Organisation, title: str, start: dt.date) -> None:
        actions.do_add_position(actor=None, person=person, organisation=org, title=title,
                                start_on=start)

    # --- federation, departments, chambers ----------------------------------------------------

    def _federation(self) -> Organisation:
        return actions.do_create_organisation(
            actor=None, kind=OrganisationKind.FEDERATION, industry="95",
            party_org_form=PartyOrgForm.OWN, party_member_count=self.rng.randint(40, 60),
            **self.lex["federation"],
        )

    def _departments(self) -> list[Organisation]:
        return [
            actions.do_create_organisation(
                actor=None, kind=OrganisationKind.DEPARTMENT, federation=self.fed,
                region="330100", uscc=self.p.uscc("330100", authority="1", kind="1"),
                industry="92", contact_phone=self.p.landline(), **spec,
            )
            for spec in self.lex["departments"]
        ]

    def _chambers(self) -> None:
        """Each chamber with its party-building liaison and secretary general, elected
        (换届) one to four years ago."""
        for key, spec in self.specs.items():
            founded = dt.date.fromisoformat(spec["established_on"])
            liaison = self._person(born=(1970, 1995), party_rate=1.0, male_rate=0.5)
            self.chambers[key] = chamber = actions.do_create_organisation(
                actor=None, kind=spec["kind"], name=spec["name"], short_name=spec["short_name"],
                federation=self.fed, chamber_kind=spec["chamber_kind"], region=spec["region"],
                hometown_region=spec["hometown_region"], industry="95",
                uscc=self.p.uscc("330100", authority="5", kind="1"), established_on=founded,
                address=spec["address"], contact_phone=self.p.landline(),
                description=f"{spec['name']}成立于{founded.year}年，{spec['description']}",
                is_group_member=spec["group_member"], party_org_form=PartyOrgForm.OWN,
                party_member_count=self.rng.randint(8, 60), party_liaison=liaison,
            )
            self.elections[key] = elected = self.p.date_between(self.p.years_ago(4),
                                                                self.p.years_ago(1))
            secretary = self._person(pool=spec["birthplaces"], born=(1968, 1990), party_rate=0.6)
            self.secretaries[key] = secretary
            self._position(secretary, chamber, PositionTitle.SECRETARY_GENERAL, elected)
            self._position(liaison, chamber, PositionTitle.LIAISON, elected)
            self.progress("商会和协会", len(self.chambers), len(self.specs))

    def _commitment_body(self, chamber: Organisation, pledges: list[str]) -> str:
        text = self.lex["commitment"]
        lines = [text["preamble"].format(chamber=chamber.name), ""]
        lines += [f"{NUMERALS[i]}、{pledge}" for i, pledge in enumerate(pledges)]
        lines += ["", text["closing"].format(chamber=chamber.name)]
        return "\n".join(lines)

    def _publish_commitments(self) -> None:
        for key, chamber in self.chambers.items():
            body = self._commitment_body(chamber, self.lex["commitment"]["pledges"])
            draft = actions.do_draft_commitment(actor=None, organisation=chamber, body=body)
            # The first versions predate every signature in the sample's history.
            published = self.p.office_hours(self.p.years_ago(HISTORY_YEARS) - dt.timedelta(days=30))
            self.commitments[key] = actions.do_publish_commitment(
                draft, actor=None, published_at=published)

    def _group_memberships(self) -> None:
        """Chambers that joined the federation as group members (团体会员)."""
        for key, chamber in self.chambers.items():
            if not self.specs[key]["group_member"]:
                continue
            membership = actions.do_apply_membership(
                actor=None, member=chamber, organisation=self.fed, role=MembershipRole.DIRECTOR,
            )
            founded = chamber.established_on or self.p.years_ago(10)
            joined = self.p.date_between(founded, founded + dt.timedelta(days=365))
            actions.do_admit_member(membership, actor=None, joined_on=joined)

    # --- enterprises ------------------------------------------------------------------------

    def _create_enterprise(self, plan: EnterprisePlan) -> None:
        state = plan.ownership == Ownership.STATE
        rep = self._person(pool=self.specs[plan.chamber]["birthplaces"],
                           party_rate=0.7 if state else 0.2)
        liaison = None
        if self.rng.random() < LIAISON_RATE.get(plan.party_org_form, 0.0):
            liaison = self._person(born=(1975, 1998), party_rate=1.0, male_rate=0.5)
        plan.org = org = actions.do_create_organisation(
            actor=None, kind=OrganisationKind.ENTERPRISE, name=plan.name,
            short_name=plan.short_name, uscc=self.p.uscc(plan.region), federation=self.fed,
            region=plan.region, address=self.p.address(plan.region), industry=plan.industry,
            ownership=plan.ownership, size=plan.size, established_on=plan.established_on,
            employee_count=plan.employee_count, party_org_form=plan.party_org_form,
            party_member_count=plan.party_members, party_liaison=liaison,
            contact_phone=self.p.landline(), tags=plan.tags,
            description=(f"成立于{plan.established_on.year}年，主要从事{DIVISIONS[plan.industry]}"
                         f"领域业务，现有从业人员{plan.employee_count}人。"),
        )
        plan.legal_rep = rep
        # A younger successor may have taken over: the post starts once both existed.
        adult = dt.date(self.birth_years[rep.pk] + 25, 7, 1)
        since = min(max(plan.established_on, adult), self.p.days_ago(30))
        self._position(rep, org, PositionTitle.LEGAL_REPRESENTATIVE, since)
        if not state and self.rng.random() < 0.6:
            self._position(rep, org, PositionTitle.ENTREPRENEUR, since)
        if liaison is not None:
            start = self.p.date_between(max(plan.established_on, self.p.years_ago(5)),
                                        self.p.days_ago(30))
            self._position(liaison, org, PositionTitle.LIAISON, start)

    def _sign(self, plan: EnterprisePlan, key: str, when: dt.datetime | None = None) -> None:
        assert plan.org is not None and plan.legal_rep is not None
        actions.do_sign_commitment(
            actor=None, commitment=self.commitments[key], member=plan.org,
            signer_name=plan.legal_rep.name, signer_title="法定代表人",
            signer_person=plan.legal_rep, signed_at=when,
        )

    def _join(self, plan: EnterprisePlan, key: str, role: str) -> None:
        """Apply, sign the chamber's integrity commitment, then be admitted (告知承诺制)."""
        assert plan.org is not None
        chamber = self.chambers[key]
        membership = actions.do_apply_membership(
            actor=None, member=plan.org, organisation=chamber, role=role,
        )
        earliest = max(chamber.established_on or plan.established_on, plan.established_on,
                       self.p.years_ago(HISTORY_YEARS))
        joined = self.p.date_between(earliest, self.p.days_ago(45))
        signed = max(joined - dt.timedelta(days=self.rng.randint(1, 14)), earliest)
        self._sign(plan, key, self.p.office_hours(signed))
        plan.memberships[key] = actions.do_admit_member(membership, actor=None, joined_on=joined)

    def _chamber_leaders(self, plans: list[EnterprisePlan]) -> None:
        """会长, 副会长 and 监事长 are the legal representatives of the leading member units."""
        for plan in plans:
            title = LEADER_TITLES.get(plan.role)
            if title is None or plan.pending or plan.legal_rep is None:
                continue
            self._position(plan.legal_rep, self.chambers[plan.chamber], title,
                           self.elections[plan.chamber])

    def _change_statuses(self, plans: list[EnterprisePlan]) -> None:
        """A few ordinary members were suspended, withdrew or lost their membership."""
        notes = self.lex["notes"]
        for plan in plans:
            membership = plan.memberships.get(plan.chamber)
            if membership is None or plan.role != MembershipRole.MEMBER:
                continue
            roll = self.rng.random()
            joined = membership.joined_on or self.today
            left = self.p.date_between(min(joined + dt.timedelta(days=30), self.today), self.today)
            change: dict[str, Any] = {}
            if roll < 0.02:
                change = {"to": MembershipStatus.SUSPENDED, "note": notes["suspended"]}
            elif roll < 0.045:
                change = {"to": MembershipStatus.WITHDRAWN, "note": notes["withdrawn"],
                          "left_on": left}
            elif roll < 0.05:
                change = {"to": MembershipStatus.REVOKED, "note": notes["revoked"],
                          "left_on": left}
            if change:
                change["note"] = self.rng.choice(change["note"])
                actions.do_change_membership_status(membership, actor=None, **change)

    def _revise_commitment(self, plans: list[EnterprisePlan]) -> Organisation:
        """One chamber publishes a second version; about two in three active members have
        re-signed it, the others are re-sign items. Returns a member that has not re-signed."""
        revision = self.lex["commitment"]["revision"]
        key = revision["chamber"]
        chamber = self.chambers[key]
        pledges = list(self.lex["commitment"]["pledges"])
        pledges.insert(3, revision["pledge"])
        draft = actions.do_draft_commitment(
            actor=None, organisation=chamber, body=self._commitment_body(chamber, pledges),
        )
        self.commitments[key] = actions.do_publish_commitment(draft, actor=None)
        by_org = {p.org.pk: p for p in plans if p.org is not None}
        active = list(Membership.objects.filter(
            organisation=chamber, status=MembershipStatus.ADMITTED,
        ).order_by("pk"))
        demo = next((m for m in active if by_org[m.member_id].size == EnterpriseSize.MEDIUM
                     and m.role == MembershipRole.MEMBER), active[0])
        for membership in active:
            if membership.pk != demo.pk and self.rng.random() < RESIGN_SHARE:
                self._sign(by_org[membership.member_id], key)
        member = by_org[demo.member_id].org
        assert member is not None
        return member

    def _pending_applications(self, plans: list[EnterprisePlan]) -> None:
        """New applicants: about half have signed the current commitment and await admission."""
        for plan in plans:
            if not plan.pending or plan.org is None:
                continue
            actions.do_apply_membership(
                actor=None, member=plan.org, organisation=self.chambers[plan.chamber],
            )
            if self.rng.random() < 0.5:
                self._sign(plan, plan.chamber)

    # --- accounts ----------------------------------------------------------------------------

    def _accounts(self, department: Organisation, demo_member: Organisation) -> list[DemoAccount]:
        """One account per role; the chamber officer works for the internet chamber, whose
        revised commitment the enterprise user's company has yet to re-sign."""
        wanted: list[tuple[str, str, Organisation | None, str]] = [
            ("admin", Role.ADMIN, None, "平台管理员"),
            ("fed", Role.FEDERATION_OFFICER, self.fed, self.p.person_name(True)),
            ("chamber", Role.CHAMBER_OFFICER, self.chambers["internet"],
             self.secretaries["internet"].name),
            ("enterprise", Role.ENTERPRISE_USER, demo_member, self.p.person_name(False)),
            ("dept", Role.DEPARTMENT_HANDLER, department, self.p.person_name(True)),
            ("auditor", Role.AUDITOR, self.fed, self.p.person_name(False)),
        ]
        accounts = []
        for username, role, org, display_name in wanted:
            do_create_user(
                actor=None, username=username, password=DEMO_PASSWORD, role=role,
                organisation=org, display_name=display_name, is_staff=role == Role.ADMIN,
            )
            accounts.append(DemoAccount(username, role, org.name if org else "—", display_name))
        return accounts
