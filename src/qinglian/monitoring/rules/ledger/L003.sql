-- L003 整数金额: among a vendor's payments of at least $min_amount, the share that are whole
-- multiples of $multiple exceeds $share, with at least $min_payments such payments in all and
-- $min_round round ones. value = the share; evidence = the round payments.
WITH considered AS (
  SELECT payment_id, vendor_id, paid_on, amount % $multiple = 0 AS is_round
  FROM payments
  WHERE amount >= $min_amount AND vendor_id IS NOT NULL
),
vendors AS (
  SELECT vendor_id, count(*) AS payments, count_if(is_round) AS round_payments
  FROM considered
  GROUP BY vendor_id
  HAVING count(*) >= $min_payments AND count_if(is_round) >= $min_round
     AND CAST(count_if(is_round) AS DOUBLE) / CAST(count(*) AS DOUBLE) > CAST($share AS DOUBLE)
)
SELECT 'Vendor' AS group_name, v.vendor_id AS subject_id,
       CAST(v.round_payments AS DOUBLE) / CAST(v.payments AS DOUBLE) AS value,
       v.vendor_id AS vendor_id, min(c.paid_on) AS occurred_on,
       list(c.payment_id) AS evidence_keys
FROM vendors AS v
JOIN considered AS c ON c.vendor_id = v.vendor_id AND c.is_round
GROUP BY v.vendor_id, v.round_payments, v.payments
