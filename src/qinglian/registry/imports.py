"""会员企业导入: member enterprises and their chamber memberships from .xlsx / .csv.

The rules (the issue's words): every row is validated before anything is written, and all
errors come back as a report (row, column, value, reason); nothing is imported unless every
row passes; the import is one transaction, so an interruption (even ``kill -9``) leaves no
partial data; it is idempotent by USCC — an enterprise already registered is updated (blank
cells keep what is registered), unchanged rows are counted as unchanged, and an open
membership of the same enterprise and chamber is not duplicated: its role is updated (and an
applicant with a signer signs and is admitted).

告知承诺制: a row with a signer becomes a signature of the chamber's current integrity
commitment and an admission; a row without one becomes an application (申请中).

Every write goes through the bulk actions in registry.bulk_actions (do_bulk_update_organisations,
do_bulk_join_members, do_bulk_change_memberships) with the importing user as actor: the rules
and audit records of the one-by-one actions, in a few statements per thousand rows (the
one-by-one actions take ~70 queries per row, too slow for 10,000 rows in a request). The Job
row (kind ``import.members``) is written outside the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from qinglian.core.audit import lock_audit_chain
from qinglian.core.imports import (
    RowError,
    SourceRow,
    TableError,
    duplicate_key_errors,
    read_table,
)
from qinglian.core.models import Job, JobStatus, User
from qinglian.core.permissions import require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from . import bulk_actions
from .choices import (
    OPEN_MEMBERSHIP,
    CommitmentStatus,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
)
from .import_spec import (
    EXAMPLE_USCC,
    KIND,
    MEMBER_IMPORT,
    SUMMARY_LABELS,
    WRITE_CHUNK,
    MemberRow,
    Progress,
    Scope,
    cell_parsers,
    host_chambers,
    member_spec,
    parse_row,
    party_errors,
)

__all__ = [  # the import's public face, for the views, the CLI and tests
    "EXAMPLE_USCC", "KIND", "MEMBER_IMPORT", "SUMMARY_LABELS", "ImportOutcome", "Scope",
    "host_chambers", "import_members", "member_spec",
]
from .models import Commitment, Membership, Organisation, Signature

# --- what the registry already holds, and what each row will change ---------------------------


def _chunks(items: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class Registered:
    """What the database already holds for the file's codes and chambers, in a few queries."""

    enterprises: dict[str, Organisation]
    editable: set[int]
    tags: dict[int, list[str]]
    memberships: dict[tuple[int, int], Membership]
    commitments: dict[int, Commitment]
    signed: set[tuple[int, int]]

    @classmethod
    def load(cls, rows: list[MemberRow], actor: User | None) -> Registered:
        found: dict[str, Organisation] = {}
        for chunk in _chunks([r.uscc for r in rows]):
            found |= {str(o.uscc): o for o in Organisation.objects.filter(uscc__in=chunk)}
        ids = [o.pk for o in found.values()]
        hosts = sorted({r.chamber.pk for r in rows if r.chamber is not None})
        commitments = {c.organisation_id: c for c in Commitment.objects.filter(
            organisation_id__in=hosts, status=CommitmentStatus.PUBLISHED).select_related("organisation")}
        reg = cls(found, set(), {}, {}, commitments, set())
        for chunk in _chunks(ids):
            reg.editable |= set(_editable(chunk, actor))
            for org_id, code in Organisation.tags.through.objects.filter(
                    organisation_id__in=chunk).values_list("organisation_id", "tag_id"):
                reg.tags.setdefault(org_id, []).append(code)
            for m in Membership.objects.filter(
                    member_id__in=chunk, organisation_id__in=hosts,
                    status__in=[s.value for s in OPEN_MEMBERSHIP]):
                reg.memberships[(m.member_id, m.organisation_id)] = m
            reg.signed |= set(Signature.objects.filter(
                member_id__in=chunk, commitment__in=[c.pk for c in commitments.values()],
            ).values_list("member_id", "commitment_id"))
        for codes in reg.tags.values():
            codes.sort()
        return reg


def _editable(ids: list[int], actor: User | None) -> Iterable[int]:
    qs = Organisation.objects.filter(pk__in=ids)
    if actor is not None:
        qs = restrict(qs, actor, "change")
    return qs.values_list("pk", flat=True)


@dataclass
class RowPlan:
    """What one valid row will do: which enterprise and membership change, and how."""

    row: MemberRow
    chamber: Organisation
    enterprise: Organisation | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    tags: list[str] | None = None
    membership: Membership | None = None
    commitment: Commitment | None = None
    role: str | None = None
    sign: bool = False
    admit: bool = False

    @property
    def enterprise_changed(self) -> bool:
        return bool(self.changes) or self.tags is not None

    @property
    def membership_changed(self) -> bool:
        return self.role is not None or self.admit


def _row_error(row: MemberRow, key: str, reason: str) -> RowError:
    return RowError(row.source.number, MEMBER_IMPORT.column(key).header, row.source.shown(key),
                    reason)


def plan_row(row: MemberRow, reg: Registered) -> tuple[RowPlan | None, list[RowError]]:
    """Compare a valid row with the registry; the errors are those only the registry reveals."""
    assert row.chamber is not None
    existing = reg.enterprises.get(row.uscc)
    if existing is not None and existing.kind != OrganisationKind.ENTERPRISE:
        return None, [_row_error(row, "uscc", "该统一社会信用代码已登记为商会、协会或其他组织，不是企业")]
    plan = RowPlan(row, row.chamber, enterprise=existing,
                   commitment=reg.commitments.get(row.chamber.pk))
    errors = _enterprise_changes(plan, reg)
    if not {"party_org_form", "party_member_count"} <= row.fields.keys():
        errors += party_errors(row.source, row.fields, existing)  # blanks keep registered values
    if row.signer and plan.commitment is None:
        errors.append(_row_error(row, "signer", (
            f"所属商会“{row.chamber.name}”尚未发布清廉企业共建承诺书，不能登记签署；"
            "请先发布承诺书，或清空签署人和签署日期以登记为入会申请")))
    if existing is not None:
        plan.membership = reg.memberships.get((existing.pk, row.chamber.pk))
    errors += _membership_changes(plan, reg)
    return (None, errors) if errors else (plan, [])


def _enterprise_changes(plan: RowPlan, reg: Registered) -> list[RowError]:
    row, existing = plan.row, plan.enterprise
    if existing is None:
        return []
    plan.changes = {k: v for k, v in row.fields.items() if getattr(existing, k) != v}
    if row.tags is not None and row.tags != reg.tags.get(existing.pk, []):
        plan.tags = row.tags
    if plan.enterprise_changed and existing.pk not in reg.editable:
        headers = [MEMBER_IMPORT.column(k).header for k in plan.changes]
        headers += ["企业标签"] if plan.tags is not None else []
        return [_row_error(row, "uscc", (
            "该企业已由其他单位登记，您无权修改其登记信息，但本行的"
            f"{'、'.join(headers)}与登记信息不一致；请核对后改正，或将这些列留空"))]
    return []


def _membership_changes(plan: RowPlan, reg: Registered) -> list[RowError]:
    row, membership, commitment = plan.row, plan.membership, plan.commitment
    chamber = row.chamber
    if (plan.enterprise is not None and chamber is not None
            and plan.enterprise.federation_id not in (None, chamber.federation_id)):
        return [_row_error(row, "uscc", "该企业登记在其他工商联辖区，不能加入本辖区的商会")]
    if (row.signer and row.signed_on and commitment is not None and commitment.published_at
            and row.signed_on < timezone.localdate(commitment.published_at)):
        published = timezone.localdate(commitment.published_at)
        return [_row_error(row, "signed_on", (
            f"签署日期早于{chamber.name if chamber else '商会'}现行承诺书（第 {commitment.version} 版）"
            f"的发布日期 {published.year}年{published.month}月{published.day}日：签署的只能是现行版本"))]
    applying = membership is None or membership.status == MembershipStatus.APPLIED
    if applying and row.joined_on and not row.signer:
        return [_row_error(row, "joined_on", (
            "填写了入会日期但没有填写承诺书签署人：未签署清廉企业共建承诺书不能入会（告知承诺制）。"
            "请补充签署人和签署日期，或清空入会日期以登记为入会申请"))]
    if applying and row.joined_on and row.signed_on and row.joined_on < row.signed_on:
        return [_row_error(row, "joined_on", "入会日期不能早于承诺书签署日期（须先签署承诺书再入会）")]
    if membership is None or plan.enterprise is None:
        return []
    if row.role and row.role != membership.role:
        plan.role = row.role
    if row.signer and commitment is not None:
        plan.sign = (plan.enterprise.pk, commitment.pk) not in reg.signed
        plan.admit = membership.status == MembershipStatus.APPLIED
    return []


# --- validating a whole file -----------------------------------------------------------------


def validate_rows(
    rows: list[SourceRow], scope: Scope, progress: Progress | None = None,
) -> tuple[list[RowPlan], list[RowError]]:
    """Every row checked against the rules and the registry before anything is written."""
    parsers = cell_parsers(scope)
    errors = duplicate_key_errors(MEMBER_IMPORT, rows)
    parsed: list[MemberRow] = []
    for index, row in enumerate(rows, start=1):
        member_row, row_errors = parse_row(row, scope, parsers)
        errors += row_errors
        if member_row is not None:
            parsed.append(member_row)
        if progress is not None and (index % 500 == 0 or index == len(rows)):
            progress("validate", index, len(rows))
    registered = Registered.load(parsed, scope.actor)
    plans: list[RowPlan] = []
    for member_row in parsed:
        plan, row_errors = plan_row(member_row, registered)
        errors += row_errors
        if plan is not None:
            plans.append(plan)
    order = {c.header: i for i, c in enumerate(MEMBER_IMPORT.columns)}
    errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
    return plans, errors


# --- writing ---------------------------------------------------------------------------------


class WriteFailed(Exception):
    """The transaction was rolled back; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("；".join(e.reason for e in errors))
        self.errors = errors


def _failure_reason(exc: Exception) -> str:
    """Why writing failed although validation passed: usually someone changed the same data
    between the two; the first few reasons are enough to tell."""
    if isinstance(exc, ValidationError):
        shown = "；".join(exc.messages[:5])
        more = f"等 {len(exc.messages)} 处" if len(exc.messages) > 5 else ""
        return f"写入时发现数据已变化（可能有人同时修改或导入了相同的数据），请重新导入：{shown}{more}"
    if isinstance(exc, DatabaseError):
        return f"数据库拒绝写入（可能有人同时修改了相同的数据），请稍后重新导入：{exc}"
    return str(exc) or exc.__class__.__name__


def _moment(day: dt.date | None) -> dt.datetime | None:
    """A signing date as the start of that day in Asia/Shanghai."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time())) if day else None


def _joining(plan: RowPlan) -> bulk_actions.Joining:
    row = plan.row
    member = plan.enterprise or Organisation(
        kind=OrganisationKind.ENTERPRISE, uscc=row.uscc,
        federation_id=plan.chamber.federation_id, **row.fields,
    )
    return bulk_actions.Joining(
        member=member, organisation=plan.chamber, role=row.role or MembershipRole.MEMBER,
        tags=row.tags if plan.enterprise is None else None, signer_name=row.signer,
        signed_at=_moment(row.signed_on), joined_on=row.joined_on or row.signed_on,
    )


def _update(plan: RowPlan) -> bulk_actions.OrganisationUpdate:
    assert plan.enterprise is not None
    return bulk_actions.OrganisationUpdate(plan.enterprise, plan.changes, plan.tags)


def _change(plan: RowPlan) -> bulk_actions.MembershipChange:
    assert plan.membership is not None
    row = plan.row
    return bulk_actions.MembershipChange(
        plan.membership, role=plan.role, signer_name=row.signer if plan.sign else "",
        signed_at=_moment(row.signed_on), admit=plan.admit,
        joined_on=row.joined_on or row.signed_on,
    )


def _step(work: Callable[[], object]) -> None:
    """One bulk action; its refusal rolls the whole import back and is reported."""
    try:
        work()
    except (ValidationError, PermissionDenied, TransitionNotAllowed, DatabaseError) as exc:
        raise WriteFailed([RowError(0, "", "", _failure_reason(exc))]) from exc


def write_plans(plans: list[RowPlan], actor: User | None, progress: Progress | None = None) -> None:
    """All rows in ONE transaction: an error, or the process dying, leaves nothing behind.

    Registered enterprises are updated first, then new memberships are written, then open
    memberships change (role, signature, admission) — each in chunks of bulk actions.
    """
    total, done = len(plans), 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress("write", done, total)

    with transaction.atomic():
        lock_audit_chain()  # head before rows, like every other writer: no deadlocks
        if progress is not None:
            progress("write", 0, total)
        updates = [p for p in plans if p.enterprise is not None and p.enterprise_changed]
        for chunk in _chunks(updates, WRITE_CHUNK):
            _step(partial(bulk_actions.do_bulk_update_organisations,
                                [_update(p) for p in chunk], actor=actor))
        for chunk in _chunks([p for p in plans if p.membership is None], WRITE_CHUNK):
            _step(partial(bulk_actions.do_bulk_join_members, [_joining(p) for p in chunk],
                                actor=actor))
            advance(len(chunk))
        changing = [p for p in plans if p.membership is not None and (
            p.membership_changed or p.sign)]
        for chunk in _chunks(changing, WRITE_CHUNK):
            _step(partial(bulk_actions.do_bulk_change_memberships,
                                [_change(p) for p in chunk], actor=actor))
            advance(len(chunk))
        advance(total - done)


def summarise(plans: list[RowPlan]) -> dict[str, int]:
    """The counts shown after an import (keys of SUMMARY_LABELS)."""
    new = [p for p in plans if p.membership is None]
    old = [p for p in plans if p.membership is not None]
    known = [p for p in plans if p.enterprise is not None]
    return {
        "enterprises_created": sum(1 for p in plans if p.enterprise is None),
        "enterprises_updated": sum(1 for p in known if p.enterprise_changed),
        "enterprises_unchanged": sum(1 for p in known if not p.enterprise_changed),
        "memberships_created": len(new),
        "memberships_updated": sum(1 for p in old if p.membership_changed),
        "memberships_unchanged": sum(1 for p in old if not p.membership_changed),
        "signatures": sum(1 for p in new if p.row.signer) + sum(1 for p in old if p.sign),
        "admitted": sum(1 for p in new if p.row.signer) + sum(1 for p in old if p.admit),
        "applied": sum(1 for p in new if not p.row.signer),
    }


# --- the whole import, with its job row ------------------------------------------------------


@dataclass
class ImportOutcome:
    job: Job
    errors: list[RowError]
    summary: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.job.status == JobStatus.SUCCEEDED


def _job_organisation(actor: User | None, chamber: Organisation | None) -> Organisation | None:
    if actor is not None:
        return actor.organisation
    return chamber.federation if chamber is not None and chamber.federation_id else chamber


def _finish(job: Job, status: str, total: int, *, errors: list[RowError] | None = None,
            summary: dict[str, int] | None = None) -> ImportOutcome:
    """The job's final state, written after the import's transaction has ended."""
    job.status = status
    job.total = total
    job.done = total if status == JobStatus.SUCCEEDED else 0
    job.summary = summary or {}
    job.errors = [e.as_dict() for e in errors or []]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "total", "done", "summary", "errors", "finished_at",
                            "organisation"])
    return ImportOutcome(job, errors or [], summary or {})


def import_members(
    content: bytes, file_name: str, *, actor: User | None,
    default_chamber: Organisation | None = None, progress: Progress | None = None,
) -> ImportOutcome:
    """Validate the whole file, then import it all in one transaction or not at all."""
    if actor is not None:
        require(actor, "registry.import")
    if default_chamber is not None and not host_chambers(actor).filter(
            pk=default_chamber.pk).exists():
        raise PermissionDenied("默认商会不在您的管理范围内")
    job = Job.objects.create(
        kind=KIND, created_by=actor, organisation=_job_organisation(actor, default_chamber),
        file_name=file_name[-255:], file_sha256=hashlib.sha256(content).hexdigest(),
    )
    total = 0
    try:
        rows = read_table(MEMBER_IMPORT, content, file_name)
        total = len(rows)
        plans, errors = validate_rows(rows, Scope.of(actor, default_chamber), progress)
        if errors:
            return _finish(job, JobStatus.REJECTED, total, errors=errors)
        if job.organisation_id is None:
            federations = {p.chamber.federation_id for p in plans}
            job.organisation_id = federations.pop() if len(federations) == 1 else None
        write_plans(plans, actor, progress)
    except TableError as exc:
        return _finish(job, JobStatus.REJECTED, total, errors=exc.errors)
    except WriteFailed as exc:
        return _finish(job, JobStatus.FAILED, total, errors=exc.errors)
    except BaseException:
        _finish(job, JobStatus.FAILED, total, errors=[
            RowError(0, "", "", "导入时发生内部错误，未导入任何数据；请联系管理员")])
        raise
    return _finish(job, JobStatus.SUCCEEDED, total, summary=summarise(plans))
