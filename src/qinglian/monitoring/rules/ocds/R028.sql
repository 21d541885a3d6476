-- R028 Identical bid prices: two consecutive submitted bids (in bid order) with the same
-- amount and currency come from different sets of tenderers.
WITH {{ release_scope() }},
priced_bids AS (
  SELECT s.ocid, b.release_row, b.bid_index, b.amount, b.currency, b.tenderer_ids_key
  FROM ocds_bids AS b
  JOIN scope AS s ON s.release_row = b.release_row
  WHERE {{ price_comparison(releases=s) }}
    AND b.status IS NOT NULL AND b.status NOT IN ('invited', 'withdrawn')
    AND b.has_tenderers AND b.amount IS NOT NULL AND b.currency IS NOT NULL
    AND b.tenderer_ids_key IS NOT NULL
),
pairs AS (
  SELECT ocid, release_row, bid_index, tenderer_ids_key,
         LAG(tenderer_ids_key) OVER (PARTITION BY release_row, amount, currency ORDER BY bid_index)
           AS previous_key,
         LAG(bid_index) OVER (PARTITION BY release_row, amount, currency ORDER BY bid_index)
           AS previous_bid_index
  FROM priced_bids
),
identical AS (
  SELECT * FROM pairs WHERE previous_key IS NOT NULL AND previous_key <> tenderer_ids_key
)
SELECT 'OCID' AS group_name, ocid AS subject_id, CAST(1 AS DOUBLE) AS value FROM identical
UNION
SELECT 'Tenderer', t.tenderer_id, CAST(1 AS DOUBLE)
FROM identical AS i
JOIN ocds_bid_tenderers AS t
  ON t.release_row = i.release_row
 AND (t.bid_index = i.bid_index OR t.bid_index = i.previous_bid_index)
