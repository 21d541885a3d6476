"""Hand-written DuckDB SQL for the ledger rules, independent of the rule files: the first
baseline of benchmarks/bench_monitoring.py.

Each query returns what the engine returns per hit — (subject, value, unit, vendor_id,
occurred_on, evidence keys) — with the rules' default parameters written in.
"""

from __future__ import annotations

import math


def hand_split(table: str, key: str, day: str) -> str:
    return f"""
    WITH s AS (SELECT {key} k, unit, vendor_id v, amount, {day} d, {day} - DATE '1970-01-01' AS dn
               FROM {table} WHERE amount > 0 AND amount < 50000 AND unit IS NOT NULL
                 AND vendor_id IS NOT NULL AND {day} IS NOT NULL),
    w AS (SELECT unit, v, dn, count(*) OVER f c, sum(amount) OVER f t, max(dn) OVER f e
          FROM s WINDOW f AS (PARTITION BY unit, v ORDER BY dn RANGE BETWEEN CURRENT ROW AND 29 FOLLOWING)),
    fl AS (SELECT DISTINCT unit, v, dn, e FROM w WHERE c >= 2 AND t >= 50000),
    isl AS (SELECT *, sum(CASE WHEN dn <= pm THEN 0 ELSE 1 END) OVER (PARTITION BY unit, v ORDER BY dn) g
            FROM (SELECT *, max(e) OVER (PARTITION BY unit, v ORDER BY dn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) pm FROM fl)),
    sp AS (SELECT unit, v, min(dn) a, max(e) b FROM isl GROUP BY unit, v, g)
    SELECT sp.unit || '|' || sp.v || '|' || CAST(min(s.d) AS VARCHAR), CAST(sum(s.amount) AS DOUBLE),
           sp.unit, sp.v, min(s.d), list(s.k)
    FROM sp JOIN s ON s.unit = sp.unit AND s.v = sp.v AND s.dn BETWEEN sp.a AND sp.b
    GROUP BY sp.unit, sp.v, sp.a"""


BENFORD_P = [math.log10(1 + 1 / k) for k in range(1, 10)]
HAND = {
    "L001": hand_split("purchase_orders", "order_id", "ordered_on"),
    "L001P": hand_split("payments", "payment_id", "paid_on"),
    "L002": """
    SELECT vendor_id || '|' || invoice_no || '|' || CAST(amount AS VARCHAR),
           CAST(amount AS DOUBLE) * (count(*) - 1), min(unit), vendor_id, min(paid_on), list(payment_id)
    FROM payments WHERE invoice_no IS NOT NULL AND vendor_id IS NOT NULL AND amount IS NOT NULL
    GROUP BY vendor_id, invoice_no, amount HAVING count(*) > 1
    UNION ALL
    SELECT vendor_id || '|' || CAST(amount AS VARCHAR) || '|' || CAST(min(paid_on) AS VARCHAR),
           CAST(amount AS DOUBLE) * (count(*) - 1), min(unit), vendor_id, min(paid_on), list(payment_id)
    FROM (SELECT *, sum(nw) OVER (PARTITION BY vendor_id, amount ORDER BY paid_on, payment_id ROWS UNBOUNDED PRECEDING) g
          FROM (SELECT *, CASE WHEN paid_on - lag(paid_on) OVER (PARTITION BY vendor_id, amount ORDER BY paid_on, payment_id) <= 7
                               THEN 0 ELSE 1 END nw FROM payments
                WHERE invoice_no IS NULL AND vendor_id IS NOT NULL AND amount IS NOT NULL AND paid_on IS NOT NULL))
    GROUP BY vendor_id, amount, g HAVING count(*) > 1""",
    "L003": """
    SELECT vendor_id, (count(*) FILTER (amount % 10000 = 0) / count(*))::DOUBLE, NULL, vendor_id,
           min(paid_on) FILTER (amount % 10000 = 0), list(payment_id) FILTER (amount % 10000 = 0)
    FROM payments WHERE amount >= 10000 AND vendor_id IS NOT NULL GROUP BY vendor_id
    HAVING count(*) >= 10 AND count(*) FILTER (amount % 10000 = 0) >= 5
       AND count(*) FILTER (amount % 10000 = 0) / count(*) > 0.5""",
    "L004": f"""
    WITH c AS (SELECT vendor_id, left(CAST(amount AS VARCHAR), 1)::INT d FROM payments
               WHERE amount >= 10 AND vendor_id IS NOT NULL),
    n AS (SELECT vendor_id, count(*) n FROM c GROUP BY vendor_id HAVING count(*) >= 100),
    e AS (SELECT unnest(range(1, 10)) d, unnest({BENFORD_P}) p),
    o AS (SELECT n.vendor_id, n.n, e.d, e.p, count(c.d) obs FROM n CROSS JOIN e
          LEFT JOIN c ON c.vendor_id = n.vendor_id AND c.d = e.d GROUP BY ALL)
    SELECT vendor_id, sum(abs(obs / n - p)) / 9, NULL, vendor_id, NULL, NULL FROM o GROUP BY vendor_id
    HAVING sum(abs(obs / n - p)) / 9 > 0.015 AND sum((obs - n * p) ^ 2 / (n * p)) > 20.09""",
    "L005": """
    SELECT payment_id, CAST(amount AS DOUBLE), unit, vendor_id, paid_on, payment_id FROM payments
    WHERE amount >= 10000 AND paid_on IN (SELECT day FROM non_working_days)""",
    "L006": """
    WITH v AS (SELECT unit, CAST(year(paid_on) AS VARCHAR) y, vendor_id, sum(amount) t, count(*) c,
                      min(paid_on) f
               FROM payments WHERE amount > 0 AND unit IS NOT NULL AND vendor_id IS NOT NULL
                 AND paid_on IS NOT NULL GROUP BY ALL),
    s AS (SELECT *, t::DOUBLE / (sum(t) OVER (PARTITION BY unit, y))::DOUBLE sh,
                 sum(c) OVER (PARTITION BY unit, y) uc FROM v)
    SELECT unit || '|' || y, round(sum(sh * sh) * 10000, 6), unit, first(vendor_id ORDER BY t DESC, vendor_id),
           min(f), NULL
    FROM s WHERE uc >= 10 GROUP BY unit, y
    HAVING max(sh) > 0.5 AND round(sum(sh * sh) * 10000, 6) > 2500""",
    "L007": """
    WITH f AS (SELECT vendor_id, min(paid_on) f FROM payments WHERE vendor_id IS NOT NULL
               AND paid_on IS NOT NULL GROUP BY 1),
    s AS (SELECT f.vendor_id, f.f, least(coalesce(v.registered_on, f.f), f.f) s
          FROM f LEFT JOIN vendors v USING (vendor_id))
    SELECT p.vendor_id, CAST(sum(amount) AS DOUBLE), min(p.unit), p.vendor_id, any_value(s.f),
           list(p.payment_id)
    FROM payments p JOIN s USING (vendor_id)
    WHERE p.paid_on BETWEEN s.s AND s.s + 90 GROUP BY p.vendor_id HAVING sum(amount) > 500000""",
}

_FULL = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）"
_HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()"


def _norm(expr: str) -> str:
    return f"upper(translate({expr}, '{_FULL}', '{_HALF}'))"


def _phone(owner: str, table: str) -> str:
    digits = f"regexp_replace({_norm('phone')}, '[^0-9]', '', 'g')"
    return (f"SELECT {owner}, 'p' k, CASE"
            f" WHEN x LIKE '0086%' THEN (CASE WHEN substr(x, 5, 1) IN ('0', '1') THEN '' ELSE '0' END) || substr(x, 5)"
            f" WHEN x LIKE '86%' AND length(x) IN (12, 13)"
            f" THEN (CASE WHEN substr(x, 3, 1) IN ('0', '1') THEN '' ELSE '0' END) || substr(x, 3)"
            f" ELSE x END x FROM (SELECT {owner}, {digits} x FROM {table})")


def _address(expr: str) -> str:
    return (f"regexp_replace(replace(replace(replace({_norm(expr)}, '幢', '栋'), '座', '栋'), '号楼', '栋'),"
            f" '[^0-9A-Z#一-鿿]', '', 'g')")


HAND["L008"] = f"""
    WITH vk AS (
      {_phone('vendor_id', 'vendors')}
      UNION ALL SELECT vendor_id, 'b', regexp_replace({_norm('bank_account')}, '[^0-9A-Z]', '', 'g') FROM vendors
      UNION ALL SELECT vendor_id, 'a', {_address('address')} FROM vendors
      UNION ALL SELECT vendor_id, 'n', regexp_replace({_norm('legal_representative')}, '[ ·•・.．-]', '', 'g') FROM vendors),
    ek AS (
      {_phone('employee_id', 'employees')}
      UNION ALL SELECT employee_id, 'b', regexp_replace({_norm('bank_account')}, '[^0-9A-Z]', '', 'g') FROM employees
      UNION ALL SELECT employee_id, 'a', {_address('address')} FROM employees
      UNION ALL SELECT employee_id, 'n', regexp_replace({_norm('name')}, '[ ·•・.．-]', '', 'g') FROM employees),
    m AS (SELECT vendor_id, employee_id, count(DISTINCT vk.k)::DOUBLE n FROM vk JOIN ek USING (k, x)
          WHERE vendor_id IS NOT NULL AND employee_id IS NOT NULL
            AND length(x) >= CASE k WHEN 'p' THEN 7 WHEN 'b' THEN 8 WHEN 'a' THEN 6 ELSE 2 END
          GROUP BY ALL)
    SELECT vendor_id || '|' || employee_id, n, e.department, vendor_id, NULL, employee_id
    FROM m JOIN employees e USING (employee_id)"""
HAND["L009"] = """
    SELECT t.tender_id, 1.0::DOUBLE, any_value(t.unit), min(b.vendor_id), any_value(t.published_on), list(b.bid_id)
    FROM tenders t JOIN bids b USING (tender_id)
    WHERE t.method IS DISTINCT FROM '单一来源' GROUP BY t.tender_id HAVING count(DISTINCT b.vendor_id) = 1"""
HAND["L010"] = """
    WITH bb AS (SELECT DISTINCT tender_id, vendor_id FROM bids WHERE vendor_id IS NOT NULL),
    ok AS (SELECT tender_id FROM bb GROUP BY 1 HAVING count(*) BETWEEN 3 AND 10),
    e AS (SELECT bb.* FROM bb SEMI JOIN ok USING (tender_id)),
    w AS (SELECT t.tender_id, any_value(t.published_on) pub,
                 coalesce(t.awarded_vendor_id, min(b.vendor_id) FILTER (b.won)) win
          FROM tenders t LEFT JOIN bids b USING (tender_id) GROUP BY t.tender_id, t.awarded_vendor_id),
    tr AS (SELECT x.tender_id, x.vendor_id a, y.vendor_id b, z.vendor_id c FROM e x
           JOIN e y ON y.tender_id = x.tender_id AND y.vendor_id > x.vendor_id
           JOIN e z ON z.tender_id = x.tender_id AND z.vendor_id > y.vendor_id)
    SELECT a || '|' || b || '|' || c, count(*)::DOUBLE, NULL, NULL, min(pub), list(tender_id)
    FROM tr JOIN w USING (tender_id) GROUP BY a, b, c
    HAVING count(*) >= 3 AND bool_or(win = a) AND bool_or(win = b) AND bool_or(win = c)
       AND count(*) FILTER (win IN (a, b, c)) = count(*)"""
HAND["L011"] = """
    SELECT tender_id, (deadline_on - published_on)::DOUBLE, unit, awarded_vendor_id, published_on, tender_id
    FROM tenders
    WHERE method IS DISTINCT FROM '单一来源'
      AND deadline_on - published_on < CASE method WHEN '竞争性磋商' THEN 10 WHEN '竞争性谈判' THEN 3
                                                    WHEN '询价' THEN 3 ELSE 20 END"""
HAND["L012"] = """
    WITH a AS (SELECT contract_id, sum(amount_change) ch, max(amended_on) last, list(amendment_id) keys
               FROM contract_amendments WHERE amount_change IS NOT NULL GROUP BY contract_id)
    SELECT c.contract_id, a.ch::DOUBLE / c.amount::DOUBLE, c.unit, c.vendor_id, a.last, a.keys
    FROM contracts c JOIN a USING (contract_id)
    WHERE c.amount > 0 AND a.ch::DOUBLE / c.amount::DOUBLE > 0.2"""
