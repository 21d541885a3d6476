-- L007 新供应商大额付款: a vendor's window starts on its registration date (vendors.registered_on)
-- or on its first payment when that is earlier or the date is unknown, and lasts $window_days
-- days (start + window_days inclusive). Flagged when the payments in the window (all units)
-- total more than $amount. value = that total; evidence = those payments.
WITH first_paid AS (
  SELECT vendor_id, min(paid_on) AS first_on
  FROM payments
  WHERE vendor_id IS NOT NULL AND paid_on IS NOT NULL
  GROUP BY vendor_id
),
starts AS (
  SELECT f.vendor_id, f.first_on,
         CASE WHEN v.registered_on IS NULL OR v.registered_on > f.first_on THEN f.first_on
              ELSE v.registered_on END AS start_on
  FROM first_paid AS f
  LEFT JOIN vendors AS v ON v.vendor_id = f.vendor_id
),
windowed AS (
  SELECT s.vendor_id, s.first_on, p.payment_id, p.amount, p.unit
  FROM starts AS s
  JOIN payments AS p ON p.vendor_id = s.vendor_id
  WHERE p.paid_on >= s.start_on AND date_diff('day', s.start_on, p.paid_on) <= $window_days
)
SELECT 'Vendor' AS group_name, vendor_id AS subject_id, CAST(sum(amount) AS DOUBLE) AS value,
       min(unit) AS unit, vendor_id, first_on AS occurred_on, list(payment_id) AS evidence_keys
FROM windowed
GROUP BY vendor_id, first_on
HAVING sum(amount) > $amount
