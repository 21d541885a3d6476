"""DuckDB expressions that turn a raw text cell into a canonical value (NULL when it cannot).

Each ``convert_<type>(raw)`` takes the SQL of a trimmed VARCHAR (NULL for an empty cell) and
returns the SQL of the typed value; a non-NULL raw value whose conversion is NULL is a bad cell
(its reason is ``reason(type, raw)``: ``REASONS[type]``, or for an amount the specific
fault — more than two decimals, misplaced thousands separators, 1e5, inf/nan, out of range).
Everything runs set-wise inside DuckDB: no Python per row.
"""

from __future__ import annotations

FULL = "０１２３４５６７８９．，－＋（）：／ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
HALF = "0123456789.,-+():/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SPACES = "[\\s\u3000\u00a0\u200b\ufeff]"

#: Largest absolute amount DECIMAL(18,2) holds.
AMOUNT_LIMIT = "9999999999999999.99"

REASONS = {
    "amount": "无法识别的金额（可写 1234.56、1,234.56、￥1234、1.5万、2亿元、(100) 表示负数）",
    "amount_decimals": "金额最多保留两位小数（按万/亿换算成元后），请勿含更多小数位",
    "amount_format": "金额格式不正确：千分位逗号须每三位一组（如 1,234,567.89）",
    "amount_scientific": "金额不能使用科学计数法（如 1e5），请写完整数字",
    "amount_not_number": "金额不是有效数字（不接受 inf、nan 等值）",
    "amount_range": "金额超出范围（绝对值最大 9999999999999999.99 元）",
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


def _signed(expr: str) -> str:
    """The amount text without spaces and currency signs, ``(x)`` as ``-x``; thousands
    separators and a trailing 万/亿 kept."""
    s = f"regexp_replace({halfwidth(expr)}, '{_SPACES}|￥|¥|\\$|元|人民币|RMB|CNY', '', 'gi')"
    return f"regexp_replace({s}, '^\\((.*)\\)$', '-\\1')"


def _with_signed(expr: str, body: str) -> str:
    """``body`` (SQL over ``_amt``, the text of ``_signed``) with ``_signed`` computed once per
    cell: a one-element lambda is DuckDB's let binding (the pieces of ``_amount_parts`` would
    otherwise repeat the full-width translation and the regular expressions a dozen times)."""
    return f"list_transform([{_signed(expr)}], lambda _amt: {body})[1]"


def _amount_parts(signed: str) -> dict[str, str]:
    """The SQL pieces of an amount from its ``signed`` text: ``body`` (without a trailing 万/亿,
    thousands separators kept), ``number`` (without them), ``scale`` (the power of ten of
    万/亿), ``valid`` (``body`` is a plain decimal with separators only in groups of three:
    "1,5万" is neither 15000 nor 150000), ``cents`` (at most two decimals once scaled, trailing
    zeros not counted: never rounded), ``digits`` (at most 20 integer digits) and ``value``."""
    body = f"regexp_replace({signed}, '(万|亿)$', '')"
    number = f"replace({body}, ',', '')"
    scale = (f"CASE WHEN ends_with({signed}, '亿') THEN 8 "
             f"WHEN ends_with({signed}, '万') THEN 4 ELSE 0 END")
    return {
        "body": body, "number": number, "scale": scale,
        "valid": f"regexp_full_match({body}, '{_AMOUNT}')",
        "cents": f"(length(rtrim(split_part({number}, '.', 2), '0')) <= 2 + {scale})",
        "digits": f"(length(ltrim(split_part(ltrim({number}, '+-'), '.', 1), '0')) <= 20)",
        # ≤ 10 decimals (cents) and ≤ 20 integer digits: DECIMAL(38,10) holds it exactly.
        "value": f"(CAST({number} AS DECIMAL(38,10)) * CAST(10 ** {scale} AS BIGINT))",
    }


#: A plain decimal, optionally signed, thousands separators only in valid groups.
_AMOUNT = "[+-]?(\\d{1,3}(,\\d{3})+(\\.\\d+)?|\\d+(\\.\\d*)?|\\.\\d+)"


def convert_amount(expr: str) -> str:
    p = _amount_parts("_amt")
    slow = _with_signed(expr, (
        f"CASE WHEN {p['valid']} AND {p['cents']} AND {p['digits']} "
        f"THEN CASE WHEN abs({p['value']}) <= {AMOUNT_LIMIT} "
        f"THEN CAST({p['value']} AS DECIMAL(18,2)) END END"))
    # The common case (a plain number with at most two decimals) is a direct cast; only the
    # rest takes the slow path. try_cast alone would round 12.345 and read 1e5 and 1_000.
    fast = (f"CASE WHEN regexp_full_match({expr}, '[+-]?\\d{{1,16}}(\\.\\d{{0,2}})?') "
            f"THEN CAST({expr} AS DECIMAL(18,2)) END")
    return _fast(fast, slow)


def reason_amount(expr: str) -> str:
    """Why an amount cell is bad (NULL when it is fine): evaluated only for bad cells."""
    p = _amount_parts("_amt")
    return f"CASE WHEN {expr} IS NOT NULL THEN " + _with_signed(expr, (
        f"CASE WHEN regexp_full_match({p['body']}, '[+-]?(inf|infinity|nan)', 'i') "
        f"THEN {quote_literal(REASONS['amount_not_number'])} "
        f"WHEN regexp_full_match({p['number']}, '[+-]?(\\d+(\\.\\d*)?|\\.\\d+)e[+-]?\\d+', 'i') "
        f"THEN {quote_literal(REASONS['amount_scientific'])} "
        f"WHEN NOT {p['valid']} AND contains({p['body']}, ',') "
        f"AND regexp_full_match({p['body']}, '[+-]?[\\d,]*(\\.[\\d,]*)?') "
        f"THEN {quote_literal(REASONS['amount_format'])} "
        f"WHEN NOT {p['valid']} THEN {quote_literal(REASONS['amount'])} "
        f"WHEN NOT {p['cents']} THEN {quote_literal(REASONS['amount_decimals'])} "
        f"WHEN NOT {p['digits']} THEN {quote_literal(REASONS['amount_range'])} "
        f"WHEN abs({p['value']}) > {AMOUNT_LIMIT} THEN {quote_literal(REASONS['amount_range'])} "
        "END")) + " END"


def reason(kind: str, expr: str) -> str:
    """The SQL of the reason a non-empty cell of type ``kind`` could not be converted."""
    if kind == "amount":
        return reason_amount(expr)
    return quote_literal(REASONS[kind])


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
