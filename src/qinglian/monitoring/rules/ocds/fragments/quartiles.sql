-- The first and third quartiles of `values` (columns grp, v) per group, as the reference tool
-- computes them (statrs' quantile, R-8): h = (n + 1/3) * tau + 1/3, interpolating between the
-- values of ranks floor(h) and floor(h) + 1 (the least value below rank 1, the greatest above n).
-- @arguments values
-- Defines: ranked, heights, positions, and quartiles (grp, q1, q3).
ranked AS (
  SELECT grp, v,
         ROW_NUMBER() OVER (PARTITION BY grp ORDER BY v) AS rn,
         COUNT(*) OVER (PARTITION BY grp) AS n
  FROM {{ values }}
),
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
)
