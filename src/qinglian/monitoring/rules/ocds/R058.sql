-- R058 Heavily discounted bid: the winning bid is below the second-lowest valid bid by at
-- least the upper quartile fence (Q3 + 1.5 IQR, set-wide) of that ratio, or a fixed ratio.
WITH {{ release_scope() }},
{{ final_releases() }},
{{ single_award() }},
-- The reference tool's SecondLowestBidRatio: price-comparison releases with one active award
-- to one supplier; the winner's lowest valid bid against the lowest bid of anyone else.
priced_releases AS (
  SELECT * FROM single_award AS s WHERE {{ price_comparison(releases=s) }}
),
{{ second_lowest_bid_ratio(releases=priced_releases) }},
vals AS (SELECT 1 AS grp, ratio AS v FROM ratios),
{{ quartiles(values=vals) }},
{{ upper_fence() }},
flagged AS (
  SELECT r.* FROM ratios AS r CROSS JOIN fence AS f
  WHERE f.upper_fence > 0 AND r.ratio >= f.upper_fence
)
SELECT 'OCID' AS group_name, ocid AS subject_id, ratio AS value FROM flagged
UNION
SELECT 'Tenderer', winner_id, CAST(0 AS DOUBLE) FROM flagged
