-- R058 Heavily discounted bid: the winning bid is below the second-lowest valid bid by at
-- least the upper quartile fence (Q3 + 1.5 IQR, set-wide) of that ratio, or a fixed ratio.
WITH {{ second_lowest_bid_ratio() }},
{{ upper_fence(values=ratio_values) }},
flagged AS (
  SELECT r.* FROM ratios AS r CROSS JOIN fence AS f
  WHERE f.upper_fence > 0 AND r.ratio >= f.upper_fence
)
SELECT 'OCID' AS group_name, ocid AS subject_id, ratio AS value FROM flagged
UNION
SELECT 'Tenderer', winner_id, CAST(0 AS DOUBLE) FROM flagged
