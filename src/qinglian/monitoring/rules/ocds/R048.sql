-- R048 Heterogeneous supplier: a supplier (of at least the minimum number of processes) whose
-- awarded items span at least the upper fence of distinct classification prefixes.
WITH {{ release_scope() }},
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
{{ upper_fence(values=vals) }}
SELECT 'Tenderer' AS group_name, s.supplier_id AS subject_id, CAST(s.codes AS DOUBLE) AS value
FROM suppliers AS s CROSS JOIN fence AS f
WHERE CAST(s.codes AS DOUBLE) >= f.upper_fence
