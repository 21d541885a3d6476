-- R030 Late bid won: a valid bid dated after the tender period's end (compared as text, as
-- the reference tool does) was submitted by a supplier of an active award.
WITH {{ release_scope() }},
award_suppliers AS (
  SELECT DISTINCT s.release_row, s.supplier_id
  FROM ocds_award_suppliers AS s
  JOIN ocds_awards AS a ON a.release_row = s.release_row AND a.award_index = s.award_index
  WHERE a.status = 'active' AND a.has_suppliers
),
late_winners AS (
  SELECT DISTINCT r.ocid, t.tenderer_id
  FROM scope AS r
  JOIN ocds_bids AS b ON b.release_row = r.release_row
  JOIN ocds_bid_tenderers AS t ON t.release_row = b.release_row AND t.bid_index = b.bid_index
  JOIN award_suppliers AS s ON s.release_row = b.release_row AND s.supplier_id = t.tenderer_id
  WHERE r.has_awards AND r.has_bid_details AND r.tender_period_end IS NOT NULL
    AND b.status = 'valid' AND b.bid_date IS NOT NULL AND b.has_tenderers
    AND b.bid_date > r.tender_period_end
)
SELECT 'OCID' AS group_name, ocid AS subject_id, CAST(1 AS DOUBLE) AS value FROM late_winners
UNION
SELECT 'Tenderer', tenderer_id, CAST(1 AS DOUBLE) FROM late_winners
