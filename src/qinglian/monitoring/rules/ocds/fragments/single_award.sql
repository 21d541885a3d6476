-- Final releases of which exactly one award is active, with exactly one supplier with an id.
-- Reads: ocds_awards, and the final releases (calls final_releases).
-- Defines: scope, final_releases, single_award (release_row, ocid, procurement_method_details,
-- supplier_id).
{{ final_releases() }},
single_award AS (
  SELECT f.release_row, f.ocid, f.procurement_method_details,
         max(a.first_supplier_id) AS supplier_id
  FROM final_releases AS f
  JOIN ocds_awards AS a ON a.release_row = f.release_row AND a.status = 'active'
  GROUP BY f.release_row, f.ocid, f.procurement_method_details
  HAVING count(*) = 1 AND max(a.supplier_count) = 1 AND max(a.first_supplier_id) IS NOT NULL
)
