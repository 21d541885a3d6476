"""Identifiers, personal-data crypto, working days and number formatting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qinglian.core import crypto
from qinglian.core.formatting import chinese_amount, chinese_date, chinese_number
from qinglian.core.workdays import (
    calendar_warning,
    is_workday,
    working_days_after,
    working_days_between,
)
from qinglian.registry.identifiers import (
    IdentifierError,
    clean_id_number,
    clean_phone,
    clean_uscc,
    name_initials,
    synthesise_uscc,
)
from qinglian.registry.regions import region_name

# Real codes published by the enterprises themselves.
REAL_USCC = [
    "914403001922038216",  # 华为技术有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
]


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_uscc_are_valid(code: str) -> None:
    assert clean_uscc(code) == code
    assert clean_uscc(code.lower()) == code
    assert clean_uscc(f" {code[:6]} {code[6:]} ") == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("914403001922038215", "校验位错误：末位应为“6”"),
        ("91440300192203821", "应为 18 位，实际 17 位"),
        ("9144030019220382160", "应为 18 位，实际 19 位"),
        ("91440300I92203821X", "格式错误"),
        ("", "不能为空"),
    ],
)
def test_invalid_uscc_explains_why(code: str, reason: str) -> None:
    with pytest.raises(IdentifierError, match=reason):
        clean_uscc(code)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["330102", "330106", "330110"]))
@settings(max_examples=200, deadline=None)
def test_synthesised_uscc_always_validate(serial: int, region: str) -> None:
    code = synthesise_uscc(region, serial)
    assert clean_uscc(code) == code
    assert code[2:8] == region


def test_resident_id_numbers() -> None:
    assert clean_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(IdentifierError, match="校验位"):
        clean_id_number("110105194912310021")
    with pytest.raises(IdentifierError, match="出生日期或地区"):
        clean_id_number("110105194902300020")  # 30 February, check digit right
    with pytest.raises(IdentifierError, match="18 位"):
        clean_id_number("11010519491231")


def test_phone_numbers() -> None:
    assert clean_phone("138 1234 5678") == "13812345678"
    assert clean_phone("+86 13812345678") == "13812345678"
    with pytest.raises(IdentifierError):
        clean_phone("12812345678")


def test_pinyin_initials() -> None:
    assert name_initials("华为技术有限公司") == "hwjsyxgs"
    assert name_initials("杭州ABC科技") == "hzabckj"


def test_region_names() -> None:
    assert region_name("330106") == "浙江省杭州市西湖区"
    assert region_name("110105") == "北京市朝阳区"
    assert region_name("330103") is None  # 下城区, abolished in 2021
    assert region_name("330113") == "浙江省杭州市临平区"  # created in 2021 (supplement)
    assert region_name("12345") is None


def test_sm4_round_trip_and_masks(settings) -> None:  # type: ignore[no-untyped-def]
    token = crypto.encrypt_text("11010519491231002X")
    assert "11010519491231002X" not in token
    assert crypto.decrypt_text(token) == "11010519491231002X"
    assert crypto.encrypt_text("x") != crypto.encrypt_text("x")  # fresh nonce each time
    assert crypto.lookup_hash("11010519491231002x") == crypto.lookup_hash("11010519491231002X")
    assert crypto.mask_id_number("11010519491231002X") == "110***********002X"
    assert crypto.mask_phone("13812345678") == "138****5678"


def test_tampered_ciphertext_is_refused() -> None:
    import base64

    raw = bytearray(base64.b64decode(crypto.encrypt_text("13812345678")))
    raw[15] ^= 1
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        crypto.decrypt_text(base64.b64encode(bytes(raw)).decode())


@pytest.mark.django_db
def test_working_days_follow_the_statutory_calendar() -> None:
    assert is_workday(dt.date(2026, 2, 14))  # make-up working Saturday before Spring Festival
    assert not is_workday(dt.date(2026, 2, 17))  # Spring Festival
    assert is_workday(dt.date(2026, 10, 10))  # make-up working Saturday after National Day
    # Decision on Friday 2026-09-25: 7 working days skip the National Day holiday.
    assert working_days_after(dt.date(2026, 9, 25), 7) == dt.date(2026, 10, 12)
    assert working_days_between(dt.date(2026, 9, 25), dt.date(2026, 10, 12)) == 7


@pytest.mark.django_db
def test_unknown_year_falls_back_to_weekdays_with_a_warning() -> None:
    from qinglian.core.models import WorkdayOverride
    from qinglian.core.workdays import clear_override_cache

    year = 2099
    assert "尚未收录" in calendar_warning(year)
    assert is_workday(dt.date(year, 1, 5))  # a Monday
    assert not is_workday(dt.date(year, 1, 3))  # a Saturday
    WorkdayOverride.objects.create(day=dt.date(year, 1, 5), is_workday=False, note="元旦调休")
    clear_override_cache()
    assert not is_workday(dt.date(year, 1, 5))
    clear_override_cache()


def test_numbers_as_users_write_them() -> None:
    assert chinese_amount(120_000_000) == "1.2亿元"
    assert chinese_number(35_000, "件") == "3.5万件"
    assert chinese_number(Decimal("999")) == "999"
    assert chinese_date(dt.date(2026, 11, 24)) == "2026年11月24日"


@pytest.mark.django_db
def test_update_grouped_writes_each_objects_values(django_assert_num_queries: Any) -> None:
    from qinglian.core.rows import update_grouped
    from qinglian.registry.models import Tag

    tags = [Tag.objects.create(code=f"t{n}", name=f"标签{n}", sort=0) for n in range(5)]
    for n, tag in enumerate(tags):
        tag.sort = n % 2  # two distinct values: two UPDATE statements
    with django_assert_num_queries(2):
        assert update_grouped(tags, ["sort"]) == 5
    assert list(Tag.objects.filter(code__startswith="t").order_by("code")
                .values_list("sort", flat=True)) == [0, 1, 0, 1, 0]
    assert update_grouped([], ["sort"]) == 0


@pytest.mark.django_db
def test_an_unknown_calendar_year_is_logged_once_not_per_day(caplog) -> None:
    import datetime as dt

    from qinglian.core import workdays

    workdays._warn_unknown_year.cache_clear()
    with caplog.at_level("WARNING", logger="qinglian.core.workdays"):
        for offset in range(40):
            workdays.is_workday(dt.date(2099, 1, 1) + dt.timedelta(days=offset))
    assert len([r for r in caplog.records if "2099" in r.getMessage()]) == 1
