"""The layout of a framework workbook and how its cells and rows are read.

Used by ``framework_io`` (the workbook both ways) and by the indicator edit form, which takes
levels and thresholds in the same one-line notation as the workbook: "完全落实=1；基本落实=0.6"
and "90=1；60=0.6".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from qinglian.core.imports import Cell, cell_int, cell_text, halfwidth, header_key

from .choices import ScoringMethod
from .computed import SOURCES
from .framework_actions import FULL_SCALE, DimensionSpec, IndicatorSpec, NegativeItemSpec
from .scoring import ScoringError, decimal_of, validate_indicator

NOTES, INDICATORS, BANDS, NEGATIVES = "说明", "维度与指标", "等级", "负面清单"
SHEETS = (NOTES, INDICATORS, BANDS, NEGATIVES)

#: Header → key, per sheet, in column order. Headers are matched loosely (``header_key``).
INDICATOR_COLUMNS = {
    "维度代码": "dimension_code", "维度名称": "dimension_name", "指标代码": "code",
    "指标名称": "name", "分值": "max_points", "评分方法": "method",
    "须附佐证": "evidence_required", "分档": "levels", "阈值": "thresholds",
    "不允许值": "floor", "满意值": "target", "单位": "unit", "数据来源": "computed_source",
    "评分指引": "guidance",
}
INDICATOR_REQUIRED = ("维度代码", "维度名称", "指标代码", "指标名称", "分值", "评分方法")
BAND_COLUMNS = {"等级名称": "name", "最低分": "min_points"}
NEGATIVE_COLUMNS = {"代码": "code", "名称": "name", "认定标准": "description"}

#: The longest text each field takes (the models' max_length).
MAX_LENGTH = {"dimension_code": 16, "dimension_name": 64, "code": 16, "name": 128, "unit": 16}
BAND_NAME_LENGTH, ITEM_CODE_LENGTH, ITEM_NAME_LENGTH = 16, 16, 128
#: Points have two decimals and parameters four (the models' decimal_places).
HUNDREDTH, TEN_THOUSANDTH = Decimal("0.01"), Decimal("0.0001")
MAX_POINTS, MAX_PARAMETER = Decimal("9999.99"), Decimal("9999999999")
PAIR_SEPARATORS = re.compile(r"[；;\n]+")
#: An indicator code names its edit page in a URL: no spaces, no slashes.
CODE = re.compile(r"[\w.\-]+")
YES = {"是", "y", "yes", "true", "1", "√", "须附", "需要"}
NO = {"否", "n", "no", "false", "0", "", "×", "不需要"}


@dataclass(frozen=True)
class SheetError:
    """One problem: the sheet, the row as Excel numbers it (0 = the whole sheet or file)."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else "文件"
        if self.row:
            where += f"第 {self.row} 行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.reason}"


@dataclass
class SheetRows:
    """The data rows of one sheet: (Excel row number, {column key: cell})."""

    name: str
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)


# --- numbers and one-line pairs --------------------------------------------------------------


def plain_number(value: Any) -> str:
    """A number as the shortest plain text: 30.00 → "30", 0.60 → "0.6" (never 1E+3)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text == "-0" else text


def _number(text: Any, what: str) -> Decimal:
    try:
        return decimal_of(halfwidth(cell_text(text)).replace(",", ""), what)
    except ScoringError as exc:
        raise ValueError(str(exc)) from exc


def _pairs(text: str, what: str, example: str) -> Iterator[tuple[str, str]]:
    for part in PAIR_SEPARATORS.split(halfwidth(text)):
        part = part.strip()
        if not part:
            continue
        left, sep, right = part.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(f"{what}“{part}”应写成“{example}”的形式")
        yield left.strip(), right.strip()


def parse_levels(text: str) -> list[dict[str, str]]:
    """"完全落实=1；基本落实=0.6" → [{"label": "完全落实", "share": "1"}, …], best first."""
    return [{"label": label, "share": plain_number(_number(share, f"分档“{label}”的得分比例"))}
            for label, share in _pairs(text, "分档", "完全落实=1")]


def parse_thresholds(text: str) -> list[dict[str, str]]:
    """"90=1；60=0.6" → [{"min": "90", "share": "1"}, …]; "≥90" is read as 90."""
    steps = []
    for low, share in _pairs(text, "阈值", "90=1"):
        low = low.lstrip("≥>").strip()
        steps.append({"min": plain_number(_number(low, "阈值")),
                      "share": plain_number(_number(share, f"阈值 {low} 的得分比例"))})
    return steps


def format_levels(levels: list[dict[str, Any]]) -> str:
    return "；".join(f"{step.get('label', '')}={plain_number(step.get('share', 0))}"
                    for step in levels)


def format_thresholds(thresholds: list[dict[str, Any]]) -> str:
    return "；".join(f"{plain_number(step.get('min', 0))}={plain_number(step.get('share', 0))}"
                    for step in thresholds)


def method_label(method: str) -> str:
    return str(dict(ScoringMethod.choices).get(method, method))


def _method_names() -> dict[str, str]:
    """Every way a scoring method may be written (label, code, short forms) → its code."""
    names = {header_key(label): code for code, label in ScoringMethod.choices}
    names.update({header_key(code): code for code in ScoringMethod.values})
    names.update({header_key(alias): code for alias, code in (
        ("是/否", ScoringMethod.BOOLEAN), ("是否", ScoringMethod.BOOLEAN),
        ("分档", ScoringMethod.LEVELS), ("阈值", ScoringMethod.THRESHOLDS),
        ("阈值分档", ScoringMethod.THRESHOLDS), ("功效系数法", ScoringMethod.EFFICACY),
        ("功效系数", ScoringMethod.EFFICACY), ("自动计算", ScoringMethod.COMPUTED),
    )})
    return names


def method_of(text: str) -> str:
    method = _method_names().get(header_key(text))
    if method is None:
        choices = "、".join(label for _, label in ScoringMethod.choices)
        raise ValueError(f"评分方法“{text}”无法识别，可填：{choices}")
    return method


def source_label(code: str) -> str:
    source = SOURCES.get(code)
    return source.name if source else code


def source_of(text: str) -> str:
    for source in SOURCES.values():
        if text in (source.code, source.name):
            return source.code
    raise ValueError(f"数据来源“{text}”无法识别，可填：{'、'.join(s.name for s in SOURCES.values())}")


def points_of(text: Any) -> Decimal:
    number = _number(text, "分值")
    if number <= 0:
        raise ValueError("分值必须大于 0")
    if number != number.quantize(HUNDREDTH) or number > MAX_POINTS:
        raise ValueError(f"分值“{plain_number(number)}”最多两位小数，且不超过 {MAX_POINTS}")
    return number


def parameter_of(text: Any, what: str) -> str | None:
    """An efficacy parameter (不允许值, 满意值): None when blank."""
    if cell_text(text) == "":
        return None
    number = _number(text, what)
    if number != number.quantize(TEN_THOUSANDTH) or abs(number) > MAX_PARAMETER:
        raise ValueError(f"{what}“{plain_number(number)}”最多四位小数")
    return plain_number(number)


def yes_no(text: Any) -> bool:
    value = halfwidth(cell_text(text)).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(f"“{cell_text(text)}”应填“是”或“否”")


# --- rows ------------------------------------------------------------------------------------


class RowProblems:
    """Collects one row's problems with the column header they concern."""

    def __init__(self, sheet: str, columns: dict[str, str], number: int,
                 cells: dict[str, Cell]) -> None:
        self.sheet, self.number, self.cells = sheet, number, cells
        self.headers = {key: header for header, key in columns.items()}
        self.errors: list[SheetError] = []

    def text(self, key: str, *, required: bool = False, limit: int = 0) -> str:
        value = cell_text(self.cells.get(key))
        if required and not value:
            self.add(key, "必须填写")
        elif limit and len(value) > limit:
            self.add(key, f"不能超过 {limit} 个字符（现有 {len(value)} 个）")
        return value

    def parse(self, key: str, parser: Callable[[Any], Any], default: Any = None) -> Any:
        try:
            return parser(self.cells.get(key))
        except ValueError as exc:
            self.add(key, str(exc))
            return default

    def add(self, key: str, reason: str) -> None:
        self.errors.append(SheetError(self.sheet, self.number, self.headers.get(key, key),
                                      cell_text(self.cells.get(key))[:50], reason))


def _indicator(row: RowProblems) -> IndicatorSpec:
    limit = MAX_LENGTH
    points = row.parse("max_points", points_of)
    method = row.parse("method", lambda v: method_of(cell_text(v)), "")
    code = halfwidth(row.text("code", required=True, limit=limit["code"]))
    if code and not CODE.fullmatch(code):
        row.add("code", "指标代码只能由字母、数字、汉字、“-”“_”“.”组成，不含空格和“/”")
    spec = IndicatorSpec(
        code=code,
        name=row.text("name", required=True, limit=limit["name"]),
        guidance=row.text("guidance"),
        max_points=plain_number(points) if points is not None else "",
        method=method, evidence_required=bool(row.parse("evidence_required", yes_no, False)),
        levels=row.parse("levels", lambda v: parse_levels(cell_text(v)), []),
        thresholds=row.parse("thresholds", lambda v: parse_thresholds(cell_text(v)), []),
        floor=row.parse("floor", lambda v: parameter_of(v, "不允许值")),
        target=row.parse("target", lambda v: parameter_of(v, "满意值")),
        unit=row.text("unit", limit=limit["unit"]),
        computed_source=row.parse("computed_source",
                                  lambda v: source_of(cell_text(v)) if cell_text(v) else "", ""),
    )
    if not row.errors:
        _check_rule(row, spec)
    return spec


#: The column a definition problem is shown on, by scoring method.
METHOD_COLUMN: dict[str, str] = {ScoringMethod.LEVELS: "levels", ScoringMethod.THRESHOLDS: "thresholds",
                 ScoringMethod.EFFICACY: "floor", ScoringMethod.COMPUTED: "computed_source"}


def _check_rule(row: RowProblems, spec: IndicatorSpec) -> None:
    rule = SimpleNamespace(
        method=spec["method"], max_points=Decimal(spec["max_points"]), levels=spec["levels"],
        thresholds=spec["thresholds"], computed_source=spec["computed_source"],
        floor=None if spec["floor"] is None else Decimal(spec["floor"]),
        target=None if spec["target"] is None else Decimal(spec["target"]),
    )
    for message in validate_indicator(rule):
        row.add(METHOD_COLUMN.get(spec["method"], "method"), message)


def dimensions_of(sheet: SheetRows, errors: list[SheetError]) -> list[DimensionSpec]:
    """The dimensions in the order they first appear, each with its rows' indicators."""
    dims: dict[str, DimensionSpec] = {}
    first_row: dict[str, int] = {}
    total, all_points = Decimal(0), True
    for number, cells in sheet.rows:
        row = RowProblems(sheet.name, INDICATOR_COLUMNS, number, cells)
        dim_code = halfwidth(row.text("dimension_code", required=True,
                                      limit=MAX_LENGTH["dimension_code"]))
        dim_name = row.text("dimension_name", required=True, limit=MAX_LENGTH["dimension_name"])
        if dim_code in dims and dims[dim_code]["name"] != dim_name:
            row.add("dimension_name", f"维度 {dim_code} 在前面的行中名称为“{dims[dim_code]['name']}”，"
                                      "同一维度的名称须一致")
        indicator = _indicator(row)
        code = indicator["code"]
        if code and code in first_row:
            row.add("code", f"指标代码 {code} 与第 {first_row[code]} 行重复")
        first_row.setdefault(code, number)
        if indicator["max_points"]:
            total += Decimal(indicator["max_points"])
        else:
            all_points = False
        dims.setdefault(dim_code, DimensionSpec(code=dim_code, name=dim_name, indicators=[]))
        dims[dim_code]["indicators"].append(indicator)
        errors.extend(row.errors)
    if not sheet.rows:
        errors.append(SheetError(sheet.name, 0, "", "", "没有指标行"))
    elif all_points and total != FULL_SCALE:
        errors.append(SheetError(sheet.name, 0, "分值", plain_number(total),
                                 f"各指标分值合计为 {plain_number(total)} 分，应为 "
                                 f"{plain_number(FULL_SCALE)} 分"))
    return list(dims.values())


def bands_of(sheet: SheetRows, errors: list[SheetError]) -> list[tuple[str, int]]:
    bands: list[tuple[str, int]] = []
    names: dict[str, int] = {}
    floors: dict[int, int] = {}
    for number, cells in sheet.rows:
        row = RowProblems(sheet.name, BAND_COLUMNS, number, cells)
        name = row.text("name", required=True, limit=BAND_NAME_LENGTH)
        floor = row.parse("min_points", _band_floor)
        if name in names:
            row.add("name", f"等级“{name}”与第 {names[name]} 行重复")
        if floor is not None and floor in floors:
            row.add("min_points", f"最低分 {floor} 与第 {floors[floor]} 行重复")
        names.setdefault(name, number)
        if floor is not None:
            floors.setdefault(floor, number)
            bands.append((name, floor))
        errors.extend(row.errors)
    if not sheet.rows:
        errors.append(SheetError(sheet.name, 0, "", "", "没有等级行"))
    return bands


def _band_floor(value: Cell) -> int:
    floor = cell_int(value)
    if floor is None:
        raise ValueError("必须填写")
    if not 0 <= floor <= FULL_SCALE:
        raise ValueError(f"最低分须在 0 到 {plain_number(FULL_SCALE)} 之间")
    return floor


def negative_items_of(sheet: SheetRows, errors: list[SheetError]) -> list[NegativeItemSpec]:
    items: list[NegativeItemSpec] = []
    codes: dict[str, int] = {}
    for number, cells in sheet.rows:
        row = RowProblems(sheet.name, NEGATIVE_COLUMNS, number, cells)
        code = halfwidth(row.text("code", required=True, limit=ITEM_CODE_LENGTH))
        if code and code in codes:
            row.add("code", f"代码 {code} 与第 {codes[code]} 行重复")
        codes.setdefault(code, number)
        items.append(NegativeItemSpec(
            code=code, name=row.text("name", required=True, limit=ITEM_NAME_LENGTH),
            description=row.text("description")))
        errors.extend(row.errors)
    return items
