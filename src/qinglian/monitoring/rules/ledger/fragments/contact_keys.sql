-- The normalised contact keys of one side of L008 (vendors or employees): one row per owner
-- and kind (phone, bank_account, address, name) with a usable value —
--   phone: digits only, without 0086 / 86 (12–13 digits) country code (+86 571… → 0571…),
--          at least 7 digits;
--   bank account: letters and digits only, at least 8;
--   address: letters, digits, # and CJK only; 幢 / 座 / 号楼 → 栋; at least 6 characters;
--   name: without spaces and middle dots, at least 2 characters;
-- every value first made half-width and upper case (halfwidth_upper). The keys are
-- MATERIALIZED so the phone CASE is not inlined into the filters and joins that use it (the
-- hint is dropped for Spark).
-- @arguments side, ledger, name
-- side: vendor or employee (the owner column is <side>_id); ledger: the table; name: its
-- person's name column (the vendor's legal representative, the employee's name).
-- Defines: raw_<side>, <side>_keys, usable_<side> (<side>_id, kind, value).
raw_{{ side }} AS (
  SELECT {{ side }}_id AS owner_id, 'phone' AS kind,
         regexp_replace({{ halfwidth_upper(column=phone) }}, '[^0-9]', '', 'g') AS digits,
         NULL AS norm
  FROM {{ ledger }}
  UNION ALL
  SELECT {{ side }}_id, 'bank_account', NULL,
         regexp_replace({{ halfwidth_upper(column=bank_account) }}, '[^0-9A-Z]', '', 'g')
  FROM {{ ledger }}
  UNION ALL
  SELECT {{ side }}_id, 'address', NULL,
         regexp_replace(regexp_replace(translate({{ halfwidth_upper(column=address) }}, '幢座', '栋栋'),
                                       '号楼', '栋', 'g'),
                        '[^0-9A-Z#一-鿿]', '', 'g')
  FROM {{ ledger }}
  UNION ALL
  SELECT {{ side }}_id, 'name', NULL,
         regexp_replace({{ halfwidth_upper(column={{ name }}) }}, '[ ·•・.．-]', '', 'g')
  FROM {{ ledger }}
),
{{ side }}_keys AS MATERIALIZED (
  SELECT owner_id AS {{ side }}_id, kind,
         CASE
           WHEN kind <> 'phone' THEN norm
           WHEN digits LIKE '0086%' AND NOT (substr(digits, 5, 1) IN ('0', '1')) THEN '0' || substr(digits, 5)
           WHEN digits LIKE '0086%' THEN substr(digits, 5)
           WHEN digits LIKE '86%' AND length(digits) IN (12, 13) AND NOT (substr(digits, 3, 1) IN ('0', '1')) THEN '0' || substr(digits, 3)
           WHEN digits LIKE '86%' AND length(digits) IN (12, 13) THEN substr(digits, 3)
           ELSE digits
         END AS value
  FROM raw_{{ side }}
),
usable_{{ side }} AS (
  SELECT * FROM {{ side }}_keys
  WHERE {{ side }}_id IS NOT NULL AND value IS NOT NULL
    AND length(value) >= CASE kind WHEN 'phone' THEN 7 WHEN 'bank_account' THEN 8
                                   WHEN 'address' THEN 6 ELSE 2 END
)
