"""Matching a file's headers to a schema's canonical columns.

A header matches a column when, compared loosely (half-width, lower case, without spaces,
underscores, hyphens, brackets and required-marks), it equals the column's name, label or one of
its aliases. The organisation's saved mapping wins where its header is present in the file.
"""

from __future__ import annotations

import re
import unicodedata

from ..schemas import Schema


def header_key(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s*_\-()（）\[\]【】:：]", "", normal)


def suggest_mapping(schema: Schema, headers: list[str], saved: dict[str, str] | None = None
                    ) -> dict[str, str]:
    """Canonical column → file header, for every column a header was found for."""
    present = set(headers)
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in schema.columns:
        chosen = (saved or {}).get(column.name)
        if chosen is not None and chosen in present:
            mapping[column.name] = chosen
            taken.add(chosen)
    # Exact names and labels first, aliases after, so "金额" does not steal "付款金额"'s header.
    for candidates in (lambda c: (c.name, c.label), lambda c: c.aliases):
        for column in schema.columns:
            if column.name in mapping:
                continue
            for alias in candidates(column):
                found = by_key.get(header_key(alias))
                if found and found not in taken:
                    mapping[column.name] = found
                    taken.add(found)
                    break
    return mapping


def missing_required(schema: Schema, mapping: dict[str, str]) -> list[str]:
    """Labels of required columns the mapping leaves out."""
    return [c.label for c in schema.columns if c.required and not mapping.get(c.name)]


#: Keys of ``DatasetVersion.profile`` written when the mapping is confirmed and kept when the
#: load replaces the profile with the column profile: what the file had that the version will
#: not hold, and (Excel) which worksheet was read.
NOTES = ("unmapped_headers", "unmapped_columns", "sheet", "sheets")


def unmapped(schema: Schema, headers: list[str], mapping: dict[str, str]
             ) -> tuple[list[str], list[str]]:
    """The file's headers no column reads (their values are not kept), and the labels of the
    optional columns no header feeds (left empty)."""
    used = {header for header in mapping.values() if header}
    return ([h for h in headers if h not in used],
            [c.label for c in schema.columns if not c.required and not mapping.get(c.name)])


def describe_unmapped(headers: list[str], *, done: bool = False) -> str:
    """The sentence the mapping page (and, once confirmed, the version page) shows; empty
    when every column of the file is used."""
    if not headers:
        return ""
    return f"以下列未对应到标准字段，{'未保存' if done else '导入时将不保存'}：{'、'.join(headers)}"
