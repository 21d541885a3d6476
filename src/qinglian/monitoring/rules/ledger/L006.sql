-- L006 供应商集中度: per buying unit and period ($period: year, quarter or month), the share of
-- the unit's payments going to its largest vendor exceeds $top_share AND the Herfindahl–Hirschman
-- index Σ(100 × share)² (0–10,000) exceeds $hhi, for units with at least $min_payments payments
-- in the period. value = HHI (rounded to 6 decimals so that both engines, which add the squares
-- in different orders, report the same number); vendor_id = the largest vendor.
WITH paid AS (
  SELECT unit, vendor_id, paid_on, amount,
         CASE $period
           WHEN 'month' THEN CAST(year(paid_on) AS VARCHAR) || '-' || lpad(CAST(month(paid_on) AS VARCHAR), 2, '0')
           WHEN 'quarter' THEN CAST(year(paid_on) AS VARCHAR) || '-Q' || CAST(quarter(paid_on) AS VARCHAR)
           ELSE CAST(year(paid_on) AS VARCHAR)
         END AS period
  FROM payments
  WHERE amount > 0 AND unit IS NOT NULL AND vendor_id IS NOT NULL AND paid_on IS NOT NULL
),
by_vendor AS (
  SELECT unit, period, vendor_id, sum(amount) AS total, count(*) AS payments
  FROM paid
  GROUP BY unit, period, vendor_id
),
by_unit AS (
  SELECT unit, period, sum(total) AS unit_total, sum(payments) AS payments
  FROM by_vendor
  GROUP BY unit, period
  HAVING sum(payments) >= $min_payments
),
shares AS (
  SELECT v.unit, v.period, v.vendor_id,
         CAST(v.total AS DOUBLE) / CAST(u.unit_total AS DOUBLE) AS share,
         row_number() OVER (PARTITION BY v.unit, v.period ORDER BY v.total DESC, v.vendor_id) AS vendor_rank
  FROM by_vendor AS v
  JOIN by_unit AS u ON u.unit = v.unit AND u.period = v.period
),
indices AS (
  SELECT unit, period,
         round(sum(share * share) * 10000, 6) AS hhi,
         max(CASE WHEN vendor_rank = 1 THEN share END) AS top_share,
         max(CASE WHEN vendor_rank = 1 THEN vendor_id END) AS top_vendor
  FROM shares
  GROUP BY unit, period
),
starts AS (
  SELECT unit, period, min(paid_on) AS first_on FROM paid GROUP BY unit, period
)
SELECT 'Unit' AS group_name, i.unit || '|' || i.period AS subject_id, i.hhi AS value,
       i.unit AS unit, i.top_vendor AS vendor_id, s.first_on AS occurred_on
FROM indices AS i
JOIN starts AS s ON s.unit = i.unit AND s.period = i.period
WHERE i.top_share > CAST($top_share AS DOUBLE) AND i.hhi > CAST($hhi AS DOUBLE)
