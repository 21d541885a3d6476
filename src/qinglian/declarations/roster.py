"""Reading a roster (申报人名单) for a conflict-of-interest round from .xlsx or .csv.

Columns 姓名*, 部门*, 岗位. Every row is checked before anything is stored: a missing or too
long name or department, a person listed twice (same name and department, however spelled:
full-width, spaces) in the file or already on the roster. A file with any bad row adds no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qinglian.core.imports import (
    ColumnSpec,
    RowError,
    SourceRow,
    TableError,
    TableSpec,
    cell_text,
    read_table,
)

from .keys import person_key

MAX_ROSTER = 5000

ROSTER_SPEC = TableSpec(
    title="利益冲突申报人名单",
    sheet_title="申报人名单",
    max_rows=MAX_ROSTER,
    columns=(
        ColumnSpec("name", "姓名", required=True, width=14, aliases=("申报人", "name"),
                   example="王建国"),
        ColumnSpec("department", "部门", required=True, width=20,
                   aliases=("所在部门", "department"), example="采购部"),
        ColumnSpec("post", "岗位", width=20, aliases=("职务", "岗位/职务", "post"),
                   example="采购经理"),
    ),
    notes=("同一部门中姓名相同的人员只能列一次；已在名单中的人员不要重复导入。",),
)
LIMITS = {"name": 64, "department": 64, "post": 64}


@dataclass(frozen=True)
class RosterRow:
    """A valid roster line: its row number in the file, and the person's key."""

    number: int
    name: str
    department: str
    post: str

    @property
    def key(self) -> str:
        return person_key(self.name, self.department)


def _check(row: SourceRow) -> tuple[RosterRow | None, list[RowError]]:
    values = {key: cell_text(row[key]) for key in LIMITS}
    errors = []
    for column in ROSTER_SPEC.columns:
        value = values[column.key]
        if column.required and not value:
            errors.append(RowError(row.number, column.header, "", f"{column.header}不能为空"))
        elif len(value) > LIMITS[column.key]:
            errors.append(RowError(row.number, column.header, value[:20] + "…",
                                   f"{column.header}不能超过 {LIMITS[column.key]} 个字符"))
    if errors:
        return None, errors
    return RosterRow(row.number, values["name"], values["department"], values["post"]), []


def roster_errors(rows: Iterable[RosterRow], existing: set[str]) -> list[RowError]:
    """Rows that repeat an earlier row, or a person already on the roster."""
    seen: dict[str, int] = {}
    errors = []
    for row in rows:
        if row.key in existing:
            errors.append(RowError(row.number, "姓名", row.name,
                                   f"{row.name}（{row.department}）已在申报人名单中"))
        elif row.key in seen:
            errors.append(RowError(row.number, "姓名", row.name,
                                   f"与第 {seen[row.key]} 行重复：同一部门的同一人只能列一次"))
        else:
            seen[row.key] = row.number
    return errors


def read_roster(content: bytes, filename: str, existing: set[str]) -> list[RosterRow]:
    """The file's rows, or ``TableError`` naming every bad row (row, column, value, reason)."""
    rows: list[RosterRow] = []
    errors: list[RowError] = []
    for source in read_table(ROSTER_SPEC, content, filename):
        row, problems = _check(source)
        errors.extend(problems)
        if row is not None:
            rows.append(row)
    errors.extend(roster_errors(rows, existing))
    if errors:
        raise TableError(sorted(errors, key=lambda e: e.row))
    return rows
