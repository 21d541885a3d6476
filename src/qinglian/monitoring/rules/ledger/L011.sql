-- L011 投标期过短: the calendar days from publication to the bid deadline
-- (deadline_on − published_on) are fewer than the minimum for the tender's method
-- ($method_days, e.g. 竞争性磋商 10) or else $min_days (招标投标法 art. 24: 20 days).
-- Methods in $excluded_methods (单一来源) have no bidding period and are skipped.
-- value = the days the tender was open.
SELECT 'Tender' AS group_name, tender_id AS subject_id,
       CAST(date_diff('day', published_on, deadline_on) AS DOUBLE) AS value,
       unit, awarded_vendor_id AS vendor_id, published_on AS occurred_on,
       [tender_id] AS evidence_keys
FROM tenders
WHERE published_on IS NOT NULL AND deadline_on IS NOT NULL
  AND (method IS NULL OR NOT list_contains($excluded_methods, method))
  AND date_diff('day', published_on, deadline_on)
      < coalesce(map_extract_value($method_days, method), $min_days)
