"""Shared SQL fragments: a rule author's calls expand before parsing, or fail clearly."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot

from qinglian.monitoring.engine import (
    Parameter,
    ParameterKind,
    Rule,
    Severity,
    all_rules,
    bind_sql,
    get_rule,
    resolve_parameters,
)
from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner
from qinglian.monitoring.engine.fragments import FragmentError

LARGE_ROWS = """-- Rows of a ledger at or above the rule's threshold.
-- @arguments ledger, key, amount
large AS (
  SELECT {{ key }} AS row_key, CAST({{ amount }} AS DOUBLE) AS amount
  FROM {{ ledger }}
  WHERE {{ amount }} >= $threshold
)
"""


def author_rule(folder: Path, sql: str, fragments: dict[str, str] | None = None) -> Rule:
    """A rule as its author writes it: a SQL file beside a fragments folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fragments").mkdir(exist_ok=True)
    for name, text in (fragments or {}).items():
        (folder / "fragments" / f"{name}.sql").write_text(text, encoding="utf-8")
    path = folder / "T950.sql"
    path.write_text(sql, encoding="utf-8")
    return Rule(
        code="T950", name_zh="测试：大额", name_en="Test: large rows", catches="测试用规则",
        severity=Severity.LOW, explanation="{subject}：{value}", groups=("Payment",),
        inputs=("payments", "purchase_orders"), sql_path=path,
        parameters=(Parameter("threshold", ParameterKind.DECIMAL, 100.0, "阈值"),),
    )


def test_a_fragment_called_twice_with_other_names_runs_on_duckdb(tmp_path):
    rule = author_rule(tmp_path / "rules", """-- T950 large payments and orders.
WITH {{ large_rows(ledger=payments, key=payment_id, amount=paid_amount) }}
SELECT 'Payment' AS group_name, row_key AS subject_id, amount AS value FROM large
UNION ALL
SELECT 'Payment', row_key, amount FROM (
  WITH {{ large_rows(ledger=purchase_orders, key=order_id, amount=ordered_amount) }}
  SELECT * FROM large
) AS orders
""", {"large_rows": LARGE_ROWS})
    payments = tmp_path / "payments.parquet"
    orders = tmp_path / "orders.parquet"
    duckdb.sql(f"""COPY (SELECT * FROM (VALUES ('P1', 50), ('P2', 150)) AS t(payment_id, paid_amount))
                   TO '{payments}' (FORMAT parquet)""")
    duckdb.sql(f"""COPY (SELECT * FROM (VALUES ('O1', 500), ('O2', 99)) AS t(order_id, ordered_amount))
                   TO '{orders}' (FORMAT parquet)""")

    assert "{{" not in rule.sql and "FROM purchase_orders" in rule.sql
    runner = DuckDBRunner({"payments": payments, "purchase_orders": orders})
    try:
        hits = runner.run(rule, {"threshold": 100.0}).hits
    finally:
        runner.close()
    assert sorted((hit.subject, hit.value) for hit in hits) == [("O1", 500.0), ("P2", 150.0)]


def test_a_fragment_passes_its_arguments_on_to_the_fragments_it_calls(tmp_path):
    rule = author_rule(tmp_path / "rules", "WITH {{ large_payments() }}\nSELECT * FROM large", {
        "large_rows": LARGE_ROWS,
        "large_payments": "-- @arguments\n{{ large_rows(ledger=payments, key=payment_id, amount=paid) }}",
    })
    assert "FROM payments\n  WHERE paid >= $threshold" in rule.sql

    rule = author_rule(tmp_path / "other", "WITH {{ large_of(ledger=purchase_orders) }}\nSELECT 1", {
        "large_rows": LARGE_ROWS,
        "large_of": "-- @arguments ledger\n{{ large_rows(ledger={{ ledger }}, key=k, amount=a) }}",
    })
    assert "FROM purchase_orders\n  WHERE a >= $threshold" in rule.sql


def test_split_purchases_is_one_template_for_orders_and_payments():
    orders, payments = get_rule("L001").sql, get_rule("L001P").sql
    assert "FROM purchase_orders" in orders and "payments" not in orders
    assert "FROM payments" in payments and "purchase_orders" not in payments
    # The two rules differ only in the ledger's names once their headers are set aside.
    renamed = (orders.split("WITH", 1)[1].replace("purchase_orders", "payments")
               .replace("order_id", "payment_id").replace("ordered_on", "paid_on"))
    assert renamed == payments.split("WITH", 1)[1]


def test_every_builtin_rule_expands_and_binds_for_both_engines():
    for rule in all_rules():
        assert "{{" not in rule.sql, rule.code
        values = resolve_parameters(rule)
        for dialect in ("duckdb", "spark"):
            sqlglot.parse_one(bind_sql(rule, values, dialect), read=dialect)


@pytest.mark.parametrize(
    ("sql", "fragments", "message"),
    [
        ("SELECT 1 FROM x WHERE {{ nowhere() }}", {},
         r"T950\.sql:1: unknown fragment nowhere"),
        ("WITH\n{{ large_rows(ledger=payments, key=payment_id) }}\nSELECT 1",
         {"large_rows": LARGE_ROWS}, r"T950\.sql:2: fragment large_rows needs argument amount"),
        ("WITH {{ large_rows(ledger=payments, key=payment_id, amount=a, unit=u) }} SELECT 1",
         {"large_rows": LARGE_ROWS}, r"fragment large_rows has no argument unit"),
        ("WITH {{ large_rows(ledger=payments, key=k, amount=a, amount=b) }} SELECT 1",
         {"large_rows": LARGE_ROWS}, r"argument amount is given twice"),
        ("WITH {{ large_rows(ledger=payments; DROP TABLE payments, key=k, amount=a) }} SELECT 1",
         {"large_rows": LARGE_ROWS}, r"value of ledger .* is not an identifier"),
        ("WITH {{ large_rows(ledger='payments', key=k, amount=a) }} SELECT 1",
         {"large_rows": LARGE_ROWS}, r"value of ledger .* is not an identifier"),
        ("WITH {{ large_rows(ledger=Payments, key=k, amount=a) }} SELECT 1",
         {"large_rows": LARGE_ROWS}, r"value of ledger .* is not an identifier"),
        ("WITH {{ large_rows(payments, key=k, amount=a) }} SELECT 1",
         {"large_rows": LARGE_ROWS}, r"“payments” is not argument=identifier"),
        ("WITH\n  {{ large_rows }}\nSELECT 1", {"large_rows": LARGE_ROWS},
         r"T950\.sql:2: “\{\{ large_rows \}\}” is not a fragment call"),
        ("WITH {{ scope() }} SELECT 1", {"scope": "scope AS (SELECT {{ 1table }})"},
         r"scope\.sql: has a “\{\{” that is neither an argument \{\{ name \}\} nor a call"),
        ("WITH {{ scope() }} SELECT 1", {"scope": "scope AS (SELECT {{ table }})"},
         r"scope\.sql: uses table not declared"),
        ("WITH {{ scope() }} SELECT 1",
         {"scope": "-- @arguments table\nscope AS (SELECT * FROM ocds_releases)"},
         r"scope\.sql: declares table but never uses it"),
        ("WITH {{ outer() }} SELECT 1",
         {"outer": "-- calls inner\n{{ inner() }}", "inner": "-- calls outer\n{{ outer() }}"},
         r"inner\.sql:2: fragment outer calls itself \(outer → inner → outer\)"),
        ("WITH {{ outer() }} SELECT 1", {"outer": "outer AS (SELECT 1),\n{{ inner(x=1) }}"},
         r"outer\.sql:2: the value of x \(“1”\) is not an identifier"),
        ("WITH {{ empty() }} SELECT 1", {"empty": "-- nothing but a header\n"},
         r"empty\.sql: the fragment has no SQL after its header"),
    ],
)
def test_a_malformed_call_or_fragment_fails_when_the_rule_is_loaded(tmp_path, sql, fragments,
                                                                    message):
    rule = author_rule(tmp_path / "rules", sql, fragments)
    with pytest.raises(FragmentError, match=message):
        rule.sql  # noqa: B018  (loading the SQL is what fails)
