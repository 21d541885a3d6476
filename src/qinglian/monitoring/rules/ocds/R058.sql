-- R058 Heavily discounted bid: the winning bid is below the second-lowest valid bid by at
-- least the upper quartile fence (Q3 + 1.5 IQR, set-wide) of that ratio, or a fixed ratio.
WITH scope AS (
  SELECT *
  FROM ocds_releases
  WHERE coalesce(tender_status, '') <> 'cancelled'
    AND (procurement_method_details IS NULL
         OR NOT list_contains($excluded_procurement_method_details, procurement_method_details))
),
-- Releases whose awards are all final (active, cancelled or unsuccessful) and have bids.
final_releases AS (
  SELECT s.release_row, s.ocid, s.procurement_method_details
  FROM scope AS s
  WHERE s.has_awards AND s.has_bid_details
    AND NOT EXISTS (
      SELECT 1 FROM ocds_awards AS a
      WHERE a.release_row = s.release_row
        AND a.status IS NOT NULL
        AND a.status NOT IN ('active', 'cancelled', 'unsuccessful')
    )
),
-- ... of which exactly one award is active, with exactly one supplier with an id.
single_award AS (
  SELECT f.release_row, f.ocid, f.procurement_method_details,
         max(a.first_supplier_id) AS supplier_id
  FROM final_releases AS f
  JOIN ocds_awards AS a ON a.release_row = f.release_row AND a.status = 'active'
  GROUP BY f.release_row, f.ocid, f.procurement_method_details
  HAVING count(*) = 1 AND max(a.supplier_count) = 1 AND max(a.first_supplier_id) IS NOT NULL
),
-- The reference tool's SecondLowestBidRatio: price-comparison releases with one active award
-- to one supplier; valid single-tenderer bids with an amount in the selected currency (the
-- setting, else the first currency observed in file order); the winner's lowest bid against
-- the lowest bid of anyone else (first in bid order on ties).
priced_releases AS (
  SELECT * FROM single_award
  WHERE CASE
      WHEN procurement_method_details IS NULL THEN len($price_comparison_procurement_methods) = 0
      WHEN len($price_comparison_procurement_methods) = 0
        THEN NOT list_contains($no_price_comparison_procurement_methods, procurement_method_details)
      ELSE list_contains($price_comparison_procurement_methods, procurement_method_details)
    END
),
valid_bids AS (
  SELECT b.release_row, b.bid_index, b.amount, b.currency, b.first_tenderer_id AS tenderer_id,
         p.supplier_id
  FROM ocds_bids AS b
  JOIN priced_releases AS p ON p.release_row = b.release_row
  WHERE b.status = 'valid' AND b.amount IS NOT NULL AND b.currency IS NOT NULL
    AND b.tenderer_count = 1 AND b.first_tenderer_id IS NOT NULL
),
selected_currency AS (
  SELECT coalesce($currency, (SELECT currency FROM valid_bids ORDER BY release_row, bid_index LIMIT 1))
         AS currency
),
in_currency AS (
  SELECT v.* FROM valid_bids AS v JOIN selected_currency AS c ON v.currency = c.currency
),
winners AS (
  SELECT release_row, min(amount) AS winner_amount, max(supplier_id) AS winner_id
  FROM in_currency WHERE tenderer_id = supplier_id
  GROUP BY release_row
),
others AS (
  SELECT release_row, amount AS other_amount, tenderer_id AS other_id
  FROM (
    SELECT release_row, amount, tenderer_id,
           ROW_NUMBER() OVER (PARTITION BY release_row ORDER BY amount, bid_index) AS position
    FROM in_currency WHERE tenderer_id <> supplier_id
  ) AS ordered
  WHERE position = 1
),
ratios AS (
  SELECT r.ocid, w.winner_id, o.other_id,
         (o.other_amount - w.winner_amount) / w.winner_amount AS ratio
  FROM winners AS w
  JOIN others AS o ON o.release_row = w.release_row
  JOIN priced_releases AS r ON r.release_row = w.release_row
  -- If the lowest bid didn't win, the award criteria aren't price only.
  WHERE o.other_amount >= w.winner_amount
    -- A zero winning bid has no ratio (the reference tool would divide by zero).
    AND w.winner_amount <> 0
),
vals AS (SELECT 1 AS grp, ratio AS v FROM ratios),
ranked AS (
  SELECT grp, v,
         ROW_NUMBER() OVER (PARTITION BY grp ORDER BY v) AS rn,
         COUNT(*) OVER (PARTITION BY grp) AS n
  FROM vals
),
-- statrs' quantile (R-8): h = (n + 1/3) * tau + 1/3, interpolating between ranks floor(h), floor(h) + 1.
heights AS (
  SELECT DISTINCT grp, n,
    (CAST(n AS DOUBLE) + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE)) * CAST(0.25 AS DOUBLE)
      + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE) AS h1,
    (CAST(n AS DOUBLE) + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE)) * CAST(0.75 AS DOUBLE)
      + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE) AS h3
  FROM ranked
),
positions AS (
  SELECT grp, n, h1, CAST(FLOOR(h1) AS BIGINT) AS f1, h3, CAST(FLOOR(h3) AS BIGINT) AS f3
  FROM heights
),
quartiles AS (
  SELECT p.grp,
    CASE WHEN p.f1 <= 0 THEN min(r.v) WHEN p.f1 >= p.n THEN max(r.v)
         ELSE max(CASE WHEN r.rn = p.f1 THEN r.v END)
              + (p.h1 - CAST(p.f1 AS DOUBLE))
              * (max(CASE WHEN r.rn = p.f1 + 1 THEN r.v END) - max(CASE WHEN r.rn = p.f1 THEN r.v END))
    END AS q1,
    CASE WHEN p.f3 <= 0 THEN min(r.v) WHEN p.f3 >= p.n THEN max(r.v)
         ELSE max(CASE WHEN r.rn = p.f3 THEN r.v END)
              + (p.h3 - CAST(p.f3 AS DOUBLE))
              * (max(CASE WHEN r.rn = p.f3 + 1 THEN r.v END) - max(CASE WHEN r.rn = p.f3 THEN r.v END))
    END AS q3
  FROM positions AS p
  JOIN ranked AS r ON r.grp = p.grp
  GROUP BY p.grp, p.n, p.h1, p.f1, p.h3, p.f3
),
fence AS (
  SELECT coalesce(CAST($threshold AS DOUBLE),
                  max(q.q3) + (max(q.q3) - max(q.q1)) * CAST(1.5 AS DOUBLE)) AS upper_fence
  FROM (SELECT 1 AS one) AS base LEFT JOIN quartiles AS q ON TRUE
),
flagged AS (
  SELECT r.* FROM ratios AS r CROSS JOIN fence AS f
  WHERE f.upper_fence > 0 AND r.ratio >= f.upper_fence
)
SELECT 'OCID' AS group_name, ocid AS subject_id, ratio AS value FROM flagged
UNION
SELECT 'Tenderer', winner_id, CAST(0 AS DOUBLE) FROM flagged
