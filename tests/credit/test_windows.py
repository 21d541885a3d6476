"""Publication windows and dual-publicity deadlines, with the clock frozen: Spring Festival and
National Day 2026 (make-up working weekends), the year boundary into 2027 (no statutory
schedule yet: Monday–Friday with a warning), month ends, a leap day, and a record leaving the
public view the day after its window ends. Also the window-rule settings page."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import chinese_calendar
import pytest
import time_machine

from qinglian.core.choices import Role
from qinglian.core.models import AuditRecord
from qinglian.core.models_calendar import WorkdayOverride
from qinglian.core.workdays import calendar_warning, clear_override_cache
from qinglian.credit import actions
from qinglian.credit.choices import RecordStatus, WindowKind
from qinglian.credit.models import CreditPolicy, CreditRecord, WindowRule
from qinglian.credit.queries import public_records_q
from qinglian.credit.record_queries import record_badges, record_life
from qinglian.credit.windows import publish_due, window_end, window_rule

from ..conftest import City

D = dt.date
TZ = dt.timezone(dt.timedelta(hours=8))


def frozen(day: D) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ),
                               tick=False)


def penalty(city: City, decision: D, *, severity: str = "ordinary", enterprise: int = 0,
            **extra: Any) -> CreditRecord:
    return actions.do_create_record(
        city.enterprises[enterprise], actor=None, category="penalty", severity=severity,
        source="administrative", issuing_body="杭州市市场监督管理局",
        decision_number=f"杭市监罚〔{decision:%Y%m%d}〕{severity}", decision_date=decision,
        legal_basis="《中华人民共和国广告法》第五十五条", content="虚假宣传，罚款五万元", **extra)


# --- the calendar the tests rely on (checked against chinese_calendar itself) ----------------


def test_the_2026_schedule_is_what_the_tests_assume() -> None:
    assert chinese_calendar.is_workday(D(2026, 2, 14))  # make-up Saturday before Spring Festival
    assert chinese_calendar.is_workday(D(2026, 2, 28))  # make-up Saturday after it
    assert not any(chinese_calendar.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert chinese_calendar.is_workday(D(2026, 9, 20))  # make-up Sunday before National Day
    assert chinese_calendar.is_workday(D(2026, 10, 10))  # make-up Saturday after it
    assert not any(chinese_calendar.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert not chinese_calendar.is_workday(D(2026, 9, 25))  # Mid-Autumn Festival
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


# --- dual publicity deadline: 7 working days --------------------------------------------------


@pytest.mark.parametrize(("decision", "due"), [
    # Thu before Spring Festival: Fri 13, Sat 14 (make-up), holiday 15–23, 24–27, Sat 28 (make-up)
    (D(2026, 2, 12), D(2026, 2, 28)),
    # on the make-up Saturday itself: 24, 25, 26, 27, 28 (make-up), Mon 2 and Tue 3 March
    (D(2026, 2, 14), D(2026, 3, 3)),
    # inside the holiday: counting starts after it
    (D(2026, 2, 18), D(2026, 3, 3)),
    # before National Day: Sun 20 Sept (make-up) 21–24, Mid-Autumn 25 off, 28, 29
    (D(2026, 9, 18), D(2026, 9, 29)),
    # 29, 30, holiday 1–7 Oct, 8, 9, Sat 10 (make-up), 12, 13
    (D(2026, 9, 28), D(2026, 10, 13)),
    # an ordinary week
    (D(2026, 11, 2), D(2026, 11, 11)),
])
def test_publish_due_follows_the_statutory_calendar(decision: D, due: D) -> None:
    assert publish_due(decision) == due


@pytest.mark.django_db
def test_publish_due_across_the_year_boundary_falls_back_to_weekdays(
        caplog: pytest.LogCaptureFixture) -> None:
    clear_override_cache()
    with caplog.at_level(logging.WARNING, logger="qinglian.core.workdays"):
        # 29, 30, 31 Dec; 2027 unknown → Mon–Fri: Fri 1 Jan counts, Mon 4, Tue 5, Wed 6
        assert publish_due(D(2026, 12, 28)) == D(2027, 1, 6)
    assert "2027" in caplog.text
    assert "2027" in calendar_warning(2027)
    assert calendar_warning(2026) == ""


@pytest.mark.django_db
def test_the_federation_can_enter_next_years_holidays_as_overrides() -> None:
    WorkdayOverride.objects.create(day=D(2027, 1, 1), is_workday=False, note="元旦")
    clear_override_cache()
    try:
        assert publish_due(D(2026, 12, 28)) == D(2027, 1, 7)
    finally:
        clear_override_cache()


# --- publication windows ----------------------------------------------------------------------


@pytest.mark.parametrize(("decision", "months", "end"), [
    (D(2026, 3, 15), 3, D(2026, 6, 14)),
    (D(2026, 1, 31), 1, D(2026, 2, 28)),  # February has no 31st: the month's end
    (D(2026, 1, 28), 1, D(2026, 2, 27)),
    (D(2026, 1, 30), 1, D(2026, 2, 28)),
    (D(2028, 2, 29), 12, D(2029, 2, 28)),  # leap day: a common year ends on 28 February
    (D(2028, 2, 29), 48, D(2032, 2, 28)),  # to the next leap year: the day before the 29th
    (D(2026, 12, 15), 3, D(2027, 3, 14)),  # across the year boundary
    (D(2026, 8, 31), 6, D(2027, 2, 28)),
])
def test_window_end(decision: D, months: int, end: D) -> None:
    assert window_end(decision, months) == end


@pytest.mark.django_db
def test_a_record_window_from_a_month_end_decision(city: City) -> None:
    with frozen(D(2026, 2, 2)):
        record = penalty(city, D(2026, 1, 31), severity="ordinary", window_months=3)
    assert record.publish_until == D(2026, 4, 30)
    assert record.repair_from == D(2026, 4, 30)  # the minimum (3 months) counted the same way
    assert record.publish_due == D(2026, 2, 10)  # a Saturday decision: Mon 2 … Tue 10


@pytest.mark.django_db
def test_a_leap_day_record_with_a_twelve_month_window(city: City) -> None:
    with frozen(D(2028, 3, 1)):
        record = penalty(city, D(2028, 2, 29), severity="serious", window_months=12)
    assert record.publish_until == D(2029, 2, 28)
    assert record.min_months == 12 and record.repair_from == D(2029, 2, 28)


@pytest.mark.django_db
def test_default_windows_by_severity(city: City) -> None:
    with frozen(D(2026, 6, 10)):
        minor = penalty(city, D(2026, 6, 1), severity="minor")
        ordinary = penalty(city, D(2026, 6, 2), severity="ordinary")
        serious = penalty(city, D(2026, 6, 3), severity="serious")
    assert not minor.to_publish and minor.publish_until is None  # minor: not published
    assert ordinary.window_months == 12 and ordinary.publish_until == D(2027, 6, 1)
    assert serious.window_months == 36 and serious.publish_until == D(2029, 6, 2)


@pytest.mark.django_db
def test_a_window_outside_the_rule_is_refused(city: City) -> None:
    with frozen(D(2026, 6, 10)), pytest.raises(Exception) as info:
        penalty(city, D(2026, 6, 1), severity="ordinary", window_months=2)
    assert "3 至 12" in str(info.value)


@pytest.mark.django_db
def test_a_record_leaves_the_public_view_the_day_after_its_window(city: City) -> None:
    with frozen(D(2026, 3, 16)):
        record = penalty(city, D(2026, 3, 16), severity="ordinary", window_months=3,
                         publish=True)
    assert record.status == RecordStatus.PUBLISHED
    assert record.publish_from == D(2026, 3, 16) and record.publish_until == D(2026, 6, 15)
    public = CreditRecord.objects.filter(pk=record.pk)
    assert public.filter(public_records_q(D(2026, 6, 15))).exists()
    assert not public.filter(public_records_q(D(2026, 6, 16))).exists()
    assert ("公示中", "primary") in record_badges(record, D(2026, 6, 15))
    assert ("已期满", "secondary") in record_badges(record, D(2026, 6, 16))
    kinds = [e.kind for e in record_life(record, D(2026, 6, 16))]
    assert kinds == ["created", "published", "expired"]
    expired = record_life(record, D(2026, 6, 16))[-1]
    assert expired.at == D(2026, 6, 16)
    # through the pages, with the clock on each side of the end (signed in afresh each day:
    # an idle session does not survive a day)
    with frozen(D(2026, 6, 15)):
        client = city.client(Role.FEDERATION_OFFICER)
        listed = client.get("/credit/records/?public=yes")
        assert listed.status_code == 200 and record.number in listed.content.decode()
    with frozen(D(2026, 6, 16)):
        client = city.client(Role.FEDERATION_OFFICER)
        listed = client.get("/credit/records/?public=yes")
        assert listed.status_code == 200 and record.number not in listed.content.decode()
        page = client.get(f"/credit/records/{record.pk}/").content.decode()
        assert "已期满" in page and "公示期满，不再对外公示" in page


# --- the settings page ------------------------------------------------------------------------


def _rules_post(**override: object) -> dict[str, object]:
    data: dict[str, object] = {"section": "windows"}
    for kind, (publish, low, high) in {"minor": (False, 0, 3), "ordinary": (True, 3, 12),
                                       "serious": (True, 12, 36), "other": (True, 0, 36)}.items():
        if publish:
            data[f"{kind}_publish"] = "on"
        data[f"{kind}_min"], data[f"{kind}_max"] = low, high
    data.update(override)
    return data


@pytest.mark.django_db
def test_officer_changes_a_rule_and_only_later_records_use_it(city: City) -> None:
    with frozen(D(2026, 6, 10)):
        before = penalty(city, D(2026, 6, 1), severity="ordinary")
        client = city.client(Role.FEDERATION_OFFICER)
        page = client.get("/credit/settings/")
        assert page.status_code == 200 and "一般失信信息" in page.content.decode()
        response = client.post("/credit/settings/", _rules_post(ordinary_max=6))
        assert response.status_code == 302
        after = penalty(city, D(2026, 6, 2), severity="ordinary")
    assert window_rule(city.federation.pk, WindowKind.ORDINARY).max_months == 6
    before.refresh_from_db()
    assert before.window_months == 12  # kept
    assert after.window_months == 6 and after.publish_until == D(2026, 12, 1)
    event = AuditRecord.objects.filter(event="credit_window.changed").get()
    assert isinstance(event.after, dict) and event.after["to"] == [True, 3, 6]


@pytest.mark.django_db
@pytest.mark.parametrize(("override", "field", "message"), [
    ({"minor_max": 4}, "minor_max", "不能超过 3 个月"),
    ({"ordinary_min": 2}, "ordinary_min", "不能少于 3 个月"),
    ({"ordinary_max": 13}, "ordinary_max", "不能超过 12 个月"),
    ({"serious_min": 11}, "serious_min", "不能少于 12 个月"),
    ({"serious_max": 37}, "serious_max", "不能超过 36 个月"),
    ({"other_max": 61}, "other_max", "60"),
    ({"serious_min": 30, "serious_max": 24}, "serious_min", "不能长于最长"),
])
def test_rules_outside_the_legal_bounds_are_refused(city: City, override: dict[str, int],
                                                    field: str, message: str) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/credit/settings/", _rules_post(**override))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WindowRule.objects.exists()


@pytest.mark.django_db
def test_officer_sets_the_due_process_clocks(city: City) -> None:
    client = city.client(Role.FEDERATION_OFFICER)
    response = client.post("/credit/settings/", {
        "section": "policy", "objection_window_days": 15, "objection_handling_days": 10,
        "repair_handling_days": 20})
    assert response.status_code == 302
    policy = CreditPolicy.objects.get(federation=city.federation)
    assert (policy.objection_window_days, policy.objection_handling_days,
            policy.repair_handling_days) == (15, 10, 20)
    bad = client.post("/credit/settings/", {
        "section": "policy", "objection_window_days": 0, "objection_handling_days": 10,
        "repair_handling_days": 61})
    assert bad.status_code == 200 and "form-errors" in bad.content.decode()


@pytest.mark.django_db
def test_another_federation_cannot_set_the_rules(city: City) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.do_set_window_rules(city.other_federation, {"ordinary": (True, 3, 6)},
                                    actor=city.users[Role.FEDERATION_OFFICER])
