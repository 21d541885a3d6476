-- Releases in scope whose awards are all final (active, cancelled or unsuccessful) and that
-- have bids: the releases whose outcome the bid rules may judge.
-- Reads: scope (see release_scope), ocds_awards.
-- Defines: final_releases (release_row, ocid, procurement_method_details).
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
