"""The assessment page and its writes: the enterprise's answers and evidence (htmx and plain
POST), submission with what is missing, the chamber's review, the federation's adjustments and
findings, the published result, re-check requests, the list, scope and query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from qinglian.core.choices import Role
from qinglian.evaluation import actions, result_actions
from qinglian.evaluation.choices import (
    AssessmentStatus,
    FindingStatus,
    RecheckStatus,
    ReviewDecision,
)
from qinglian.evaluation.models import Answer, Assessment, Evidence, NegativeFinding, RecheckRequest

from ..test_i18n import fresh_translations  # noqa: F401 - the fixture, used by name
from .world import PDF, World, _enterprise_user, answer_all, publish

pytestmark = pytest.mark.django_db

FED, CH, ENT, AUD, ADMIN, DEPT = (Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                  Role.ENTERPRISE_USER, Role.AUDITOR, Role.ADMIN,
                                  Role.DEPARTMENT_HANDLER)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
HTMX = {"HTTP_HX_REQUEST": "true"}


def _text(response: Any) -> str:
    return response.content.decode()


def _own(city: Any, world: World) -> Assessment:
    return world.of(city.enterprises[0])


def _answer(city: Any, world: World, code: str, index: int = 0) -> Answer:
    return Answer.objects.select_related("indicator").get(
        assessment=world.of(city.enterprises[index]), indicator__code=code)


def _url(name: str, obj: Any) -> str:
    return reverse(name, args=[obj.pk])


def _submitted(city: Any, world: World) -> Assessment:
    own = _own(city, world)
    answer_all(own, city.users[ENT])
    actions.do_submit_assessment(own, actor=city.users[ENT])
    return _own(city, world)


def _in_federation_review(city: Any, world: World) -> None:
    actions.do_start_chamber_review(world.campaign, actor=city.users[FED])
    actions.do_start_federation_review(world.campaign, actor=city.users[FED])


# --- the page ------------------------------------------------------------------------------

def test_enterprise_gets_a_form_per_answerable_indicator(city: Any, world: World) -> None:
    response = city.client(ENT).get(_url("assessment_detail", _own(city, world)))
    page = _text(response)
    assert response.context["modes"].edit and not response.context["modes"].review
    assert page.count('data-testid="answer-form"') == 6  # eight indicators, two computed
    assert page.count('data-testid="answer-card"') == 8
    assert "完全落实（150.00 分）" in page and 'accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx"' in page
    assert "查阅学习记录" in page  # guidance
    assert "已于" in page and "签署第 1 版承诺书" in page  # a computed note, read-only
    assert [g["dimension"].name for g in response.context["groups"]] == [
        "清廉政治", "清廉经营", "清廉文化", "清廉监管"]


@pytest.mark.parametrize("role", [FED, CH, AUD, ADMIN])
def test_officers_read_the_self_assessment_without_answer_forms(city: Any, world: World,
                                                                role: str) -> None:
    response = city.client(role).get(_url("assessment_detail", _own(city, world)))
    assert response.status_code == 200 and not response.context["modes"].edit
    assert 'data-testid="answer-form"' not in _text(response)


def test_scope_other_chamber_404_department_403(city: Any, world: World) -> None:
    other = world.of(city.enterprises[2])
    assert city.client(CH).get(_url("assessment_detail", other)).status_code == 404
    assert city.client(ENT).get(_url("assessment_detail", other)).status_code == 404
    assert city.client(DEPT).get(_url("assessment_detail", other)).status_code == 403
    assert city.client(FED).get(_url("assessment_detail", other)).status_code == 200


# --- answers and evidence ------------------------------------------------------------------

def test_htmx_save_returns_the_card_with_live_totals(city: Any, world: World) -> None:
    answer = _answer(city, world, "JG02")
    response = city.client(ENT).post(_url("assessment_save_answer", answer), {
        f"a{answer.pk}-bool_value": "1", f"a{answer.pk}-note": "有制度"}, **HTMX)
    page = _text(response)
    assert response.status_code == 200 and "<html" not in page
    assert response["HX-Trigger"] == "answer-saved"
    assert f'id="answer-{answer.pk}"' in page and '<strong data-testid="self-score">80.00</strong>' in page
    # Out of band: the total (50 from the signed commitment + 80), the dimension, the status.
    assert 'id="score-summary"' in page and "130.00" in page and 'hx-swap-oob="true"' in page
    assert "填报中" in page and "自评 80.00 / 200.00" in page
    answer.refresh_from_db()
    assert answer.self_hundredths == 8000 and answer.note == "有制度"
    assert _own(city, world).status == AssessmentStatus.DRAFT


def test_plain_save_redirects_to_the_card(city: Any, world: World) -> None:
    answer = _answer(city, world, "ZZ02")
    response = city.client(ENT).post(_url("assessment_save_answer", answer),
                                     {f"a{answer.pk}-level": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#answer-{answer.pk}")
    answer.refresh_from_db()
    assert answer.level == 1 and answer.self_hundredths == 9000


def test_refused_save_keeps_the_input(city: Any, world: World) -> None:
    answer = _answer(city, world, "WH01")
    prefix = f"a{answer.pk}"
    response = city.client(ENT).post(_url("assessment_save_answer", answer), {
        f"{prefix}-number": "九十", f"{prefix}-note": "培训台账见附件"}, **HTMX)
    page = _text(response)
    assert "请填写数字" in page and "培训台账见附件" in page
    response = city.client(ENT).post(_url("assessment_save_answer", answer), {
        f"{prefix}-number": "95", f"{prefix}-note": "全文保留"})
    assert response.status_code == 302


def test_save_with_evidence_is_all_or_nothing(city: Any, world: World) -> None:
    answer = _answer(city, world, "JY01")
    prefix = f"a{answer.pk}"
    client = city.client(ENT)
    response = client.post(_url("assessment_save_answer", answer), {
        f"{prefix}-bool_value": "1",
        f"{prefix}-uploads": [SimpleUploadedFile("制度.pdf", PDF),
                              SimpleUploadedFile("病毒.pdf", EXE)]}, **HTMX)
    page = _text(response)
    assert "病毒.pdf：" in page and "按文件内容判断" in page
    assert re.search(rf'name="{prefix}-bool_value" value="1"[^>]*checked', page)  # kept
    answer.refresh_from_db()
    assert answer.self_hundredths is None and not Evidence.objects.filter(answer=answer).exists()
    response = client.post(_url("assessment_save_answer", answer), {
        f"{prefix}-bool_value": "1",
        f"{prefix}-uploads": [SimpleUploadedFile("制度.pdf", PDF),
                              SimpleUploadedFile("台账.pdf", PDF + b"2")]}, follow=True)
    assert "上传 2 份佐证材料" in _text(response)
    assert sorted(Evidence.objects.filter(answer=answer).values_list("original_name", flat=True)) \
        == ["制度.pdf", "台账.pdf"]


def test_evidence_download_is_scoped_and_an_attachment(city: Any, world: World) -> None:
    answer = _answer(city, world, "JY01")
    evidence = actions.do_upload_evidence(answer, SimpleUploadedFile("制度.pdf", PDF),
                                          actor=city.users[ENT])
    url = _url("assessment_evidence", evidence)
    # A draft is the enterprise's own until submitted: the chamber cannot read it yet.
    assert city.client(CH).get(url).status_code == 404
    _submitted(city, world)
    for role in (ENT, CH, FED, AUD, ADMIN):
        response = city.client(role).get(url)
        assert response.status_code == 200, role
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF
    outsider = _enterprise_user(city, city.enterprises[2].pk)
    from django.test import Client

    client = Client()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert city.client(DEPT).get(url).status_code == 403


def test_delete_evidence_while_editable_only(city: Any, world: World) -> None:
    answer = _answer(city, world, "JY01")
    evidence = actions.do_upload_evidence(answer, SimpleUploadedFile("制度.pdf", PDF),
                                          actor=city.users[ENT])
    client = city.client(ENT)
    response = client.post(_url("assessment_delete_evidence", evidence), **HTMX)
    assert response.status_code == 200 and "制度.pdf" not in _text(response)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    own = _submitted(city, world)
    kept = Evidence.objects.filter(answer__assessment=own).first()
    assert kept is not None
    response = client.post(_url("assessment_delete_evidence", kept), follow=True)
    assert "不能修改" in _text(response) and Evidence.objects.filter(pk=kept.pk).exists()
    assert city.client(CH).post(_url("assessment_delete_evidence", kept)).status_code == 403


# --- submission ----------------------------------------------------------------------------

def test_submit_lists_what_is_missing_then_submits(city: Any, world: World) -> None:
    own = _own(city, world)
    client = city.client(ENT)
    page = _text(client.get(_url("assessment_detail", own)))
    assert "JY01 采购内控制度：尚未填报" in page  # shown before trying
    actions.do_save_answer(_answer(city, world, "JY01"), actor=city.users[ENT], bool_value=True)
    response = client.post(_url("assessment_submit", own))
    assert response.status_code == 200
    assert response.context["submit_problems"][:1] == ["ZZ02 落实“第一议题”学习：尚未填报"]
    assert "JY01 采购内控制度：须上传佐证材料" in _text(response)
    answer_all(own, city.users[ENT])
    response = client.post(_url("assessment_submit", own), follow=True)
    assert "自评已提交，等待杭州市互联网商会初审" in _text(response)
    assert _own(city, world).status == AssessmentStatus.SUBMITTED
    assert not response.context["modes"].edit
    assert city.client(CH).post(_url("assessment_submit", own)).status_code == 403


# --- the chamber's review ------------------------------------------------------------------

def test_chamber_reviews_adjusts_returns_and_completes(city: Any, world: World) -> None:
    own = _submitted(city, world)
    client = city.client(CH)
    page = client.get(_url("assessment_detail", own))
    assert page.context["modes"].review and _text(page).count('data-testid="review-form"') == 6
    adjust = _answer(city, world, "JG01")
    prefix = f"r{adjust.pk}"
    response = client.post(_url("assessment_review_answer", adjust), {
        f"{prefix}-decision": "adjusted", f"{prefix}-points": "60"}, **HTMX)
    assert "调整分数须填写调整说明" in _text(response) and 'value="60"' in _text(response)
    response = client.post(_url("assessment_review_answer", adjust), {
        f"{prefix}-decision": "adjusted", f"{prefix}-points": "60",
        f"{prefix}-comment": "记录不全"}, **HTMX)
    assert '<strong data-testid="chamber-score">60.00</strong>' in _text(response)
    returned = _answer(city, world, "JY01")
    client.post(_url("assessment_review_answer", returned), {
        f"r{returned.pk}-decision": "returned", f"r{returned.pk}-comment": "请补充发文"})
    response = client.post(_url("assessment_complete_review", own), follow=True)
    assert "还有 4 项指标未给出初审意见" in _text(response)
    for answer in own.answers.filter(decision=ReviewDecision.PENDING).exclude(
            indicator__method="computed"):
        client.post(_url("assessment_review_answer", answer),
                    {f"r{answer.pk}-decision": "accepted"})
    response = client.post(_url("assessment_complete_review", own), follow=True)
    assert "已退回华为技术有限公司补充佐证" in _text(response)
    assert _own(city, world).status == AssessmentStatus.RETURNED
    enterprise = _text(city.client(ENT).get(_url("assessment_detail", own)))
    assert 'data-testid="returned-banner"' in enterprise and "请补充发文" in enterprise
    assert city.client(FED).post(_url("assessment_review_answer", adjust), {
        f"{prefix}-decision": "accepted"}).status_code == 403


def test_chamber_cannot_review_another_chambers_member(city: Any, world: World) -> None:
    answer = _answer(city, world, "JG02", index=2)
    response = city.client(CH).post(_url("assessment_review_answer", answer),
                                     {f"r{answer.pk}-decision": "accepted"})
    assert response.status_code == 404


# --- the federation ------------------------------------------------------------------------

def test_federation_adjusts_only_in_its_review(city: Any, world: World) -> None:
    _submitted(city, world)
    answer = _answer(city, world, "WH01")
    prefix = f"f{answer.pk}"
    client = city.client(FED)
    response = client.post(_url("assessment_adjust_answer", answer), {
        f"{prefix}-points": "100", f"{prefix}-comment": "核减"}, **HTMX)
    assert "只能在工商联复核阶段或处理复核申请时调整得分" in _text(response)
    _in_federation_review(city, world)
    response = client.post(_url("assessment_adjust_answer", answer), {
        f"{prefix}-points": "100"}, **HTMX)
    assert "调整得分须填写调整说明" in _text(response)
    response = client.post(_url("assessment_adjust_answer", answer), {
        f"{prefix}-points": "100", f"{prefix}-comment": "培训签到不全"}, **HTMX)
    assert '<strong data-testid="federation-score">100.00</strong>' in _text(response)
    answer.refresh_from_db()
    assert answer.federation_hundredths == 10000 and answer.score_hundredths == 10000
    assert city.client(CH).post(_url("assessment_adjust_answer", answer)).status_code == 403


def test_findings_confirm_and_withdraw(city: Any, world: World) -> None:
    own = _own(city, world)
    client = city.client(FED)
    item = world.framework.negative_items.get(code="N02")
    url = _url("assessment_confirm_finding", own)
    response = client.post(url, {"item": item.pk, "found_on": "2026-03-02", "source": ""})
    assert response.status_code == 200 and "请填写认定依据" in _text(response)
    assert 'id="finding-form" novalidate' in _text(response) or "collapse p-3 border-bottom show" in _text(response)
    response = client.post(url, {"item": item.pk, "found_on": "2026-03-02",
                                 "source": "杭人社监〔2026〕12号"}, follow=True)
    assert "已认定负面清单事项“拖欠农民工工资”" in _text(response)
    finding = NegativeFinding.objects.get(assessment=own)
    assert finding.status == FindingStatus.CONFIRMED
    withdraw = _url("assessment_withdraw_finding", finding)
    assert "请填写撤销理由" in _text(client.post(withdraw, {"reason": ""}, follow=True))
    client.post(withdraw, {"reason": "法院撤销原认定"})
    finding.refresh_from_db()
    assert finding.status == FindingStatus.WITHDRAWN and finding.withdrawn_reason == "法院撤销原认定"
    assert city.client(CH).post(url, {"item": item.pk}).status_code == 403


def test_published_result_with_veto_reason_and_result_link(city: Any, world: World) -> None:
    publish(city, world)
    own = _own(city, world)
    result_actions.do_confirm_finding(own, item=world.framework.negative_items.get(code="N01"),
                                      found_on=own.created_at.date(), source="杭检〔2026〕3号",
                                      actor=city.users[FED])
    response = city.client(ENT).get(_url("assessment_detail", own))
    page = _text(response)
    assert 'data-testid="result-summary"' in page and "不达标" in page
    assert "一票否决：" in page and "行贿受贿" in page and "杭检〔2026〕3号" in page
    try:
        expected = reverse("result_detail", args=[own.pk])
    except NoReverseMatch:
        expected = ""
    assert response.context["result_url"] == expected


# --- re-checks -----------------------------------------------------------------------------

def test_recheck_filed_listed_adjusted_and_decided(city: Any, world: World) -> None:
    e0 = city.enterprises[0]
    publish(city, world, strengths={e0.pk: "fair"})
    own = _own(city, world)
    ent = city.client(ENT)
    detail = ent.get(_url("assessment_detail", own))
    assert detail.context["modes"].recheck and "申请复核" in _text(detail)
    url = _url("recheck_file", own)
    assert "请填写理由" in _text(ent.post(url, {"reason": ""}))
    response = ent.post(url, {"reason": "培训记录漏报"}, follow=True)
    assert "复核申请已提交" in _text(response)
    recheck = RecheckRequest.objects.get(assessment=own)
    assert not response.context["modes"].recheck  # one open request at a time
    fed = city.client(FED)
    listing = fed.get(reverse("recheck_list"))
    assert [r.pk for r in listing.context["page_obj"]] == [recheck.pk]
    assert city.client(CH).get(reverse("recheck_list")).context["page_obj"].paginator.count == 1
    other_user = _enterprise_user(city, city.enterprises[1].pk)
    from django.test import Client

    other = Client()
    other.force_login(other_user)
    assert other.get(reverse("recheck_list")).context["page_obj"].paginator.count == 0
    page = fed.get(_url("assessment_detail", own))
    assert page.context["modes"].adjust  # adjustments are open while the request is
    answer = _answer(city, world, "WH01")
    fed.post(_url("assessment_adjust_answer", answer), {
        f"f{answer.pk}-points": "150", f"f{answer.pk}-comment": "补充材料属实"})
    decide = _url("recheck_decide", recheck)
    assert "请填写处理意见" in _text(fed.post(decide, {"note": ""}))
    response = fed.post(decide, {"note": "予以改正"}, follow=True)
    recheck.refresh_from_db()
    assert recheck.status == RecheckStatus.CHANGED and "复核申请已处理：已改正" in _text(response)
    assert _own(city, world).revision == 2
    again = fed.post(decide, {"note": "再次"}, follow=True)
    assert "该复核申请已处理" in _text(again)
    assert city.client(CH).get(decide).status_code == 403
    assert ent.get(decide).status_code == 403


def test_recheck_refused_before_publication(city: Any, world: World) -> None:
    response = city.client(ENT).post(_url("recheck_file", _own(city, world)), {"reason": "异议"})
    assert response.status_code == 200 and "结果发布后方可申请复核" in _text(response)
    assert not RecheckRequest.objects.exists()


# --- the list ------------------------------------------------------------------------------

def test_my_assessments_list(city: Any, world: World) -> None:
    response = city.client(ENT).get(reverse("assessment_list"))
    rows = list(response.context["page_obj"])
    assert [a.enterprise for a in rows] == [city.enterprises[0]] and "我的评价" in _text(response)
    assert city.client(FED).get(reverse("assessment_list")).context["page_obj"].paginator.count == 3
    assert city.client(CH).get(reverse("assessment_list"), {"q": "瓯江"}).context[
        "page_obj"].paginator.count == 0
    assert city.client(FED).get(reverse("assessment_list"), {"status": "submitted"}).context[
        "page_obj"].paginator.count == 0
    assert city.client(DEPT).get(reverse("assessment_list")).status_code == 403


# --- query counts --------------------------------------------------------------------------

def test_assessment_page_query_count_is_pinned(city: Any, world: World,
                                               django_assert_max_num_queries: Any) -> None:
    """Independent of the number of indicators and files: answers, evidence, findings and
    re-checks are one query each."""
    own = _own(city, world)
    answer_all(own, city.users[ENT])
    client = city.client(ENT)
    client.get(_url("assessment_detail", own))
    with django_assert_max_num_queries(14):
        assert client.get(_url("assessment_detail", own)).status_code == 200
    with CaptureQueriesContext(connection) as before:
        client.get(_url("assessment_detail", own))
    for n, code in enumerate(("JG02", "ZZ02")):
        actions.do_upload_evidence(_answer(city, world, code),
                                   SimpleUploadedFile("台账.pdf", PDF + bytes([n])),
                                   actor=city.users[ENT])
    with CaptureQueriesContext(connection) as after:
        client.get(_url("assessment_detail", own))
    assert len(after) == len(before)
    actions.do_submit_assessment(own, actor=city.users[ENT])
    chamber = city.client(CH)
    chamber.get(_url("assessment_detail", own))
    with django_assert_max_num_queries(12):
        assert chamber.get(_url("assessment_detail", own)).status_code == 200


# --- English -------------------------------------------------------------------------------

@pytest.mark.usefixtures("fresh_translations")
def test_pages_render_in_english(city: Any, world: World) -> None:
    """A broken placeholder in a translation would raise here; no Chinese label leaks."""
    publish(city, world)
    own = _own(city, world)
    ent = city.client(ENT)
    assert ent.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    page = _text(ent.get(_url("assessment_detail", own)))
    assert "Self-assessed total" in page and "自评总分" not in page
    assert "Request a re-check" in page
    fed = city.client(FED)
    fed.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = _text(fed.get(_url("campaign_detail", world.campaign)))
    assert "Progress board" in page and "Late, not submitted" in page and "进度看板" not in page
    page = _text(fed.get(reverse("campaign_create")))
    assert "Spot-check share (%)" in page
