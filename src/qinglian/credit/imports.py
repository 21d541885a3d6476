"""Dual publicity (双公示) import: administrative penalties and licences from .xlsx / .csv in the
common national column layout, checked whole, then written all or nothing.

Every row is checked before anything is stored: the subject's unified social credit code
(GB 32100-2015 check character, ``stdnum.cn.uscc``), dates, amounts, lengths, the severity of
a penalty (失信程度, default 一般), and decision numbers repeated in the file or already in the
federation's credit files (a re-imported file is reported row by row as duplicates and writes
nothing). Subjects are matched by code to the federation's enterprises; an unknown code gets
its file entry through ``registry.actions.do_create_organisation``. The import runs in one
transaction with bulk inserts and one audit append (``record_many``); its deadline is 7
working days after each decision (``windows.publish_due``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qinglian.core.audit import AuditEntry, record_many, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.imports import (
    ColumnSpec,
    RowError,
    SourceRow,
    TableError,
    TableSpec,
    cell_code,
    cell_date,
    cell_text,
    halfwidth,
    read_table,
)
from qinglian.core.locking import lock
from qinglian.core.numbers import next_numbers
from qinglian.registry import actions as registry_actions
from qinglian.registry.choices import OrganisationKind
from qinglian.registry.identifiers import IdentifierError, clean_uscc, synthesise_uscc
from qinglian.registry.models import Organisation
from qinglian.registry.queries import jurisdiction_id

from .actions import EARLIEST, MAX_AMOUNT, Actor, require_perm
from .choices import CATEGORY_POLARITY, RecordCategory, Severity, Source, SubjectKind
from .hooks import records_changed
from .models import CreditRecord
from .windows import Window, apply_window, window_rule

PENALTY, LICENCE = "penalty", "licence"
KINDS = {PENALTY: "行政处罚", LICENCE: "行政许可"}
MAX_ROWS = 20_000
EXAMPLE_USCC = synthesise_uscc("330106", 7)
SEVERITY_LABELS = {label: value for value, label in Severity.choices}
SUBJECT_TYPES = ("法人及非法人组织", "个体工商户", "自然人")
WAN = Decimal(10000)


def _col(key: str, header: str, *, required: bool = False, width: int = 18,
         example: str = "", help: str = "", as_text: bool = False,
         choices: tuple[str, ...] = (), aliases: tuple[str, ...] = ()) -> ColumnSpec:
    return ColumnSpec(key, header, required=required, width=width, example=example, help=help,
                      as_text=as_text, choices=choices, aliases=(key, *aliases))


_USCC_HELP = "18 位，末位为校验码（GB 32100-2015）"
PENALTY_SPEC = TableSpec(
    title="行政处罚信息（双公示）",
    sheet_title="行政处罚",
    max_rows=MAX_ROWS,
    columns=(
        _col("subject_name", "行政相对人名称", required=True, width=30,
             example="杭州示例科技有限公司"),
        _col("subject_type", "行政相对人类别", choices=SUBJECT_TYPES, example="法人及非法人组织",
             help="自然人的处罚信息不在本平台归集"),
        _col("uscc", "统一社会信用代码", required=True, width=24, as_text=True,
             example=EXAMPLE_USCC, help=_USCC_HELP),
        _col("decision_number", "行政处罚决定书文号", required=True, width=26,
             example="杭市监罚〔2026〕12号", help="同一文号只能导入一次"),
        _col("violation_type", "违法行为类型", required=True, example="虚假宣传"),
        _col("facts", "违法事实", required=True, width=30, example="在官网发布虚假的产品功效宣传"),
        _col("basis", "处罚依据", required=True, width=30,
             example="《中华人民共和国反不正当竞争法》第二十条"),
        _col("penalty_kind", "处罚类别", required=True, example="罚款"),
        _col("penalty_content", "处罚内容", required=True, width=30, example="罚款人民币5万元"),
        _col("fine", "罚款金额（万元）", example="5", help="单位：万元，最多六位小数"),
        _col("confiscated", "没收违法所得、没收非法财物的金额（万元）", width=22,
             aliases=("没收违法所得没收非法财物的金额万元", "没收金额（万元）")),
        _col("licence_revoked", "暂扣或吊销证照名称及编号", width=22),
        _col("decision_date", "处罚决定日期", required=True, example="2026-11-20"),
        _col("valid_until", "处罚有效期", example="2027-11-19"),
        _col("publish_until", "公示截止期", example="2027-11-19",
             help="本平台按公示期限规则计算公示期，此列仅作核对"),
        _col("authority", "处罚机关", required=True, width=24, example="杭州市市场监督管理局"),
        _col("authority_uscc", "处罚机关统一社会信用代码", width=24, as_text=True,
             help=_USCC_HELP),
        _col("data_source", "数据来源单位", width=24, example="杭州市市场监督管理局"),
        _col("severity", "失信程度", choices=tuple(SEVERITY_LABELS), example="一般",
             help="轻微 / 一般 / 严重，不填按“一般”"),
        _col("remark", "备注", width=24),
    ),
    notes=("只归集法人及非法人组织、个体工商户的处罚信息；自然人的处罚信息不导入。",
           "按统一社会信用代码匹配本辖区企业；尚未登记的企业会同时建立企业档案。",
           "同一处罚决定书文号只能导入一次；重复导入同一文件不会产生重复记录。",
           "公示期限：处罚决定日期起 7 个工作日内公示（法定节假日和调休上班日按国务院安排）。"),
)

LICENCE_SPEC = TableSpec(
    title="行政许可信息（双公示）",
    sheet_title="行政许可",
    max_rows=MAX_ROWS,
    columns=(
        _col("subject_name", "行政相对人名称", required=True, width=30,
             example="杭州示例科技有限公司"),
        _col("uscc", "统一社会信用代码", required=True, width=24, as_text=True,
             example=EXAMPLE_USCC, help=_USCC_HELP),
        _col("document_name", "行政许可决定文书名称", required=True, width=24,
             example="食品经营许可决定书"),
        _col("decision_number", "行政许可决定文书号", required=True, width=26,
             example="杭市监许〔2026〕88号", help="同一文书号只能导入一次"),
        _col("licence_kind", "许可类别", required=True, example="普通"),
        _col("certificate_name", "许可证书名称", width=20, example="食品经营许可证"),
        _col("licence_number", "许可编号", width=20, as_text=True, example="JY13301060012345"),
        _col("content", "许可内容", required=True, width=30, example="预包装食品销售"),
        _col("decision_date", "许可决定日期", required=True, example="2026-11-20"),
        _col("valid_from", "有效期自", example="2026-11-20"),
        _col("valid_to", "有效期至", example="2031-11-19"),
        _col("authority", "许可机关", required=True, width=24, example="杭州市市场监督管理局"),
        _col("authority_uscc", "许可机关统一社会信用代码", width=24, as_text=True,
             help=_USCC_HELP),
        _col("data_source", "数据来源单位", width=24, example="杭州市市场监督管理局"),
    ),
    notes=("按统一社会信用代码匹配本辖区企业；尚未登记的企业会同时建立企业档案。",
           "同一许可决定文书号只能导入一次；重复导入同一文件不会产生重复记录。",
           "公示期限：许可决定日期起 7 个工作日内公示（法定节假日和调休上班日按国务院安排）。"),
)
SPECS = {PENALTY: PENALTY_SPEC, LICENCE: LICENCE_SPEC}
LIMITS = {"subject_name": 128, "decision_number": 64, "authority": 128, "basis": 2000}


@dataclass
class DualRow:
    """A valid row: its number in the file and the record's fields."""

    number: int
    uscc: str
    subject_name: str
    fields: dict[str, Any]


@dataclass
class ImportPlan:
    """What an import would do: the rows, how many subjects are new enterprises."""

    kind: str
    rows: list[DualRow]
    matched: dict[str, Organisation] = field(default_factory=dict)
    new_enterprises: dict[str, str] = field(default_factory=dict)  # uscc → name

    @property
    def label(self) -> str:
        return KINDS[self.kind]


@dataclass
class ImportResult:
    created: int
    new_enterprises: int


# --- checking one row -------------------------------------------------------------------------


class _Row:
    """Collects one row's values and errors."""

    def __init__(self, spec: TableSpec, source: SourceRow) -> None:
        self.spec, self.source = spec, source
        self.errors: list[RowError] = []

    def error(self, key: str, reason: str) -> None:
        self.errors.append(RowError(self.source.number, self.spec.column(key).header,
                                    self.source.shown(key)[:60], reason))

    def text(self, key: str, limit: int = 4000) -> str:
        value = cell_text(self.source[key])
        column = self.spec.column(key)
        if column.required and not value:
            self.error(key, f"{column.header}不能为空")
        elif len(value) > limit:
            self.error(key, f"{column.header}不能超过 {limit} 个字符")
        return value

    def date(self, key: str, today: dt.date, *, past: bool = False) -> dt.date | None:
        column = self.spec.column(key)
        try:
            value = cell_date(self.source[key])
        except ValueError as exc:
            self.error(key, str(exc))
            return None
        if value is None:
            if column.required:
                self.error(key, f"{column.header}不能为空")
            return None
        if value < EARLIEST:
            self.error(key, f"{column.header}不能早于 {EARLIEST:%Y-%m-%d}")
        elif past and value > today:
            self.error(key, f"{column.header}不能晚于今天")
        return value

    def wan(self, key: str) -> Decimal | None:
        """An amount in 万元, returned in yuan."""
        text = halfwidth(cell_text(self.source[key])).replace(",", "").replace(" ", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.error(key, "金额应为数字（单位：万元）")
            return None
        if not amount.is_finite():
            self.error(key, "金额应为数字（单位：万元）")
            return None
        if amount < 0:
            self.error(key, "金额不能为负数")
            return None
        if amount > MAX_AMOUNT / WAN:  # before any arithmetic: 1e999999 must not overflow
            self.error(key, "金额过大，请核对单位（万元）")
            return None
        yuan = amount * WAN
        if yuan != yuan.quantize(Decimal("0.01")):
            self.error(key, "金额最多保留六位小数（精确到分）")
            return None
        return yuan

    def uscc(self, key: str) -> str:
        if not cell_text(self.source[key]):
            if self.spec.column(key).required:
                self.error(key, "统一社会信用代码不能为空")
            return ""
        try:
            return clean_uscc(cell_code(self.source[key]))
        except IdentifierError as exc:
            self.error(key, str(exc))
            return ""


def _lines(*pairs: tuple[str, str]) -> str:
    return "\n".join(f"{label}：{value}" for label, value in pairs if value)


def _penalty(row: _Row, today: dt.date) -> dict[str, Any]:
    subject_type = row.text("subject_type", 32)
    if subject_type == "自然人":
        row.error("subject_type", "自然人的处罚信息不在本平台归集（个人信息不公示）")
    elif subject_type and subject_type not in SUBJECT_TYPES:
        row.error("subject_type", f"行政相对人类别应为：{'、'.join(SUBJECT_TYPES[:2])}")
    severity_label = row.text("severity", 8) or Severity.ORDINARY.label
    if severity_label not in SEVERITY_LABELS:
        row.error("severity", "失信程度应为 轻微、一般 或 严重")
    fine, confiscated = row.wan("fine"), row.wan("confiscated")
    amount = None if fine is None and confiscated is None else (fine or 0) + (confiscated or 0)
    decision_date = row.date("decision_date", today, past=True)
    valid_until = row.date("valid_until", today)
    row.date("publish_until", today)
    if decision_date and valid_until and valid_until < decision_date:
        row.error("valid_until", "处罚有效期不能早于处罚决定日期")
    content = _lines(("违法行为类型", row.text("violation_type", 200)),
                     ("违法事实", row.text("facts", 2000)),
                     ("处罚类别", row.text("penalty_kind", 100)),
                     ("处罚内容", row.text("penalty_content", 1000)),
                     ("暂扣或吊销证照", row.text("licence_revoked", 200)),
                     ("处罚有效期至", valid_until.isoformat() if valid_until else ""),
                     ("数据来源单位", row.text("data_source", 128)),
                     ("备注", row.text("remark", 500)))
    return {"category": RecordCategory.PENALTY,
            "severity": SEVERITY_LABELS.get(severity_label, Severity.ORDINARY),
            "legal_basis": row.text("basis", LIMITS["basis"]), "content": content[:4000],
            "amount": amount, "decision_date": decision_date}


def _licence(row: _Row, today: dt.date) -> dict[str, Any]:
    decision_date = row.date("decision_date", today, past=True)
    valid_from, valid_to = row.date("valid_from", today), row.date("valid_to", today)
    if valid_from and valid_to and valid_to < valid_from:
        row.error("valid_to", "有效期至不能早于有效期自")
    document = row.text("document_name", 128)
    period = (f"{valid_from.isoformat() if valid_from else ''} 至 "
              f"{valid_to.isoformat() if valid_to else ''}") if valid_from or valid_to else ""
    content = _lines(("许可类别", row.text("licence_kind", 32)),
                     ("许可证书名称", row.text("certificate_name", 128)),
                     ("许可编号", row.text("licence_number", 64)),
                     ("许可内容", row.text("content", 2000)),
                     ("有效期", period),
                     ("数据来源单位", row.text("data_source", 128)))
    return {"category": RecordCategory.LICENCE, "severity": "",
            "legal_basis": document or "行政许可决定", "content": content[:4000],
            "amount": None, "decision_date": decision_date}


def check_row(kind: str, source: SourceRow, today: dt.date) -> tuple[DualRow | None,
                                                                      list[RowError]]:
    row = _Row(SPECS[kind], source)
    subject_name = row.text("subject_name", LIMITS["subject_name"])
    uscc = row.uscc("uscc")
    decision_number = row.text("decision_number", LIMITS["decision_number"])
    authority = row.text("authority", LIMITS["authority"])
    row.uscc("authority_uscc")
    fields = (_penalty if kind == PENALTY else _licence)(row, today)
    if row.errors:
        return None, row.errors
    fields.update(source=Source.ADMINISTRATIVE, issuing_body=authority,
                  decision_number=decision_number)
    return DualRow(source.number, uscc, subject_name, fields), []


# --- the plan ---------------------------------------------------------------------------------


def _duplicate_key(number: str) -> str:
    return halfwidth(number).replace(" ", "").upper()


#: Values looked up per query (SQLite allows at most 32,766 parameters in one statement).
KEY_CHUNK = 500


def _existing_numbers(kind: str, federation: Organisation,
                      rows: list[DualRow]) -> dict[str, str]:
    """Decision-number key → record number of the federation's records of this kind that the
    rows repeat. The stored spelling is kept as entered (（2026）浙0106执12号 stays full-width),
    so the key (half-width, upper case, no spaces) is compared here: among the records decided
    on the rows' dates (a repeated decision has its date) and those spelled like a row."""
    spellings = sorted({s for r in rows for s in (r.fields["decision_number"],
                                                   _duplicate_key(r.fields["decision_number"]))})
    dates = sorted({r.fields["decision_date"] for r in rows})
    wanted = {_duplicate_key(r.fields["decision_number"]) for r in rows}
    qs = CreditRecord.objects.filter(federation=federation, category=kind)
    found: dict[str, str] = {}
    for field_name, values in (("decision_number__in", spellings),
                               ("decision_date__in", dates)):
        for start in range(0, len(values), KEY_CHUNK):
            chunk = values[start:start + KEY_CHUNK]
            for n, num in qs.filter(**{field_name: chunk}).values_list("decision_number",
                                                                        "number"):
                key = _duplicate_key(n)
                if key in wanted:
                    found[key] = num
    return found


def _duplicates(kind: str, federation: Organisation, rows: list[DualRow]) -> list[RowError]:
    header = SPECS[kind].column("decision_number").header
    existing = _existing_numbers(kind, federation, rows)
    seen: dict[str, int] = {}
    errors = []
    for row in rows:
        key = _duplicate_key(row.fields["decision_number"])
        if key in existing:
            errors.append(RowError(row.number, header, row.fields["decision_number"],
                                   f"重复：该文号已导入（信用记录 {existing[key]}），不会重复导入"))
        elif key in seen:
            errors.append(RowError(row.number, header, row.fields["decision_number"],
                                   f"与第 {seen[key]} 行重复：同一文件中文号不能重复"))
        else:
            seen[key] = row.number
    return errors


def _subjects(federation: Organisation, rows: list[DualRow],
              plan: ImportPlan) -> list[RowError]:
    codes = {r.uscc for r in rows}
    known = {o.uscc: o for o in Organisation.objects.filter(uscc__in=codes)}
    errors = []
    for row in rows:
        org = known.get(row.uscc)
        if org is None:
            plan.new_enterprises.setdefault(row.uscc, row.subject_name)
        elif org.kind != OrganisationKind.ENTERPRISE:
            errors.append(RowError(row.number, "统一社会信用代码", row.uscc,
                                   f"该代码登记为“{org.name}”（{org.get_kind_display()}），"
                                   "不是企业"))
        elif org.federation_id != federation.pk:
            errors.append(RowError(row.number, "统一社会信用代码", row.uscc,
                                   "该企业属于其他工商联辖区，不能由本辖区导入"))
        else:
            plan.matched[row.uscc] = org
    return errors


def plan_import(kind: str, content: bytes, filename: str, federation: Organisation, *,
                today: dt.date | None = None) -> ImportPlan:
    """Read and check the whole file: the plan, or ``TableError`` naming every bad row (row,
    column, value, reason)."""
    if kind not in SPECS:
        raise ValueError(kind)
    day = today or timezone.localdate()
    rows: list[DualRow] = []
    errors: list[RowError] = []
    for source in read_table(SPECS[kind], content, filename):
        row, problems = check_row(kind, source, day)
        errors.extend(problems)
        if row is not None:
            rows.append(row)
    plan = ImportPlan(kind, rows)
    errors.extend(_duplicates(kind, federation, rows))
    errors.extend(_subjects(federation, rows, plan))
    if errors:
        raise TableError(sorted(errors, key=lambda e: e.row))
    return plan


# --- writing ----------------------------------------------------------------------------------


def importing_federation(actor: Actor, federation: Organisation | None = None) -> Organisation:
    """The federation whose files the import fills: the officer's own (an administrator
    names one)."""
    require_perm(actor, "credit.import")
    if actor is not None and actor.role != "admin":
        fed_id = jurisdiction_id(actor)
        if fed_id is None or (federation is not None and federation.pk != fed_id):
            raise PermissionDenied("只能向本辖区的信用档案导入")
        return Organisation.objects.get(pk=fed_id)
    if federation is None or federation.kind != OrganisationKind.FEDERATION:
        raise ValidationError({"federation": "请选择工商联"})
    return federation


def _record(federation: Organisation, org: Organisation, row: DualRow, actor: Actor,
            rules: dict[str, Window], number: str) -> CreditRecord:
    record = CreditRecord(
        federation=federation, number=number, subject_kind=SubjectKind.ENTERPRISE,
        organisation=org, subject_name=org.name, subject_code=org.uscc or "",
        polarity=CATEGORY_POLARITY[row.fields["category"]],
        entered_by=actor if actor is not None and actor.pk else None,
        entered_by_org_id=getattr(actor, "organisation_id", None), **row.fields)
    kind = record.window_kind
    if kind not in rules:
        rules[kind] = window_rule(federation.pk, kind)
    apply_window(record, rule=rules[kind])
    return record


@transaction.atomic
def do_import_dual_publicity(kind: str, content: bytes, filename: str, *, actor: Actor,
                             federation: Organisation | None = None,
                             today: dt.date | None = None) -> ImportResult:
    """Import a dual-publicity file into the federation's credit files: all rows or none.
    New subjects become enterprises of the federation; every record and its import event are
    audited in one append."""
    federation = importing_federation(actor, federation)
    day = today or timezone.localdate()
    lock(federation)  # serialises numbers and the duplicate check
    plan = plan_import(kind, content, filename, federation, today=day)
    for code, name in plan.new_enterprises.items():
        plan.matched[code] = registry_actions.do_create_organisation(
            actor=actor, kind=OrganisationKind.ENTERPRISE, name=name[:128], uscc=code,
            federation=federation, region=code[2:8] if code[2:8].isdigit() else "")
    numbers = next_numbers(CreditRecord, "XY", day.year, len(plan.rows))
    rules: dict[str, Window] = {}
    records = [_record(federation, plan.matched[row.uscc], row, actor, rules, number)
               for row, number in zip(plan.rows, numbers, strict=True)]
    CreditRecord.objects.bulk_create(records, batch_size=1000)
    if records and records[0].pk is None:  # a backend that does not return keys
        by_number = dict(CreditRecord.objects.filter(number__in=numbers)
                         .values_list("number", "pk"))
        for record in records:
            record.pk = by_number[record.number]

    def entries() -> Any:
        for row, record in zip(plan.rows, records, strict=True):
            yield AuditEntry(record, AuditAction.CREATE, after=snapshot(record))
            yield AuditEntry(record, AuditAction.EVENT, event="credit_record.imported",
                             after={"file": filename[:120], "row": row.number,
                                    "category": record.category, "severity": record.severity})

    record_many(entries(), actor=actor)
    records_changed(r.organisation_id for r in records if r.organisation_id)
    return ImportResult(len(records), len(plan.new_enterprises))
