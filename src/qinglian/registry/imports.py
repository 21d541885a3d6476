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

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from qinglian.core.imports import (
    Cell,
    ColumnSpec,
    RowError,
    SourceRow,
    TableError,
    TableSpec,
    cell_code,
    cell_date,
    cell_int,
    cell_text,
    duplicate_key_errors,
    read_table,
)
from qinglian.core.models import Job, JobStatus, User
from qinglian.core.permissions import require, restrict
from qinglian.core.workflow import TransitionNotAllowed

from . import bulk_actions
from .choices import (
    BODY_KINDS,
    OPEN_MEMBERSHIP,
    OWN_PARTY_ORG_MIN_MEMBERS,
    CommitmentStatus,
    EnterpriseSize,
    EnterpriseTag,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
    Ownership,
    PartyOrgForm,
)
from .identifiers import IdentifierError, clean_uscc, synthesise_uscc
from .industries import DIVISION_CHOICES, DIVISIONS, division_by_name
from .models import Commitment, Membership, Organisation, Signature, Tag
from .regions import region_name

KIND = "import.members"
#: Rows written per bulk action call; progress is reported after each chunk.
WRITE_CHUNK = 1000
#: A valid code that belongs to no enterprise: the template's example row.
EXAMPLE_USCC = synthesise_uscc("330106", 1)
Progress = Callable[[str, int, int], None]  # (stage "validate" | "write", done, total)


def _labels(choices: Any) -> tuple[str, ...]:
    return tuple(label for value, label in choices.choices if value)


MEMBER_IMPORT = TableSpec(
    title="会员企业导入",
    sheet_title="会员企业",
    unique_key="uscc",
    columns=(
        ColumnSpec("name", "企业名称", required=True, width=30,
                   aliases=("name", "enterprise", "enterprise_name", "单位名称"),
                   help="营业执照上的企业全称", example="杭州示例科技有限公司"),
        ColumnSpec("uscc", "统一社会信用代码", required=True, width=24, as_text=True,
                   aliases=("uscc", "credit_code", "social_credit_code", "信用代码"),
                   help="18 位，末位为校验码（GB 32100-2015）；已登记的代码更新该企业，不会重复登记",
                   example=EXAMPLE_USCC),
        ColumnSpec("region", "所在地区代码", required=True, width=14, as_text=True,
                   aliases=("region", "region_code", "行政区划代码", "地区代码"),
                   help="6 位现行行政区划代码，如 330106（浙江省杭州市西湖区）", example="330106"),
        ColumnSpec("industry", "行业代码", width=30, as_text=True,
                   aliases=("industry", "industry_code", "行业"),
                   choices=tuple(label for _, label in DIVISION_CHOICES),
                   help="国民经济行业分类（GB/T 4754-2017）大类的 2 位代码，可带名称，如“65 软件和信息技术服务业”",
                   example="65 软件和信息技术服务业"),
        ColumnSpec("ownership", "所有制", aliases=("ownership",), choices=_labels(Ownership),
                   example="民营"),
        ColumnSpec("size", "企业规模", aliases=("size", "enterprise_size"),
                   choices=_labels(EnterpriseSize), example="小型"),
        ColumnSpec("tags", "企业标签", width=26, aliases=("tags", "标签"),
                   choices=_labels(EnterpriseTag), multiple=True,
                   help="可填多个，用顿号或逗号分隔", example="国家高新技术企业、瞪羚企业"),
        ColumnSpec("party_org_form", "党组织组建方式", aliases=("party_org_form",),
                   choices=_labels(PartyOrgForm),
                   help=f"正式党员 {OWN_PARTY_ORG_MIN_MEMBERS} 人以上方可单独组建，不足的应联合组建或挂靠组建",
                   example="联合组建"),
        ColumnSpec("party_member_count", "正式党员人数",
                   aliases=("party_member_count", "party_members", "党员人数"),
                   help="不小于 0 的整数", example="2"),
        ColumnSpec("chamber", "所属商会", width=24, aliases=("chamber", "商会", "所属商会协会"),
                   help="商会或行业协会的名称或统一社会信用代码，须在您的管理范围内；"
                        "留空时使用导入页面选择的默认商会",
                   example="杭州市互联网商会"),
        ColumnSpec("role", "会员职务", aliases=("role", "membership_role"),
                   choices=_labels(MembershipRole), help="留空为会员单位", example="会员单位"),
        ColumnSpec("joined_on", "入会日期", aliases=("joined_on", "join_date"),
                   help="须同时填写承诺书签署人；留空为签署日期", example="2026-01-05"),
        ColumnSpec("signer", "承诺书签署人", aliases=("signer", "signer_name", "签署人"),
                   help="填写后视为已签署所属商会现行的《清廉企业共建承诺书》并办理入会；"
                        "留空则登记为入会申请（申请中）",
                   example="张三"),
        ColumnSpec("signed_on", "签署日期", aliases=("signed_on", "signed_at"),
                   help="填写承诺书签署人时必填", example="2026-01-05"),
    ),
    notes=(
        "按照告知承诺制，企业须先签署所属商会现行的《清廉企业共建承诺书》才能入会：填写了“承诺书签署人”"
        "和“签署日期”的行登记签署并办理入会；未填写的行登记为入会申请（申请中），未签署承诺书不能入会。",
        "统一社会信用代码已登记的企业按本行更新，本行留空的列不会覆盖已登记的信息；信息没有变化的企业计为“无变化”。",
        "企业已是该商会会员（含申请中）时不会重复登记会员资格，只更新会员职务；"
        "申请中的企业填写了签署人的，登记签署并办理入会。",
        "同一文件中统一社会信用代码不能重复；所属商会须已发布清廉企业共建承诺书才能登记签署。",
    ),
)

SUMMARY_LABELS = {
    "enterprises_created": "新登记企业",
    "enterprises_updated": "更新企业",
    "enterprises_unchanged": "企业无变化",
    "memberships_created": "新增会员资格",
    "memberships_updated": "更新会员资格",
    "memberships_unchanged": "会员资格无变化",
    "signatures": "承诺书签署",
    "admitted": "办理入会",
    "applied": "入会申请",
}

ORG_FIELDS = ("name", "region", "industry", "ownership", "size", "party_org_form",
              "party_member_count")


def member_spec(example_chamber: str = "") -> TableSpec:
    """The spec with the user's own chamber as the example, so the template reads naturally."""
    if not example_chamber:
        return MEMBER_IMPORT
    columns = tuple(
        dataclasses.replace(c, example=example_chamber) if c.key == "chamber" else c
        for c in MEMBER_IMPORT.columns
    )
    return dataclasses.replace(MEMBER_IMPORT, columns=columns)


# --- what a row says -------------------------------------------------------------------------


@dataclass
class MemberRow:
    """A parsed row: the organisation fields it fills in (blank cells left out) and the joining."""

    source: SourceRow
    uscc: str
    fields: dict[str, Any]
    tags: list[str] | None
    chamber: Organisation | None
    role: str | None
    joined_on: dt.date | None
    signer: str
    signed_on: dt.date | None


@dataclass
class Scope:
    """What the importer may touch: the chambers in scope (by name, short name and USCC)."""

    actor: User | None
    default_chamber: Organisation | None
    chambers: dict[str, list[Organisation]]
    tags: dict[str, str]
    today: dt.date = field(default_factory=timezone.localdate)

    @classmethod
    def of(cls, actor: User | None, default_chamber: Organisation | None) -> Scope:
        chambers: dict[str, list[Organisation]] = {}
        for host in host_chambers(actor):
            for key in {cell_text(host.name), cell_text(host.short_name), cell_code(host.uscc)}:
                if key:
                    chambers.setdefault(key, []).append(host)
        tags = {}
        for tag in Tag.objects.all():  # 国家高新技术企业 also as 高新技术企业; 瞪羚企业 as 瞪羚
            for name in (tag.code, tag.name, tag.name.removeprefix("国家"),
                         tag.name.removesuffix("企业")):
                tags[name] = tag.code
        return cls(actor, default_chamber, chambers, tags)

    def chamber(self, text: str) -> Organisation:
        found = self.chambers.get(text) or self.chambers.get(cell_code(text)) or []
        if len({c.pk for c in found}) > 1:
            raise ValueError(f"名称“{text}”对应多个商会，请改填该商会的统一社会信用代码")
        if not found:
            raise ValueError(f"未找到“{text}”，或该商会/协会不在您的管理范围内")
        return found[0]


def host_chambers(actor: User | None) -> QuerySet[Organisation]:
    """Chambers and associations the importer may add members to."""
    qs = Organisation.objects.filter(kind__in=BODY_KINDS).order_by("name_pinyin")
    return qs if actor is None else restrict(qs, actor, "change")


def _choice(text: str, enum: Any, header: str) -> str:
    for value, label in enum.choices:
        if (value and text in (label, value)) or text.lower() == str(value).lower():
            return str(value)
    raise ValueError(f"“{text}”不是可选的{header}，应为：{'、'.join(_labels(enum))}")


def _industry(value: Cell) -> str:
    text = cell_text(value)
    digits = re.match(r"^\s*([0-9０-９]{1,2})(?!\d)\s*(.*)$", text)
    code = cell_code(digits.group(1)).zfill(2) if digits else division_by_name(text)
    if not code or code not in DIVISIONS:
        raise ValueError(f"“{text}”不是国民经济行业分类的大类代码（2 位，如 65）")
    if digits and digits.group(2) and digits.group(2).strip() != DIVISIONS[code]:
        raise ValueError(f"行业代码 {code} 对应“{DIVISIONS[code]}”，与填写的名称不符")
    return code


def _uscc(value: Cell) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("统一社会信用代码被 Excel 存成了数字（超过 15 位的数字会丢失末几位）；"
                         "请把该列设为“文本”格式后重新填写")
    return clean_uscc(cell_code(value))


def _region(value: Cell) -> str:
    text = cell_code(value)
    code = text[:6] if re.match(r"^\d{6}(?!\d)", text) else text
    if region_name(code) is None:
        raise ValueError(f"“{cell_text(value)}”不是有效的现行行政区划代码（6 位数字，如 330106）")
    return code


def _tags(value: Cell, scope: Scope) -> list[str]:
    names = [n for n in re.split(r"[,，、;；/\s]+", cell_text(value)) if n]
    unknown = [n for n in names if n not in scope.tags]
    if unknown:
        raise ValueError(f"未知的企业标签“{'、'.join(unknown)}”，可选：{'、'.join(_labels(EnterpriseTag))}")
    return sorted({scope.tags[n] for n in names})


def _past_date(value: Cell, scope: Scope) -> dt.date | None:
    day = cell_date(value)
    if day is not None and day > scope.today:
        raise ValueError(f"日期 {day:%Y-%m-%d} 晚于今天")
    return day


def _cell_parsers(scope: Scope) -> dict[str, Callable[[Cell], Any]]:
    def text(limit: int) -> Callable[[Cell], str]:
        def parse(value: Cell) -> str:
            result = cell_text(value)
            if len(result) > limit:
                raise ValueError(f"不能超过 {limit} 个字")
            return result
        return parse

    def count(value: Cell) -> int | None:
        number = cell_int(value)
        if number is not None and number < 0:
            raise ValueError("应为不小于 0 的整数")
        return number

    def chamber(value: Cell) -> Organisation | None:
        return scope.chamber(cell_text(value)) if cell_text(value) else None

    return {
        "name": text(128),
        "uscc": _uscc,
        "region": _region,
        "industry": _industry,
        "ownership": lambda v: _choice(cell_text(v), Ownership, "所有制"),
        "size": lambda v: _choice(cell_text(v), EnterpriseSize, "企业规模"),
        "tags": lambda v: _tags(v, scope),
        "party_org_form": lambda v: _choice(cell_text(v), PartyOrgForm, "党组织组建方式"),
        "party_member_count": count,
        "chamber": chamber,
        "role": lambda v: _choice(cell_text(v), MembershipRole, "会员职务"),
        "joined_on": lambda v: _past_date(v, scope),
        "signer": text(64),
        "signed_on": lambda v: _past_date(v, scope),
    }


def parse_row(row: SourceRow, scope: Scope,
              parsers: dict[str, Callable[[Cell], Any]]) -> tuple[MemberRow | None, list[RowError]]:
    """Read one row's cells; every column is checked so the report names all problems at once."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in MEMBER_IMPORT.columns:
        raw = row[column.key]
        if not cell_text(raw):
            if column.required:
                errors.append(RowError(row.number, column.header, "", f"{column.header}不能为空"))
            continue
        try:
            values[column.key] = parsers[column.key](raw)
        except (ValueError, IdentifierError) as exc:
            errors.append(RowError(row.number, column.header, row.shown(column.key), str(exc)))
    errors += _pairing_errors(row, values, scope)
    if errors:
        return None, errors
    return MemberRow(
        source=row, uscc=values["uscc"],
        fields={k: values[k] for k in ORG_FIELDS if k in values},
        tags=values.get("tags"), chamber=values.get("chamber") or scope.default_chamber,
        role=values.get("role"), joined_on=values.get("joined_on"),
        signer=values.get("signer", ""), signed_on=values.get("signed_on"),
    ), []


def _pairing_errors(row: SourceRow, values: dict[str, Any], scope: Scope) -> list[RowError]:
    """Rules between cells of one row: the example row, chamber present, signer with its date."""
    errors: list[RowError] = []

    def error(key: str, reason: str) -> None:
        errors.append(RowError(row.number, MEMBER_IMPORT.column(key).header, row.shown(key), reason))

    if values.get("uscc") == EXAMPLE_USCC:
        error("uscc", "这是导入模板中的示例行，请删除后再导入")
    if not cell_text(row["chamber"]) and scope.default_chamber is None:
        error("chamber", "请填写所属商会，或在导入时选择默认商会")
    if values.get("signer") and not cell_text(row["signed_on"]):
        error("signed_on", "填写了承诺书签署人时，须填写签署日期")
    if values.get("signed_on") and not cell_text(row["signer"]):
        error("signer", "填写了签署日期时，须填写承诺书签署人")
    if "party_org_form" in values and "party_member_count" in values:
        errors += _party_errors(row, values, None)
    return errors


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
        errors += _party_errors(row.source, row.fields, existing)  # blanks keep registered values
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


def _party_errors(row: SourceRow, values: dict[str, Any],
                  existing: Organisation | None) -> list[RowError]:
    """单独组建 needs at least three full party members; blank cells take registered values."""
    form = values.get("party_org_form", existing.party_org_form if existing else "none")
    count = values.get("party_member_count", existing.party_member_count if existing else 0)
    if form != PartyOrgForm.OWN or count is None or count >= OWN_PARTY_ORG_MIN_MEMBERS:
        return []
    key = "party_org_form" if "party_org_form" in values else "party_member_count"
    return [RowError(row.number, MEMBER_IMPORT.column(key).header, row.shown(key), (
        f"正式党员 {count} 人，不足 {OWN_PARTY_ORG_MIN_MEMBERS} 人，不能单独组建党组织，"
        "应联合组建或挂靠组建"))]


def _membership_changes(plan: RowPlan, reg: Registered) -> list[RowError]:
    row, membership, commitment = plan.row, plan.membership, plan.commitment
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
    parsers = _cell_parsers(scope)
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
