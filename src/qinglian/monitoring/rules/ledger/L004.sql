-- L004 本福特定律偏离: the first digits of a vendor's payments (of at least $min_amount yuan, so
-- the integer part has no leading zero) against Benford's law, for vendors with at least
-- $min_payments such payments. Flagged when BOTH statistics say nonconformity:
--   MAD = Σ|AP_d − EP_d| / 9 > $mad_threshold (Nigrini: > 0.015 is nonconformity), and
--   χ² = Σ (O_d − n·EP_d)² / (n·EP_d) > $chi_square_critical (8 d.o.f., p < 0.01: 20.09).
-- χ² alone flags nearly every large vendor (its power grows with n); MAD alone is noisy for
-- small n. value = MAD. Expected proportions log10(1 + 1/d) are fixed literals and every sum
-- is written out in digit order, so both engines compute the same doubles.
WITH digits AS (
  SELECT vendor_id, substr(CAST(amount AS VARCHAR), 1, 1) AS digit
  FROM payments
  WHERE amount >= $min_amount AND vendor_id IS NOT NULL
),
counts AS (
  SELECT vendor_id, count(*) AS n,
         count_if(digit = '1') AS c1,
         count_if(digit = '2') AS c2,
         count_if(digit = '3') AS c3,
         count_if(digit = '4') AS c4,
         count_if(digit = '5') AS c5,
         count_if(digit = '6') AS c6,
         count_if(digit = '7') AS c7,
         count_if(digit = '8') AS c8,
         count_if(digit = '9') AS c9
  FROM digits
  GROUP BY vendor_id
  HAVING count(*) >= $min_payments
),
expected AS (
  SELECT CAST('0.3010299956639812' AS DOUBLE) AS p1, CAST('0.17609125905568124' AS DOUBLE) AS p2, CAST('0.12493873660829992' AS DOUBLE) AS p3, CAST('0.09691001300805642' AS DOUBLE) AS p4, CAST('0.07918124604762482' AS DOUBLE) AS p5, CAST('0.06694678963061322' AS DOUBLE) AS p6, CAST('0.05799194697768673' AS DOUBLE) AS p7, CAST('0.05115252244738129' AS DOUBLE) AS p8, CAST('0.04575749056067514' AS DOUBLE) AS p9
),
stats AS (
  SELECT vendor_id, n,
       (abs(CAST(c1 AS DOUBLE) / CAST(n AS DOUBLE) - p1)
       + abs(CAST(c2 AS DOUBLE) / CAST(n AS DOUBLE) - p2)
       + abs(CAST(c3 AS DOUBLE) / CAST(n AS DOUBLE) - p3)
       + abs(CAST(c4 AS DOUBLE) / CAST(n AS DOUBLE) - p4)
       + abs(CAST(c5 AS DOUBLE) / CAST(n AS DOUBLE) - p5)
       + abs(CAST(c6 AS DOUBLE) / CAST(n AS DOUBLE) - p6)
       + abs(CAST(c7 AS DOUBLE) / CAST(n AS DOUBLE) - p7)
       + abs(CAST(c8 AS DOUBLE) / CAST(n AS DOUBLE) - p8)
       + abs(CAST(c9 AS DOUBLE) / CAST(n AS DOUBLE) - p9)) / 9 AS mad,
       (CAST(c1 AS DOUBLE) - n * p1) * (CAST(c1 AS DOUBLE) - n * p1) / (n * p1)
       + (CAST(c2 AS DOUBLE) - n * p2) * (CAST(c2 AS DOUBLE) - n * p2) / (n * p2)
       + (CAST(c3 AS DOUBLE) - n * p3) * (CAST(c3 AS DOUBLE) - n * p3) / (n * p3)
       + (CAST(c4 AS DOUBLE) - n * p4) * (CAST(c4 AS DOUBLE) - n * p4) / (n * p4)
       + (CAST(c5 AS DOUBLE) - n * p5) * (CAST(c5 AS DOUBLE) - n * p5) / (n * p5)
       + (CAST(c6 AS DOUBLE) - n * p6) * (CAST(c6 AS DOUBLE) - n * p6) / (n * p6)
       + (CAST(c7 AS DOUBLE) - n * p7) * (CAST(c7 AS DOUBLE) - n * p7) / (n * p7)
       + (CAST(c8 AS DOUBLE) - n * p8) * (CAST(c8 AS DOUBLE) - n * p8) / (n * p8)
       + (CAST(c9 AS DOUBLE) - n * p9) * (CAST(c9 AS DOUBLE) - n * p9) / (n * p9) AS chi_square
  FROM counts CROSS JOIN expected
)
SELECT 'Vendor' AS group_name, vendor_id AS subject_id, mad AS value, vendor_id
FROM stats
WHERE mad > CAST($mad_threshold AS DOUBLE) AND chi_square > CAST($chi_square_critical AS DOUBLE)
