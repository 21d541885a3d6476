-- A condition, not a CTE: the release's procurement method details compare prices. With no
-- price-comparison methods set, every method except the no-price-comparison ones does (and a
-- release without details does); with some set, only those do (and one without details not).
-- Use: WHERE <this fragment, with releases=the alias of a row with procurement_method_details>.
-- @arguments releases
-- Reads: parameters $price_comparison_procurement_methods and
-- $no_price_comparison_procurement_methods (text sets).
CASE
  WHEN {{ releases }}.procurement_method_details IS NULL THEN len($price_comparison_procurement_methods) = 0
  WHEN len($price_comparison_procurement_methods) = 0
    THEN NOT list_contains($no_price_comparison_procurement_methods, {{ releases }}.procurement_method_details)
  ELSE list_contains($price_comparison_procurement_methods, {{ releases }}.procurement_method_details)
END
