-- R025 Excessive unsuccessful bids: a tenderer that bid in many processes (at least the
-- percentile of bids per tenderer) but whose win ratio is at or below the lower fence.
WITH {{ single_award() }},
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
{{ lower_fence(values=vals) }},
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
)
SELECT 'Tenderer' AS group_name, r.tenderer_id AS subject_id, r.ratio AS value
FROM ratios AS r CROSS JOIN fence AS f CROSS JOIN submitted_fence AS s
WHERE f.guard > 0 AND f.lower_fence > 0
  AND CAST(r.submitted AS DOUBLE) >= s.upper_fence
  AND r.ratio <= f.lower_fence
