"""Nominee lists for the eligibility check (资格联审): read, then validated as a whole.

``parse_pasted`` (one nominee per line: the identifier, optionally followed by a name after a
tab, comma, space or 、) and ``read_nominee_file`` (.xlsx/.csv with columns 证件号码, 名称)
produce ``NomineeEntry``s; the API builds them from its JSON list. ``clean_entries`` validates
them all and names every bad line — bad check character, missing identifier, duplicate, a list
over ``MAX_NOMINEES`` — in Chinese; a list with any bad line is used not at all.

Enterprises and people are told apart by their codes (python-stdnum through
``registry.identifiers``): a unified social credit code (GB 32100) or an 18-digit resident ID
number (GB 11643). A code valid as both is kept as ``maybe_person`` and decided against the
registry (see ``eligibility.resolve``). Error reports mask anything that looks like an ID
number, even a wrong one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qinglian.core.crypto import mask_id_number
from qinglian.core.imports import (
    Cell,
    ColumnSpec,
    TableSpec,
    cell_code,
    cell_text,
    header_key,
    read_table,
)
from qinglian.registry.identifiers import IdentifierError, clean_id_number, clean_uscc

from .choices import NomineeKind

#: Longest list one check takes; longer lists are refused whole, with a clear message.
MAX_NOMINEES = 2000
NAME_MAX = 128



@dataclass(frozen=True)
class NomineeEntry:
    """One nominee as submitted: its line (textarea line, Excel row or list position),
    the identifier and name as typed, and a problem already found while reading it."""

    line: int
    identifier: str
    name: str = ""
    problem: str = ""


@dataclass(frozen=True)
class LineError:
    """A bad line (0 = the whole list) with the value as typed and the reason, in Chinese."""

    line: int
    value: str
    reason: str

    def describe(self, unit: str = "行") -> str:
        return f"第 {self.line} {unit}：{self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class CleanNominee:
    """A valid nominee: its kind, canonical identifier and name. ``maybe_person`` marks a code
    valid both as a USCC and as an ID number (see the module docstring)."""

    line: int
    kind: str
    identifier: str
    name: str
    maybe_person: bool = False


NOMINEE_SPEC = TableSpec(
    title="资格联审人选名单",
    sheet_title="人选名单",
    unique_key="identifier",
    max_rows=MAX_NOMINEES,
    columns=(
        ColumnSpec("identifier", "证件号码", required=True, width=24, as_text=True,
                   aliases=("统一社会信用代码", "身份证号", "身份证号码", "证件号", "信用代码",
                            "identifier", "uscc", "id_number"),
                   help="企业填统一社会信用代码，个人填 18 位居民身份证号"),
        ColumnSpec("name", "名称", width=30, aliases=("姓名", "名称/姓名", "企业名称", "name")),
        ColumnSpec("serial", "序号", aliases=("no",)),
        ColumnSpec("note", "备注", aliases=("note",)),
    ),
)
_SEPARATORS = re.compile(r"[\t,，、;；\s]+")


def _split_line(text: str) -> tuple[str, str]:
    """(identifier, name): identifier first, or — when the first token has no digit and the
    last one has — name first, as lists copied from other sheets often are."""
    parts = _SEPARATORS.split(text)
    if len(parts) == 1:
        return parts[0], ""
    if not re.search(r"\d", parts[0]) and re.search(r"\d", parts[-1]):
        return parts[-1], text[: text.rfind(parts[-1])].strip(" \t,，、;；")
    head = parts[0]
    return head, text[len(head):].strip(" \t,，、;；")


def parse_pasted(text: str) -> list[NomineeEntry]:
    """Pasted lines as entries, numbered as in the textarea. Blank lines are skipped, and so is
    a first line that is only a header (证件号码 / 统一社会信用代码 …)."""
    entries: list[NomineeEntry] = []
    headers = NOMINEE_SPEC.header_index()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = cell_text(raw)
        if not line:
            continue
        identifier, name = _split_line(line)
        if not entries and header_key(identifier) in headers:
            continue
        entries.append(NomineeEntry(number, identifier, name))
    return entries


def _identifier_cell(value: Cell) -> tuple[str, str]:
    """The identifier and, for a number-formatted cell, why it cannot be trusted: Excel keeps
    15 significant digits, so an 18-digit code stored as a number has lost its last digits."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell_text(value), "该单元格是数字格式，18 位证件号码的末几位已丢失；请把该列设为文本格式后重新填写"
    return cell_text(value), ""


def read_nominee_file(content: bytes, filename: str) -> list[NomineeEntry]:
    """Entries from an .xlsx or .csv list, numbered as Excel rows; TableError if unreadable."""
    rows = read_table(NOMINEE_SPEC, content, filename, max_rows=MAX_NOMINEES)
    entries = []
    for row in rows:
        identifier, problem = _identifier_cell(row["identifier"])
        entries.append(NomineeEntry(row.number, identifier, cell_text(row["name"]), problem))
    return entries


def _valid(clean: Callable[[str], str], code: str) -> bool:
    try:
        clean(code)
    except IdentifierError:
        return False
    return True


def _looks_like_id_number(code: str) -> bool:
    """17 digits and a digit or X, with a real birth date where an ID number has one."""
    if not re.fullmatch(r"\d{17}[\dX]", code):
        return False
    try:
        dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    return True


def classify(raw: str) -> tuple[str, str, bool]:
    """(kind, canonical code, maybe_person) or IdentifierError with the reason in Chinese."""
    code = cell_code(raw)
    if not code:
        raise IdentifierError("缺少证件号码（统一社会信用代码或身份证号）")
    if len(code) != 18:
        raise IdentifierError(f"证件号码应为 18 位（统一社会信用代码或身份证号），实际 {len(code)} 位")
    as_uscc, as_id = _valid(clean_uscc, code), _valid(clean_id_number, code)
    if as_uscc:
        return NomineeKind.ENTERPRISE, code, as_id
    if as_id:
        return NomineeKind.PERSON, code, False
    if _looks_like_id_number(code):
        clean_id_number(code)  # raises with the ID number's own reason
    clean_uscc(code)  # raises with the code's own reason
    raise IdentifierError("证件号码无效")  # unreachable: one of the two raised


def _shown(entry: NomineeEntry) -> str:
    """The identifier for an error report: a valid-looking ID number is masked even there."""
    code = cell_code(entry.identifier)
    return mask_id_number(code) if _looks_like_id_number(code) else entry.identifier


def clean_entries(
    entries: Sequence[NomineeEntry], unit: str = "行",
) -> tuple[list[CleanNominee], list[LineError]]:
    """Every entry validated: the clean nominees, or every bad line (then use none of them)."""
    if not entries:
        return [], [LineError(0, "", "名单是空的：请至少填写一名人选")]
    if len(entries) > MAX_NOMINEES:
        return [], [LineError(0, "", f"名单共 {len(entries):,} 名人选，超过单次 {MAX_NOMINEES:,} 名的上限，"
                                     "请拆分为多次审核")]
    nominees: list[CleanNominee] = []
    errors: list[LineError] = []
    seen: dict[str, int] = {}
    for entry in entries:
        try:
            if entry.problem:
                raise IdentifierError(entry.problem)
            kind, code, maybe_person = classify(entry.identifier)
        except IdentifierError as exc:
            errors.append(LineError(entry.line, _shown(entry), str(exc)))
            continue
        if code in seen:
            errors.append(LineError(entry.line, _shown(entry),
                                    f"与第 {seen[code]} {unit}重复：同一名单中每名人选只能出现一次"))
            continue
        seen[code] = entry.line
        name = entry.name.strip()
        if len(name) > NAME_MAX:
            errors.append(LineError(entry.line, name[:20], f"名称/姓名不能超过 {NAME_MAX} 个字符"))
            continue
        nominees.append(CleanNominee(entry.line, kind, code, name, maybe_person))
    return (nominees, []) if not errors else ([], errors)


