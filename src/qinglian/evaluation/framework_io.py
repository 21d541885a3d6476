"""A framework as an Excel workbook (.xlsx), both ways.

The workbook has four sheets: 说明 (the framework's code, name and description, then notes),
维度与指标 (one row per indicator), 等级 (grade bands) and 负面清单 (negative-list items).
Levels and thresholds are written in one cell each, as people write them: "完全落实=1；基本落实=0.6"
and "90=1；60=0.6".

Reading validates every row of every sheet and reports each problem in Chinese with its sheet
and row (the row numbers Excel shows). Nothing is written unless the whole file is sound: the
spec is only handed to ``do_install_framework`` (a new draft version) or
``do_update_framework`` (replacing a draft) once no problem is left.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from qinglian.core.imports import OLE_MAGIC, XLSX_MAGIC, Cell, cell_text, header_key
from qinglian.core.models import User
from qinglian.registry.models import Organisation

from .choices import ScoringMethod
from .computed import SOURCES
from .framework_actions import (
    FULL_SCALE,
    DimensionSpec,
    FrameworkSpec,
    IndicatorSpec,
    NegativeItemSpec,
    do_install_framework,
    do_update_framework,
    framework_spec,
    validate_spec,
)
from .framework_rows import (
    BAND_COLUMNS,
    BANDS,
    INDICATOR_COLUMNS,
    INDICATOR_REQUIRED,
    INDICATORS,
    NEGATIVE_COLUMNS,
    NEGATIVES,
    NOTES,
    SHEETS,
    SheetError,
    SheetRows,
    bands_of,
    dimensions_of,
    format_levels,
    format_thresholds,
    method_label,
    negative_items_of,
    parse_levels,
    parse_thresholds,
    plain_number,
    source_label,
)
from .models import Framework

META_KEYS = {"体系代码": "code", "体系名称": "name", "体系说明": "description"}
META_LENGTH = {"code": 32, "name": 128}
#: Column widths of the indicator sheet, in the order of INDICATOR_COLUMNS.
INDICATOR_WIDTHS = (10, 12, 10, 30, 8, 18, 10, 40, 24, 10, 10, 8, 30, 70)
MAX_ROWS = 500
DEFAULT_CODE = "QLZS"


class FrameworkFileError(Exception):
    """The file cannot become a framework; ``errors`` lists every reason."""

    def __init__(self, errors: list[SheetError]) -> None:
        super().__init__("；".join(str(e) for e in errors))
        self.errors = errors


def normalised_spec(spec: FrameworkSpec) -> FrameworkSpec:
    """The spec with every key present and every number in its plain form: what reading the
    exported workbook gives back, so that two specs can be compared."""
    def number(value: Any) -> str | None:
        return None if value is None or str(value).strip() == "" else plain_number(value)

    dims = [DimensionSpec(code=d["code"], name=d["name"], indicators=[IndicatorSpec(
        code=i.get("code", ""), name=i.get("name", ""), guidance=i.get("guidance", "") or "",
        max_points=plain_number(i.get("max_points", 0)), method=i.get("method", ""),
        evidence_required=bool(i.get("evidence_required")),
        levels=parse_levels(format_levels(i.get("levels") or [])),
        thresholds=parse_thresholds(format_thresholds(i.get("thresholds") or [])),
        floor=number(i.get("floor")), target=number(i.get("target")), unit=i.get("unit", "") or "",
        computed_source=i.get("computed_source", "") or "",
    ) for i in d["indicators"]]) for d in spec.get("dimensions") or []]
    return FrameworkSpec(
        code=spec.get("code") or DEFAULT_CODE, name=spec.get("name", ""),
        description=spec.get("description", "") or "",
        bands=[(str(name), int(floor)) for name, floor in spec.get("bands") or []],
        dimensions=dims,
        negative_items=[NegativeItemSpec(code=n.get("code", ""), name=n.get("name", ""),
                                         description=n.get("description", "") or "")
                        for n in spec.get("negative_items") or []],
    )


# --- writing ---------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="9E1B1B")


def _append(sheet: Any, values: list[Any], *, header: bool = False) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text stays text: a guidance starting with "=" is no formula
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if header:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL


def _notes_rows(spec: FrameworkSpec, version: int | None, status: str) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["项目", "内容"],
        ["体系代码", spec.get("code") or DEFAULT_CODE],
        ["体系名称", spec.get("name", "")],
        ["体系说明", spec.get("description", "")],
    ]
    if version is not None:
        rows.append(["版本（仅供参考，导入时不读取）", f"第 {version} 版 · {status}"])
    sources = "；".join(f"{s.name}（{s.code}）" for s in SOURCES.values())
    methods = "、".join(label for _, label in ScoringMethod.choices)
    rows += [[], ["填写说明", ""], *([text, ""] for text in (
        f"1. “{INDICATORS}”每行一个指标；同一维度的行填写相同的维度代码和名称，维度按首次出现的顺序排列。",
        f"2. 各指标分值合计须为 {plain_number(FULL_SCALE)} 分。",
        f"3. 评分方法可填：{methods}。",
        "4. 分档评分填“分档”列，如“完全落实=1；基本落实=0.6；部分落实=0.3；未落实=0”（得分比例 0 到 1，从高到低）。",
        "5. 阈值分档填“阈值”列，如“90=1；60=0.6”：达到 90 得满分，达到 60 得 60%，否则不得分。",
        "6. 功效系数法填“不允许值”（得 60%）和“满意值”（得满分）；满意值小于不允许值表示越低越好。",
        f"7. 平台数据自动计算填“数据来源”，可选：{sources}。",
        f"8. “{BANDS}”每行一个等级及其最低分，须有最低分为 0 的“不达标”。",
        f"9. “{NEGATIVES}”每行一个负面清单事项，经认定的一票否决。",
    ))]
    return rows


def _indicator_row(dim: DimensionSpec, ind: IndicatorSpec) -> list[Any]:
    def number(value: Any) -> Decimal | str:
        return "" if value is None or str(value).strip() == "" else Decimal(plain_number(value))

    return [
        dim["code"], dim["name"], ind.get("code", ""), ind.get("name", ""),
        number(ind.get("max_points")), method_label(ind.get("method", "")),
        "是" if ind.get("evidence_required") else "否",
        format_levels(ind.get("levels") or []), format_thresholds(ind.get("thresholds") or []),
        number(ind.get("floor")), number(ind.get("target")), ind.get("unit", "") or "",
        source_label(ind.get("computed_source", "") or ""), ind.get("guidance", "") or "",
    ]


def spec_workbook(spec: FrameworkSpec, *, version: int | None = None, status: str = "") -> bytes:
    """The .xlsx of a spec (a framework's, or the shipped default)."""
    book = Workbook()
    notes = book.active
    notes.title = NOTES
    for number, row in enumerate(_notes_rows(spec, version, status)):
        _append(notes, row, header=number == 0)
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 40, 90
    sheet = book.create_sheet(INDICATORS)
    _append(sheet, list(INDICATOR_COLUMNS), header=True)
    for dim in spec.get("dimensions") or []:
        for ind in dim["indicators"]:
            _append(sheet, _indicator_row(dim, ind))
    for index, width in enumerate(INDICATOR_WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "E2"
    bands = book.create_sheet(BANDS)
    _append(bands, list(BAND_COLUMNS), header=True)
    for name, floor in spec.get("bands") or []:
        _append(bands, [name, int(floor)])
    negatives = book.create_sheet(NEGATIVES)
    _append(negatives, list(NEGATIVE_COLUMNS), header=True)
    for item in spec.get("negative_items") or []:
        _append(negatives, [item.get("code", ""), item.get("name", ""), item.get("description", "")])
    for sheet_ in (bands, negatives):
        sheet_.column_dimensions["A"].width, sheet_.column_dimensions["B"].width = 14, 30
    negatives.column_dimensions["C"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def framework_workbook(framework: Framework) -> bytes:
    return spec_workbook(framework_spec(framework), version=framework.version,
                         status=framework.get_status_display())


# --- reading ---------------------------------------------------------------------------------


def _open(content: bytes) -> Any:
    def fail(reason: str) -> FrameworkFileError:
        return FrameworkFileError([SheetError("", 0, "", "", reason)])

    if not content:
        raise fail("文件是空的（0 字节）")
    if content.startswith(OLE_MAGIC):
        raise fail("文件是旧版 Excel（.xls）或其他格式；请在 Excel 中另存为 .xlsx 后再导入")
    if not content.startswith(XLSX_MAGIC):
        raise fail("文件不是 Excel 工作簿（.xlsx）；请导入从本平台导出的指标体系文件")
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise fail("无法打开该 Excel 工作簿（文件可能已损坏，或不是 .xlsx 格式）") from exc


def _read_sheet(book: Any, name: str, columns: dict[str, str], required: tuple[str, ...],
                errors: list[SheetError]) -> SheetRows:
    """The rows under the first filled row (the header), keyed by column; header problems are
    added to ``errors``."""
    result = SheetRows(name)
    keys = {header_key(h): key for h, key in columns.items()}
    lines = book[name].iter_rows(values_only=True, max_col=len(columns) + 10)
    header: dict[int, str] | None = None
    for number, values in enumerate(lines, start=1):
        if not any(cell_text(v) for v in values):
            continue
        if header is None:
            header = _header(name, number, values, keys, columns, required, errors)
            continue
        if len(result.rows) >= MAX_ROWS:
            errors.append(SheetError(name, number, "", "", f"数据超过 {MAX_ROWS} 行的上限"))
            break
        result.rows.append((number, {key: values[i] for i, key in header.items()
                                     if i < len(values)}))
    if header is None:
        errors.append(SheetError(name, 0, "", "", "工作表是空的，没有表头"))
    return result


def _header(sheet: str, number: int, values: tuple[Cell, ...], keys: dict[str, str],
            columns: dict[str, str], required: tuple[str, ...],
            errors: list[SheetError]) -> dict[int, str]:
    header: dict[int, str] = {}
    for position, value in enumerate(values):
        text = cell_text(value)
        if not text:
            continue
        key = keys.get(header_key(text))
        if key is None:
            errors.append(SheetError(sheet, number, text, text,
                                     f"无法识别的列“{text}”，可用的列：{'、'.join(columns)}"))
        elif key in header.values():
            errors.append(SheetError(sheet, number, text, text, f"列“{text}”出现了多次"))
        else:
            header[position] = key
    missing = [h for h in required if columns[h] not in header.values()]
    if missing:
        errors.append(SheetError(sheet, number, "", "", f"缺少必填列：{'、'.join(missing)}"))
    return header


def read_framework(content: bytes) -> FrameworkSpec:
    """The spec in an exported (or hand-made) workbook, or FrameworkFileError with every problem."""
    book = _open(content)
    try:
        missing = [name for name in SHEETS if name not in book.sheetnames]
        if missing:
            raise FrameworkFileError([
                SheetError("", 0, "", "", f"缺少工作表“{name}”（须有：{'、'.join(SHEETS)}）")
                for name in missing])
        errors: list[SheetError] = []
        meta = _read_meta(book, errors)
        indicators = _read_sheet(book, INDICATORS, INDICATOR_COLUMNS, INDICATOR_REQUIRED, errors)
        bands = _read_sheet(book, BANDS, BAND_COLUMNS, tuple(BAND_COLUMNS), errors)
        negatives = _read_sheet(book, NEGATIVES, NEGATIVE_COLUMNS, ("代码", "名称"), errors)
    finally:
        book.close()
    if errors:  # a header is wrong: the rows cannot be read reliably
        raise FrameworkFileError(errors)
    spec = FrameworkSpec(**meta, bands=bands_of(bands, errors),  # type: ignore[typeddict-item]
                         dimensions=dimensions_of(indicators, errors),
                         negative_items=negative_items_of(negatives, errors))
    if not errors:
        errors.extend(SheetError("", 0, "", "", message) for message in validate_spec(spec))
    if errors:
        raise FrameworkFileError(errors)
    return spec


def _read_meta(book: Any, errors: list[SheetError]) -> dict[str, str]:
    meta = {"code": "", "name": "", "description": ""}
    for number, values in enumerate(book[NOTES].iter_rows(values_only=True, max_col=2), start=1):
        label = cell_text(values[0]) if values else ""
        key = META_KEYS.get(label)
        if key is not None:
            meta[key] = cell_text(values[1]) if len(values) > 1 else ""
            limit = META_LENGTH.get(key)
            if limit and len(meta[key]) > limit:
                errors.append(SheetError(NOTES, number, label, meta[key][:20],
                                         f"不能超过 {limit} 个字符"))
    meta["code"] = meta["code"] or DEFAULT_CODE
    if not meta["name"]:
        errors.append(SheetError(NOTES, 0, "体系名称", "", "缺少“体系名称”（A 列填“体系名称”，B 列填名称）"))
    return meta


# --- importing -------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    framework: Framework | None
    errors: list[SheetError]

    @property
    def ok(self) -> bool:
        return self.framework is not None and not self.errors


def import_framework(content: bytes, *, federation: Organisation, actor: User | None,
                     draft: Framework | None = None) -> ImportOutcome:
    """A new draft version from the file, or — given a draft — the draft's content replaced."""
    try:
        spec = read_framework(content)
    except FrameworkFileError as exc:
        return ImportOutcome(None, exc.errors)
    if draft is not None and spec.get("code") != draft.code:
        return ImportOutcome(None, [SheetError(NOTES, 0, "体系代码", str(spec.get("code")),
                                               f"文件中的体系代码与草稿的体系代码 {draft.code} 不一致")])
    try:
        if draft is None:
            return ImportOutcome(do_install_framework(federation, spec, actor=actor), [])
        return ImportOutcome(do_update_framework(draft, spec, actor=actor), [])
    except ValidationError as exc:
        return ImportOutcome(None, [SheetError("", 0, "", "", m) for m in exc.messages])
