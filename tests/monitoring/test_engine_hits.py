"""The DuckDB runner builds hits from Arrow columns: the same hits normalise_hits makes of the
rows, in the same order, for every shape of result a rule may return."""

from __future__ import annotations

import datetime as dt

import pytest

from qinglian.monitoring.engine import Hit
from qinglian.monitoring.engine.duckdb_runner import DuckDBRunner
from qinglian.monitoring.engine.results import normalise_hits

COLUMNS = "group_name, subject_id, value, unit, vendor_id, occurred_on, evidence_keys"
CASES = {
    "every optional column, repeats, NULLs and several groups": f"""
        SELECT * FROM (VALUES
          ('Vendor', 'B', 2, NULL, 'V1', TIMESTAMP '2024-05-01 08:00', ['k2', NULL, 'k1']),
          ('Vendor', 'A', 1.5, 'U1', NULL, NULL, ['k9']),
          ('Vendor', 'B', 2, NULL, 'V1', TIMESTAMP '2024-05-01 08:00', ['k1', 'k2']),
          ('Vendor', 'C', 3, '7', '8', NULL, NULL::VARCHAR[]),
          ('Vendor', 'D', 4, 'U2', 'V2', NULL, [NULL]),
          ('Buyer', 'Z', 1, '', '', NULL, ['é', 'z', 'a', 'Z', '中', 'Ａ']),
          ('Zeta', 'Y', 1, '', '', NULL, ['q']),
          ('OCID', 'Y', 1, '', '', NULL, ['q'])) AS t({COLUMNS})""",
    "one key each": """
        SELECT 'Tender' AS group_name, 'T' || (i % 7)::VARCHAR AS subject_id, i::DOUBLE AS value,
               'U' AS unit, 'V' AS vendor_id, DATE '2024-01-01' + i::INT AS occurred_on,
               ['T' || (i % 7)::VARCHAR] AS evidence_keys FROM range(7) AS r(i)""",
    "key lists of numbers, subjects of numbers": """
        SELECT 'Vendor' AS group_name, i AS subject_id, 1.0::DOUBLE AS value, i AS unit,
               [i * 10, 3, 20] AS evidence_keys FROM range(3) AS r(i)""",
    "one key as bare text": """
        SELECT 'Vendor' AS group_name, 'A' AS subject_id, 1.0::DOUBLE AS value,
               'x' AS evidence_keys UNION ALL SELECT 'Vendor', 'B', 2.0, NULL""",
    "only the required columns, repeated rows": """
        SELECT * FROM (VALUES ('a', 'b', 1.0::DOUBLE), ('a', 'b', 1.0), ('a', 'a', 2.0))
        AS t(group_name, subject_id, value)""",
    "no rows": "SELECT 'a' AS group_name, 'b' AS subject_id, 1.0::DOUBLE AS value,"
               " ['x'] AS evidence_keys WHERE false",
}


@pytest.fixture(scope="module")
def runner() -> DuckDBRunner:
    return DuckDBRunner({})


@pytest.mark.parametrize("sql", CASES.values(), ids=CASES.keys())
def test_arrow_hits_equal_the_row_wise_hits(runner: DuckDBRunner, sql: str) -> None:
    cursor = runner.connection.execute(sql)
    columns = [column[0] for column in cursor.description or ()]
    expected = normalise_hits("L0", cursor.fetchall(), columns)
    hits = runner._hits("L0", sql)
    assert hits == expected
    assert [type(hit) for hit in hits] == [Hit] * len(expected)


def test_arrow_hits_keep_the_contract(runner: DuckDBRunner) -> None:
    hits = runner._hits("L0", CASES["every optional column, repeats, NULLs and several groups"])
    assert [(hit.group, hit.subject) for hit in hits] == [
        ("OCID", "Y"), ("Buyer", "Z"), ("Vendor", "A"), ("Vendor", "B"), ("Vendor", "C"),
        ("Vendor", "D"), ("Zeta", "Y")]
    assert hits[3] == Hit("L0", "Vendor", "B", 2.0, vendor_id="V1",
                          occurred_on=dt.date(2024, 5, 1), evidence=("k1", "k2"))
    assert hits[1].evidence == ("Z", "a", "z", "é", "中", "Ａ")  # code-point order
    assert len({*hits, *hits}) == len(hits)
    with pytest.raises(ValueError, match="NaN"):
        runner._hits("L0", "SELECT 'a' AS group_name, 'b' AS subject_id, 'nan'::DOUBLE AS value")
    with pytest.raises(ValueError, match="no column value"):
        runner._hits("L0", "SELECT 'a' AS group_name, 'b' AS subject_id")
