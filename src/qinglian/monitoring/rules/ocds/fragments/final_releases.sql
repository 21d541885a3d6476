-- Releases in scope whose awards are all final (active, cancelled or unsuccessful) and that
-- have bids: the releases whose outcome the bid rules may judge.
-- Reads: ocds_awards, and the releases in scope (calls release_scope).
-- Defines: scope, final_releases (release_row, ocid, procurement_method_details).
{{ release_scope() }},
final_releases AS (
  SELECT s.release_row, s.ocid, s.procurement_method_details
  FROM scope AS s
  WHERE s.has_awards AND s.has_bid_details
    AND NOT EXISTS (
      SELECT 1 FROM ocds_awards AS a
      WHERE a.release_row = s.release_row
        AND a.status IS NOT NULL
        AND a.status NOT IN ('active', 'cancelled', 'unsuccessful')
    )
)
