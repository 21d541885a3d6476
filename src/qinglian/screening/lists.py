"""Reading what people paste and upload for screening, validated as a whole.

* counterparties to screen: one per line (name, optionally followed by the USCC after a tab,
  comma or space), or a .xlsx/.csv with columns 名称 and 统一社会信用代码;
* list entries: .xlsx/.csv with 名称, 统一社会信用代码, 列入原因, 列入日期, 有效期至;
* vendors and employees for the comparison: name, phone, bank account, address, legal
  representative (vendors only).

Every bad line is named in Chinese (line, value, reason); a list with any bad line is used not
at all, so nothing is stored from a bad upload.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qinglian.core.imports import (
    ColumnSpec,
    SourceRow,
    TableSpec,
    cell_code,
    cell_date,
    cell_text,
    header_key,
    read_table,
)
from qinglian.core.normalise import company_name
from qinglian.registry.identifiers import IdentifierError, clean_uscc

#: Longest list one screening (or one upload) takes.
MAX_PARTIES = 5000
MAX_ENTRIES = 100_000
NAME_MAX = 255


@dataclass(frozen=True)
class LineError:
    """A bad line (0 = the whole list), the value as typed and the reason, in Chinese."""

    line: int
    value: str
    reason: str

    def describe(self) -> str:
        return f"第 {self.line} 行：{self.reason}" if self.line else self.reason


class ListError(ValueError):
    """The list cannot be used; ``errors`` names every bad line."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__("；".join(e.describe() for e in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class PartyLine:
    """A counterparty as entered: its line, name and (optional) credit code."""

    line: int
    name: str
    uscc: str = ""


@dataclass(frozen=True)
class EntryLine:
    line: int
    name: str
    uscc: str = ""
    reason: str = ""
    listed_on: dt.date | None = None
    expires_on: dt.date | None = None


_NAME_ALIASES = ("企业名称", "单位名称", "公司名称", "供应商名称", "名称/姓名", "name")
_USCC_ALIASES = ("信用代码", "社会信用代码", "统一代码", "uscc")
PARTY_SPEC = TableSpec(
    title="筛查对象名单", sheet_title="筛查对象", max_rows=MAX_PARTIES,
    columns=(
        ColumnSpec("name", "名称", required=True, width=36, aliases=_NAME_ALIASES),
        ColumnSpec("uscc", "统一社会信用代码", width=24, as_text=True, aliases=_USCC_ALIASES),
        ColumnSpec("serial", "序号", aliases=("no",)),
        ColumnSpec("note", "备注", aliases=("note",)),
    ),
)
ENTRY_SPEC = TableSpec(
    title="筛查名单条目", sheet_title="名单条目", max_rows=MAX_ENTRIES,
    columns=(
        ColumnSpec("name", "名称", required=True, width=36, aliases=_NAME_ALIASES),
        ColumnSpec("uscc", "统一社会信用代码", width=24, as_text=True, aliases=_USCC_ALIASES),
        ColumnSpec("reason", "列入原因", width=40, aliases=("原因", "依据", "列入依据", "reason")),
        ColumnSpec("listed_on", "列入日期", width=14, aliases=("listed_on",)),
        ColumnSpec("expires_on", "有效期至", width=14, aliases=("截止日期", "expires_on")),
        ColumnSpec("serial", "序号", aliases=("no",)),
    ),
)
_SEPARATORS = re.compile(r"[\t,，;；]+|\s{2,}|\s+(?=[0-9A-Za-z０-９Ａ-Ｚ]{18}$)")


def _uscc(raw: str, line: int, errors: list[LineError]) -> str:
    code = cell_code(raw)
    if not code:
        return ""
    try:
        return clean_uscc(code)
    except IdentifierError as exc:
        errors.append(LineError(line, raw, f"统一社会信用代码有误：{exc}"))
        return ""


def _name(raw: str, line: int, errors: list[LineError]) -> str:
    name = cell_text(raw)
    if not name:
        errors.append(LineError(line, "", "缺少名称"))
    elif len(name) > NAME_MAX:
        errors.append(LineError(line, name[:20], f"名称不能超过 {NAME_MAX} 个字符"))
    return name


def parse_pasted(text: str) -> list[PartyLine]:
    """Pasted lines as parties (name, then an optional USCC), numbered as in the textarea;
    blank lines and a header line are skipped. ListError names every bad line."""
    parties: list[PartyLine] = []
    errors: list[LineError] = []
    headers = PARTY_SPEC.header_index()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = cell_text(raw)
        if not line:
            continue
        parts = [p for p in _SEPARATORS.split(line) if p.strip()]
        if not parties and not errors and header_key(parts[0]) in headers:
            continue
        parties.append(PartyLine(number, parts[0], parts[1] if len(parts) > 1 else ""))
    return check_parties(parties)


def read_party_file(content: bytes, filename: str) -> list[PartyLine]:
    """Parties from an .xlsx/.csv, numbered as Excel rows (TableError if unreadable)."""
    rows = read_table(PARTY_SPEC, content, filename, max_rows=MAX_PARTIES)
    return check_parties([PartyLine(row.number, cell_text(row["name"]), cell_text(row["uscc"]))
                          for row in rows])


def check_parties(raw: Sequence[PartyLine]) -> list[PartyLine]:
    """The parties cleaned (name trimmed, code canonical), or ListError naming every bad line:
    a missing or over-long name, a wrong credit code, a party entered twice, an empty or
    over-long list."""
    if not raw:
        raise ListError([LineError(0, "", "名单是空的：请至少填写一个筛查对象")])
    if len(raw) > MAX_PARTIES:
        raise ListError([LineError(0, "", f"共 {len(raw):,} 个筛查对象，超过单次 "
                                          f"{MAX_PARTIES:,} 个的上限，请拆分后分批筛查")])
    errors: list[LineError] = []
    parties = [PartyLine(p.line, _name(p.name, p.line, errors), _uscc(p.uscc, p.line, errors))
               for p in raw]
    seen: dict[str, int] = {}
    for party in parties:
        if not party.name:
            continue
        key = party.uscc or company_name(party.name).key
        if key in seen:
            errors.append(LineError(party.line, party.name,
                                    f"与第 {seen[key]} 行重复：同一名单中每个对象只能出现一次"))
        else:
            seen[key] = party.line
    if errors:
        raise ListError(sorted(errors, key=lambda e: e.line))
    return list(parties)


def _entry(row: SourceRow, errors: list[LineError]) -> EntryLine:
    dates: dict[str, dt.date | None] = {}
    for key, header in (("listed_on", "列入日期"), ("expires_on", "有效期至")):
        try:
            dates[key] = cell_date(row[key])
        except ValueError as exc:
            errors.append(LineError(row.number, row.shown(key), f"{header}：{exc}"))
            dates[key] = None
    reason = cell_text(row["reason"])
    if len(reason) > 500:
        errors.append(LineError(row.number, reason[:20], "列入原因不能超过 500 个字符"))
    return EntryLine(row.number, _name(cell_text(row["name"]), row.number, errors),
                     _uscc(cell_text(row["uscc"]), row.number, errors), reason,
                     dates["listed_on"], dates["expires_on"])


def read_entry_file(content: bytes, filename: str) -> list[EntryLine]:
    """List entries from an .xlsx/.csv; ListError names every bad row (TableError if the
    file is unreadable)."""
    rows = read_table(ENTRY_SPEC, content, filename, max_rows=MAX_ENTRIES)
    errors: list[LineError] = []
    entries = [_entry(row, errors) for row in rows]
    for entry in entries:
        if entry.listed_on and entry.expires_on and entry.expires_on < entry.listed_on:
            errors.append(LineError(entry.line, entry.expires_on.isoformat(),
                                    "有效期至早于列入日期"))
    if errors:
        raise ListError(sorted(errors, key=lambda e: e.line))
    return entries
