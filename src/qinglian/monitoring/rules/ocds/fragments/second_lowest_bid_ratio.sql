-- The reference tool's SecondLowestBidRatio (R024's and R058's statistic): over the releases
-- with a single award (calls single_award) whose method compares prices (price_comparison),
-- valid single-tenderer bids with an amount in the selected currency (the setting, else the
-- first currency observed in file order); the winner's lowest bid against the lowest bid of
-- anyone else (first in bid order on ties).
-- Reads: ocds_bids; parameter $currency (text, optional).
-- Defines: scope, final_releases, single_award, priced_releases, valid_bids, selected_currency,
-- in_currency, winners, others, ratios (ocid, winner_id, other_id,
-- ratio = (other - winner) / winner) and ratio_values (grp = 1, v = ratio) for the fences.
{{ single_award() }},
priced_releases AS (
  SELECT * FROM single_award AS s WHERE {{ price_comparison(releases=s) }}
),
valid_bids AS (
  SELECT b.release_row, b.bid_index, b.amount, b.currency, b.first_tenderer_id AS tenderer_id,
         p.supplier_id
  FROM ocds_bids AS b
  JOIN priced_releases AS p ON p.release_row = b.release_row
  WHERE b.status = 'valid' AND b.amount IS NOT NULL AND b.currency IS NOT NULL
    AND b.tenderer_count = 1 AND b.first_tenderer_id IS NOT NULL
),
selected_currency AS (
  SELECT coalesce($currency, (SELECT currency FROM valid_bids ORDER BY release_row, bid_index LIMIT 1))
         AS currency
),
in_currency AS (
  SELECT v.* FROM valid_bids AS v JOIN selected_currency AS c ON v.currency = c.currency
),
winners AS (
  SELECT release_row, min(amount) AS winner_amount, max(supplier_id) AS winner_id
  FROM in_currency WHERE tenderer_id = supplier_id
  GROUP BY release_row
),
others AS (
  SELECT release_row, amount AS other_amount, tenderer_id AS other_id
  FROM (
    SELECT release_row, amount, tenderer_id,
           ROW_NUMBER() OVER (PARTITION BY release_row ORDER BY amount, bid_index) AS position
    FROM in_currency WHERE tenderer_id <> supplier_id
  ) AS ordered
  WHERE position = 1
),
ratios AS (
  SELECT r.ocid, w.winner_id, o.other_id,
         (o.other_amount - w.winner_amount) / w.winner_amount AS ratio
  FROM winners AS w
  JOIN others AS o ON o.release_row = w.release_row
  JOIN priced_releases AS r ON r.release_row = w.release_row
  -- If the lowest bid didn't win, the award criteria aren't price only.
  WHERE o.other_amount >= w.winner_amount
    -- A zero winning bid has no ratio (the reference tool would divide by zero).
    AND w.winner_amount <> 0
),
ratio_values AS (SELECT 1 AS grp, ratio AS v FROM ratios)
