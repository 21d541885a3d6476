-- R038 Excessive disqualified bids: the share of submitted bids that are disqualified, per
-- buyer, procuring entity and tenderer, at or above the upper fence (Q3 + 1.5 IQR per group).
WITH scope AS (
  SELECT *
  FROM ocds_releases
  WHERE coalesce(tender_status, '') <> 'cancelled'
    AND (procurement_method_details IS NULL
         OR NOT list_contains($excluded_procurement_method_details, procurement_method_details))
),
submitted AS (
  SELECT s.release_row, s.buyer_id, s.procuring_entity_id, b.bid_index,
         CASE WHEN b.status = 'disqualified' THEN 1 ELSE 0 END AS disqualified
  FROM scope AS s
  JOIN ocds_bids AS b ON b.release_row = s.release_row
  WHERE b.status IS NOT NULL AND b.status NOT IN ('invited', 'withdrawn')
),
fractions AS (
  SELECT 'Buyer' AS grp, buyer_id AS subject_id, sum(disqualified) AS numerator, count(*) AS denominator
  FROM submitted WHERE buyer_id IS NOT NULL GROUP BY buyer_id
  HAVING count(*) >= $minimum_contracting_processes
  UNION ALL
  SELECT 'ProcuringEntity', procuring_entity_id, sum(disqualified), count(*)
  FROM submitted WHERE procuring_entity_id IS NOT NULL GROUP BY procuring_entity_id
  HAVING count(*) >= $minimum_contracting_processes
  UNION ALL
  SELECT 'Tenderer', t.tenderer_id, sum(s.disqualified), count(*)
  FROM submitted AS s
  JOIN ocds_bid_tenderers AS t ON t.release_row = s.release_row AND t.bid_index = s.bid_index
  GROUP BY t.tenderer_id
  HAVING count(*) >= $minimum_submitted_bids
),
ratios AS (
  SELECT grp, subject_id, CAST(numerator AS DOUBLE) / CAST(denominator AS DOUBLE) AS ratio
  FROM fractions
),
vals AS (SELECT grp, ratio AS v FROM ratios),
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
fences AS (
  SELECT grp, coalesce(CAST($threshold AS DOUBLE), q3 + (q3 - q1) * CAST(1.5 AS DOUBLE)) AS upper_fence
  FROM quartiles
)
SELECT r.grp AS group_name, r.subject_id, r.ratio AS value
FROM ratios AS r JOIN fences AS f ON f.grp = r.grp
WHERE f.upper_fence > 0 AND r.ratio >= f.upper_fence
