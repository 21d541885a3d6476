-- The set-wide upper fence Q3 + 1.5 IQR of a single group's quartiles, or the fixed threshold
-- when one is set. One row, even when there are no values (then NULL, unless a threshold).
-- Reads: quartiles (see quartiles); parameter $threshold (decimal, optional).
-- Defines: fence (upper_fence).
fence AS (
  SELECT coalesce(CAST($threshold AS DOUBLE),
                  max(q.q3) + (max(q.q3) - max(q.q1)) * CAST(1.5 AS DOUBLE)) AS upper_fence
  FROM (SELECT 1 AS one) AS base LEFT JOIN quartiles AS q ON TRUE
)
