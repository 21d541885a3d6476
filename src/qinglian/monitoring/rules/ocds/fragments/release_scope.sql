-- The releases a rule looks at (CTE scope, all columns of ocds_releases), as the reference
-- tool's settings have it: not of a cancelled tender, and not of an excluded procurement
-- method detail.
-- Reads: ocds_releases; parameter $excluded_procurement_method_details (text set).
-- Defines: scope.
scope AS (
  SELECT *
  FROM ocds_releases
  WHERE coalesce(tender_status, '') <> 'cancelled'
    AND (procurement_method_details IS NULL
         OR NOT list_contains($excluded_procurement_method_details, procurement_method_details))
)
