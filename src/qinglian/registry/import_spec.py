"""会员企业导入, the specification: the template's columns and what each row says.

Parsing and checking one row needs nothing but the row and the importer's scope; the plan
against what the registry holds, and the writing, live in ``imports.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from qinglian.core.imports import (
    Cell,
    ColumnSpec,
    RowError,
    SourceRow,
    TableSpec,
    cell_code,
    cell_date,
    cell_int,
    cell_text,
)
from qinglian.core.models import User
from qinglian.core.permissions import restrict

from .choices import (
    BODY_KINDS,
    OWN_PARTY_ORG_MIN_MEMBERS,
    EnterpriseSize,
    EnterpriseTag,
    MembershipRole,
    Ownership,
    PartyOrgForm,
)
from .identifiers import IdentifierError, clean_uscc, synthesise_uscc
from .industries import DIVISION_CHOICES, DIVISIONS, division_by_name
from .models import Organisation, Tag
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


def cell_parsers(scope: Scope) -> dict[str, Callable[[Cell], Any]]:
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
        errors += party_errors(row, values, None)
    return errors


def party_errors(row: SourceRow, values: dict[str, Any],
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
