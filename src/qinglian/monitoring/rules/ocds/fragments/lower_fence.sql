-- The set-wide lower fence Q1 - 1.5 IQR of values (one group), or the fixed threshold
-- when one is set; guard is Q1 (1 with a threshold), which the rules require to be positive.
-- One row, even when there are no values (then both are NULL, unless a threshold).
-- @arguments values
-- Reads: the quartiles of values (calls quartiles); parameter $threshold (decimal, optional).
-- Defines: ranked, heights, positions, quartiles (see quartiles), fence (lower_fence, guard).
{{ quartiles(values={{ values }}) }},
fence AS (
  SELECT
    coalesce(CAST($threshold AS DOUBLE),
             max(q.q1) + (max(q.q3) - max(q.q1)) * CAST(-1.5 AS DOUBLE)) AS lower_fence,
    CASE WHEN $threshold IS NULL THEN max(q.q1) ELSE CAST(1 AS DOUBLE) END AS guard
  FROM (SELECT 1 AS one) AS base LEFT JOIN quartiles AS q ON TRUE
)
