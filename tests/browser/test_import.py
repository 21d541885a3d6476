"""The import journey in a real browser: a federation officer uploads an .xlsx with one bad
USCC row, sees the error report with the row number and the Chinese reason and the banner
“未导入任何数据”; nothing is imported. Then the corrected file imports in full."""

from __future__ import annotations

import pytest
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD, build_city, make_uscc
from tests.test_imports import row, xlsx

from qinglian.registry.models import Membership, Organisation

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bad_uscc(n: int) -> str:
    code = make_uscc(n)
    return code[:-1] + ("0" if code[-1] != "0" else "1")


@pytest.mark.django_db(transaction=True)
def test_federation_officer_sees_the_error_report_and_nothing_is_imported(page) -> None:  # type: ignore[no-untyped-def]
    build_city()
    organisations = Organisation.objects.count()
    rows = [row(n) for n in range(1, 9)]
    rows[4][1] = bad_uscc(105)  # the sixth row of the sheet
    sign_in(page, "fed", PASSWORD)
    page.wait_for_url(page.base_url + "/")

    page.goto(page.base_url + "/imports/")
    assert "还没有导入记录" in page.inner_text("[data-testid=import-table]")
    page.click("[data-testid=import-new]")
    page.wait_for_url(page.base_url + "/imports/new/")
    page.set_input_files("input[type=file]", files=[
        {"name": "会员企业.xlsx", "mimeType": XLSX_TYPE, "buffer": xlsx(rows)}])
    page.click("[data-testid=import-submit]")

    page.wait_for_selector("[data-testid=import-rejected]")
    assert "未导入任何数据" in page.inner_text("[data-testid=import-rejected]")
    error_rows = page.locator("[data-testid=import-error-row]")
    assert error_rows.count() == 1
    cells = error_rows.first.inner_text()
    assert "第 6 行" in cells and "统一社会信用代码" in cells and "校验位错误" in cells
    assert Organisation.objects.count() == organisations
    screenshot(page, "import_error")

    rows[4][1] = make_uscc(105)
    page.set_input_files("input[type=file]", files=[
        {"name": "会员企业.xlsx", "mimeType": XLSX_TYPE, "buffer": xlsx(rows)}])
    page.click("[data-testid=import-submit]")
    page.wait_for_selector("[data-testid=import-succeeded]")
    assert page.inner_text("[data-testid=summary-enterprises_created]").endswith("8")
    assert Organisation.objects.count() == organisations + 8
    assert Membership.objects.filter(member__uscc=make_uscc(105)).exists()
    screenshot(page, "import_done")
    page.goto(page.base_url + "/imports/")
    assert page.locator("[data-testid=import-row]").count() == 2
    screenshot(page, "import_list")
