-- R003 Short submission period: the tender period (in whole days, truncated as the reference
-- tool's num_days) is shorter than the threshold for the procurement method details.
WITH {{ release_scope() }},
periods AS (
  SELECT
    ocid,
    tender_period_end_us - tender_period_start_us AS span_us,
    coalesce(map_extract_value($procurement_method_details, procurement_method_details),
             $threshold) AS threshold_days
  FROM scope
  WHERE tender_period_start_us IS NOT NULL
    AND tender_period_end_us IS NOT NULL
    AND (len($procurement_methods) = 0
         OR (procurement_method IS NOT NULL
             AND list_contains($procurement_methods, procurement_method)))
)
SELECT DISTINCT 'OCID' AS group_name, ocid AS subject_id, CAST(1 AS DOUBLE) AS value
FROM periods
WHERE CASE
        WHEN span_us >= 0 THEN span_us < threshold_days * CAST(86400000000 AS BIGINT)
        ELSE span_us <= (threshold_days - 1) * CAST(86400000000 AS BIGINT)
      END
