-- R024 Price close to winning bid: the winning bid is within the lower quartile fence
-- (Q1 - 1.5 IQR, set-wide) of the second-lowest valid bid, or within a fixed ratio.
WITH {{ second_lowest_bid_ratio() }},
{{ lower_fence(values=ratio_values) }},
flagged AS (
  SELECT r.* FROM ratios AS r CROSS JOIN fence AS f
  WHERE f.guard > 0 AND f.lower_fence > 0 AND r.ratio <= f.lower_fence
)
SELECT 'OCID' AS group_name, ocid AS subject_id, ratio AS value FROM flagged
UNION
SELECT 'Tenderer', winner_id, CAST(0 AS DOUBLE) FROM flagged
UNION
SELECT 'Tenderer', other_id, CAST(0 AS DOUBLE) FROM flagged
