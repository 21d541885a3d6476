-- R025 Excessive unsuccessful bids: a tenderer that bid in many processes (at least the
-- percentile of bids per tenderer) but whose win ratio is at or below the lower fence.
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
valid_tenderers AS (
  SELECT DISTINCT b.release_row, b.first_tenderer_id AS tenderer_id, s.supplier_id
  FROM ocds_bids AS b
  JOIN single_award AS s ON s.release_row = b.release_row
  WHERE b.status = 'valid' AND b.tenderer_count = 1 AND b.first_tenderer_id IS NOT NULL
),
fractions AS (
  SELECT tenderer_id,
         sum(CASE WHEN tenderer_id = supplier_id THEN 1 ELSE 0 END) AS won,
         count(*) AS submitted
  FROM valid_tenderers
  GROUP BY tenderer_id
),
ratios AS (
  SELECT tenderer_id, submitted, CAST(won AS DOUBLE) / CAST(submitted AS DOUBLE) AS ratio
  FROM fractions
),
vals AS (
  SELECT 1 AS grp, ratio AS v FROM ratios
),
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
-- The percentile of the number of processes each tenderer bid in (statrs' percentile, R-8).
submitted_ranked AS (
  SELECT CAST(submitted AS DOUBLE) AS v,
         ROW_NUMBER() OVER (ORDER BY submitted) AS rn,
         COUNT(*) OVER () AS n
  FROM ratios
),
submitted_height AS (
  SELECT DISTINCT n,
    (CAST(n AS DOUBLE) + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE))
      * (CAST($percentile AS DOUBLE) / CAST(100 AS DOUBLE))
      + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE) AS h
  FROM submitted_ranked
),
submitted_position AS (
  SELECT n, h, CAST(FLOOR(h) AS BIGINT) AS f FROM submitted_height
),
submitted_fence AS (
  SELECT
    CASE WHEN p.f <= 0 THEN min(r.v) WHEN p.f >= p.n THEN max(r.v)
         ELSE max(CASE WHEN r.rn = p.f THEN r.v END)
              + (p.h - CAST(p.f AS DOUBLE))
              * (max(CASE WHEN r.rn = p.f + 1 THEN r.v END) - max(CASE WHEN r.rn = p.f THEN r.v END))
    END AS upper_fence
  FROM submitted_position AS p CROSS JOIN submitted_ranked AS r
  GROUP BY p.n, p.h, p.f
),
fence AS (
  SELECT
    coalesce(CAST($threshold AS DOUBLE),
             max(q.q1) + (max(q.q3) - max(q.q1)) * CAST(-1.5 AS DOUBLE)) AS lower_fence,
    CASE WHEN $threshold IS NULL THEN max(q.q1) ELSE CAST(1 AS DOUBLE) END AS guard
  FROM (SELECT 1 AS one) AS base LEFT JOIN quartiles AS q ON TRUE
)
SELECT 'Tenderer' AS group_name, r.tenderer_id AS subject_id, r.ratio AS value
FROM ratios AS r CROSS JOIN fence AS f CROSS JOIN submitted_fence AS s
WHERE f.guard > 0 AND f.lower_fence > 0
  AND CAST(r.submitted AS DOUBLE) >= s.upper_fence
  AND r.ratio <= f.lower_fence
