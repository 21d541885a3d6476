"""The registry's JSON API: organisations, people, memberships, commitments, signatures.

Every read goes through ``queries`` / ``restrict`` / ``access`` (out of scope answers 404
like missing); every write through ``actions``. A write first checks the object is visible
(404), then that the role may do it at all (403), then that the object is inside the part of
the scope the caller may change (404) — so an auditor hears "forbidden", not "not found".
Objects named in a request body that the caller cannot see answer 422 on that field.
"""

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import PatchDict, Query, Router, Status
from ninja.pagination import paginate

from qinglian.core.api import ERRORS, TRANSITION_ERRORS, Pagination
from qinglian.core.api_auth import api_user
from qinglian.core.choices import Role
from qinglian.core.models import User
from qinglian.core.permissions import WRITE, has_perm, require, restrict

from . import actions, queries
from .choices import OrganisationKind
from .models import Commitment, Membership, Organisation, Person, Position, Signature
from .schemas import (
    CommitmentFilter,
    CommitmentIn,
    CommitmentOut,
    MembershipDetailOut,
    MembershipFilter,
    MembershipIn,
    MembershipOut,
    OrganisationFilter,
    OrganisationIn,
    OrganisationOut,
    PersonDetailOut,
    PersonFilter,
    PersonIn,
    PersonOut,
    SignatureFilter,
    SignatureIn,
    SignatureOut,
    TransitionIn,
)
from .workflow import MEMBERSHIP_FLOW

router = Router(tags=["registry"])
T = TypeVar("T")

#: Which kinds of organisation each role may register (on top of registry.change_organisation).
CREATABLE_KINDS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(OrganisationKind.values),
    Role.FEDERATION_OFFICER: frozenset({
        OrganisationKind.CHAMBER, OrganisationKind.ASSOCIATION, OrganisationKind.ENTERPRISE,
        OrganisationKind.DEPARTMENT,
    }),
    Role.CHAMBER_OFFICER: frozenset({OrganisationKind.ENTERPRISE}),
}
#: Optional choice fields: the API's null is the model's blank.
BLANK_CHOICES = ("chamber_kind", "ownership", "size")


# --- shared helpers ------------------------------------------------------------------------


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Enum members from the schema as the plain strings the models store."""
    return {k: v.value if isinstance(v, enum.Enum) else v for k, v in values.items()}


def _referenced(field: str, lookup: Callable[[], T]) -> T:
    """An object named in the request body, or a 422 on that field when it is not visible."""
    try:
        return lookup()
    except Http404 as exc:
        raise ValidationError({field: "未找到该记录，或不在您的权限范围内"}) from exc


def _one_of(qs: QuerySet[Organisation], pk: int) -> Organisation:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404(pk)
    return found


def _federation_for(user: User, requested: int | None, kind: str) -> Organisation | None:
    """The federation a new organisation or person belongs to.

    Officers register only inside their own federation's jurisdiction; a platform
    administrator names the federation.
    """
    if kind == OrganisationKind.FEDERATION:
        return None
    if user.role == Role.ADMIN:
        if requested is None:
            raise ValidationError({"federation": "请选择所属工商联"})
        federations = restrict(
            Organisation.objects.filter(kind=OrganisationKind.FEDERATION), user)
        return _referenced("federation", lambda: _one_of(federations, requested))
    home = queries.jurisdiction_id(user)
    if home is None or (requested is not None and requested != home):
        raise ValidationError({"federation": "只能在本工商联辖区内登记"})
    return Organisation.objects.get(pk=home)


def _liaison(user: User, fields: dict[str, Any]) -> None:
    if fields.get("party_liaison") is not None:
        pk = fields["party_liaison"]
        fields["party_liaison"] = _referenced("party_liaison",
                                              lambda: queries.access_person(user, pk))


# --- organisations -------------------------------------------------------------------------


@router.get("/organisations", response={200: list[OrganisationOut], **ERRORS},
            summary="组织列表", tags=["组织"])
@paginate(Pagination)
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilter]
) -> QuerySet[Organisation]:
    """Filters are those of the organisation list page (name / USCC / pinyin initials…)."""
    f = queries.OrganisationFilter(**{k: v or "" for k, v in _plain(filters.dict()).items()
                                      if k != "chamber"}, chamber=filters.chamber)
    return queries.list_organisations(api_user(request), f).prefetch_related("tags")


@router.get("/organisations/{int:pk}", response={200: OrganisationOut, **ERRORS},
            summary="组织详情", tags=["组织"])
def get_organisation(request: HttpRequest, pk: int) -> Organisation:
    return queries.access_organisation(api_user(request), pk)


@router.post("/organisations", response={201: OrganisationOut, **ERRORS},
             summary="登记组织", tags=["组织"])
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    """Officers register inside their jurisdiction: a chamber its enterprises, a federation its
    chambers, associations, enterprises and departments."""
    user = api_user(request)
    require(user, "registry.change_organisation")
    fields = _plain(payload.dict())
    kind = fields["kind"]
    if kind not in CREATABLE_KINDS.get(user.role, frozenset()):
        raise PermissionDenied(f"您不能登记“{OrganisationKind(kind).label}”类组织")
    for key in BLANK_CHOICES:
        fields[key] = fields[key] or ""
    fields["federation"] = _federation_for(user, fields["federation"], kind)
    _liaison(user, fields)
    tags = fields.pop("tags")
    org = actions.do_create_organisation(actor=user, tags=tags, **fields)
    return Status(201, org)


@router.patch("/organisations/{int:pk}", response={200: OrganisationOut, **ERRORS},
              summary="修改组织", tags=["组织"])
def update_organisation(
    request: HttpRequest, pk: int, payload: PatchDict[OrganisationIn]
) -> Organisation:
    """Only the fields sent change; an enterprise user may change its own enterprise."""
    user = api_user(request)
    queries.access_organisation(user, pk)
    require(user, "registry.change_own_enterprise" if user.role == Role.ENTERPRISE_USER
            else "registry.change_organisation")
    org = queries.access_organisation(user, pk, WRITE)
    fields = _plain(dict(payload))
    fields.pop("kind", None)
    requested = fields.pop("federation", None)
    if requested is not None and requested != org.federation_id:
        if user.role != Role.ADMIN:
            raise ValidationError({"federation": "不能变更所属工商联"})
        fields["federation"] = _federation_for(user, requested, org.kind)
    for key in BLANK_CHOICES:
        if key in fields and fields[key] is None:
            fields[key] = ""
    _liaison(user, fields)
    tags = fields.pop("tags", None)
    return actions.do_update_organisation(org, actor=user, tags=tags, **fields)


# --- people --------------------------------------------------------------------------------


@router.get("/people", response={200: list[PersonOut], **ERRORS}, summary="人员列表",
            tags=["人员"])
@paginate(Pagination)
def list_people(request: HttpRequest, filters: Query[PersonFilter]) -> QuerySet[Person]:
    """A complete ID number or phone number finds its person exactly, through the keyed hash."""
    return queries.list_people(api_user(request), filters.q)


@router.get("/people/{int:pk}", response={200: PersonDetailOut, **ERRORS},
            summary="人员详情（脱敏）", tags=["人员"])
def get_person(request: HttpRequest, pk: int) -> Person:
    """Current posts first; the positions are those inside the caller's scope."""
    user = api_user(request)
    person = queries.access_person(user, pk)
    positions = restrict(Position.objects.select_related("organisation"), user).order_by(
        F("end_on").desc(nulls_first=True), "-start_on", "id")
    prefetch_related_objects([person], Prefetch("positions", queryset=positions))
    return person


@router.post("/people", response={201: PersonOut, **ERRORS}, summary="登记人员",
             tags=["人员"])
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    """ID number and phone are encrypted at rest and answered masked."""
    user = api_user(request)
    require(user, "registry.change_person")
    fields = _plain(payload.dict())
    federation = _federation_for(user, fields.pop("federation"), OrganisationKind.ENTERPRISE)
    if federation is None:  # only a federation itself has none; never for a person
        raise ValidationError({"federation": "请选择所属工商联"})
    person = actions.do_create_person(actor=user, federation=federation, **fields)
    return Status(201, person)


@router.patch("/people/{int:pk}", response={200: PersonOut, **ERRORS}, summary="修改人员",
              tags=["人员"])
def update_person(request: HttpRequest, pk: int, payload: PatchDict[PersonIn]) -> Person:
    """Only the fields sent change; an empty ID number or phone clears it."""
    user = api_user(request)
    queries.access_person(user, pk)
    require(user, "registry.change_person")
    person = queries.access_person(user, pk, WRITE)
    fields = _plain(dict(payload))
    fields.pop("federation", None)
    return actions.do_update_person(person, actor=user, **fields)


# --- memberships ---------------------------------------------------------------------------


@router.get("/memberships", response={200: list[MembershipOut], **ERRORS},
            summary="会员资格列表", tags=["会员资格"])
@paginate(Pagination)
def list_memberships(request: HttpRequest, filters: Query[MembershipFilter]) -> QuerySet[Any]:
    return queries.list_memberships(
        api_user(request), organisation=filters.organisation, member=filters.member,
        status=filters.status.value if filters.status else "", q=filters.q,
    )


@router.get("/memberships/{int:pk}", response={200: MembershipDetailOut, **ERRORS},
            summary="会员资格详情", tags=["会员资格"])
def get_membership(request: HttpRequest, pk: int) -> Membership:
    return queries.access_membership(api_user(request), pk)


@router.post("/memberships", response={201: MembershipDetailOut, **ERRORS},
             summary="申请入会", tags=["会员资格"])
def apply_membership(request: HttpRequest, payload: MembershipIn) -> Status[Membership]:
    """An enterprise user applies for its own enterprise to any chamber or association of its
    federation; officers file applications to the bodies they run, for enterprises of the
    jurisdiction (the same choices the application page offers)."""
    user = api_user(request)
    require(user, "registry.apply_membership" if user.role == Role.ENTERPRISE_USER
            else "registry.manage_membership")
    member = _referenced("member", lambda: _one_of(
        queries.membership_applicants(user), payload.member))
    host = _referenced("organisation", lambda: _one_of(
        queries.membership_hosts(user), payload.organisation))
    membership = actions.do_apply_membership(
        actor=user, member=member, organisation=host, role=payload.role.value,
        note=payload.note,
    )
    return Status(201, membership)


@router.post("/memberships/{int:pk}/transition",
             response={200: MembershipDetailOut, **TRANSITION_ERRORS},
             summary="变更会员资格状态（入会、暂停、恢复、退会、取消资格）", tags=["会员资格"])
def transition_membership(request: HttpRequest, pk: int, payload: TransitionIn) -> Membership:
    """Along the membership state table only (409 otherwise); admission still needs the signed
    current commitment (422)."""
    user = api_user(request)
    membership = queries.access_membership(user, pk)
    needed = MEMBERSHIP_FLOW.transitions.get((membership.status, payload.to.value))
    if needed is not None:
        require(user, needed)
    elif not (has_perm(user, "registry.manage_membership")
              or has_perm(user, "registry.admit_member")):
        raise PermissionDenied("您没有变更会员资格状态的权限")
    membership = queries.access_membership(user, pk, WRITE)
    return actions.do_change_membership_status(
        membership, to=payload.to.value, actor=user, note=payload.note,
    )


# --- commitments ---------------------------------------------------------------------------


@router.get("/commitments", response={200: list[CommitmentOut], **ERRORS},
            summary="承诺书列表", tags=["承诺书"])
@paginate(Pagination)
def list_commitments(request: HttpRequest, filters: Query[CommitmentFilter]) -> QuerySet[Any]:
    qs = restrict(Commitment.objects.select_related("organisation"), api_user(request))
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.status:
        qs = qs.filter(status=filters.status.value)
    return qs.order_by("organisation__name_pinyin", "organisation_id", "-version")


@router.get("/commitments/{int:pk}", response={200: CommitmentOut, **ERRORS},
            summary="承诺书详情（含正文与 SHA-256）", tags=["承诺书"])
def get_commitment(request: HttpRequest, pk: int) -> Commitment:
    return queries.access_commitment(api_user(request), pk)


@router.post("/commitments", response={201: CommitmentOut, **ERRORS},
             summary="起草承诺书新版本", tags=["承诺书"])
def draft_commitment(request: HttpRequest, payload: CommitmentIn) -> Status[Commitment]:
    user = api_user(request)
    require(user, "registry.manage_commitment")
    organisation = _referenced("organisation", lambda: queries.access_organisation(
        user, payload.organisation, WRITE))
    commitment = actions.do_draft_commitment(
        actor=user, organisation=organisation, body=payload.body, title=payload.title,
    )
    return Status(201, commitment)


@router.post("/commitments/{int:pk}/publish", response={200: CommitmentOut, **ERRORS},
             summary="发布承诺书（旧版本被替代，会员须重新签署）", tags=["承诺书"])
def publish_commitment(request: HttpRequest, pk: int) -> Commitment:
    user = api_user(request)
    queries.access_commitment(user, pk)
    require(user, "registry.manage_commitment")
    commitment = queries.access_commitment(user, pk, WRITE)
    return actions.do_publish_commitment(commitment, actor=user)


# --- signatures ----------------------------------------------------------------------------


def _signatures(user: User) -> QuerySet[Signature]:
    return restrict(
        Signature.objects.select_related("commitment__organisation", "member"), user
    )


@router.get("/signatures", response={200: list[SignatureOut], **ERRORS},
            summary="承诺书签署记录", tags=["承诺书"])
@paginate(Pagination)
def list_signatures(request: HttpRequest, filters: Query[SignatureFilter]) -> QuerySet[Any]:
    qs = _signatures(api_user(request))
    if filters.commitment:
        qs = qs.filter(commitment_id=filters.commitment)
    if filters.member:
        qs = qs.filter(member_id=filters.member)
    return qs.order_by("-signed_at", "-id")


@router.post("/signatures", response={201: SignatureOut, **ERRORS},
             summary="签署承诺书", tags=["承诺书"])
def sign_commitment(request: HttpRequest, payload: SignatureIn) -> Status[Signature]:
    """The signature binds the SHA-256 of the exact text signed (告知承诺制)."""
    user = api_user(request)
    require(user, "registry.sign_commitment")
    commitment = _referenced("commitment", lambda: queries.access_commitment(
        user, payload.commitment))
    # Reading the member is enough: the action itself requires an open membership of the
    # commitment's chamber (an officer records an applicant's signature on paper).
    member = _referenced("member", lambda: queries.access_organisation(user, payload.member))
    signer = None
    if payload.signer_person is not None:
        signer_pk = payload.signer_person
        signer = _referenced("signer_person", lambda: queries.access_person(user, signer_pk))
    signed_at = payload.signed_at
    if signed_at is not None and timezone.is_naive(signed_at):
        signed_at = timezone.make_aware(signed_at)  # a bare time is Beijing time
    signature = actions.do_sign_commitment(
        actor=user, commitment=commitment, member=member, signer_name=payload.signer_name,
        signer_title=payload.signer_title, signer_person=signer, signed_at=signed_at,
    )
    return Status(201, _signatures(user).get(pk=signature.pk))

