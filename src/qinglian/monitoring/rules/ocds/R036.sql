-- R036 Lowest bid disqualified: among submitted bids with an amount in the selected
-- currency, the first lowest is disqualified, and some valid bid has an amount; price-only.
WITH {{ release_scope() }},
eligible AS (
  SELECT s.release_row, s.ocid
  FROM scope AS s
  WHERE {{ price_comparison(releases=s) }}
    AND EXISTS (SELECT 1 FROM ocds_awards AS a WHERE a.release_row = s.release_row AND a.status = 'active')
),
priced_bids AS (
  SELECT e.ocid, b.release_row, b.bid_index, b.status, b.amount, b.currency
  FROM ocds_bids AS b
  JOIN eligible AS e ON e.release_row = b.release_row
  WHERE b.status IS NOT NULL AND b.status NOT IN ('invited', 'withdrawn')
    AND b.amount IS NOT NULL AND b.currency IS NOT NULL
),
selected_currency AS (
  SELECT coalesce($currency, (SELECT currency FROM priced_bids ORDER BY release_row, bid_index LIMIT 1))
         AS currency
),
in_currency AS (
  SELECT p.*,
         ROW_NUMBER() OVER (PARTITION BY p.release_row ORDER BY p.amount, p.bid_index) AS position
  FROM priced_bids AS p JOIN selected_currency AS c ON p.currency = c.currency
)
SELECT DISTINCT 'OCID' AS group_name, l.ocid AS subject_id, CAST(1 AS DOUBLE) AS value
FROM in_currency AS l
WHERE l.position = 1 AND l.status = 'disqualified'
  AND EXISTS (SELECT 1 FROM in_currency AS v WHERE v.release_row = l.release_row AND v.status = 'valid')
