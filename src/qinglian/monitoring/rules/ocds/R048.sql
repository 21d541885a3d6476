-- R048 Heterogeneous supplier: a supplier (of at least the minimum number of processes) whose
-- awarded items span at least the upper fence of distinct classification prefixes.
WITH scope AS (
  SELECT *
  FROM ocds_releases
  WHERE coalesce(tender_status, '') <> 'cancelled'
    AND (procurement_method_details IS NULL
         OR NOT list_contains($excluded_procurement_method_details, procurement_method_details))
),
supplied_items AS (
  SELECT s.release_row, a.first_supplier_id AS supplier_id,
         substring(i.classification_id, 1, $digits) AS code
  FROM scope AS s
  JOIN ocds_awards AS a ON a.release_row = s.release_row
  JOIN ocds_award_items AS i ON i.release_row = a.release_row AND i.award_index = a.award_index
  WHERE a.status = 'active' AND a.has_items AND a.supplier_count = 1
    AND a.first_supplier_id IS NOT NULL
),
suppliers AS (
  SELECT supplier_id, count(DISTINCT release_row) AS processes, count(DISTINCT code) AS codes
  FROM supplied_items
  GROUP BY supplier_id
  HAVING count(DISTINCT release_row) >= $minimum_contracting_processes
),
vals AS (SELECT 1 AS grp, CAST(codes AS DOUBLE) AS v FROM suppliers),
ranked AS (
  SELECT grp, v,
         ROW_NUMBER() OVER (PARTITION BY grp ORDER BY v) AS rn,
         COUNT(*) OVER (PARTITION BY grp) AS n
  FROM vals
),
-- statrs' quantile (R-8): h = (n + 1/3) * tau + 1/3, interpolating between ranks floor(h), floor(h) + 1.
heights AS (
  SELECT DISTINCT grp, n,
    (CAST(n AS DOUBLE) + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE)) * CAST(0.25 AS DOUBLE)
      + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE) AS h1,
    (CAST(n AS DOUBLE) + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE)) * CAST(0.75 AS DOUBLE)
      + CAST(1 AS DOUBLE) / CAST(3 AS DOUBLE) AS h3
  FROM ranked
),
positions AS (
  SELECT grp, n, h1, CAST(FLOOR(h1) AS BIGINT) AS f1, h3, CAST(FLOOR(h3) AS BIGINT) AS f3
  FROM heights
),
quartiles AS (
  SELECT p.grp,
    CASE WHEN p.f1 <= 0 THEN min(r.v) WHEN p.f1 >= p.n THEN max(r.v)
         ELSE max(CASE WHEN r.rn = p.f1 THEN r.v END)
              + (p.h1 - CAST(p.f1 AS DOUBLE))
              * (max(CASE WHEN r.rn = p.f1 + 1 THEN r.v END) - max(CASE WHEN r.rn = p.f1 THEN r.v END))
    END AS q1,
    CASE WHEN p.f3 <= 0 THEN min(r.v) WHEN p.f3 >= p.n THEN max(r.v)
         ELSE max(CASE WHEN r.rn = p.f3 THEN r.v END)
              + (p.h3 - CAST(p.f3 AS DOUBLE))
              * (max(CASE WHEN r.rn = p.f3 + 1 THEN r.v END) - max(CASE WHEN r.rn = p.f3 THEN r.v END))
    END AS q3
  FROM positions AS p
  JOIN ranked AS r ON r.grp = p.grp
  GROUP BY p.grp, p.n, p.h1, p.f1, p.h3, p.f3
),
fence AS (
  SELECT coalesce(CAST($threshold AS DOUBLE),
                  max(q.q3) + (max(q.q3) - max(q.q1)) * CAST(1.5 AS DOUBLE)) AS upper_fence
  FROM (SELECT 1 AS one) AS base LEFT JOIN quartiles AS q ON TRUE
)
SELECT 'Tenderer' AS group_name, s.supplier_id AS subject_id, CAST(s.codes AS DOUBLE) AS value
FROM suppliers AS s CROSS JOIN fence AS f
WHERE CAST(s.codes AS DOUBLE) >= f.upper_fence
