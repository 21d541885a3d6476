"""The register exported to .xlsx and to a Word document for filing, opened and read back."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from qinglian.core.choices import Role

from .world import RiskWorld

pytestmark = pytest.mark.django_db


def test_xlsx_export(city: Any, risk: RiskWorld) -> None:
    response = city.client(Role.ENTERPRISE_USER).get("/risk/?export=xlsx")
    assert response.status_code == 200
    assert "%E5%BB%89%E6%B4%81%E9%A3%8E%E9%99%A9%E7%82%B9%E5%8F%B0%E8%B4%A6" in response[
        "Content-Disposition"]  # 廉洁风险点台账
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:4] == ("单位", "编号", "业务领域", "风险点")
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {"FX-001", "FX-002", "FX-003"}  # only the enterprise's own
    first = by_code["FX-001"]
    assert first["单位"] == "华为技术有限公司"
    assert (first["可能性"], first["影响程度"], first["固有风险等级"]) == (4, 4, "高")
    assert (first["剩余风险分值"], first["剩余风险等级"]) == (8, "中")
    assert "比价三家以上（王建国" in first["防控措施"]
    assert (first["逾期措施数"], first["关联预警数"]) == (1, 1)


def test_xlsx_export_follows_the_filter(city: Any, risk: RiskWorld) -> None:
    response = city.client(Role.ENTERPRISE_USER).get("/risk/?export=xlsx&area=sales")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["FX-003"]


def test_word_export_is_laid_out_for_filing(city: Any, risk: RiskWorld) -> None:
    response = city.client(Role.ENTERPRISE_USER).get("/risk/?export=docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 1.8
    text = [p.text for p in document.paragraphs]
    assert text[0] == "华为技术有限公司" and text[1] == "廉洁风险点台账"
    assert text[2].startswith("编制日期：") and "年" in text[2]
    headings = [t for t in text if "、" in t[:3]]
    assert headings == ["一、物资采购", "二、财务管理", "三、市场营销"]  # one table per area
    assert len(document.tables) == 3
    procurement = document.tables[0]
    assert [c.text for c in procurement.rows[0].cells][:2] == ["编号", "风险点"]
    row = [c.text for c in procurement.rows[1].cells]
    assert row[0] == "FX-001" and row[4] == "高（16）" and row[6] == "中（8）"
    assert "比价三家以上" in row[5]
    assert [t.split("：")[0] for t in text if "____" in t] == ["编制人", "审核人", "负责领导"]
    run = document.paragraphs[1].runs[0]
    assert run.font.bold and run._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"


def test_exports_need_the_permission(city: Any, risk: RiskWorld) -> None:
    assert city.client(Role.DEPARTMENT_HANDLER).get("/risk/?export=docx").status_code == 403
    response = city.client(Role.AUDITOR).get("/risk/?export=docx")
    assert response.status_code == 200  # the federation's own register (one point)
    document = Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "杭州市工商业联合会"
    assert len(document.tables) == 1
