"""Review fixes for amount conversion: no silent rounding, strict thousands separators, no
scientific notation or inf/nan — each bad cell a row error with a specific reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb
import pytest

from qinglian.monitoring.choices import LoadStatus
from qinglian.monitoring.intake import sql

from .test_intake import PAYMENTS, _home, load  # noqa: F401  (_home: autouse fixture)

DECIMALS = "金额最多保留两位小数"
FORMAT = "金额格式不正确"
SCIENTIFIC = "科学计数法"
NOT_NUMBER = "不是有效数字"


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def amount(con: duckdb.DuckDBPyConnection, text: str) -> tuple[Any, str]:
    """The converted value and (for a bad cell) its reason, as the load computes them."""
    value = sql.convert_amount("v")
    reason = sql.reason("amount", "v")
    row = con.execute(f"SELECT {value}, {reason} FROM (SELECT {sql.raw('t')} AS v FROM (SELECT ? AS t))",
                      [text]).fetchone()
    assert row is not None
    return row[0], row[1]


@pytest.mark.parametrize(("text", "expected"), [
    ("12.34", "12.34"), ("12.340", "12.34"), ("12.3", "12.30"), ("-5", "-5.00"),
    ("+5", "5.00"), (".5", "0.50"), ("5.", "5.00"),
    ("1.23456万", "12345.60"), ("1.2345678亿", "123456780.00"), ("1.2345678901亿", "123456789.01"),
    ("1,234.56", "1234.56"), ("1,234,567", "1234567.00"), ("1，234，567.8", "1234567.80"),
    ("1,234.5万", "12345000.00"), ("￥1,234", "1234.00"), ("(1,234.56)", "-1234.56"),
    ("-1,234", "-1234.00"), ("1.5万", "15000.00"), ("2亿元", "200000000.00"),
    ("１２.３４", "12.34"), ("9999999999999999", "9999999999999999.00"),
])
def test_valid_amounts_convert_exactly(con: duckdb.DuckDBPyConnection, text: str,
                                       expected: str) -> None:
    assert amount(con, text)[0] == Decimal(expected)


@pytest.mark.parametrize(("text", "reason"), [
    # 1. more than two decimals (after 万/亿 scaling) is an error, never rounded
    ("12.345", DECIMALS), ("-0.001", DECIMALS), ("1,234.567", DECIMALS), ("(12.345)", DECIMALS),
    ("1.2345678万", DECIMALS), ("1.23456789012亿", DECIMALS), ("12.000000001", DECIMALS),
    # 2. thousands separators only in valid groups
    ("1,5万", FORMAT), ("1,5", FORMAT), ("12,34", FORMAT), ("1234,567", FORMAT),
    ("1,2345", FORMAT), (",123", FORMAT), ("1,,234", FORMAT), ("1,234,", FORMAT),
    ("1,234.5,6", FORMAT), ("1，5", FORMAT), ("1.234,56", FORMAT),
    # 3. scientific notation and non-finite values
    ("1e5", SCIENTIFIC), ("1E5", SCIENTIFIC), ("-2.5e3", SCIENTIFIC), ("1e-2", SCIENTIFIC),
    ("１ｅ５", SCIENTIFIC), ("1e5万", SCIENTIFIC),
    ("inf", NOT_NUMBER), ("-inf", NOT_NUMBER), ("Infinity", NOT_NUMBER), ("nan", NOT_NUMBER),
    ("NaN", NOT_NUMBER),
    # still rejected, with the general reason
    ("1_000", "无法识别的金额"), ("一百元", "无法识别的金额"), ("0x10", "无法识别的金额"),
    ("10000000000000000", "超出"),
])
def test_bad_amounts_are_rejected_with_a_reason(con: duckdb.DuckDBPyConnection, text: str,
                                               reason: str) -> None:
    value, why = amount(con, text)
    assert value is None, f"{text!r} read as {value}"
    assert reason in why


def test_good_amounts_have_no_reason(con: duckdb.DuckDBPyConnection) -> None:
    assert amount(con, "1,234.56")[1] is None
    assert amount(con, "12.340")[1] is None


@pytest.mark.django_db
def test_bad_amounts_reject_the_load_with_row_errors(
        city: Any, django_capture_on_commit_callbacks: Any) -> None:
    content = PAYMENTS + ("P006,财务部,V01,12.345,2026-03-07,,\n"
                          "P007,财务部,V01,\"1,5万\",2026-03-07,,\n"
                          "P008,财务部,V01,1e5,2026-03-07,,\n"
                          "P009,财务部,V01,inf,2026-03-07,,\n"
                          "P010,财务部,V01,\"1,234.50\",2026-03-07,,\n")
    version = load(city, django_capture_on_commit_callbacks, content.encode())
    assert version.status == LoadStatus.REJECTED
    assert version.bad_rows == 4
    errors = {e["row"]: (e["value"], e["reason"]) for e in version.errors}
    assert errors[7][0] == "12.345" and DECIMALS in errors[7][1]
    assert errors[8][0] == "1,5万" and FORMAT in errors[8][1]
    assert errors[9][0] == "1e5" and SCIENTIFIC in errors[9][1]
    assert errors[10][0] == "inf" and NOT_NUMBER in errors[10][1]
    assert 11 not in errors
