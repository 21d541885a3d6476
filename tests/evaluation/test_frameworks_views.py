"""Framework pages as people use them: install the default, edit a draft, freeze it, export,
import (with the error report), and what a chamber or an enterprise may read."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinglian.core.choices import Role
from qinglian.evaluation.choices import FrameworkStatus
from qinglian.evaluation.defaults import DEFAULT_FRAMEWORK, install_default_framework
from qinglian.evaluation.framework_actions import (
    do_freeze_framework,
    do_update_framework,
    framework_spec,
)
from qinglian.evaluation.framework_io import read_framework, spec_workbook
from qinglian.evaluation.models import Framework
from tests.test_i18n import fresh_translations  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
BASE = "/evaluation/frameworks/"


@pytest.fixture
def fed(city: Any) -> Any:
    return city.client(Role.FEDERATION_OFFICER)


@pytest.fixture
def draft(city: Any) -> Framework:
    return install_default_framework(city.federation, actor=None)


def _text(response: Any) -> str:
    return response.content.decode()


def test_federation_installs_the_default_and_sees_it_in_full(city: Any, fed: Any) -> None:
    assert "安装默认指标体系" in _text(fed.get(BASE))
    response = fed.post(f"{BASE}install-default/", follow=True)
    framework = Framework.objects.get(federation=city.federation)
    assert response.redirect_chain[-1][0] == f"{BASE}{framework.pk}/"
    html = _text(response)
    assert "已安装默认指标体系" in html
    assert html.count('data-testid="indicator-row"') == 39
    assert "数值（功效系数法）" in html and "不允许值 60%（得 60%）" in html
    assert "已签署所在商会现行清廉承诺书" in html  # a computed source, in words
    assert "认定标准：" in html and "行贿受贿" in html
    assert 'data-testid="framework-freeze"' in html and 'data-testid="total-warning"' not in html
    assert 'hx-get="/history/evaluation.framework/' in html


def test_admin_must_choose_the_federation(city: Any) -> None:
    admin = city.client(Role.ADMIN)
    response = admin.post(f"{BASE}install-default/", follow=True)
    assert "请选择为哪个工商联安装默认指标体系" in _text(response)
    assert not Framework.objects.exists()
    admin.post(f"{BASE}install-default/", {"federation": city.other_federation.pk})
    assert Framework.objects.get().federation == city.other_federation


def test_freeze_then_nothing_may_change(city: Any, fed: Any, draft: Framework) -> None:
    html = _text(fed.post(f"{BASE}{draft.pk}/freeze/", follow=True))
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.FROZEN
    assert "已启用，不可修改" in html and 'data-testid="framework-freeze"' not in html
    assert 'data-testid="indicator-edit"' not in html
    response = fed.get(f"{BASE}{draft.pk}/indicators/ZZ03/edit/", follow=True)
    assert "该指标体系已启用，不可修改" in _text(response)
    response = fed.post(f"{BASE}{draft.pk}/delete/", follow=True)
    assert Framework.objects.filter(pk=draft.pk).exists()


def test_freeze_refuses_an_off_scale_draft(fed: Any, draft: Framework) -> None:
    response = fed.post(f"{BASE}{draft.pk}/indicators/ZZ03/edit/", {
        **_indicator_form(draft, "ZZ03"), "max_points": "45"}, follow=True)
    html = _text(response)
    assert "已保存指标 ZZ03" in html
    assert "各指标分值合计为 1005 分，应为 1000 分" in html
    html = _text(fed.post(f"{BASE}{draft.pk}/freeze/", follow=True))
    assert "合计为 1005.00 分，应为 1000 分" in html
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.DRAFT


def _indicator_form(framework: Framework, code: str) -> dict[str, Any]:
    ind = framework.indicators.select_related("dimension").get(code=code)
    return {
        "dimension": ind.dimension.code, "code": ind.code, "name": ind.name,
        "max_points": str(ind.max_points), "method": ind.method,
        "evidence_required": "on" if ind.evidence_required else "",
        "levels": "\n".join(f"{s['label']}={s['share']}" for s in ind.levels),
        "thresholds": "\n".join(f"{s['min']}={s['share']}" for s in ind.thresholds),
        "floor": ind.floor or "", "target": ind.target or "", "unit": ind.unit,
        "computed_source": ind.computed_source, "guidance": ind.guidance,
    }


def test_edit_an_indicator_with_validation_messages(fed: Any, draft: Framework) -> None:
    url = f"{BASE}{draft.pk}/indicators/JY05/edit/"
    assert 'value="合同廉洁条款签订率"' in _text(fed.get(url))
    data = _indicator_form(draft, "JY05")
    html = _text(fed.post(url, {**data, "target": ""}))
    assert "功效系数法指标须设置不允许值和满意值" in html
    html = _text(fed.post(url, {**data, "method": "levels", "levels": "完全落实\n未落实=0"}))
    assert "分档“完全落实”应写成“完全落实=1”的形式" in html
    html = _text(fed.post(url, {**data, "code": "JY01"}))
    assert "指标代码 JY01 已被其他指标使用" in html
    response = fed.post(url, {**data, "name": "合同廉洁条款签订比例", "guidance": "查合同台账"})
    assert response.status_code == 302
    indicator = draft.indicators.get(code="JY05")
    assert (indicator.name, indicator.guidance) == ("合同廉洁条款签订比例", "查合同台账")


def test_add_and_remove_an_indicator(fed: Any, draft: Framework) -> None:
    response = fed.post(f"{BASE}{draft.pk}/indicators/new/", {
        "dimension": "WH", "code": "WH09", "name": "廉洁文化作品征集", "max_points": "10",
        "method": "boolean", "evidence_required": "on", "guidance": "上传征集通知"})
    assert response.status_code == 302
    assert draft.indicators.get(code="WH09").dimension.code == "WH"
    fed.post(f"{BASE}{draft.pk}/indicators/WH09/delete/")
    assert not draft.indicators.filter(code="WH09").exists()


def test_edit_bands_and_negative_items(fed: Any, draft: Framework) -> None:
    page = _text(fed.get(f"{BASE}{draft.pk}/bands/"))
    assert 'value="标杆"' in page and 'name="bands-4-name"' in page  # four bands and a blank row
    bands = {"bands-TOTAL_FORMS": "5", "bands-INITIAL_FORMS": "4",
             "bands-0-name": "标杆", "bands-0-min_points": "850",
             "bands-1-name": "优秀", "bands-1-min_points": "600", "bands-1-DELETE": "on",
             "bands-2-name": "达标", "bands-2-min_points": "400",
             "bands-3-name": "不达标", "bands-3-min_points": "0",
             "bands-4-name": "", "bands-4-min_points": ""}
    assert fed.post(f"{BASE}{draft.pk}/bands/", bands).status_code == 302
    assert list(draft.bands.values_list("name", "min_points")) == [
        ("标杆", 850), ("达标", 400), ("不达标", 0)]
    without_fail = {**bands, "bands-3-name": "合格"}
    html = _text(fed.post(f"{BASE}{draft.pk}/bands/", without_fail))
    assert "须设“不达标”等级" in html
    items = {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
             "items-0-code": "FM01", "items-0-name": "行贿受贿", "items-0-description": "判决",
             "items-1-code": "FM01", "items-1-name": "重复", "items-1-description": ""}
    html = _text(fed.post(f"{BASE}{draft.pk}/negative-items/", items))
    assert "负面清单事项代码不能为空或重复" in html
    items["items-1-code"] = "FM02"
    assert fed.post(f"{BASE}{draft.pk}/negative-items/", items).status_code == 302
    assert list(draft.negative_items.values_list("code", flat=True)) == ["FM01", "FM02"]


def test_export_is_a_workbook_that_reads_back(city: Any, draft: Framework) -> None:
    response = city.client(Role.FEDERATION_OFFICER).get(f"{BASE}{draft.pk}/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert read_framework(response.content)["name"] == DEFAULT_FRAMEWORK["name"]


def test_import_page_makes_a_new_version(city: Any, fed: Any, draft: Framework) -> None:
    upload = SimpleUploadedFile("指标体系.xlsx", spec_workbook(DEFAULT_FRAMEWORK))
    response = fed.post(f"{BASE}import/", {"file": upload}, follow=True)
    assert "已导入为第 2 版（草稿）" in _text(response)
    assert Framework.objects.filter(federation=city.federation).count() == 2


def test_import_page_reports_every_error_and_writes_nothing(fed: Any, draft: Framework) -> None:
    spec = copy.deepcopy(DEFAULT_FRAMEWORK)
    spec["dimensions"][0]["indicators"][0]["method"] = "打分"
    spec["dimensions"][0]["indicators"][1]["code"] = "ZZ01"
    upload = SimpleUploadedFile("指标体系.xlsx", spec_workbook(spec))
    response = fed.post(f"{BASE}import/", {"file": upload, "draft": draft.pk})
    html = _text(response)
    assert response.status_code == 200
    assert "未导入任何内容" in html
    assert len(re.findall('data-testid="import-error-row"', html)) == 2
    assert "评分方法“打分”无法识别" in html and "指标代码 ZZ01 与第 2 行重复" in html
    assert framework_spec(draft) == framework_spec(Framework.objects.get(pk=draft.pk))
    assert Framework.objects.count() == 1


def test_import_page_rejects_other_files(fed: Any) -> None:
    html = _text(fed.post(f"{BASE}import/", {"file": SimpleUploadedFile("名单.csv", b"a,b\n")}))
    assert "只能导入 Excel 工作簿（.xlsx）" in html
    fake = SimpleUploadedFile("指标体系.xlsx", b"%PDF-1.4 ...")
    html = _text(fed.post(f"{BASE}import/", {"file": fake}))
    assert "文件不是 Excel 工作簿（.xlsx）" in html
    assert not Framework.objects.exists()


def test_chamber_and_enterprise_read_frozen_versions_only(city: Any, draft: Framework) -> None:
    frozen = install_default_framework(city.federation, actor=None)
    do_freeze_framework(frozen, actor=None)
    for role in (Role.CHAMBER_OFFICER, Role.ENTERPRISE_USER):
        client = city.client(role)
        html = _text(client.get(BASE))
        assert html.count('data-testid="framework-row"') == 1
        assert "安装默认指标体系" not in html
        detail = _text(client.get(f"{BASE}{frozen.pk}/"))
        assert "已启用，不可修改" in detail and 'data-testid="framework-copy"' not in detail
        assert client.get(f"{BASE}{draft.pk}/").status_code == 404
    assert 'data-testid="framework-export"' not in _text(
        city.client(Role.ENTERPRISE_USER).get(f"{BASE}{frozen.pk}/"))


def test_copy_and_retire_from_the_page(fed: Any, draft: Framework) -> None:
    do_freeze_framework(draft, actor=None)
    response = fed.post(f"{BASE}{draft.pk}/copy/")
    copy_ = Framework.objects.get(based_on=draft)
    assert response["Location"] == f"{BASE}{copy_.pk}/"
    assert (copy_.version, copy_.status) == (2, FrameworkStatus.DRAFT)
    fed.post(f"{BASE}{draft.pk}/retire/")
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.RETIRED


def test_empty_list_explains_what_to_do(city: Any) -> None:
    html = _text(city.client(Role.FEDERATION_OFFICER).get(BASE))
    assert 'data-testid="framework-empty"' in html and "默认指标体系" in html
    html = _text(city.client(Role.ENTERPRISE_USER).get(BASE))
    assert "工商联尚未启用清廉指数指标体系" in html


@pytest.mark.usefixtures("fresh_translations")
def test_pages_render_in_english(city: Any, draft: Framework) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    pages = {
        BASE: "Integrity index frameworks",
        f"{BASE}{draft.pk}/": "Points per dimension",
        f"{BASE}import/": "Import framework",
        f"{BASE}{draft.pk}/edit/": "Dimension names",
        f"{BASE}{draft.pk}/indicators/JY05/edit/": "Efficacy coefficient",
        f"{BASE}{draft.pk}/bands/": "Grade bands",
        f"{BASE}{draft.pk}/negative-items/": "How it is established",
    }
    for url, text in pages.items():
        html = _text(client.get(url))
        assert text in html, url
    assert "Floor 60% (60% of the points)" in _text(client.get(f"{BASE}{draft.pk}/"))


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_detail_queries_do_not_grow_with_content(city: Any, fed: Any,
                                                           draft: Framework) -> None:
    one = _queries(fed, BASE)
    detail = _queries(fed, f"{BASE}{draft.pk}/")
    for _ in range(4):
        install_default_framework(city.federation, actor=None)
    assert _queries(fed, BASE) == one
    small = install_default_framework(city.federation, actor=None)
    spec = framework_spec(small)
    for dim in spec["dimensions"]:
        dim["indicators"] = dim["indicators"][:1]
    do_update_framework(small, spec, actor=None)
    assert _queries(fed, f"{BASE}{small.pk}/") == detail
