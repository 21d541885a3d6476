"""DuckDB expressions that turn a raw text cell into a canonical value (NULL when it cannot).

Each ``convert_<type>(raw)`` takes the SQL of a trimmed VARCHAR (NULL for an empty cell) and
returns the SQL of the typed value; a non-NULL raw value whose conversion is NULL is a bad cell
(its reason is ``REASONS[type]``). Everything runs set-wise inside DuckDB: no Python per row.
"""

from __future__ import annotations

FULL = "０１２３４５６７８９．，－＋（）：／ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
HALF = "0123456789.,-+():/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SPACES = "[\\s\u3000\u00a0\u200b\ufeff]"

#: Largest absolute amount DECIMAL(18,2) holds.
AMOUNT_LIMIT = "9999999999999999"

REASONS = {
    "amount": "无法识别的金额（可写 1234.56、1,234.56、￥1234、1.5万、2亿元、(100) 表示负数）",
    "date": "无法识别的日期（可写 2026-03-01、2026/3/1、2026年3月1日、20260301 或 Excel 日期序号）",
    "date_range": "日期超出 1900—2100 年的合理范围",
    "integer": "不是整数",
    "boolean": "无法识别的是/否值（可写 是/否、true/false、1/0、Y/N）",
    "required": "必填项为空",
    "text": "无效的文本",
    "code": "无效的编号",
}


def _ascii(expr: str) -> str:
    """True for pure ASCII text (bytes = characters): the fast path, no translation needed."""
    return f"(strlen({expr}) = length({expr}))"


def raw(column: str) -> str:
    """The trimmed cell (full-width spaces included), NULL when empty. Most cells need no
    trimming: the (slower) replacement runs only on those that start or end with a space."""
    return (f"nullif(CASE WHEN regexp_matches({column}, '^{_SPACES}|{_SPACES}$') "
            f"THEN regexp_replace({column}, '^{_SPACES}+|{_SPACES}+$', '', 'g') "
            f"ELSE {column} END, '')")


def _fast(fast: str, slow: str) -> str:
    """``fast`` where it gives a value, else ``slow`` (CASE evaluates lazily; coalesce does
    not, so the slow path would run on every row)."""
    return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE {slow} END"


def halfwidth(expr: str) -> str:
    """Full-width digits, letters and signs as ASCII (translate is slow: only when needed)."""
    return f"CASE WHEN {_ascii(expr)} THEN {expr} ELSE translate({expr}, '{FULL}', '{HALF}') END"


def convert_text(expr: str) -> str:
    return expr


def convert_code(expr: str) -> str:
    return (f"CASE WHEN regexp_full_match({expr}, '[0-9A-Z_./-]+') THEN {expr} "
            f"ELSE nullif(upper(regexp_replace({halfwidth(expr)}, '{_SPACES}', '', 'g')), '') END")


def _amount_parts(expr: str) -> str:
    """The amount text without spaces, thousands separators and currency signs."""
    return (f"regexp_replace({halfwidth(expr)}, "
            f"'{_SPACES}|,|￥|¥|\\$|元|人民币|RMB|CNY', '', 'gi')")


def convert_amount(expr: str) -> str:
    s = _amount_parts(expr)
    # (123.45) → -123.45; a trailing 万 / 亿 multiplies.
    signed = f"regexp_replace({s}, '^\\((.*)\\)$', '-\\1')"
    number = f"regexp_replace({signed}, '(万|亿)$', '')"
    factor = (f"CASE WHEN ends_with({signed}, '亿') THEN 100000000 "
              f"WHEN ends_with({signed}, '万') THEN 10000 ELSE 1 END")
    valid = f"regexp_full_match({number}, '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)')"
    value = f"round(CAST({number} AS DECIMAL(38,8)) * {factor}, 2)"
    # The common case (a plain number) is a direct cast; only the rest takes the slow path.
    slow = (f"CASE WHEN {valid} AND length(split_part({number}, '.', 1)) <= 20 "
            f"THEN CASE WHEN abs({value}) <= {AMOUNT_LIMIT} "
            f"THEN CAST({value} AS DECIMAL(18,2)) END END")
    return _fast(f"try_cast({expr} AS DECIMAL(18,2))", slow)


def convert_date(expr: str) -> str:
    s = f"regexp_replace({halfwidth(expr)}, '{_SPACES}', '', 'g')"
    # 2026年3月1日 / 2026/3/1 / 2026.3.1 → 2026-3-1; a time part after the date is dropped.
    dashed = (f"regexp_replace(regexp_replace({s}, '^(\\d{{4}})年(\\d{{1,2}})月(\\d{{1,2}})日?', "
              f"'\\1-\\2-\\3'), '^(\\d{{4}})[/.](\\d{{1,2}})[/.](\\d{{1,2}})', '\\1-\\2-\\3')")
    head = f"regexp_extract({dashed}, '^(\\d{{4}}-\\d{{1,2}}-\\d{{1,2}})(T.*|\\d{{1,2}}:.*)?$', 1)"
    serial = f"regexp_extract({s}, '^(\\d{{1,5}})(\\.0+)?$', 1)"
    slow = (
        f"CASE WHEN {head} <> '' THEN CAST(try_strptime({head}, '%Y-%m-%d') AS DATE) "
        f"WHEN regexp_full_match({s}, '\\d{{8}}') THEN CAST(try_strptime({s}, '%Y%m%d') AS DATE) "
        f"WHEN {serial} <> '' AND CAST({serial} AS INTEGER) BETWEEN 1 AND 73050 "
        f"THEN CAST(DATE '1899-12-30' + CAST({serial} AS INTEGER) AS DATE) END"
    )
    return _fast(f"try_cast({expr} AS DATE)", slow)


def date_in_range(value: str) -> str:
    return f"({value} BETWEEN DATE '1900-01-01' AND DATE '2100-12-31')"


def convert_integer(expr: str) -> str:
    s = f"regexp_replace({halfwidth(expr)}, '{_SPACES}|,', '', 'g')"
    return (f"CASE WHEN regexp_full_match({s}, '[+-]?\\d{{1,18}}(\\.0+)?') "
            f"THEN CAST(CAST({s} AS DECIMAL(38,2)) AS BIGINT) END")


def convert_boolean(expr: str) -> str:
    s = f"lower({halfwidth(expr)})"
    return (f"CASE WHEN {s} IN ('是', 'true', '1', 'y', 'yes', 't', '√', '✓') THEN true "
            f"WHEN {s} IN ('否', 'false', '0', 'n', 'no', 'f', '×', '✗') THEN false END")


CONVERTERS = {
    "text": convert_text,
    "code": convert_code,
    "amount": convert_amount,
    "date": convert_date,
    "integer": convert_integer,
    "boolean": convert_boolean,
}

#: The DuckDB type each schema type is stored as (what the rules read).
SQL_TYPES = {"text": "VARCHAR", "code": "VARCHAR", "amount": "DECIMAL(18,2)", "date": "DATE",
             "integer": "BIGINT", "boolean": "BOOLEAN"}


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
