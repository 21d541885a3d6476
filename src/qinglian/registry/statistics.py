"""The figures on the dashboard, over the signed-in user's scope.

Each figure is one aggregate query (``values().annotate(Count)``), so the dashboard costs the
same number of queries for ten enterprises as for a hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from qinglian.core.formatting import percent
from qinglian.core.permissions import restrict

from . import industries
from .choices import (
    ACTIVE_MEMBERSHIP,
    BODY_KINDS,
    CommitmentStatus,
    OrganisationKind,
    Ownership,
    PartyOrgForm,
)
from .models import Commitment, Membership, Organisation, Signature, Tag
from .queries import list_memberships, unsigned_memberships
from .regions import short_region_name

NOT_FILLED = "未填写"


@dataclass(frozen=True)
class RegistryFigures:
    """The stat cards: how many, and how well covered by party organisations and pledges."""

    hosts: int
    enterprises: int
    active_memberships: int
    party_covered: int
    pledged: int
    resign_pending: int

    @property
    def party_coverage(self) -> str:
        return percent(self.party_covered, self.enterprises)

    @property
    def pledge_coverage(self) -> str:
        return percent(self.pledged, self.active_memberships)


@dataclass
class Chart:
    """One chart's series, ready for ``json_script`` and static/js/charts.js."""

    title: str
    kind: str  # "bar" or "pie"
    labels: list[str] = field(default_factory=list)
    values: list[int] = field(default_factory=list)

    def add(self, label: str, value: int) -> None:
        self.labels.append(label)
        self.values.append(value)

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "kind": self.kind, "labels": self.labels,
                "values": self.values}


def _has_party_work() -> Q:
    """An enterprise is covered by party work when it has an organisation or a liaison officer."""
    return ~Q(party_org_form=PartyOrgForm.NONE) | Q(party_liaison__isnull=False)


def _signed_current() -> Exists:
    """The membership's member signed its host's current (published) commitment."""
    return Exists(Signature.objects.filter(
        member_id=OuterRef("member_id"),
        commitment__organisation_id=OuterRef("organisation_id"),
        commitment__status=CommitmentStatus.PUBLISHED,
    ))


def _chamber_memberships(user: Any) -> QuerySet[Membership]:
    return restrict(Membership.objects.all(), user).filter(
        status__in=[s.value for s in ACTIVE_MEMBERSHIP], organisation__kind__in=BODY_KINDS,
    )


def registry_figures(user: Any) -> RegistryFigures:
    """Chambers and associations, enterprises, active memberships and their coverage."""
    orgs = restrict(Organisation.objects.all(), user).order_by().aggregate(
        hosts=Count("pk", filter=Q(kind__in=BODY_KINDS)),
        enterprises=Count("pk", filter=Q(kind=OrganisationKind.ENTERPRISE)),
        party_covered=Count("pk", filter=Q(kind=OrganisationKind.ENTERPRISE) & _has_party_work()),
    )
    members = _chamber_memberships(user).order_by().annotate(signed=_signed_current()).aggregate(
        total=Count("pk"), pledged=Count("pk", filter=Q(signed=True)),
    )
    return RegistryFigures(
        hosts=orgs["hosts"], enterprises=orgs["enterprises"],
        active_memberships=members["total"], party_covered=orgs["party_covered"],
        pledged=members["pledged"], resign_pending=unsigned_memberships(user).count(),
    )


def _grouped(qs: QuerySet[Organisation], key: str) -> list[dict[str, Any]]:
    return list(qs.order_by().values(key).annotate(n=Count("pk")).order_by("-n", key))


def registry_charts(user: Any) -> dict[str, dict[str, Any]]:
    """Enterprises in scope by industry section, tag, district, ownership and party-org form."""
    enterprises = restrict(Organisation.objects.all(), user).filter(
        kind=OrganisationKind.ENTERPRISE,
    )
    section = Chart("按行业门类", "bar")
    for row in _grouped(enterprises, "industry_section"):
        code = row["industry_section"]
        section.add(industries.SECTIONS.get(code, NOT_FILLED) if code else NOT_FILLED, row["n"])

    tag = Chart("按企业标签", "bar")
    tagged = {
        row["tags__code"]: row["n"]
        for row in enterprises.filter(tags__isnull=False).order_by()
        .values("tags__code").annotate(n=Count("pk"))
    }
    for t in Tag.objects.all():
        tag.add(t.name, tagged.get(t.code, 0))

    region = Chart("按所在地区", "bar")
    for row in _grouped(enterprises, "region"):
        region.add(short_region_name(row["region"]) if row["region"] else NOT_FILLED, row["n"])

    ownership = Chart("按所有制", "pie")
    labels = dict(Ownership.choices)
    for row in _grouped(enterprises, "ownership"):
        ownership.add(str(labels.get(row["ownership"], NOT_FILLED)), row["n"])

    party = Chart("党组织组建方式", "pie")
    forms = dict(PartyOrgForm.choices)
    for row in _grouped(enterprises, "party_org_form"):
        party.add(str(forms.get(row["party_org_form"], NOT_FILLED)), row["n"])

    charts = {"section": section, "tag": tag, "region": region, "ownership": ownership,
              "party": party}
    return {key: chart.as_json() for key, chart in charts.items()}


def enterprise_memberships(user: Any) -> QuerySet[Membership]:
    """An enterprise user's memberships, each with its host's current commitment (if any)."""
    current = Commitment.objects.filter(
        organisation_id=OuterRef("organisation_id"), status=CommitmentStatus.PUBLISHED,
    ).values("pk")[:1]
    return list_memberships(user).annotate(
        current_commitment_id=Subquery(current), signed_current=_signed_current(),
    )


def resign_items(user: Any) -> QuerySet[Membership]:
    """Active memberships whose member must sign the host's new commitment version."""
    current = Commitment.objects.filter(
        organisation_id=OuterRef("organisation_id"), status=CommitmentStatus.PUBLISHED,
    )
    return unsigned_memberships(user).annotate(
        current_commitment_id=Subquery(current.values("pk")[:1]),
        current_version=Subquery(current.values("version")[:1]),
    )
