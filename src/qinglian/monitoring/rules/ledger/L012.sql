-- L012 合同变更增值: the amendments of a contract together raise its value by more than
-- $threshold of the signed amount (sum of amount_change / amount > threshold; decreases count
-- against increases). value = that ratio; evidence = the amendments.
WITH changes AS (
  SELECT contract_id, sum(amount_change) AS total_change, max(amended_on) AS last_on,
         list(amendment_id) AS keys
  FROM contract_amendments
  WHERE contract_id IS NOT NULL AND amount_change IS NOT NULL
  GROUP BY contract_id
)
SELECT 'Contract' AS group_name, c.contract_id AS subject_id,
       CAST(ch.total_change AS DOUBLE) / CAST(c.amount AS DOUBLE) AS value,
       c.unit AS unit, c.vendor_id AS vendor_id, ch.last_on AS occurred_on,
       ch.keys AS evidence_keys
FROM contracts AS c
JOIN changes AS ch ON ch.contract_id = c.contract_id
WHERE c.amount > 0
  AND CAST(ch.total_change AS DOUBLE) / CAST(c.amount AS DOUBLE) > CAST($threshold AS DOUBLE)
