"""Adversarial review of issue #6 (risk register, declarations, partner screening).

Each test FAILS on the code as reviewed and describes the defect and the expected behaviour;
it should pass once the defect is fixed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qinglian.core.audit import object_label
from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.core.normalise import company_name, phone
from qinglian.core.workflow import TransitionNotAllowed
from qinglian.declarations import actions as declaration_actions
from qinglian.risk import actions as risk_actions
from qinglian.risk import round_actions
from qinglian.risk.choices import RoundStatus
from qinglian.screening.actions import do_review_hit, do_screen_parties
from qinglian.screening.choices import HitStatus
from qinglian.screening.hits import Named, find_hits
from qinglian.screening.list_actions import (
    do_add_watch_entry,
    do_create_watch_list,
    do_upload_watch_entries,
)
from qinglian.screening.lists import EntryLine, PartyLine
from qinglian.screening.models import Hit, WatchEntry

DAY = dt.date(2026, 3, 10)
#: A valid credit code (check character verified), used for the listed company.
LISTED_USCC = "91330106MA000CT71P"

REFUSED = (PermissionDenied, TransitionNotAllowed, ValidationError)


def _named(name: str, uscc: str = "") -> Named:
    return Named(name, uscc, company_name(name))


# --- screening ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_name_false_positive_suppresses_later_exact_uscc_hit_of_listed_company(city: Any) -> None:
    """A reviewer marks a *name* hit a false positive (our vendor 华信贸易, no code given, is not
    the listed 宁波华信贸易). The suppression is stored under the party's normalised name key, so
    when the listed company itself is screened later WITH its credit code — an exact USCC hit —
    the hit is swallowed as 已排除. A false-positive decision on a name must never hide an exact
    credit-code match (the suppression should be keyed on the code when there is one, and not
    apply when the later party carries the entry's code). Expected: the USCC hit is raised."""
    fed, ent = city.users[Role.FEDERATION_OFFICER], city.users[Role.ENTERPRISE_USER]
    external = do_create_watch_list(city.federation, kind="external", name="行业失信黑名单",
                                    actor=fed)
    do_add_watch_entry(external, name="宁波华信贸易有限公司", uscc=LISTED_USCC,
                       reason="行贿被判刑", actor=fed)
    organisation = city.enterprises[0]
    first = do_screen_parties(organisation, parties=[PartyLine(1, "华信贸易有限公司")],
                              input_kind="single", actor=ent)
    hit = Hit.objects.get(party__screening=first)
    do_review_hit(hit, to=HitStatus.FALSE_POSITIVE, note="本市同名企业，与名单企业无关", actor=ent)

    second = do_screen_parties(organisation,
                               parties=[PartyLine(1, "华信贸易有限公司", LISTED_USCC)],
                               input_kind="single", actor=ent)
    assert Hit.objects.filter(party__screening=second, method="uscc").exists(), \
        "the listed company's exact credit-code hit was suppressed by a name-based decision"


@pytest.mark.django_db
def test_false_positive_forgotten_when_external_list_is_reuploaded_with_replace(city: Any) -> None:
    """Suppressions remember the entry as ``entry:<pk>``. Refreshing an external list by upload
    with "replace" deletes every entry and recreates it with new primary keys, so every false
    positive the organisations recorded against that list comes back on the next screening —
    the issue requires them to be "remembered and suppressed next time". Expected: an unchanged
    entry (same name / code) keeps its suppressions across a replace upload (key suppressions
    on the entry's identity — list + USCC or normalised name — or carry them over)."""
    fed, ent = city.users[Role.FEDERATION_OFFICER], city.users[Role.ENTERPRISE_USER]
    external = do_create_watch_list(city.federation, kind="external", name="行业失信黑名单",
                                    actor=fed)
    rows = [EntryLine(1, "宁波华信贸易有限公司", LISTED_USCC, "行贿被判刑")]
    do_upload_watch_entries(external, entries=rows, replace=True, actor=fed)
    organisation = city.enterprises[0]
    first = do_screen_parties(organisation, parties=[PartyLine(1, "华信贸易有限公司")],
                              input_kind="single", actor=ent)
    hit = Hit.objects.get(party__screening=first)
    do_review_hit(hit, to=HitStatus.FALSE_POSITIVE, note="本市同名企业，与名单企业无关", actor=ent)

    do_upload_watch_entries(external, entries=rows, replace=True, actor=fed)  # monthly refresh
    second = do_screen_parties(organisation, parties=[PartyLine(1, "华信贸易有限公司")],
                               input_kind="single", actor=ent)
    assert second.hit_count == 0 and second.suppressed_count == 1


@pytest.mark.django_db
def test_replace_upload_deletes_and_creates_watch_entries_without_audit_records(city: Any) -> None:
    """``do_upload_watch_entries(replace=True)`` deletes every entry of the list and bulk-creates
    the new ones; only a summary event (counts) is written. Which names were taken off a
    blacklist, and which were put on it, is lost — while ``do_add_watch_entry`` and
    ``do_remove_watch_entry`` audit each entry. Expected: a DELETE audit record (with the
    before-snapshot) for each removed entry and a CREATE record for each added one."""
    fed = city.users[Role.FEDERATION_OFFICER]
    external = do_create_watch_list(city.federation, kind="external", name="行业失信黑名单",
                                    actor=fed)
    old = do_add_watch_entry(external, name="宁波华信贸易有限公司", actor=fed)
    do_upload_watch_entries(external, entries=[EntryLine(1, "温州东方海纳进出口有限公司")],
                            replace=True, actor=fed)
    new = WatchEntry.objects.get(watch_list=external)
    label = object_label(new)
    assert AuditRecord.objects.filter(object_type=label, object_id=str(old.pk),
                                      action="delete").exists()
    assert AuditRecord.objects.filter(object_type=label, object_id=str(new.pk),
                                      action="create").exists()


# --- normaliser / matching --------------------------------------------------------------------


def test_province_and_city_bank_names_are_merged_into_one_company() -> None:
    """江苏银行 and 南京银行 are two different listed banks. The normaliser strips the region
    (the only distinctive part of the name) leaving the generic core 银行, and since 南京 lies in
    江苏 no region-conflict penalty applies: the pair scores 100 as "the same company". Same for
    浙江医药 / 杭州医药. Expected: a region is not stripped when what remains is only a generic
    trade word (银行, 医药, 电气, 铜业 …), or such a pair scores below the default threshold."""
    for left, right in (("江苏银行股份有限公司", "南京银行股份有限公司"),
                        ("浙江医药股份有限公司", "杭州医药有限公司")):
        hits = find_hits([_named(left)], [_named(right)])
        assert hits == [], f"{left} / {right} matched: {hits[0].explanation}"


def test_inner_mongolia_region_prefix_not_stripped() -> None:
    """内蒙古自治区 shortens to 内 (the suffix regex eats 蒙古+自治区), which is under two
    characters, so the everyday prefix 内蒙古 is not a region name: 内蒙古伊利实业集团 and
    伊利实业集团 get different cores and do not match at all (ratio ≈ 73). Every other
    autonomous region (广西, 宁夏, 新疆, 西藏) works. Expected: 内蒙古 is stripped like 新疆."""
    assert company_name("内蒙古伊利实业集团股份有限公司").core == \
        company_name("伊利实业集团股份有限公司").core


def test_phone_with_country_code_landline_does_not_match_domestic_form() -> None:
    """``phone`` drops 86 only for mobiles (13 digits starting 861); a landline written
    internationally, +86 571 8888 1234, stays 8657188881234 and never equals the domestic
    0571-8888-1234 — the vendor–employee comparison (shared with monitoring) misses the tie.
    Expected: both normalise to 057188881234."""
    assert phone("+86 571 8888 1234") == phone("0571-8888-1234")


# --- declarations -----------------------------------------------------------------------------


def _declare(organisation: Any, actor: Any, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "declarant_name": "王建国", "declarant_department": "采购部", "declarant_post": "",
        "kind": "gift", "direction": "received", "occurred_on": DAY, "amount": Decimal(3000),
        "description": "购物卡", "counterparty": "杭州清风软件有限公司", "purpose": "春节走访",
    }
    fields.update(overrides)
    return declaration_actions.do_declare(organisation, actor=actor, today=DAY, **fields)


@pytest.mark.django_db
def test_user_who_entered_a_declaration_can_approve_it_when_account_link_left_empty(
        city: Any) -> None:
    """The self-approval guard compares only the optional ``declarant_user`` link with the
    approver. A user who declares a 3,000 元 gift for themselves and simply leaves 申报人的平台账号
    at 无 (or unlinks it later through the edit page while it is still submitted) approves their
    own declaration. Expected: the account that entered (``entered_by``) the declaration — and
    the linked declarant — may not decide it; another approver of the organisation must."""
    ent = city.users[Role.ENTERPRISE_USER]
    declaration = _declare(city.enterprises[0], ent, declarant_name=ent.display_name)
    assert declaration.status == "submitted"
    with pytest.raises(REFUSED):
        declaration_actions.do_approve_declaration(declaration, actor=ent, note="同意")


@pytest.mark.django_db
def test_declarant_can_unlink_own_account_and_then_approve(city: Any) -> None:
    """Same hole, by the edit route: the declarant's account is linked (so the page hides the
    approve button), the declarant edits the still-undecided declaration setting the account to
    无, and then approves it. Expected: refused — the guard must not depend on a field the
    declarant can clear."""
    ent = city.users[Role.ENTERPRISE_USER]
    declaration = _declare(city.enterprises[0], ent, declarant_user=ent)
    with pytest.raises(ValidationError, match="不能解除本人账号"):
        declaration_actions.do_update_declaration(
            declaration, actor=ent, today=DAY, declarant_name="王建国", declarant_department="采购部",
            kind="gift", direction="received", occurred_on=DAY, amount=Decimal(3000),
            description="购物卡", counterparty="杭州清风软件有限公司", purpose="春节走访",
            declarant_user=None)
    with pytest.raises(REFUSED):
        declaration_actions.do_approve_declaration(declaration, actor=ent, note="同意")


# --- risk register ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_alert_linked_during_open_round_is_lost_when_round_is_approved(city: Any) -> None:
    """A round takes ``next_likelihood`` (raised by alerts) into its items when it starts.
    An alert confirmed and linked *while the round is open* raises the point's
    ``next_likelihood`` again, but approval then applies the items (prefilled before that
    alert) and resets ``next_likelihood`` to None: the alert is shown on the point but its raise
    of the likelihood for the next review silently disappears. Expected: an alert linked after
    the round started still raises the likelihood the next review starts from (keep
    ``next_likelihood`` raised relative to the approved value, or refresh the open item)."""
    fed, ent = city.users[Role.FEDERATION_OFFICER], city.users[Role.ENTERPRISE_USER]
    huawei = city.enterprises[0]
    point = risk_actions.do_add_risk_point(
        huawei, actor=ent, today=dt.date(2025, 1, 10), area="procurement",
        title="供应商选择倾向特定关系人", department="采购部", owner_name="王建国",
        review_months=12, likelihood=2, impact=4, residual_likelihood=2, residual_impact=3)
    assessment_round = round_actions.do_create_round(huawei, kind="yearly", year=2026,
                                                     name="2026 年度评估", leader=ent, actor=ent)
    round_actions.do_start_round(assessment_round, actor=ent)
    item = assessment_round.items.get()
    round_actions.do_assess_item(item, actor=ent, likelihood=2, impact=4,
                                 residual_likelihood=2, residual_impact=3)
    risk_actions.do_link_alert(point, source="monitoring", reference="YJ-2026-0099",
                               summary="疑似拆分采购", actor=fed)  # confirmed during the round
    round_actions.do_submit_round(assessment_round, actor=ent)
    round_actions.do_approve_round(assessment_round, actor=ent, today=dt.date(2026, 2, 1))
    assessment_round.refresh_from_db()
    assert assessment_round.status == RoundStatus.APPROVED
    point.refresh_from_db()
    assert point.alert_links.count() == 1
    assert (point.next_likelihood or point.likelihood) > 2, \
        "the alert linked during the round no longer raises the next review's likelihood"
