-- 拆分采购 (split purchases) over one ledger: one unit's rows to one vendor, each below the
-- approval threshold, of which at least $min_count dated within $window_days consecutive
-- calendar days (last − first < window_days) reach the threshold together. Each below-threshold
-- row anchors a window [its day, its day + window_days − 1]; overlapping flagged windows of one
-- unit and vendor merge into one hit, whose evidence is every below-threshold row in the merged
-- span. The whole query of L001 (purchase_orders) and L001P (payments).
-- @arguments ledger, key, day
-- ledger: the table (columns unit, vendor_id, amount and the two below); key: its key column
-- (the evidence keys); day: its date column.
-- Reads: parameters $threshold (decimal), $min_count and $window_days (integers).
WITH small AS (
  SELECT {{ key }} AS row_key, unit, vendor_id, amount, {{ day }} AS day,
         date_diff('day', DATE '1970-01-01', {{ day }}) AS day_no
  FROM {{ ledger }}
  WHERE amount > 0 AND amount < $threshold
    AND unit IS NOT NULL AND vendor_id IS NOT NULL AND {{ day }} IS NOT NULL
),
windows AS (
  SELECT unit, vendor_id, day_no,
         count(*) OVER w AS rows_in_window,
         sum(amount) OVER w AS window_total,
         max(day_no) OVER w AS last_day_no
  FROM small
  WINDOW w AS (PARTITION BY unit, vendor_id ORDER BY day_no
               RANGE BETWEEN CURRENT ROW AND $window_days - 1 FOLLOWING)
),
flagged AS (
  SELECT DISTINCT unit, vendor_id, day_no AS start_no, last_day_no AS end_no
  FROM windows
  WHERE rows_in_window >= $min_count AND window_total >= $threshold
),
marked AS (
  SELECT unit, vendor_id, start_no, end_no,
         CASE WHEN start_no <= max(end_no) OVER (
                PARTITION BY unit, vendor_id ORDER BY start_no
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
              THEN 0 ELSE 1 END AS new_span
  FROM flagged
),
numbered AS (
  SELECT unit, vendor_id, start_no, end_no,
         sum(new_span) OVER (PARTITION BY unit, vendor_id ORDER BY start_no
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS span_no
  FROM marked
),
spans AS (
  SELECT unit, vendor_id, span_no, min(start_no) AS start_no, max(end_no) AS end_no
  FROM numbered
  GROUP BY unit, vendor_id, span_no
)
SELECT
  'Vendor' AS group_name,
  s.unit || '|' || s.vendor_id || '|' || CAST(min(r.day) AS VARCHAR) AS subject_id,
  CAST(sum(r.amount) AS DOUBLE) AS value,
  s.unit AS unit,
  s.vendor_id AS vendor_id,
  min(r.day) AS occurred_on,
  list(r.row_key) AS evidence_keys
FROM spans AS s
JOIN small AS r
  ON r.unit = s.unit AND r.vendor_id = s.vendor_id AND r.day_no BETWEEN s.start_no AND s.end_no
GROUP BY s.unit, s.vendor_id, s.span_no
