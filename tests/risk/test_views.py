"""The risk pages as each role uses them: forms that write through the actions, the round walked
with htmx, the leader's decision, filters, the heat-map data, the overview's scope, pinned
query counts, and the pages in English."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from qinglian.core.choices import Role
from qinglian.risk.choices import ListStatus, RoundStatus
from qinglian.risk.models import AssessmentRound, Control, LibraryPoint, PowerList, RiskPoint
from tests.test_i18n import fresh_translations  # noqa: F401  (fixture)

from .world import PDF, RiskWorld, add_point

pytestmark = pytest.mark.django_db

POINT_FORM = {"area": "tendering", "title": "围标串标", "schemes": "陪标", "department": "招标办",
              "post": "招标主管", "owner_name": "陈静", "likelihood": "4", "impact": "5",
              "residual_likelihood": "3", "residual_impact": "5", "review_months": "6"}


def _client(city: Any, role: str) -> Client:
    return city.client(role)


def test_add_a_point_from_the_library(city: Any, risk: RiskWorld) -> None:
    client = _client(city, Role.ENTERPRISE_USER)
    source = LibraryPoint.objects.get(federation=city.federation, code="ZB-01")
    page = client.get(f"/risk/points/new/?library={source.pk}").content.decode()
    assert "已按风险点库 ZB-01 预填" in page and 'value="围标串标、量身定制招标条件"' in page
    data = {**POINT_FORM, "library": source.pk, "organisation": city.enterprises[0].pk}
    response = client.post("/risk/points/new/", data)
    point = RiskPoint.objects.get(organisation=city.enterprises[0], title="围标串标")
    assert response.status_code == 302 and response["Location"] == f"/risk/points/{point.pk}/"
    assert (point.library_point, point.code, point.inherent_level) == (source, "FX-004", "major")


def test_form_errors_come_back_in_chinese(city: Any, risk: RiskWorld) -> None:
    client = _client(city, Role.ENTERPRISE_USER)
    data = {**POINT_FORM, "residual_likelihood": "5", "organisation": city.enterprises[0].pk}
    page = client.post("/risk/points/new/", data).content.decode()
    assert "剩余可能性不能高于固有可能性" in page
    # an organisation outside the user's registers is not even offered
    data = {**POINT_FORM, "organisation": city.enterprises[1].pk}
    page = client.post("/risk/points/new/", data).content.decode()
    assert "选择一个有效的选项" in page or "Select a valid choice" in page
    assert not RiskPoint.objects.filter(title="围标串标").exists()


def test_control_with_evidence(city: Any, risk: RiskWorld) -> None:
    client = _client(city, Role.ENTERPRISE_USER)
    point = risk.points[1]
    form = {"description": "费用报销三级审核", "owner_name": "李丽", "due_on": "2026-12-31",
            "status": "in_progress"}
    bad = SimpleUploadedFile("制度.pdf", b"MZ not really", "application/pdf")
    page = client.post(f"/risk/points/{point.pk}/controls/new/", {**form, "evidence": bad})
    assert "按文件内容判断" in page.content.decode()
    assert not Control.objects.filter(point=point).exists()  # nothing half-written
    good = SimpleUploadedFile("制度.pdf", PDF, "application/pdf")
    response = client.post(f"/risk/points/{point.pk}/controls/new/", {**form, "evidence": good})
    assert response.status_code == 302
    control = Control.objects.get(point=point)
    assert control.evidence_name == "制度.pdf"
    download = client.get(f"/risk/controls/{control.pk}/evidence/")
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert _client(city, Role.CHAMBER_OFFICER).get(
        f"/risk/controls/{control.pk}/evidence/").status_code == 404


def test_round_walked_with_htmx_and_decided_by_the_leader(city: Any) -> None:
    ent = city.users[Role.ENTERPRISE_USER]
    client = _client(city, Role.ENTERPRISE_USER)
    add_point(city.enterprises[0], ent)
    add_point(city.enterprises[0], ent, area="finance", title="小金库", likelihood=2, impact=5,
              residual_likelihood=1, residual_impact=3)
    response = client.post("/risk/rounds/new/", {
        "organisation": city.enterprises[0].pk, "kind": "yearly", "year": "2026",
        "name": "2026 年度廉洁风险评估", "leader": ent.pk})
    assessment_round = AssessmentRound.objects.get()
    assert response["Location"] == f"/risk/rounds/{assessment_round.pk}/"
    client.post(f"/risk/rounds/{assessment_round.pk}/start/")
    page = client.get(f"/risk/rounds/{assessment_round.pk}/").content.decode()
    assert page.index("FX-001") < page.index("FX-002")  # procurement before finance
    assert "已评估 0 / 2" in page
    item = assessment_round.items.get(point__code="FX-001")
    fields = {f"i{item.pk}-{k}": v for k, v in {
        "likelihood": "5", "impact": "4", "residual_likelihood": "2", "residual_impact": "4",
        "note": "集中采购后风险下降"}.items()}
    row = client.post(f"/risk/rounds/items/{item.pk}/", fields, HTTP_HX_REQUEST="true")
    html = row.content.decode()
    assert html.lstrip().startswith("<tr") and 'data-testid="item-assessor"' in html
    assert 'hx-swap-oob="true"' in html and "已评估 1 / 2" in html
    bad = {**fields, f"i{item.pk}-residual_impact": "5"}
    html = client.post(f"/risk/rounds/items/{item.pk}/", bad, HTTP_HX_REQUEST="true").content.decode()
    assert "剩余影响程度不能高于固有影响程度" in html
    client.post(f"/risk/rounds/{assessment_round.pk}/submit/")
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.IN_PROGRESS  # one item is left
    other = assessment_round.items.get(point__code="FX-002")
    client.post(f"/risk/rounds/items/{other.pk}/", {
        f"i{other.pk}-likelihood": "2", f"i{other.pk}-impact": "5",
        f"i{other.pk}-residual_likelihood": "1", f"i{other.pk}-residual_impact": "3"})
    client.post(f"/risk/rounds/{assessment_round.pk}/submit/")
    admin = _client(city, Role.ADMIN)
    assert admin.post(f"/risk/rounds/{assessment_round.pk}/approve/").status_code == 403
    page = client.get(f"/risk/rounds/{assessment_round.pk}/").content.decode()
    assert 'data-testid="round-decision"' in page  # the enterprise user is the leader
    client.post(f"/risk/rounds/{assessment_round.pk}/approve/", {"note": "同意"})
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.APPROVED
    point = RiskPoint.objects.get(organisation=city.enterprises[0], code="FX-001")
    assert (point.likelihood, point.inherent_level) == (5, "major")


def test_register_filters_and_heatmap_cell(city: Any, risk: RiskWorld) -> None:
    client = _client(city, Role.ENTERPRISE_USER)

    def rows(query: str) -> list[str]:
        return re.findall(r'<td class="ql-mono small text-nowrap">(FX-\d+)</td>',
                          client.get(f"/risk/{query}").content.decode())

    assert rows("") == ["FX-001", "FX-002", "FX-003"]
    assert rows("?basis=inherent&likelihood=3&impact=5") == ["FX-002"]
    assert rows("?overdue=controls") == ["FX-001"]
    assert rows("?owner=李丽&q=行贿") == ["FX-003"]
    page = client.get("/risk/heatmap/").content.decode()
    data = json.loads(re.search(r'id="risk-heatmap-data" type="application/json">(.*?)</script>',
                                page).group(1))
    assert sorted(data["inherent"]) == [[2, 2, 1], [3, 5, 1], [4, 4, 1]]
    assert data["link"] == f"/risk/?org={city.enterprises[0].pk}&"
    assert [b["level"] for b in data["bands"]] == ["major", "high", "medium", "low"]


def test_overview_counts_across_the_scope(city: Any, risk: RiskWorld) -> None:
    def organisations(role: str) -> list[str]:
        page = _client(city, role).get("/risk/overview/").content.decode()
        return re.findall(r'data-testid="overview-row">\s*<td>([^<]+)</td>', page)

    assert sorted(organisations(Role.CHAMBER_OFFICER)) == ["华为技术有限公司", "杭州市互联网商会"]
    assert sorted(organisations(Role.FEDERATION_OFFICER)) == [
        "华为技术有限公司", "杭州市互联网商会", "杭州市工商业联合会", "杭州瓯江贸易有限公司"]
    page = _client(city, Role.FEDERATION_OFFICER).get("/risk/overview/").content.decode()
    assert "供应商选择倾向特定关系人" not in page  # counts only, never another's points


def test_power_list_drafted_edited_and_published(city: Any, risk: RiskWorld) -> None:
    client = _client(city, Role.CHAMBER_OFFICER)
    response = client.post("/risk/power-lists/new/?kind=negative", {"title": "",
                                                                    "holder": "会长"})
    draft = PowerList.objects.get(organisation=city.chamber)
    assert response["Location"] == f"/risk/power-lists/{draft.pk}/"
    assert (draft.title, draft.holder, draft.version) == ("主要负责人负面清单", "会长", 1)
    client.post(f"/risk/power-lists/{draft.pk}/items/new/", {
        "code": "F-01", "name": "不得利用会长职务为本企业谋取不正当利益",
        "basis": "《商会章程》", "procedure": "关联事项回避", "level": "high"})
    client.post(f"/risk/power-lists/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == ListStatus.PUBLISHED
    page = client.get("/risk/power-lists/").content.decode()
    assert "不得利用会长职务为本企业谋取不正当利益" in page
    edit = client.get(f"/risk/power-items/{draft.items.get().pk}/edit/")
    assert edit.status_code == 302  # a published list is not edited in place


def test_library_edited_by_the_federation(city: Any, risk: RiskWorld) -> None:
    client = _client(city, Role.FEDERATION_OFFICER)
    entry = risk.library[0]
    response = client.post(f"/risk/library/{entry.pk}/edit/", {
        "code": entry.code, "area": entry.area, "title": "供应商选择倾向特定关系人（本市版）",
        "schemes": entry.schemes, "controls": entry.controls, "likelihood": "5", "impact": "4"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.title, entry.likelihood, entry.is_active) == (
        "供应商选择倾向特定关系人（本市版）", 5, False)
    ent_page = _client(city, Role.ENTERPRISE_USER).get("/risk/library/?area=procurement")
    assert "本市版" not in ent_page.content.decode()  # inactive entries are the federation's


@pytest.mark.parametrize("extra", [0, 6])
def test_register_list_query_count_is_pinned(city: Any, risk: RiskWorld, extra: int) -> None:
    for n in range(extra):
        add_point(city.enterprises[0], city.users[Role.ENTERPRISE_USER], title=f"风险点{n}")
    client = _client(city, Role.ENTERPRISE_USER)
    client.get("/risk/")  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/risk/").status_code == 200
    assert len(queries) == 16, "\n".join(q["sql"][:150] for q in queries)


def test_pages_render_in_english(city: Any, risk: RiskWorld,
                                 fresh_translations: None) -> None:  # noqa: F811
    client = _client(city, Role.ENTERPRISE_USER)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/risk/").content.decode()
    assert "Integrity risk register" in html and "廉洁风险点台账" not in html
    assert "Integrity risk control" in html  # the sidebar section
    for path in ("/risk/heatmap/", "/risk/overdue/", "/risk/rounds/", f"/risk/rounds/{risk.round.pk}/",
                 f"/risk/points/{risk.points[0].pk}/", "/risk/power-lists/", "/risk/library/"):
        assert client.get(path).status_code == 200, path
    assert "Risk heat map" in client.get("/risk/heatmap/").content.decode()
