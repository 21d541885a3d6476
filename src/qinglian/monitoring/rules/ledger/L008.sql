-- L008 供应商与员工关联: a vendor and an employee share a phone number, a bank account, an
-- address, or the vendor's legal representative has the employee's name — compared after
-- normalisation in SQL (so the engine alone decides, on both engines alike):
--   every value: full-width letters, digits and signs → half-width, upper case;
--   phone: digits only, without 0086 / 86 (12–13 digits) country code (+86 571… → 0571…),
--          at least 7 digits;
--   bank account: letters and digits only, at least 8;
--   address: letters, digits, # and CJK only; 幢 / 座 / 号楼 → 栋; at least 6 characters
--            (province/city prefixes are not stripped: a looser match needs core.normalise);
--   name: without spaces and middle dots, at least 2 characters.
-- translate() costs microseconds per value in DuckDB (as much as the rest of the rule), so it
-- runs only on values that hold one of the full-width characters it maps (a regex test); the
-- keys are MATERIALIZED so the phone CASE is not inlined into the filters and joins that use it
-- (a third of the rule's time; the hint is dropped for Spark).
-- One hit per vendor–employee pair; value = how many of the four kinds match;
-- evidence = the employee row.
WITH raw_vendor AS (
  SELECT vendor_id AS owner_id, 'phone' AS kind, regexp_replace(upper(CASE WHEN regexp_matches(phone, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(phone, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE phone END), '[^0-9]', '', 'g') AS digits, NULL AS norm FROM vendors
  UNION ALL
  SELECT vendor_id, 'bank_account', NULL, regexp_replace(upper(CASE WHEN regexp_matches(bank_account, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(bank_account, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE bank_account END), '[^0-9A-Z]', '', 'g') FROM vendors
  UNION ALL
  SELECT vendor_id, 'address', NULL, regexp_replace(regexp_replace(translate(upper(CASE WHEN regexp_matches(address, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(address, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE address END), '幢座', '栋栋'), '号楼', '栋', 'g'), '[^0-9A-Z#一-鿿]', '', 'g') FROM vendors
  UNION ALL
  SELECT vendor_id, 'name', NULL, regexp_replace(upper(CASE WHEN regexp_matches(legal_representative, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(legal_representative, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE legal_representative END), '[ ·•・.．-]', '', 'g') FROM vendors
),
raw_employee AS (
  SELECT employee_id AS owner_id, 'phone' AS kind, regexp_replace(upper(CASE WHEN regexp_matches(phone, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(phone, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE phone END), '[^0-9]', '', 'g') AS digits, NULL AS norm FROM employees
  UNION ALL
  SELECT employee_id, 'bank_account', NULL, regexp_replace(upper(CASE WHEN regexp_matches(bank_account, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(bank_account, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE bank_account END), '[^0-9A-Z]', '', 'g') FROM employees
  UNION ALL
  SELECT employee_id, 'address', NULL, regexp_replace(regexp_replace(translate(upper(CASE WHEN regexp_matches(address, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(address, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE address END), '幢座', '栋栋'), '号楼', '栋', 'g'), '[^0-9A-Z#一-鿿]', '', 'g') FROM employees
  UNION ALL
  SELECT employee_id, 'name', NULL, regexp_replace(upper(CASE WHEN regexp_matches(name, '[　（）＋－０-９Ａ-Ｚａ-ｚ]') THEN translate(name, '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　－＋（）', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -+()') ELSE name END), '[ ·•・.．-]', '', 'g') FROM employees
),
vendor_keys AS MATERIALIZED (
  SELECT owner_id AS vendor_id, kind,
         CASE
           WHEN kind <> 'phone' THEN norm
           WHEN digits LIKE '0086%' AND NOT (substr(digits, 5, 1) IN ('0', '1')) THEN '0' || substr(digits, 5)
           WHEN digits LIKE '0086%' THEN substr(digits, 5)
           WHEN digits LIKE '86%' AND length(digits) IN (12, 13) AND NOT (substr(digits, 3, 1) IN ('0', '1')) THEN '0' || substr(digits, 3)
           WHEN digits LIKE '86%' AND length(digits) IN (12, 13) THEN substr(digits, 3)
           ELSE digits
         END AS value
  FROM raw_vendor
),
employee_keys AS MATERIALIZED (
  SELECT owner_id AS employee_id, kind,
         CASE
           WHEN kind <> 'phone' THEN norm
           WHEN digits LIKE '0086%' AND NOT (substr(digits, 5, 1) IN ('0', '1')) THEN '0' || substr(digits, 5)
           WHEN digits LIKE '0086%' THEN substr(digits, 5)
           WHEN digits LIKE '86%' AND length(digits) IN (12, 13) AND NOT (substr(digits, 3, 1) IN ('0', '1')) THEN '0' || substr(digits, 3)
           WHEN digits LIKE '86%' AND length(digits) IN (12, 13) THEN substr(digits, 3)
           ELSE digits
         END AS value
  FROM raw_employee
),
usable_vendor AS (
  SELECT * FROM vendor_keys
  WHERE vendor_id IS NOT NULL AND value IS NOT NULL
    AND length(value) >= CASE kind WHEN 'phone' THEN 7 WHEN 'bank_account' THEN 8
                                   WHEN 'address' THEN 6 ELSE 2 END
),
usable_employee AS (
  SELECT * FROM employee_keys
  WHERE employee_id IS NOT NULL AND value IS NOT NULL
    AND length(value) >= CASE kind WHEN 'phone' THEN 7 WHEN 'bank_account' THEN 8
                                   WHEN 'address' THEN 6 ELSE 2 END
),
matches AS (
  SELECT DISTINCT v.vendor_id, e.employee_id, v.kind
  FROM usable_vendor AS v
  JOIN usable_employee AS e ON e.kind = v.kind AND e.value = v.value
)
SELECT 'Vendor' AS group_name, m.vendor_id || '|' || m.employee_id AS subject_id,
       CAST(count(*) AS DOUBLE) AS value, min(e.department) AS unit, m.vendor_id AS vendor_id,
       [m.employee_id] AS evidence_keys
FROM matches AS m
JOIN employees AS e ON e.employee_id = m.employee_id
GROUP BY m.vendor_id, m.employee_id
