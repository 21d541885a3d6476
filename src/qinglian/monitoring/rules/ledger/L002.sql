-- L002 重复付款: (a) two or more payments to one vendor with the same amount and the same
-- invoice number, whatever their dates; (b) payments without an invoice number to one vendor
-- with the same amount, each within $window_days days of the previous one (a chain).
-- value = the amount paid more than once: (payments − 1) × amount.
-- The repeated (vendor, invoice, amount) keys are found by counting alone; only their payments
-- are then grouped again to collect dates, units and keys (most keys occur once, and building a
-- list per key for millions of keys would cost more than the whole count).
WITH repeated AS (
  SELECT vendor_id, invoice_no, amount
  FROM payments
  WHERE invoice_no IS NOT NULL AND vendor_id IS NOT NULL AND amount IS NOT NULL
  GROUP BY vendor_id, invoice_no, amount
  HAVING count(*) >= 2
),
invoiced AS (
  SELECT p.vendor_id, p.invoice_no, p.amount, count(*) AS payments, min(p.paid_on) AS first_on,
         min(p.unit) AS unit, list(p.payment_id) AS keys
  FROM payments AS p
  SEMI JOIN repeated AS r
    ON p.vendor_id = r.vendor_id AND p.invoice_no = r.invoice_no AND p.amount = r.amount
  GROUP BY p.vendor_id, p.invoice_no, p.amount
),
bare AS (
  SELECT payment_id, unit, vendor_id, amount, paid_on,
         date_diff('day', DATE '1970-01-01', paid_on) AS day_no
  FROM payments
  WHERE invoice_no IS NULL AND vendor_id IS NOT NULL AND amount IS NOT NULL
    AND paid_on IS NOT NULL
),
chained AS (
  SELECT *,
         CASE WHEN day_no - lag(day_no) OVER (PARTITION BY vendor_id, amount
                                             ORDER BY day_no, payment_id) <= $window_days
              THEN 0 ELSE 1 END AS new_chain
  FROM bare
),
chains AS (
  SELECT *,
         sum(new_chain) OVER (PARTITION BY vendor_id, amount ORDER BY day_no, payment_id
                              ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS chain_no
  FROM chained
),
uninvoiced AS (
  SELECT vendor_id, amount, count(*) AS payments, min(paid_on) AS first_on,
         min(unit) AS unit, list(payment_id) AS keys
  FROM chains
  GROUP BY vendor_id, amount, chain_no
  HAVING count(*) >= 2
)
SELECT 'Vendor' AS group_name,
       vendor_id || '|' || invoice_no || '|' || CAST(amount AS VARCHAR) AS subject_id,
       CAST(amount AS DOUBLE) * (payments - 1) AS value,
       unit, vendor_id, first_on AS occurred_on, keys AS evidence_keys
FROM invoiced
UNION ALL
SELECT 'Vendor' AS group_name,
       vendor_id || '|' || CAST(amount AS VARCHAR) || '|' || CAST(first_on AS VARCHAR) AS subject_id,
       CAST(amount AS DOUBLE) * (payments - 1) AS value,
       unit, vendor_id, first_on AS occurred_on, keys AS evidence_keys
FROM uninvoiced
