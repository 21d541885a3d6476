"""Parameter validation and binding.

Values are validated against the rule's :class:`Parameter` definitions (type, bounds), then
bound into the *parsed* SQL as literal nodes of the syntax tree (sqlglot), and only then is
SQL text generated for the target engine. No user value is ever formatted into SQL text, and
both engines receive the same literal, so they compute with the same typed constants.

Placeholders (``$name``) may appear as:

* a scalar anywhere an expression may (integers, decimals — write ``CAST($x AS DOUBLE)`` —,
  text, or NULL for an optional parameter);
* ``list_contains($set, expr)`` for a text set: becomes ``expr IN ('a', 'b')`` (FALSE if empty);
* ``len($set)`` / ``len($map)``: becomes the number of elements;
* ``map_extract_value($map, expr)`` for a text → integer mapping: becomes a ``CASE``
  (NULL when the key is absent).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp

from .definitions import Parameter, ParameterKind, Rule

_MAX_TEXT = 200
_MAX_ITEMS = 500


class ParameterError(ValueError):
    """A parameter value is unknown, of the wrong type, or out of bounds (message in Chinese)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}：{message}")
        self.name = name
        self.message = message


def resolve_parameters(rule: Rule, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The rule's defaults overridden by ``values``, each validated; unknown names are errors."""
    values = dict(values or {})
    known = {parameter.name for parameter in rule.parameters}
    for name in values:
        if name not in known:
            raise ParameterError(name, f"规则 {rule.code} 没有这个参数")
    return {
        parameter.name: _validate(parameter, values.get(parameter.name, parameter.default))
        for parameter in rule.parameters
    }


def _validate(parameter: Parameter, value: Any) -> Any:
    name = parameter.name
    if value is None:
        if parameter.optional:
            return None
        raise ParameterError(name, "必须填写")
    kind = parameter.kind
    if kind is ParameterKind.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(name, "必须是整数")
        _check_bounds(parameter, value)
        return value
    if kind is ParameterKind.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(name, "必须是数字")
        number = float(value)
        if not math.isfinite(number):
            raise ParameterError(name, "必须是有限的数字")
        _check_bounds(parameter, number)
        return number
    if kind is ParameterKind.TEXT:
        return _text(name, value)
    if kind is ParameterKind.TEXT_SET:
        items = value.split("|") if isinstance(value, str) else value
        if not isinstance(items, list | tuple | set | frozenset):
            raise ParameterError(name, "必须是文本列表或以“|”分隔的文本")
        # As the reference tool's split_terminator: a trailing separator adds no empty item.
        texts = [_text(name, item) for item in items]
        if isinstance(value, str) and texts and texts[-1] == "":
            texts.pop()
        if len(texts) > _MAX_ITEMS:
            raise ParameterError(name, f"最多 {_MAX_ITEMS} 项")
        return tuple(sorted(set(texts)))
    if kind is ParameterKind.TEXT_TO_INTEGER:
        if not isinstance(value, Mapping):
            raise ParameterError(name, "必须是“文本 → 整数”的对照表")
        if len(value) > _MAX_ITEMS:
            raise ParameterError(name, f"最多 {_MAX_ITEMS} 项")
        mapping = {}
        for key, number in value.items():
            if isinstance(number, bool) or not isinstance(number, int):
                raise ParameterError(name, f"“{key}”对应的值必须是整数")
            _check_bounds(parameter, number)
            mapping[_text(name, key)] = number
        return dict(sorted(mapping.items()))
    raise ParameterError(name, f"未知的参数类型 {kind}")  # pragma: no cover


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ParameterError(name, "必须是文本")
    if len(value) > _MAX_TEXT:
        raise ParameterError(name, f"不能超过 {_MAX_TEXT} 个字符")
    if any(ord(char) < 32 for char in value):
        raise ParameterError(name, "不能包含控制字符")
    return value


def _check_bounds(parameter: Parameter, number: float) -> None:
    if parameter.minimum is not None and number < parameter.minimum:
        raise ParameterError(parameter.name, f"不能小于 {parameter.minimum:g}")
    if parameter.maximum is not None and number > parameter.maximum:
        raise ParameterError(parameter.name, f"不能大于 {parameter.maximum:g}")


@lru_cache(maxsize=256)
def _parse(sql: str) -> exp.Expression:
    tree = sqlglot.parse_one(sql, read="duckdb")
    assert isinstance(tree, exp.Expression)
    return tree


#: Bound SQL by (rule SQL, dialect, parameter values): parsing, rewriting and generating take
#: 2–25 ms a rule, which a run of one rule over a small table must not pay every time.
_BOUND: dict[tuple[Any, ...], str] = {}
_BOUND_LIMIT = 1024
_BOUND_LOCK = threading.Lock()


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ("map", tuple(value.items()))
    return (type(value).__name__, value)


def bind_sql(rule: Rule, values: Mapping[str, Any], dialect: str) -> str:
    """The rule's SQL with ``values`` (already resolved) bound, generated for ``dialect``
    (cached per rule SQL, dialect and values)."""
    key = (rule.sql, dialect, tuple((name, _frozen(value)) for name, value in sorted(values.items())))
    with _BOUND_LOCK:
        cached = _BOUND.get(key)
    if cached is None:
        cached = _bind_sql(rule, values, dialect)
        with _BOUND_LOCK:
            if len(_BOUND) >= _BOUND_LIMIT:
                _BOUND.clear()
            _BOUND[key] = cached
    return cached


def _bind_sql(rule: Rule, values: Mapping[str, Any], dialect: str) -> str:
    tree = _parse(rule.sql).copy()
    kinds = {parameter.name: parameter.kind for parameter in rule.parameters}

    def placeholder_name(node: exp.Expression | None) -> str | None:
        if isinstance(node, exp.Placeholder):
            name = str(node.this)
            if name not in kinds:
                raise ParameterError(name, f"规则 {rule.code} 的 SQL 使用了未定义的参数")
            return name
        return None

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.ArrayContains) and (name := placeholder_name(node.this)):
            items = values[name]
            if not items:
                return exp.false()
            return exp.In(
                this=node.expression.copy(),
                expressions=[exp.Literal.string(item) for item in items],
            )
        if isinstance(node, exp.Length) and (name := placeholder_name(node.this)):
            return exp.Literal.number(len(values[name]))
        if (
            isinstance(node, exp.Anonymous)
            and str(node.this).lower() == "map_extract_value"
            and (name := placeholder_name(node.expressions[0]))
        ):
            key = node.expressions[1]
            mapping = values[name]
            if not mapping:
                return exp.cast(exp.null(), "BIGINT")
            case = exp.Case(this=key.copy())
            for item, number in mapping.items():
                case = case.when(exp.Literal.string(item), exp.Literal.number(number))
            return exp.cast(case, "BIGINT")
        if isinstance(node, exp.Placeholder) and (name := placeholder_name(node)):
            if kinds[name] in (ParameterKind.TEXT_SET, ParameterKind.TEXT_TO_INTEGER):
                raise ParameterError(
                    name, "集合或对照表参数只能用于 list_contains / len / map_extract_value"
                )
            return _literal(values[name])
        if isinstance(node, exp.CTE) and node.args.get("materialized") and dialect != "duckdb":
            node.set("materialized", None)  # a DuckDB planner hint; Spark has no such syntax
        return node

    return tree.transform(rewrite, copy=False).sql(dialect=dialect)


def _literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.null()
    if isinstance(value, bool):  # pragma: no cover - rejected by validation
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        # The shortest text that round-trips; both engines parse it to the same double.
        return exp.cast(exp.Literal.string(repr(value)), "DOUBLE")
    return exp.Literal.string(str(value))
