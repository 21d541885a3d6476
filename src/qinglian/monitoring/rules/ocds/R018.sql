-- R018 Single bid received: numberOfTenderers is the integer 1, for the chosen methods.
SELECT DISTINCT 'OCID' AS group_name, ocid AS subject_id, CAST(1 AS DOUBLE) AS value
FROM ocds_releases
WHERE coalesce(tender_status, '') <> 'cancelled'
  AND (procurement_method_details IS NULL
       OR NOT list_contains($excluded_procurement_method_details, procurement_method_details))
  AND (len($procurement_methods) = 0
       OR (procurement_method IS NOT NULL
           AND list_contains($procurement_methods, procurement_method)))
  AND number_of_tenderers = 1
