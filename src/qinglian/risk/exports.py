"""The register exported: ``.xlsx`` for working with it, Word (``.docx``) laid out for filing.

The Word document is A4 portrait with the organisation's name, the title and the date on top,
one table per business area (code, risk point, department and post, owner, inherent and
residual level, controls with their owners and due dates, next review), and signature lines at
the end (编制人 / 审核人 / 负责领导) as a register filed on paper is signed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from itertools import groupby
from urllib.parse import quote

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.run import Run

from qinglian.core.exports import Column
from qinglian.core.formatting import chinese_date

from .choices import BusinessArea
from .levels import level_colour, level_label
from .models import Control, RiskPoint

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "宋体"
HEADERS = ("编号", "风险点", "部门 / 岗位", "责任人", "固有风险", "防控措施", "剩余风险",
           "下次评估")
WIDTHS_CM = (1.5, 3.6, 2.2, 1.4, 1.4, 4.6, 1.4, 1.9)


def _controls_text(point: RiskPoint) -> str:
    return "\n".join(
        f"{n}. {c.description}（{c.owner_name}，{chinese_date(c.due_on)}前，{c.get_status_display()}）"
        for n, c in enumerate(point.controls.all(), 1))


def register_columns() -> list[Column]:
    return [
        Column("单位", lambda p: p.organisation.name, 28),
        Column("编号", lambda p: p.code, 10),
        Column("业务领域", lambda p: p.get_area_display(), 14),
        Column("风险点", lambda p: p.title, 36),
        Column("风险表现形式", lambda p: p.schemes, 40),
        Column("部门", lambda p: p.department, 14),
        Column("岗位", lambda p: p.post, 14),
        Column("责任人", lambda p: p.owner_name, 10),
        Column("可能性", lambda p: p.likelihood, 8),
        Column("影响程度", lambda p: p.impact, 8),
        Column("固有风险分值", lambda p: p.inherent_score, 10),
        Column("固有风险等级", lambda p: level_label(p.inherent_level), 10),
        Column("防控措施", _controls_text, 60),
        Column("剩余可能性", lambda p: p.residual_likelihood, 8),
        Column("剩余影响程度", lambda p: p.residual_impact, 8),
        Column("剩余风险分值", lambda p: p.residual_score, 10),
        Column("剩余风险等级", lambda p: level_label(p.residual_level), 10),
        Column("评估周期（月）", lambda p: p.review_months, 10),
        Column("上次评估", lambda p: p.last_reviewed_on, 12),
        Column("下次评估", lambda p: p.next_review_on, 12),
        Column("逾期措施数", lambda p: getattr(p, "overdue_controls", 0), 10),
        Column("关联预警数", lambda p: getattr(p, "alert_count", 0), 10),
    ]


def overdue_control_columns() -> list[Column]:
    return [
        Column("单位", lambda c: c.point.organisation.name, 28),
        Column("风险点编号", lambda c: c.point.code, 10),
        Column("风险点", lambda c: c.point.title, 32),
        Column("防控措施", lambda c: c.description, 48),
        Column("责任人", lambda c: c.owner_name, 10),
        Column("完成时限", lambda c: c.due_on, 12),
        Column("状态", lambda c: c.get_status_display(), 10),
    ]


def _font(run: Run, size: float, *, bold: bool = False) -> None:
    """Chinese text needs the East Asian font set explicitly, or Word falls back to its own."""
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _paragraph(document: WordDocument, text: str, size: float, *, bold: bool = False,
               align: WD_ALIGN_PARAGRAPH | None = None, space_after: float = 6) -> None:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    _font(paragraph.add_run(text), size, bold=bold)


def _cell(cell: object, text: str, *, bold: bool = False, colour: str = "") -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    run = paragraph.add_run(text)
    _font(run, 9, bold=bold)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())


def _area_table(document: WordDocument, points: list[RiskPoint]) -> None:
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(table.rows[0].cells, HEADERS, strict=True):
        _cell(cell, header, bold=True)
    for point in points:
        cells = table.add_row().cells
        _cell(cells[0], point.code)
        _cell(cells[1], point.title)
        _cell(cells[2], " / ".join(x for x in (point.department, point.post) if x))
        _cell(cells[3], point.owner_name)
        _cell(cells[4], f"{level_label(point.inherent_level)}（{point.inherent_score}）",
              colour=level_colour(point.inherent_level))
        _cell(cells[5], _controls_text(point) or "—")
        _cell(cells[6], f"{level_label(point.residual_level)}（{point.residual_score}）",
              colour=level_colour(point.residual_level))
        _cell(cells[7], chinese_date(point.next_review_on))
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)


def _signatures(document: WordDocument) -> None:
    _paragraph(document, "", 10, space_after=18)
    for label in ("编制人：", "审核人：", "负责领导："):
        _paragraph(document, f"{label}____________    日期：______年____月____日", 11,
                   space_after=14)


def register_docx(organisation_name: str, points: Iterable[RiskPoint]) -> bytes:
    """The register as a Word document for filing (A4, one table per business area)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(2)
    today = timezone.localdate()
    _paragraph(document, organisation_name, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "廉洁风险点台账", 18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"编制日期：{chinese_date(today)}", 10.5,
               align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    ordered = sorted(points, key=lambda p: (list(BusinessArea.values).index(p.area), p.code))
    if not ordered:
        _paragraph(document, "台账中暂无风险点。", 11)
    for number, (area, group) in enumerate(groupby(ordered, key=lambda p: p.area), 1):
        _paragraph(document, f"{_ordinal(number)}、{BusinessArea(area).label}", 12, bold=True,
                   space_after=4)
        _area_table(document, list(group))
        _paragraph(document, "", 6, space_after=4)
    _paragraph(document, "风险等级：可能性 × 影响程度，1–4 为低，5–9 为中，10–16 为高，20–25 为重大；"
               "剩余风险为落实防控措施后的风险。", 9)
    _signatures(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _ordinal(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    return ("十" if n < 20 else digits[n // 10] + "十") + (digits[n % 10] if n % 10 else "")


def docx_response(filename: str, content: bytes) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'{filename}_{stamp}.docx')}")
    return response


def with_controls(points: QuerySet[RiskPoint]) -> QuerySet[RiskPoint]:
    """The points with their controls fetched in one more query, for the exports."""
    return points.prefetch_related(
        Prefetch("controls", queryset=Control.objects.order_by("due_on", "id")))
