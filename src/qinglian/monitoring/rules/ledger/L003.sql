-- L003 整数金额: among a vendor's payments of at least $min_amount, the share that are whole
-- multiples of $multiple exceeds $share, with at least $min_payments such payments in all and
-- $min_round round ones. value = the share; evidence = the round payments.
-- One pass: the counts, the first round payment and the round payments' keys are aggregates of
-- the same group (round payments are few, so collecting their keys for every vendor is cheap).
WITH considered AS (
  SELECT payment_id, vendor_id, paid_on, amount % $multiple = 0 AS is_round
  FROM payments
  WHERE amount >= $min_amount AND vendor_id IS NOT NULL
)
SELECT 'Vendor' AS group_name, vendor_id AS subject_id,
       CAST(count_if(is_round) AS DOUBLE) / CAST(count(*) AS DOUBLE) AS value,
       vendor_id, min(paid_on) FILTER (WHERE is_round) AS occurred_on,
       list(payment_id) FILTER (WHERE is_round) AS evidence_keys
FROM considered
GROUP BY vendor_id
HAVING count(*) >= $min_payments AND count_if(is_round) >= $min_round
   AND CAST(count_if(is_round) AS DOUBLE) / CAST(count(*) AS DOUBLE) > CAST($share AS DOUBLE)
