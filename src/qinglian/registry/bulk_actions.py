"""Bulk actions for imports: the same rules as the one-by-one actions in ``actions.py``
(USCC, tags, one open membership per pair, admission only with a signature of the chamber's
current commitment, the membership state table) and the same audit records, in the same
order, written under one lock of the audit chain. One-by-one actions cost ~68 queries a row;
these keep a 10,000-row import well under 30 s (benchmarks/bench_import.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_many, snapshot
from qinglian.core.choices import AuditAction

from .actions import ORGANISATION_FIELDS, Actor, _require
from .choices import (
    BODY_KINDS,
    OPEN_MEMBERSHIP,
    CommitmentStatus,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
)
from .identifiers import clean_uscc
from .models import Commitment, Membership, Organisation, Signature, Tag
from .workflow import MEMBERSHIP_FLOW


@dataclass
class OrganisationUpdate:
    """New values for some of an organisation's particulars (and, unless None, its tags)."""

    organisation: Organisation
    fields: dict[str, Any]
    tags: list[str] | None = None


def _locked_copies(ids: list[int]) -> dict[int, Organisation]:
    found: dict[int, Organisation] = {}
    for start in range(0, len(ids), 900):
        found |= {o.pk: o for o in Organisation.objects.select_for_update().filter(
            pk__in=ids[start:start + 900])}
    return found


def _tags_of(ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    for start in range(0, len(ids), 900):
        for org_id, code in Organisation.tags.through.objects.filter(
                organisation_id__in=ids[start:start + 900]).values_list("organisation_id", "tag_id"):
            tags[org_id].append(code)
    return {pk: sorted(codes) for pk, codes in tags.items()}


def _apply_update(update: OrganisationUpdate, fresh: Organisation) -> list[str]:
    """The update applied to the caller's instance, refreshed from the locked row first."""
    org = update.organisation
    for field in Organisation._meta.concrete_fields:
        setattr(org, field.attname, getattr(fresh, field.attname))
    for key, value in update.fields.items():
        if key in ORGANISATION_FIELDS and key not in ("kind", "uscc"):
            setattr(org, key, value)
    try:
        org.full_clean(exclude=["federation", "party_liaison"], validate_unique=False,
                       validate_constraints=False)
    except ValidationError as exc:
        return [f"{org.name}：{m}" for m in exc.messages]
    return []


@transaction.atomic
def do_bulk_update_organisations(updates: list[OrganisationUpdate], *, actor: Actor) -> int:
    """do_update_organisation for many organisations (imports): the rows are locked, the same
    validation applies and the change log keeps before and after, in a few statements.
    The USCC (the import's key) and the kind never change here. Returns how many changed."""
    _require(actor, "registry.change_organisation")
    ids = [u.organisation.pk for u in updates]
    fresh, tags = _locked_copies(ids), _tags_of(ids)
    wanted = {t for u in updates for t in u.tags or []}
    unknown = wanted - set(Tag.objects.filter(code__in=wanted).values_list("code", flat=True))
    errors = [f"未知的企业标签：{'、'.join(sorted(unknown))}"] if unknown else []
    befores = [snapshot(fresh[u.organisation.pk]) | {"tags": tags[u.organisation.pk]}
               for u in updates]
    for update in updates:
        errors += _apply_update(update, fresh[update.organisation.pk])
    if errors:
        raise ValidationError(errors)
    through = Organisation.tags.through
    retagged = [u for u in updates
                if u.tags is not None and sorted(set(u.tags)) != tags[u.organisation.pk]]
    through.objects.filter(organisation_id__in=[u.organisation.pk for u in retagged]).delete()
    through.objects.bulk_create([through(organisation_id=u.organisation.pk, tag_id=code)
                                 for u in retagged for code in sorted(set(u.tags or []))],
                                batch_size=2000)
    entries = []
    for update, before in zip(updates, befores, strict=True):
        org = update.organisation
        org.save()
        new_tags = sorted(set(update.tags)) if update.tags is not None else tags[org.pk]
        after = snapshot(org) | {"tags": new_tags}
        if {k: v for k, v in before.items() if k != "updated_at"} != {
                k: v for k, v in after.items() if k != "updated_at"}:
            entries.append(AuditEntry(org, AuditAction.UPDATE, before=before, after=after))
    record_many(entries, actor=actor)
    return len(entries)


@dataclass
class Joining:
    """One enterprise joining one chamber in a bulk import (see do_bulk_join_members).

    An unsaved ``member`` is a new enterprise to register with ``tags``. A ``signer_name``
    means the enterprise signed the chamber's current commitment on ``signed_at`` and is
    admitted on ``joined_on``; without one the joining is an application (申请中).
    """

    member: Organisation
    organisation: Organisation
    role: str = MembershipRole.MEMBER
    tags: list[str] | None = None
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    joined_on: dt.date | None = None


@dataclass
class JoinCounts:
    enterprises: int = 0
    memberships: int = 0
    signatures: int = 0
    admitted: int = 0


def _check_joining_permissions(joinings: list[Joining], actor: Actor) -> None:
    if any(j.member.pk is None for j in joinings):
        _require(actor, "registry.change_organisation")
    _require(actor, "registry.manage_membership")
    if any(j.signer_name for j in joinings):
        _require(actor, "registry.sign_commitment")
        _require(actor, "registry.admit_member")


def _validate_new_enterprises(new: list[Organisation], tags: set[str]) -> None:
    """do_create_organisation's rules for many enterprises, with one query for uniqueness."""
    errors: list[str] = []
    seen: set[str] = set()
    for org in new:
        if org.kind != OrganisationKind.ENTERPRISE:
            errors.append(f"{org.name}：批量导入只能登记企业")
            continue
        try:
            code = clean_uscc(org.uscc or "")
            org.uscc = code
            org.full_clean(exclude=["federation", "party_liaison"], validate_unique=False,
                           validate_constraints=False)
        except (ValueError, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            errors.extend(f"{org.name}：{m}" for m in messages)
            continue
        if code in seen:
            errors.append(f"{org.name}：统一社会信用代码 {code} 重复")
        seen.add(code)
    codes = sorted(seen)
    for start in range(0, len(codes), 900):
        taken = Organisation.objects.filter(uscc__in=codes[start:start + 900])
        errors.extend(f"统一社会信用代码 {code} 已登记" for code in
                      sorted(str(c) for c in taken.values_list("uscc", flat=True)))
    unknown = tags - set(Tag.objects.filter(code__in=tags).values_list("code", flat=True))
    if unknown:
        errors.append(f"未知的企业标签：{'、'.join(sorted(unknown))}")
    if errors:
        raise ValidationError(errors)


def _signing_date_errors(
    member: Organisation, commitment: Commitment | None, signed_at: dt.datetime | None,
) -> list[str]:
    """A signature is of the current version: not before the day it was published, not later
    than now (the same rule as do_sign_commitment, by calendar day for dated records)."""
    if signed_at is None or commitment is None:
        return []
    if commitment.published_at and (
        timezone.localdate(signed_at) < timezone.localdate(commitment.published_at)
    ):
        return [f"{member.name}：签署日期早于现行承诺书（第 {commitment.version} 版）的发布日期"]
    if signed_at > timezone.now():
        return [f"{member.name}：签署日期不能晚于今天"]
    return []


def _validate_joinings(joinings: list[Joining], commitments: dict[int, Commitment]) -> None:
    """do_apply_membership's and do_sign_commitment's rules for many joinings."""
    errors: list[str] = []
    for j in joinings:
        if j.organisation.kind not in BODY_KINDS or j.member.kind != OrganisationKind.ENTERPRISE:
            errors.append(f"{j.member.name}：企业应加入商会或行业协会")
        if j.signer_name and j.organisation.pk not in commitments:
            errors.append(f"{j.member.name}：{j.organisation.name} 尚未发布清廉企业共建承诺书，不能办理入会")
        if j.signer_name and not j.signer_name.strip():
            errors.append(f"{j.member.name}：请填写签署人姓名")
        errors += _signing_date_errors(j.member, commitments.get(j.organisation.pk), j.signed_at)
        if (j.member.federation_id and j.organisation.federation_id
                and j.member.federation_id != j.organisation.federation_id):
            errors.append(f"{j.member.name} 登记在其他工商联辖区，不能加入 {j.organisation.name}")
    existing = [j for j in joinings if j.member.pk is not None]
    member_ids = sorted({j.member.pk for j in existing})
    open_pairs: set[tuple[int, int]] = set()
    signed: set[tuple[int, int]] = set()
    for start in range(0, len(member_ids), 900):
        chunk = member_ids[start:start + 900]
        open_pairs |= set(Membership.objects.filter(
            member_id__in=chunk, status__in=[s.value for s in OPEN_MEMBERSHIP],
        ).values_list("member_id", "organisation_id"))
        signed |= set(Signature.objects.filter(
            member_id__in=chunk, commitment__in=[c.pk for c in commitments.values()],
        ).values_list("member_id", "commitment_id"))
    for j in existing:
        if (j.member.pk, j.organisation.pk) in open_pairs:
            errors.append(f"{j.member.name} 已是或正在申请成为 {j.organisation.name} 的会员")
        commitment = commitments.get(j.organisation.pk)
        if j.signer_name and commitment and (j.member.pk, commitment.pk) in signed:
            errors.append(f"{j.member.name} 已签署该版本承诺书")
    if errors:
        raise ValidationError(errors)


def _current_commitments(hosts: set[int]) -> dict[int, Commitment]:
    """The chambers' published commitments, their text checked against the stored hash."""
    commitments = {
        c.organisation_id: c for c in Commitment.objects.filter(
            organisation_id__in=hosts, status=CommitmentStatus.PUBLISHED,
        ).select_related("organisation")
    }
    for c in commitments.values():
        if c.text_sha256 != Commitment.digest(c.title, c.body):
            raise ValidationError({"commitment": f"{c.organisation.name} 的承诺书正文校验失败，请联系管理员"})
    return commitments


def _joining_membership(j: Joining, now: dt.datetime) -> Membership:
    membership = Membership(member=j.member, organisation=j.organisation, role=j.role,
                            status=MembershipStatus.APPLIED, applied_at=now)
    if j.signer_name:
        membership.status = MembershipStatus.ADMITTED
        membership.admitted_at = now
        membership.joined_on = j.joined_on or timezone.localdate()
    return membership


def _joining_audit(
    j: Joining, is_new: bool, membership: Membership, signature: Signature | None,
    commitment: Commitment | None,
) -> list[AuditEntry]:
    """The records the one-by-one actions write, in their order: create, apply, sign, admit."""
    entries: list[AuditEntry] = []
    if is_new:
        entries.append(AuditEntry(j.member, AuditAction.CREATE,
                                  after=snapshot(j.member) | {"tags": sorted(set(j.tags or []))}))
    final = snapshot(membership)
    applied = final | {"status": MembershipStatus.APPLIED.value, "admitted_at": None,
                       "joined_on": None}
    entries += [AuditEntry(membership, AuditAction.CREATE, after=applied),
                AuditEntry(membership, AuditAction.EVENT, event="membership.applied")]
    if signature is not None and commitment is not None:
        entries += [
            AuditEntry(signature, AuditAction.CREATE, after=snapshot(signature)),
            AuditEntry(j.member, AuditAction.EVENT, event="commitment.signed", after={
                "commitment_id": commitment.pk, "organisation": commitment.organisation.name,
                "version": commitment.version, "sha256": commitment.text_sha256,
            }),
            AuditEntry(membership, AuditAction.UPDATE, before=applied, after=final),
            AuditEntry(membership, AuditAction.EVENT, event="membership.admitted",
                       after={"from": MembershipStatus.APPLIED.value,
                              "to": MembershipStatus.ADMITTED.value}),
        ]
    return entries


def _joining_signature(j: Joining, commitment: Commitment, actor: Actor,
                       now: dt.datetime) -> Signature:
    return Signature(commitment=commitment, member=j.member, signer_name=j.signer_name.strip(),
                     signed_by=actor, signed_at=j.signed_at or now,
                     text_sha256=commitment.text_sha256)


@transaction.atomic
def do_bulk_join_members(joinings: list[Joining], *, actor: Actor) -> JoinCounts:
    """Register enterprises, their applications, signatures and admissions in bulk (imports).

    The rules of do_create_organisation, do_apply_membership, do_sign_commitment and
    do_admit_member, and the same audit records, in a few statements instead of dozens per
    enterprise. 告知承诺制 holds: a joining is admitted only together with its signature of
    the chamber's current commitment, written in the same transaction.
    """
    _check_joining_permissions(joinings, actor)
    is_new = [j.member.pk is None for j in joinings]
    new = [j for j, fresh in zip(joinings, is_new, strict=True) if fresh]
    _validate_new_enterprises([j.member for j in new], {t for j in new for t in j.tags or []})
    commitments = _current_commitments({j.organisation.pk for j in joinings if j.signer_name})
    _validate_joinings(joinings, commitments)
    for j in new:
        j.member.save(force_insert=True)
    Organisation.tags.through.objects.bulk_create([
        Organisation.tags.through(organisation_id=j.member.pk, tag_id=code)
        for j in new for code in sorted(set(j.tags or []))
    ], batch_size=2000)
    now = timezone.now()
    memberships = Membership.objects.bulk_create(
        [_joining_membership(j, now) for j in joinings], batch_size=1000)
    signatures = {
        index: _joining_signature(j, commitments[j.organisation.pk], actor, now)
        for index, j in enumerate(joinings) if j.signer_name
    }
    Signature.objects.bulk_create(list(signatures.values()), batch_size=1000)
    record_many((
        entry
        for index, (j, m) in enumerate(zip(joinings, memberships, strict=True))
        for entry in _joining_audit(j, is_new[index], m, signatures.get(index),
                                    commitments.get(j.organisation.pk))
    ), actor=actor)
    return JoinCounts(enterprises=len(new), memberships=len(memberships),
                      signatures=len(signatures), admitted=len(signatures))


@dataclass
class MembershipChange:
    """An open membership changed in bulk: a new role, and/or a signature of the chamber's
    current commitment on ``signed_at`` and, with ``admit``, the applicant's admission."""

    membership: Membership
    role: str | None = None
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    admit: bool = False
    joined_on: dt.date | None = None


def _check_change_permissions(changes: list[MembershipChange], actor: Actor) -> None:
    _require(actor, "registry.manage_membership")
    if any(c.signer_name for c in changes):
        _require(actor, "registry.sign_commitment")
    if any(c.admit for c in changes):
        _require(actor, "registry.admit_member")


def _validate_changes(changes: list[MembershipChange], fresh: dict[int, Membership],
                      commitments: dict[int, Commitment]) -> None:
    """do_change_membership_role's, do_sign_commitment's and do_admit_member's rules."""
    signed = set(Signature.objects.filter(
        commitment__in=[c.pk for c in commitments.values()],
        member_id__in=[m.member_id for m in fresh.values()],
    ).values_list("member_id", "commitment_id"))
    errors: list[str] = []
    for change in changes:
        m = fresh[change.membership.pk]
        name = m.member.name
        commitment = commitments.get(m.organisation_id)
        if m.status not in OPEN_MEMBERSHIP:
            errors.append(f"{name}：已退会或已取消资格的会员不能变更")
        if change.role is not None and change.role not in MembershipRole.values:
            errors.append(f"{name}：未知的会员职务：{change.role}")
        if change.signer_name and commitment is None:
            errors.append(f"{name}：{m.organisation.name} 尚未发布清廉企业共建承诺书")
        elif change.signer_name and commitment and (m.member_id, commitment.pk) in signed:
            errors.append(f"{name} 已签署该版本承诺书")
        if change.admit and (m.status != MembershipStatus.APPLIED or (
                m.status, MembershipStatus.ADMITTED) not in MEMBERSHIP_FLOW.transitions):
            # Admission is for applicants; resuming a suspension is a different decision.
            errors.append(f"{name}：只有“申请中”的会员资格可以办理入会，当前为“{m.get_status_display()}”")
        if change.signer_name:
            errors += _signing_date_errors(m.member, commitment, change.signed_at)
        has_signed = commitment is not None and (
            change.signer_name or (m.member_id, commitment.pk) in signed)
        if change.admit and m.member.kind == OrganisationKind.ENTERPRISE and not has_signed:
            errors.append(f"{name} 尚未签署现行承诺书，不能入会")
    if errors:
        raise ValidationError(errors)


def _change_audit(change: MembershipChange, signature: Signature | None,
                  commitment: Commitment | None, now: dt.datetime) -> list[AuditEntry]:
    """Apply the change to the membership; the records the one-by-one actions would write."""
    m = change.membership
    entries: list[AuditEntry] = []
    if change.role is not None and change.role != m.role:
        before = snapshot(m)
        m.role = change.role
        entries.append(AuditEntry(m, AuditAction.UPDATE, before=before, after=snapshot(m)))
    if signature is not None and commitment is not None:
        entries += [
            AuditEntry(signature, AuditAction.CREATE, after=snapshot(signature)),
            AuditEntry(m.member, AuditAction.EVENT, event="commitment.signed", after={
                "commitment_id": commitment.pk, "organisation": commitment.organisation.name,
                "version": commitment.version, "sha256": commitment.text_sha256,
            }),
        ]
    if change.admit:
        before = snapshot(m)
        m.status, m.admitted_at = MembershipStatus.ADMITTED, now
        m.joined_on = change.joined_on or timezone.localdate()
        entries += [
            AuditEntry(m, AuditAction.UPDATE, before=before, after=snapshot(m)),
            AuditEntry(m, AuditAction.EVENT, event="membership.admitted",
                       after={"from": MembershipStatus.APPLIED.value,
                              "to": MembershipStatus.ADMITTED.value}),
        ]
    m.updated_at = now
    return entries


@transaction.atomic
def do_bulk_change_memberships(changes: list[MembershipChange], *, actor: Actor) -> int:
    """Change many open memberships at once (imports): roles, signatures of the current
    commitment and admissions, under the rules of the one-by-one actions — 告知承诺制 included:
    an applicant is admitted only when it has signed, or signs here, the current version.
    The memberships are locked; the audit records are those the one-by-one actions write."""
    _check_change_permissions(changes, actor)
    ids = [c.membership.pk for c in changes]
    fresh: dict[int, Membership] = {}
    for start in range(0, len(ids), 900):
        fresh |= {m.pk: m for m in Membership.objects.select_for_update().select_related(
            "member", "organisation").filter(pk__in=ids[start:start + 900])}
    commitments = _current_commitments({m.organisation_id for m in fresh.values()})
    _validate_changes(changes, fresh, commitments)
    now = timezone.now()
    for change in changes:  # the caller's instances are the ones that change, as with lock()
        m, locked = change.membership, fresh[change.membership.pk]
        for field in Membership._meta.concrete_fields:
            setattr(m, field.attname, getattr(locked, field.attname))
        m.member, m.organisation = locked.member, locked.organisation
    signatures = {
        index: Signature(commitment=commitments[c.membership.organisation_id],
                         member=c.membership.member, signer_name=c.signer_name.strip(),
                         signed_by=actor, signed_at=c.signed_at or now,
                         text_sha256=commitments[c.membership.organisation_id].text_sha256)
        for index, c in enumerate(changes) if c.signer_name
    }
    Signature.objects.bulk_create(list(signatures.values()), batch_size=1000)
    entries = [entry for index, c in enumerate(changes) for entry in _change_audit(
        c, signatures.get(index), commitments.get(c.membership.organisation_id), now)]
    Membership.objects.bulk_update(
        [c.membership for c in changes],
        ["role", "status", "admitted_at", "joined_on", "updated_at"], batch_size=500)
    record_many(entries, actor=actor)
    return len(changes)
