"""The eligibility check (资格联审): rules, people judged by the enterprises they lead, scope,
the stored record and its audit, the year's roll-up — and never a raw ID number at rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qinglian.core.choices import Role
from qinglian.core.crypto import lookup_hash
from qinglian.core.models import AuditRecord
from qinglian.evaluation import result_actions
from qinglian.evaluation.choices import FAIL_GRADE, EligibilityPurpose, NomineeKind
from qinglian.evaluation.eligibility import (
    LEADS_NONE,
    NOT_FOUND,
    RULES,
    do_check_eligibility,
    register_rule,
    rollups,
)
from qinglian.evaluation.eligibility_lists import NomineeEntry, parse_pasted
from qinglian.evaluation.models import EligibilityCheck, NegativeItem, Nominee
from qinglian.registry import actions as registry_actions
from qinglian.registry.identifiers import synthesise_uscc
from qinglian.registry.models import Organisation
from tests.conftest import USCC_HUAWEI, City, make_uscc

from .world import World, publish

pytestmark = pytest.mark.django_db

FED, CH, ENT, AUDITOR, ADMIN = (Role.FEDERATION_OFFICER, Role.CHAMBER_OFFICER,
                                Role.ENTERPRISE_USER, Role.AUDITOR, Role.ADMIN)
PERSON_ID = "330106198501011231"  # 周清源, legal representative of 华为 (enterprises[0])
STRANGER_ID = "11010519491231002X"  # valid, but nobody the platform knows
DOUBLY_VALID = "330106198505136437"  # valid both as a USCC and as an ID number
ON = dt.date(2026, 11, 24)


def check(city: City, text: str, role: str = FED, **kw: Any) -> EligibilityCheck:
    return do_check_eligibility(
        city.federation, purpose=kw.pop("purpose", EligibilityPurpose.AWARD),
        title=kw.pop("title", "2026 年度优秀民营企业评选"), entries=parse_pasted(text),
        actor=city.users[role], on=kw.pop("on", ON), **kw)


def outcome(result: EligibilityCheck, line: int) -> Nominee:
    return result.nominees.get(line=line)


def _veto(city: City, world: World, enterprise: Organisation, code: str = "N01",
          found_on: dt.date = dt.date(2026, 3, 2)) -> None:
    item = NegativeItem.objects.get(framework=world.framework, code=code)
    result_actions.do_confirm_finding(
        world.of(enterprise), item=item, found_on=found_on, source="杭州市中级人民法院（2026）浙01刑初12号判决书",
        actor=city.users[FED])


@pytest.fixture
def published(city: City, world: World) -> World:
    """2026 published: 华为 vetoed for bribery, 清风 poor (不达标 on points), 瓯江 good."""
    _veto(city, world, city.enterprises[0])
    return publish(city, world, strengths={city.enterprises[1].pk: "poor"})


def test_clean_enterprise_is_eligible(city: City, published: World) -> None:
    result = check(city, f"{make_uscc(2)}\t杭州瓯江贸易有限公司")
    nominee = outcome(result, 1)
    assert nominee.eligible and nominee.reasons == []
    assert nominee.organisation == city.enterprises[2] and nominee.kind == NomineeKind.ENTERPRISE
    assert nominee.identifier_masked == make_uscc(2) and nominee.identifier_hash == ""
    assert (result.nominee_count, result.ineligible_count) == (1, 0)


def test_fail_grade_names_year_total_and_veto_items(city: City, published: World) -> None:
    result = check(city, f"{USCC_HUAWEI}\n{make_uscc(1)}")
    vetoed, poor = outcome(result, 1), outcome(result, 2)
    total = published.of(city.enterprises[0]).total
    assert not vetoed.eligible
    assert vetoed.reasons == [
        f"2026 年度清廉指数等级为{FAIL_GRADE}（总分 {total} 分；一票否决：行贿受贿）",
        "负面清单：行贿受贿（2026年3月2日认定，依据：杭州市中级人民法院（2026）浙01刑初12号判决书）",
    ]
    assert vetoed.name == "华为技术有限公司"  # filled in from the registry when not given
    assert published.of(city.enterprises[1]).grade == FAIL_GRADE
    assert poor.reasons == [
        f"2026 年度清廉指数等级为不达标（总分 {published.of(city.enterprises[1]).total} 分）"]
    assert result.ineligible_count == 2


def test_latest_published_result_counts_not_an_older_one(city: City, published: World) -> None:
    """A later year's passing grade clears an earlier fail (the findings rule still looks back
    one year, by itself)."""
    from .world import open_campaign

    later = open_campaign(city, year=2027, name="2027 年度清廉企业评价", framework=published.framework)
    publish(city, later)
    nominee = outcome(check(city, make_uscc(1), on=dt.date(2027, 12, 1)), 1)
    assert nominee.eligible


def test_findings_of_this_and_last_year_only_and_not_withdrawn(city: City, world: World) -> None:
    _veto(city, world, city.enterprises[2], code="N02", found_on=dt.date(2026, 5, 6))
    assert outcome(check(city, make_uscc(2), on=dt.date(2027, 1, 5)), 1).reasons == [
        "负面清单：拖欠农民工工资（2026年5月6日认定，依据：杭州市中级人民法院（2026）浙01刑初12号判决书）"]
    assert outcome(check(city, make_uscc(2), on=dt.date(2028, 1, 5)), 1).eligible
    finding = world.of(city.enterprises[2]).findings.get()
    result_actions.do_withdraw_finding(finding, reason="复核撤销", actor=city.users[FED])
    assert outcome(check(city, make_uscc(2)), 1).eligible


def test_person_is_judged_by_the_enterprises_they_lead(city: City, published: World) -> None:
    registry_actions.do_add_position(actor=None, person=city.person,
                                     organisation=city.enterprises[0], title="entrepreneur")
    registry_actions.do_add_position(actor=None, person=city.person,
                                     organisation=city.enterprises[2], title="legal_representative")
    nominee = outcome(check(city, f"{PERSON_ID}\t周清源"), 1)
    assert nominee.kind == NomineeKind.PERSON and nominee.person == city.person
    assert not nominee.eligible
    assert [r.split("：", 1)[0] for r in nominee.reasons] == [
        "华为技术有限公司（法定代表人、企业家（实际控制人））"] * 2
    assert "一票否决：行贿受贿" in nominee.reasons[0]
    # Only current posts count: once 周清源 has left 华为, nothing stands against them.
    for post in city.person.positions.filter(organisation=city.enterprises[0]):
        registry_actions.do_end_position(post, actor=None, end_on=dt.date(2026, 10, 1))
    assert outcome(check(city, PERSON_ID), 1).eligible


def test_person_leading_no_enterprise_cannot_be_vouched_for(city: City, world: World) -> None:
    for post in city.person.positions.all():
        registry_actions.do_end_position(post, actor=None, end_on=dt.date(2026, 10, 1))
    nominee = outcome(check(city, PERSON_ID), 1)
    assert nominee.person == city.person and nominee.reasons == [LEADS_NONE]


def test_not_found_outside_platform_or_jurisdiction_or_chamber_scope(city: City, world: World) -> None:
    unknown = synthesise_uscc("330100", 123_456)
    text = f"{unknown}\n{make_uscc(3)}\n{STRANGER_ID}\n{make_uscc(2)}"
    result = check(city, text)  # make_uscc(3) is 宁波's, outside Hangzhou's jurisdiction
    assert [outcome(result, n).reasons for n in (1, 2, 3)] == [[NOT_FOUND]] * 3
    assert outcome(result, 4).eligible
    assert "无法核验" in NOT_FOUND and "线下" in NOT_FOUND
    # 瓯江 is a member of another chamber: the Internet chamber's officer cannot resolve it.
    result = check(city, f"{make_uscc(2)}\n{USCC_HUAWEI}", role=CH)
    assert outcome(result, 1).reasons == [NOT_FOUND] and outcome(result, 1).organisation is None
    assert outcome(result, 2).organisation == city.enterprises[0]


def test_doubly_valid_code_is_the_enterprise_when_registered_else_a_person(city: City, world: World) -> None:
    nominee = outcome(check(city, DOUBLY_VALID), 1)
    assert nominee.kind == NomineeKind.PERSON
    assert nominee.identifier_hash == lookup_hash(DOUBLY_VALID)
    assert nominee.identifier_masked == "330***********6437"
    registry_actions.do_create_organisation(
        actor=None, kind="enterprise", name="杭州双码有限公司", uscc=DOUBLY_VALID,
        federation=city.federation, region="330106")
    nominee = outcome(check(city, DOUBLY_VALID), 1)
    assert nominee.kind == NomineeKind.ENTERPRISE and nominee.identifier_masked == DOUBLY_VALID


def test_rules_are_pluggable(city: City, world: World) -> None:
    @register_rule("test_blacklist", "列入失信黑名单（测试）")
    def blacklisted(enterprise: Organisation, on: dt.date) -> list[str]:
        return [f"失信黑名单：{enterprise.name}（{on:%Y-%m-%d} 在列）"] if enterprise.pk == city.enterprises[2].pk else []

    try:
        result = check(city, f"{make_uscc(2)}\n{make_uscc(1)}")
    finally:
        del RULES["test_blacklist"]
    assert outcome(result, 1).reasons == ["失信黑名单：杭州瓯江贸易有限公司（2026-11-24 在列）"]
    assert outcome(result, 2).eligible


def test_bad_list_stores_nothing_and_says_every_line(city: City, world: World) -> None:
    records = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as raised:
        check(city, f"{USCC_HUAWEI}\n{USCC_HUAWEI}\n12345")
    assert raised.value.message_dict["nominees"] == [
        "第 2 行：与第 1 行重复：同一名单中每名人选只能出现一次",
        "第 3 行：证件号码应为 18 位（统一社会信用代码或身份证号），实际 5 位",
    ]
    with pytest.raises(ValidationError) as raised:
        check(city, USCC_HUAWEI, purpose="bogus", title=" ")
    assert set(raised.value.message_dict) == {"purpose", "title"}
    assert not EligibilityCheck.objects.exists() and AuditRecord.objects.count() == records


@pytest.mark.parametrize("role", [ENT, AUDITOR, Role.DEPARTMENT_HANDLER])
def test_only_officers_check(city: City, role: str) -> None:
    with pytest.raises(PermissionDenied):
        check(city, USCC_HUAWEI, role=role)


def test_officers_check_only_in_their_own_jurisdiction(city: City) -> None:
    with pytest.raises(PermissionDenied, match="本工商联辖区"):
        do_check_eligibility(city.other_federation, purpose="award", title="外地", actor=city.users[FED],
                             entries=[NomineeEntry(1, make_uscc(3))])
    result = do_check_eligibility(city.other_federation, purpose="award", title="外地",
                                  actor=city.users[ADMIN], entries=[NomineeEntry(1, make_uscc(3))])
    assert outcome(result, 1).organisation == city.outsider


def test_check_is_audited_with_counts_only(city: City, published: World) -> None:
    result = check(city, f"{USCC_HUAWEI}\n{make_uscc(2)}\n{PERSON_ID}\n{STRANGER_ID}",
                   purpose=EligibilityPurpose.POLITICAL)
    created = AuditRecord.objects.get(object_type="evaluation.eligibilitycheck", action="create")
    assert (created.after or {})["title"] == "2026 年度优秀民营企业评选"
    assert created.actor == city.users[FED]
    event = AuditRecord.objects.get(object_type="evaluation.eligibilitycheck", event="eligibility.checked")
    assert event.object_id == str(result.pk)
    assert event.after == {"purpose": "political", "nominees": 4, "enterprises": 2, "people": 2,
                           "eligible": 1, "ineligible": 3, "vetoed": 2, "unverified": 1}
    assert result.submitted_by == city.users[FED]


def _stored_text() -> Iterator[str]:
    """Every stored nominee, check and audit record, serialised as the database holds it."""
    for model in (Nominee, EligibilityCheck, AuditRecord):
        yield serializers.serialize("json", model.objects.all())


def test_no_raw_id_number_is_stored_or_audited(city: City, published: World) -> None:
    text = f"{PERSON_ID}\t周清源\n{STRANGER_ID}\t张三\n{DOUBLY_VALID}\n{USCC_HUAWEI}"
    result = check(city, text)
    dumped = "".join(_stored_text())
    for raw in (PERSON_ID, STRANGER_ID, DOUBLY_VALID):
        assert raw not in dumped
    assert USCC_HUAWEI in dumped  # codes of enterprises are not personal data
    masked = set(result.nominees.values_list("identifier_masked", flat=True))
    assert masked == {"330***********1231", "110***********002X", "330***********6437", USCC_HUAWEI}
    with pytest.raises(ValidationError) as raised:  # nor in the error of a refused list
        check(city, f"{PERSON_ID}\n{PERSON_ID}")
    assert PERSON_ID not in str(raised.value)


def test_rollup_counts_checks_nominees_and_distinct_vetoes(city: City, published: World) -> None:
    check(city, f"{USCC_HUAWEI}\n{make_uscc(1)}\n{make_uscc(2)}\n{STRANGER_ID}")
    check(city, f"{USCC_HUAWEI}\n{PERSON_ID}", purpose=EligibilityPurpose.EXECUTIVE)
    check(city, f"{STRANGER_ID}", purpose=EligibilityPurpose.OTHER)
    checks = EligibilityCheck.objects.all()
    year = EligibilityCheck.objects.first().submitted_at.year  # type: ignore[union-attr]
    [row] = rollups(checks, year)
    assert (row.federation_id, row.checks, row.nominees) == (city.federation.pk, 3, 7)
    assert row.vetoed == 3  # 华为 (twice, counted once), 清风, 周清源
    assert row.unverified == 1  # the stranger (twice, counted once)
    assert rollups(checks, year - 1) == []


def test_query_count_does_not_grow_with_the_list(city: City, published: World) -> None:
    def queries(text: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            check(city, text)
        return len(captured)

    small = queries(f"{USCC_HUAWEI}\n{PERSON_ID}\n{STRANGER_ID}")
    many = [synthesise_uscc("330100", 700_000 + i) for i in range(40)]
    large = queries("\n".join([USCC_HUAWEI, make_uscc(1), make_uscc(2), PERSON_ID, STRANGER_ID, *many]))
    assert large == small
