"""Parameter validation and binding: values become typed literals in the syntax tree."""

from __future__ import annotations

import pytest

from qinglian.monitoring.engine import ParameterError, bind_sql, get_rule, resolve_parameters
from qinglian.monitoring.engine.results import Hit
from qinglian.monitoring.presentation import explain


def test_defaults_and_overrides_are_validated():
    rule = get_rule("R003")
    values = resolve_parameters(rule, {"threshold": 10, "procurement_methods": "open|selective"})
    assert values["threshold"] == 10
    assert values["procurement_methods"] == ("open", "selective")
    assert values["procurement_method_details"] == {}
    with pytest.raises(ParameterError, match="不能小于"):
        resolve_parameters(rule, {"threshold": -1})
    with pytest.raises(ParameterError, match="必须是整数"):
        resolve_parameters(rule, {"threshold": "15; DROP TABLE x"})
    with pytest.raises(ParameterError, match="没有这个参数"):
        resolve_parameters(rule, {"nope": 1})


def test_text_is_bound_as_a_literal_not_formatted():
    rule = get_rule("R018")
    hostile = "open') OR 1=1 --"
    values = resolve_parameters(rule, {"procurement_methods": [hostile]})
    duck = bind_sql(rule, values, "duckdb")
    spark = bind_sql(rule, values, "spark")
    assert "'open'') OR 1=1 --'" in duck
    assert "'open\\') OR 1=1 --'" in spark
    assert "$" not in duck


def test_empty_sets_and_maps_bind_to_constants():
    rule = get_rule("R003")
    sql = bind_sql(rule, resolve_parameters(rule), "duckdb")
    assert "CAST(NULL AS BIGINT)" in sql
    assert "IN (" not in sql
    sql = bind_sql(rule, resolve_parameters(rule, {"procurement_method_details": {"x": 5}}), "spark")
    assert "CASE procurement_method_details WHEN 'x' THEN 5 END" in sql


def test_decimal_round_trips_exactly():
    rule = get_rule("R024")
    sql = bind_sql(rule, resolve_parameters(rule, {"threshold": 0.1}), "spark")
    assert "CAST('0.1' AS DOUBLE)" in sql
    with pytest.raises(ParameterError):
        resolve_parameters(rule, {"threshold": float("nan")})


def test_every_rule_has_complete_metadata():
    from qinglian.monitoring.engine import all_rules

    rules = all_rules(tag="ocds")
    assert [rule.code for rule in rules] == [
        "R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058",
    ]
    for rule in rules:
        assert rule.name_zh and rule.name_en and rule.catches and rule.explanation
        assert rule.sql.strip()
        values = resolve_parameters(rule)
        # Every placeholder in the SQL is a declared parameter, for both dialects.
        bind_sql(rule, values, "duckdb")
        bind_sql(rule, values, "spark")
        text = explain(rule, Hit(rule.code, rule.groups[0], "X", 0.5), values)
        assert "X" in text and "{" not in text
