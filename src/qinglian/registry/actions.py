"""The only code that writes registry data. Views, API, imports, CLI and the seed call these.

Every action is atomic and audited. ``actor=None`` means the system itself (the CLI or the
sample-city seed); any signed-in actor must hold the permission the action names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction, Role
from qinglian.core.crypto import (
    decrypt_text,
    encrypt_text,
    lookup_hash,
    mask_id_number,
    mask_phone,
)
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.permissions import require

from .choices import (
    BODY_KINDS,
    OPEN_MEMBERSHIP,
    CommitmentStatus,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
)
from .identifiers import clean_id_number, clean_phone, clean_uscc
from .models import Commitment, Membership, Organisation, Person, Position, Signature, Tag
from .queries import current_commitment
from .workflow import MEMBERSHIP_FLOW

Actor = User | None

ORGANISATION_FIELDS = (
    "kind", "name", "short_name", "uscc", "federation", "region", "address", "chamber_kind",
    "hometown_region", "industry", "ownership", "size", "established_on", "employee_count",
    "party_org_form", "party_member_count", "party_liaison", "is_group_member",
    "contact_phone", "description",
)


def _require(actor: Actor, perm: str) -> None:
    if actor is not None:
        require(actor, perm)


def _validate_organisation(org: Organisation) -> None:
    if org.uscc:
        try:
            org.uscc = clean_uscc(org.uscc)
        except ValueError as exc:
            raise ValidationError({"uscc": str(exc)}) from exc
        holder = Organisation.objects.filter(uscc=org.uscc).exclude(pk=org.pk).first()
        if holder is not None:
            raise ValidationError({"uscc": f"统一社会信用代码 {org.uscc} 已登记为“{holder.name}”"})
    else:
        org.uscc = None
    org.full_clean()


def _set_tags(org: Organisation, tags: list[str] | None) -> None:
    if tags is None:
        return
    known = set(Tag.objects.filter(code__in=tags).values_list("code", flat=True))
    unknown = sorted(set(tags) - known)
    if unknown:
        raise ValidationError({"tags": f"未知的企业标签：{'、'.join(unknown)}"})
    org.tags.set(Tag.objects.filter(code__in=known))


def _tag_codes(org: Organisation) -> list[str]:
    return sorted(org.tags.values_list("code", flat=True))


@transaction.atomic
def do_create_organisation(
    *, actor: Actor, tags: list[str] | None = None, **fields: Any
) -> Organisation:
    """Register a federation, chamber, association, enterprise or department."""
    _require(actor, "registry.change_organisation")
    org = Organisation(**{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    _validate_organisation(org)
    org.save()
    _set_tags(org, tags)
    after = snapshot(org) | {"tags": _tag_codes(org)}
    record_change(org, AuditAction.CREATE, actor=actor, after=after)
    return org


@transaction.atomic
def do_update_organisation(
    org: Organisation, *, actor: Actor, tags: list[str] | None = None, **fields: Any
) -> Organisation:
    """Change an organisation's particulars; the change log keeps before and after."""
    if actor is not None and actor.role == Role.ENTERPRISE_USER:
        require(actor, "registry.change_own_enterprise")
    else:
        _require(actor, "registry.change_organisation")
    lock(org)
    before = snapshot(org) | {"tags": _tag_codes(org)}
    for key, value in fields.items():
        if key not in ORGANISATION_FIELDS or key == "kind":
            continue
        setattr(org, key, value)
    _validate_organisation(org)
    org.save()
    _set_tags(org, tags)
    after = snapshot(org) | {"tags": _tag_codes(org)}
    if before != after:
        record_change(org, AuditAction.UPDATE, actor=actor, before=before, after=after)
    return org


def _apply_personal_data(person: Person, id_number: str | None, phone: str | None) -> None:
    errors: dict[str, str] = {}
    if id_number is not None:
        if id_number.strip():
            try:
                number = clean_id_number(id_number)
            except ValueError as exc:
                errors["id_number"] = str(exc)
            else:
                person.id_number_cipher = encrypt_text(number)
                person.id_number_hash = lookup_hash(number)
                person.id_number_masked = mask_id_number(number)
        else:
            person.id_number_cipher = person.id_number_hash = person.id_number_masked = ""
    if phone is not None:
        if phone.strip():
            try:
                digits = clean_phone(phone)
            except ValueError as exc:
                errors["phone"] = str(exc)
            else:
                person.phone_cipher = encrypt_text(digits)
                person.phone_hash = lookup_hash(digits)
                person.phone_masked = mask_phone(digits)
        else:
            person.phone_cipher = person.phone_hash = person.phone_masked = ""
    if errors:
        raise ValidationError(errors)


def _check_unique_id(person: Person) -> None:
    if person.id_number_hash and Person.objects.filter(
        federation_id=person.federation_id, id_number_hash=person.id_number_hash
    ).exclude(pk=person.pk).exists():
        raise ValidationError({"id_number": "该身份证号已登记在人员库中"})


@transaction.atomic
def do_create_person(
    *, actor: Actor, name: str, federation: Organisation, id_number: str = "", phone: str = "",
    gender: str = "", is_party_member: bool = False, notes: str = "",
) -> Person:
    """Register a person; ID number and phone are encrypted, hashed for search and masked."""
    _require(actor, "registry.change_person")
    person = Person(name=name.strip(), federation=federation, gender=gender,
                    is_party_member=is_party_member, notes=notes)
    _apply_personal_data(person, id_number, phone)
    _check_unique_id(person)  # before full_clean: its constraint message is not for users
    person.full_clean()
    person.save()
    record_change(person, AuditAction.CREATE, actor=actor, after=snapshot(person))
    return person


@transaction.atomic
def do_update_person(
    person: Person, *, actor: Actor, id_number: str | None = None, phone: str | None = None,
    **fields: Any,
) -> Person:
    _require(actor, "registry.change_person")
    lock(person)
    before = snapshot(person)
    for key in ("name", "gender", "is_party_member", "notes"):
        if key in fields:
            setattr(person, key, fields[key])
    _apply_personal_data(person, id_number, phone)
    _check_unique_id(person)  # before full_clean: its constraint message is not for users
    person.full_clean()
    person.save()
    after = snapshot(person)
    if before != after:
        record_change(person, AuditAction.UPDATE, actor=actor, before=before, after=after)
    return person


@transaction.atomic
def do_unmask_person(person: Person, *, actor: User, reason: str) -> dict[str, str]:
    """Show a person's ID number and phone in clear. Allowed roles only; every look is audited."""
    require(actor, "registry.unmask_person")
    if not reason.strip():
        raise ValidationError({"reason": "请填写查看原因"})
    record_event(person, "person.unmasked", actor=actor, details={"reason": reason.strip()})
    return {
        "id_number": decrypt_text(person.id_number_cipher),
        "phone": decrypt_text(person.phone_cipher),
    }


@transaction.atomic
def do_add_position(
    *, actor: Actor, person: Person, organisation: Organisation, title: str,
    start_on: dt.date | None = None,
) -> Position:
    _require(actor, "registry.change_person")
    position = Position(person=person, organisation=organisation, title=title, start_on=start_on)
    position.full_clean()
    position.save()
    record_change(position, AuditAction.CREATE, actor=actor, after=snapshot(position))
    return position


@transaction.atomic
def do_end_position(position: Position, *, actor: Actor, end_on: dt.date) -> Position:
    _require(actor, "registry.change_person")
    before = snapshot(position)
    position.end_on = end_on
    position.full_clean()
    position.save()
    record_change(position, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(position))
    return position


# --- memberships ---------------------------------------------------------------------------


@transaction.atomic
def do_apply_membership(
    *, actor: Actor, member: Organisation, organisation: Organisation,
    role: str = MembershipRole.MEMBER, note: str = "",
) -> Membership:
    """An enterprise applies to join a chamber (or a chamber to join the federation)."""
    if actor is not None and actor.role == Role.ENTERPRISE_USER:
        require(actor, "registry.apply_membership")
    else:
        _require(actor, "registry.manage_membership")
    if organisation.kind not in (OrganisationKind.FEDERATION, *BODY_KINDS):
        raise ValidationError({"organisation": "只能加入商会、行业协会或工商联"})
    if member.kind == OrganisationKind.ENTERPRISE and organisation.kind not in BODY_KINDS:
        raise ValidationError({"organisation": "企业应加入商会或行业协会"})
    if member.kind in BODY_KINDS and organisation.kind != OrganisationKind.FEDERATION:
        raise ValidationError({"organisation": "商会、协会只能作为团体会员加入工商联"})
    if member.kind not in (OrganisationKind.ENTERPRISE, *BODY_KINDS):
        raise ValidationError({"member": "只有企业、商会或协会可以成为会员"})
    jurisdiction = organisation.pk if organisation.kind == OrganisationKind.FEDERATION \
        else organisation.federation_id
    if member.federation_id != jurisdiction:
        raise ValidationError({"member": f"{member.name} 登记在其他工商联辖区，不能加入 {organisation.name}"})
    if Membership.objects.filter(
        member=member, organisation=organisation,
        status__in=[s.value for s in OPEN_MEMBERSHIP],
    ).exists():
        raise ValidationError({"member": f"{member.name} 已是或正在申请成为 {organisation.name} 的会员"})
    membership = Membership.objects.create(
        member=member, organisation=organisation, role=role, note=note,
        status=MembershipStatus.APPLIED, applied_at=timezone.now(),
    )
    record_change(membership, AuditAction.CREATE, actor=actor, after=snapshot(membership))
    record_event(membership, "membership.applied", actor=actor)
    return membership


@transaction.atomic
def do_sign_commitment(
    *, actor: Actor, commitment: Commitment, member: Organisation, signer_name: str,
    signer_title: str = "", signer_person: Person | None = None,
    signed_at: dt.datetime | None = None, scan: UploadedFile | None = None,
) -> Signature:
    """Record an enterprise's signature of one exact, published commitment version."""
    _require(actor, "registry.sign_commitment")
    if actor is not None and actor.role == Role.ENTERPRISE_USER and actor.organisation_id != member.pk:
        raise ValidationError({"member": "只能以本企业名义签署承诺书"})
    lock(commitment)  # a publication in between would supersede it: serialise with it
    if commitment.status != CommitmentStatus.PUBLISHED:
        raise ValidationError({"commitment": "只能签署现行版本的承诺书"})
    if not Membership.objects.filter(
        member=member, organisation_id=commitment.organisation_id,
        status__in=[s.value for s in OPEN_MEMBERSHIP],
    ).exists():
        raise ValidationError(
            {"member": f"{member.name} 不是 {commitment.organisation.name} 的会员或入会申请人"}
        )
    if not signer_name.strip():
        raise ValidationError({"signer_name": "请填写签署人姓名"})
    now = timezone.now()
    signed_at = signed_at or now
    if commitment.published_at and signed_at < commitment.published_at:
        raise ValidationError({"signed_at": "签署时间不能早于该版本承诺书的发布时间"})
    if signed_at > now:
        raise ValidationError({"signed_at": "签署时间不能晚于当前时间"})
    if Signature.objects.filter(commitment=commitment, member=member).exists():
        raise ValidationError({"commitment": f"{member.name} 已签署该版本承诺书"})
    if commitment.text_sha256 != Commitment.digest(commitment.title, commitment.body):
        raise ValidationError({"commitment": "承诺书正文校验失败，请联系管理员"})
    signature = Signature(
        commitment=commitment, member=member, signer_name=signer_name.strip(),
        signer_title=signer_title.strip(), signer_person=signer_person,
        signed_by=actor, signed_at=signed_at, text_sha256=commitment.text_sha256,
    )
    if scan is not None:
        signature.scan.save(scan.name or "scan.pdf", scan, save=False)
    signature.save()
    record_change(signature, AuditAction.CREATE, actor=actor, after=snapshot(signature))
    record_event(member, "commitment.signed", actor=actor, details={
        "commitment_id": commitment.pk, "organisation": commitment.organisation.name,
        "version": commitment.version, "sha256": commitment.text_sha256,
    })
    return signature


@transaction.atomic
def do_admit_member(
    membership: Membership, *, actor: Actor, joined_on: dt.date | None = None, note: str = "",
) -> Membership:
    """Admit an applicant. 告知承诺制: impossible unless the applicant has signed the chamber's
    current integrity commitment."""
    _require(actor, "registry.admit_member")
    lock(membership)
    commitment = current_commitment(membership.organisation_id)
    if commitment is not None:
        lock(commitment)  # serialise with a publication of a new version
        if commitment.status != CommitmentStatus.PUBLISHED:
            commitment = current_commitment(membership.organisation_id)
    if membership.member.kind == OrganisationKind.ENTERPRISE:
        if commitment is None:
            raise ValidationError(
                {"commitment": f"{membership.organisation.name} 尚未发布清廉企业共建承诺书，不能办理入会"}
            )
        if not Signature.objects.filter(commitment=commitment, member_id=membership.member_id).exists():
            raise ValidationError(
                {"commitment": f"{membership.member.name} 尚未签署现行承诺书（第 {commitment.version} 版），不能入会"}
            )
    MEMBERSHIP_FLOW.apply(
        membership, to=MembershipStatus.ADMITTED, actor=actor, note=note,
        changes={"joined_on": joined_on or timezone.localdate()},
    )
    return membership


@transaction.atomic
def do_change_membership_status(
    membership: Membership, *, to: str, actor: Actor, note: str = "",
    left_on: dt.date | None = None,
) -> Membership:
    """Suspend, resume, withdraw or revoke a membership through the state table."""
    if to == MembershipStatus.ADMITTED and membership.status == MembershipStatus.APPLIED:
        return do_admit_member(membership, actor=actor, note=note)
    lock(membership)
    changes: dict[str, Any] = {}
    if to in (MembershipStatus.WITHDRAWN, MembershipStatus.REVOKED):
        changes["left_on"] = left_on or timezone.localdate()
        if to == MembershipStatus.REVOKED and not note.strip():
            raise ValidationError({"note": "取消会员资格必须写明原因"})
    MEMBERSHIP_FLOW.apply(membership, to=to, actor=actor, note=note, changes=changes)
    return membership


# --- commitments ---------------------------------------------------------------------------


@transaction.atomic
def do_draft_commitment(
    *, actor: Actor, organisation: Organisation, body: str, title: str = "清廉企业共建承诺书",
) -> Commitment:
    """Write a new version of a chamber's commitment text (a draft until published)."""
    _require(actor, "registry.manage_commitment")
    if organisation.kind not in BODY_KINDS:
        raise ValidationError({"organisation": "只有商会、行业协会可以制定承诺书"})
    if not body.strip():
        raise ValidationError({"body": "承诺书正文不能为空"})
    last = Commitment.objects.filter(organisation=organisation).order_by("-version").first()
    commitment = Commitment.objects.create(
        organisation=organisation, version=(last.version + 1) if last else 1,
        title=title.strip() or "清廉企业共建承诺书", body=body.strip(),
    )
    record_change(commitment, AuditAction.CREATE, actor=actor, after=snapshot(commitment))
    return commitment


@transaction.atomic
def do_publish_commitment(
    commitment: Commitment, *, actor: Actor, published_at: dt.datetime | None = None,
) -> Commitment:
    """Publish a draft; the previous version is superseded and every active member must re-sign.

    ``published_at`` records a version published on paper before the platform (migration of
    existing records); it may not lie in the future or before the version it supersedes."""
    _require(actor, "registry.manage_commitment")
    lock(commitment)
    if commitment.status != CommitmentStatus.DRAFT:
        raise ValidationError({"status": "只能发布草稿状态的承诺书"})
    now = published_at or timezone.now()
    if now > timezone.now():
        raise ValidationError({"published_at": "发布时间不能晚于当前时间"})
    previous = Commitment.objects.filter(
        organisation_id=commitment.organisation_id, status=CommitmentStatus.PUBLISHED,
    ).values_list("published_at", flat=True).first()
    if previous and now < previous:
        raise ValidationError({"published_at": "发布时间不能早于现行版本的发布时间"})
    for old in Commitment.objects.filter(
        organisation_id=commitment.organisation_id, status=CommitmentStatus.PUBLISHED
    ):
        before = snapshot(old)
        old.status = CommitmentStatus.SUPERSEDED
        old.superseded_at = now
        old.save(update_fields=["status", "superseded_at", "updated_at"])
        record_change(old, AuditAction.UPDATE, actor=actor, before=before, after=snapshot(old))
    before = snapshot(commitment)
    commitment.status = CommitmentStatus.PUBLISHED
    commitment.published_at = now
    commitment.save(update_fields=["status", "published_at", "updated_at"])
    record_change(commitment, AuditAction.UPDATE, actor=actor, before=before,
                  after=snapshot(commitment))
    active = Membership.objects.filter(
        organisation_id=commitment.organisation_id,
        status__in=[MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED],
    ).count()
    record_event(commitment, "commitment.published", actor=actor,
                 details={"version": commitment.version, "members_to_resign": active})
    return commitment
