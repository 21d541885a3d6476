"""Vendors tied to staff (供应商与员工比对): the same phone, bank account or address, or a
vendor whose legal representative bears an employee's name.

Both lists are uploaded, compared field by field after the shared normalisation
(``core.normalise``: phone, bank_account, address, person_name — the monitoring app uses the
same), and shown with the normalised value that matched. Neither list is stored: employees'
phones and accounts are personal data; the comparison is recorded as an audit event with its
counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from qinglian.core import normalise
from qinglian.core.audit import record_event
from qinglian.core.imports import ColumnSpec, TableSpec, cell_text, read_table
from qinglian.core.models import User
from qinglian.core.permissions import require
from qinglian.registry.models import Organisation

from .lists import LineError, ListError
from .queries import home_id

MAX_ROWS = 20_000
#: Addresses shorter than this once normalised (a bare road name) say too little to match on.
MIN_ADDRESS = 6

_PHONE = ("电话", "联系电话", "手机", "手机号", "phone")
_BANK = ("银行账号", "账号", "银行账户", "收款账号", "bank_account")
_ADDRESS = ("地址", "注册地址", "住址", "联系地址", "address")
VENDOR_SPEC = TableSpec(
    title="供应商名单", sheet_title="供应商", max_rows=MAX_ROWS,
    columns=(
        ColumnSpec("name", "名称", required=True, aliases=("供应商名称", "企业名称", "name")),
        ColumnSpec("phone", "电话", aliases=_PHONE[1:]),
        ColumnSpec("bank_account", "银行账号", aliases=_BANK[1:]),
        ColumnSpec("address", "地址", aliases=_ADDRESS[1:]),
        ColumnSpec("legal_representative", "法定代表人",
                   aliases=("法人", "法人代表", "legal_representative")),
    ),
)
EMPLOYEE_SPEC = TableSpec(
    title="员工名单", sheet_title="员工", max_rows=MAX_ROWS,
    columns=(
        ColumnSpec("name", "姓名", required=True, aliases=("员工姓名", "name")),
        ColumnSpec("number", "工号", aliases=("员工编号", "number")),
        ColumnSpec("department", "部门", aliases=("department",)),
        ColumnSpec("phone", "电话", aliases=_PHONE[1:]),
        ColumnSpec("bank_account", "银行账号", aliases=_BANK[1:]),
        ColumnSpec("address", "地址", aliases=_ADDRESS[1:]),
    ),
)


@dataclass(frozen=True)
class Record:
    """A vendor or an employee as uploaded: line, name and the raw cells."""

    line: int
    name: str
    cells: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tie:
    """One vendor–employee match on one field, with the normalised value both share."""

    vendor: Record
    employee: Record
    field: str
    label: str
    value: str


def _address(text: str) -> str:
    value = normalise.address(text)
    return value if len(value) >= MIN_ADDRESS else ""


#: (vendor column, employee column, label, normaliser)
FIELDS: tuple[tuple[str, str, str, Callable[[str], str]], ...] = (
    ("phone", "phone", "电话", normalise.phone),
    ("bank_account", "bank_account", "银行账号", normalise.bank_account),
    ("address", "address", "地址", _address),
    ("legal_representative", "name", "供应商法定代表人与员工同名", normalise.person_name),
)


def read_records(spec: TableSpec, content: bytes, filename: str) -> list[Record]:
    """Rows of an upload (TableError if unreadable); ListError for rows without a name."""
    rows = read_table(spec, content, filename, max_rows=MAX_ROWS)
    errors = [LineError(row.number, "", f"缺少{spec.columns[0].header}") for row in rows
              if not cell_text(row["name"])]
    if errors:
        raise ListError(errors)
    keys = [c.key for c in spec.columns]
    return [Record(row.number, cell_text(row["name"]),
                   {k: cell_text(row[k]) for k in keys}) for row in rows]


def find_ties(vendors: Sequence[Record], employees: Sequence[Record]) -> list[Tie]:
    """Every vendor–employee pair sharing a normalised value, field by field."""
    ties: list[Tie] = []
    for vendor_key, employee_key, label, clean in FIELDS:
        index: dict[str, list[Record]] = defaultdict(list)
        for employee in employees:
            value = clean(employee.cells.get(employee_key, ""))
            if value:
                index[value].append(employee)
        for vendor in vendors:
            value = clean(vendor.cells.get(vendor_key, ""))
            for employee in index.get(value, []) if value else []:
                ties.append(Tie(vendor, employee, vendor_key, label, value))
    return sorted(ties, key=lambda t: (t.vendor.line, t.employee.line, t.field))


@transaction.atomic
def do_compare_vendors(organisation: Organisation, *, vendors: Sequence[Record],
                       employees: Sequence[Record], actor: User | None) -> list[Tie]:
    """Compare an organisation's vendors with its employees; the event keeps counts only."""
    if actor is not None:
        require(actor, "screening.compare")
        if home_id(actor) != organisation.pk:
            raise PermissionDenied("只能比对本单位的供应商与员工")
    ties = find_ties(vendors, employees)
    by_field: dict[str, int] = defaultdict(int)
    for tie in ties:
        by_field[tie.field] += 1
    record_event(organisation, "screening.vendors_compared", actor=actor, details={
        "vendors": len(vendors), "employees": len(employees), "matches": len(ties),
        "vendors_tied": len({t.vendor.line for t in ties}), **by_field})
    return ties
