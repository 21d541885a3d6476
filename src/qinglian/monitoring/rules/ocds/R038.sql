-- R038 Excessive disqualified bids: the share of submitted bids that are disqualified, per
-- buyer, procuring entity and tenderer, at or above the upper fence (Q3 + 1.5 IQR per group).
WITH {{ release_scope() }},
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
{{ quartiles(values=vals) }},
fences AS (
  SELECT grp, coalesce(CAST($threshold AS DOUBLE), q3 + (q3 - q1) * CAST(1.5 AS DOUBLE)) AS upper_fence
  FROM quartiles
)
SELECT r.grp AS group_name, r.subject_id, r.ratio AS value
FROM ratios AS r JOIN fences AS f ON f.grp = r.grp
WHERE f.upper_fence > 0 AND r.ratio >= f.upper_fence
