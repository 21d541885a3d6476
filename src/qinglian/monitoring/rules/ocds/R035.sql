-- R035 All except winning bid disqualified: one valid tenderer, who is exactly the set of
-- suppliers of the active awards, and at least the threshold of other tenderers disqualified.
WITH {{ final_releases() }},
award_suppliers AS (
  SELECT DISTINCT s.release_row, s.supplier_id
  FROM ocds_award_suppliers AS s
  JOIN ocds_awards AS a ON a.release_row = s.release_row AND a.award_index = s.award_index
  JOIN final_releases AS f ON f.release_row = s.release_row
  WHERE a.status = 'active' AND a.has_suppliers
),
bid_tenderers AS (
  SELECT DISTINCT b.release_row, b.status, t.tenderer_id
  FROM ocds_bids AS b
  JOIN final_releases AS f ON f.release_row = b.release_row
  JOIN ocds_bid_tenderers AS t ON t.release_row = b.release_row AND t.bid_index = b.bid_index
  WHERE b.status IN ('valid', 'disqualified') AND b.has_tenderers
),
single_valid AS (
  SELECT release_row, max(tenderer_id) AS tenderer_id
  FROM bid_tenderers WHERE status = 'valid'
  GROUP BY release_row
  HAVING count(*) = 1
),
single_supplier AS (
  SELECT release_row, max(supplier_id) AS supplier_id
  FROM award_suppliers
  GROUP BY release_row
  HAVING count(*) = 1
),
winners AS (
  SELECT v.release_row, v.tenderer_id
  FROM single_valid AS v
  JOIN single_supplier AS s ON s.release_row = v.release_row AND s.supplier_id = v.tenderer_id
),
counted AS (
  SELECT f.ocid, w.tenderer_id, count(*) AS disqualified
  FROM winners AS w
  JOIN final_releases AS f ON f.release_row = w.release_row
  JOIN bid_tenderers AS d
    ON d.release_row = w.release_row AND d.status = 'disqualified' AND d.tenderer_id <> w.tenderer_id
  GROUP BY f.ocid, w.release_row, w.tenderer_id
  HAVING count(*) >= $threshold
)
SELECT 'OCID' AS group_name, ocid AS subject_id, CAST(disqualified AS DOUBLE) AS value FROM counted
UNION
SELECT 'Tenderer', tenderer_id, CAST(0 AS DOUBLE) FROM counted
