-- L005 非工作日付款: a payment of at least $min_amount dated on a non-working day of the
-- statutory calendar (the non_working_days table: weekends that are not make-up working days,
-- and statutory holidays). One hit per payment.
SELECT 'Payment' AS group_name, p.payment_id AS subject_id, CAST(p.amount AS DOUBLE) AS value,
       p.unit AS unit, p.vendor_id AS vendor_id, p.paid_on AS occurred_on,
       [p.payment_id] AS evidence_keys
FROM payments AS p
JOIN non_working_days AS c ON c.day = p.paid_on
WHERE p.amount >= $min_amount
