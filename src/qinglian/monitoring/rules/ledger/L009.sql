-- L009 单一投标: a tender that received bids from exactly one bidder (tenders with no bid at all
-- are not flagged), unless its method is one of $excluded_methods (e.g. 单一来源).
SELECT 'Tender' AS group_name, t.tender_id AS subject_id, CAST(1 AS DOUBLE) AS value,
       t.unit AS unit, min(b.vendor_id) AS vendor_id, t.published_on AS occurred_on,
       list(b.bid_id) AS evidence_keys
FROM tenders AS t
JOIN bids AS b ON b.tender_id = t.tender_id
WHERE t.method IS NULL OR NOT list_contains($excluded_methods, t.method)
GROUP BY t.tender_id, t.unit, t.published_on
HAVING count(DISTINCT b.vendor_id) = 1
