-- The set-wide upper fence Q3 + 1.5 IQR of values (one group), or the fixed threshold
-- when one is set. One row, even when there are no values (then NULL, unless a threshold).
-- @arguments values
-- Reads: the quartiles of values (calls quartiles); parameter $threshold (decimal, optional).
-- Defines: ranked, heights, positions, quartiles (see quartiles), fence (upper_fence).
{{ quartiles(values={{ values }}) }},
fence AS (
  SELECT coalesce(CAST($threshold AS DOUBLE),
                  max(q.q3) + (max(q.q3) - max(q.q1)) * CAST(1.5 AS DOUBLE)) AS upper_fence
  FROM (SELECT 1 AS one) AS base LEFT JOIN quartiles AS q ON TRUE
)
