-- L010 围标轮流中标 (bid rotation): three bidders {a, b, c} who bid together in at least
-- $min_tenders tenders (tenders with 3 to $max_bidders distinct bidders) where every one of
-- the three won at least one of those tenders and every one of those tenders was won by one
-- of the three (no outsider won, none was left without a winner). Larger rings show as each
-- of their triples. The winner is tenders.awarded_vendor_id, else the bid marked won.
-- value = the number of shared tenders; evidence = those tenders.
WITH marked_winners AS (
  SELECT tender_id, min(vendor_id) AS vendor_id
  FROM bids
  WHERE won
  GROUP BY tender_id
),
winners AS (
  SELECT t.tender_id, t.published_on,
         coalesce(t.awarded_vendor_id, w.vendor_id) AS winner
  FROM tenders AS t
  LEFT JOIN marked_winners AS w ON w.tender_id = t.tender_id
),
bidders AS (
  SELECT DISTINCT tender_id, vendor_id FROM bids WHERE vendor_id IS NOT NULL
),
sized AS (
  SELECT tender_id FROM bidders GROUP BY tender_id
  HAVING count(*) BETWEEN 3 AND $max_bidders
),
eligible AS (
  SELECT b.tender_id, b.vendor_id FROM bidders AS b JOIN sized AS s ON s.tender_id = b.tender_id
),
triples AS (
  SELECT x.tender_id, x.vendor_id AS a, y.vendor_id AS b, z.vendor_id AS c
  FROM eligible AS x
  JOIN eligible AS y ON y.tender_id = x.tender_id AND y.vendor_id > x.vendor_id
  JOIN eligible AS z ON z.tender_id = x.tender_id AND z.vendor_id > y.vendor_id
),
scored AS (
  SELECT t.a, t.b, t.c, count(*) AS tenders,
         count_if(w.winner = t.a) AS won_a,
         count_if(w.winner = t.b) AS won_b,
         count_if(w.winner = t.c) AS won_c,
         min(w.published_on) AS first_on,
         list(t.tender_id) AS keys
  FROM triples AS t
  JOIN winners AS w ON w.tender_id = t.tender_id
  GROUP BY t.a, t.b, t.c
)
SELECT 'Bidders' AS group_name, a || '|' || b || '|' || c AS subject_id,
       CAST(tenders AS DOUBLE) AS value, first_on AS occurred_on, keys AS evidence_keys
FROM scored
WHERE tenders >= $min_tenders AND won_a > 0 AND won_b > 0 AND won_c > 0
  AND won_a + won_b + won_c = tenders
