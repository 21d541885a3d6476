"""The blocked matcher finds exactly what scoring every pair finds, and hits read well."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qinglian.core.normalise import company_names
from qinglian.screening.hits import Named, find_hits
from qinglian.screening.matching import (
    build_index,
    check_threshold,
    match,
    match_exhaustive,
    min_overlap,
    partners,
)
from qinglian.screening.synthetic import NameMaker


def _pairs(found: object) -> set[tuple[int, int]]:
    return set(zip(found.queries.tolist(), found.entries.tolist(), strict=True))  # type: ignore[attr-defined]


def _named(names: list[str], codes: list[str] | None = None) -> list[Named]:
    codes = codes or [""] * len(names)
    return [Named(n, c, x) for n, c, x in zip(names, codes, company_names(names), strict=True)]


@pytest.mark.parametrize("threshold", [70, 80, 85, 90, 95, 100])
def test_recall_against_exhaustive_on_a_random_set(threshold: float) -> None:
    maker = NameMaker(threshold)
    entries = maker.names(3000)
    parties = [maker.variant(maker.random.choice(entries))[0] if i % 3 == 0 else maker.name()
               for i in range(1500)]
    entry_cores = [n.core for n in company_names(entries)]
    party_cores = [n.core for n in company_names(parties)]
    blocked = match(build_index(entry_cores, threshold), party_cores)
    exhaustive = match_exhaustive(entry_cores, party_cores, threshold)
    assert len(exhaustive) > 100
    assert _pairs(blocked) == _pairs(exhaustive)
    assert blocked.scored < len(entries) * len(parties) / 100  # blocking really blocks


_letters = st.text(alphabet="清风软件科技瑞丰华信巴", min_size=1, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(_letters, min_size=1, max_size=25), st.lists(_letters, min_size=1, max_size=25),
       st.sampled_from([70, 75, 80, 85, 90, 95, 100]))
def test_blocking_never_loses_a_pair(entries: list[str], queries: list[str], threshold: int) -> None:
    """Small alphabets make repeated bigrams (巴巴巴) and every length mix likely."""
    blocked = match(build_index(entries, threshold), queries)
    assert _pairs(blocked) == _pairs(match_exhaustive(entries, queries, threshold))


def test_overlap_bound_is_positive_from_seventy() -> None:
    for threshold in (70, 85, 100):
        for length in range(1, 60):
            assert all(min_overlap(threshold, length, other) >= 1
                       for other in partners(threshold, length))
    with pytest.raises(ValueError, match="70 到 100"):
        check_threshold(60)


def test_empty_inputs() -> None:
    assert len(match(build_index([], 85), ["清风软件"])) == 0
    assert len(match(build_index(["清风软件"], 85), [])) == 0
    assert len(match(build_index(["", "清风软件"], 85), ["", "清风软件"])) == 1


def test_uscc_first_and_conflicts_lower_the_score() -> None:
    code = "91330106MA000CT71P"
    entries = _named(["杭州清风软件有限公司", "宁波华信贸易有限公司"], ["", code])
    parties = _named(["上海清风软件有限公司", "华信国际（宁波）有限公司", "清風軟件（杭州）有限公司"],
                     ["", code, ""])
    found = {(f.party, f.entry): f for f in find_hits(parties, entries)}
    assert found[(1, 1)].method == "uscc" and found[(1, 1)].score == 100
    assert found[(0, 0)].score == 90 and "地区不同（“上海” / “杭州”）" in found[(0, 0)].explanation
    clean = found[(2, 0)]
    assert clean.score == 100
    assert clean.explanation == ("去除地区前缀“杭州”、公司形式“有限公司”，繁体字转为简体、"
                                 "全角字符转为半角后名称主体“清风软件”相同")
    assert found[(0, 0)].explanation.startswith("去除地区前缀“上海”“杭州”、公司形式“有限公司”后")


def test_similar_not_equal_names_say_how_similar() -> None:
    entries = _named(["杭州瑞丰达网络技术有限公司"])
    parties = _named(["杭州瑞丰远网络技术有限公司"])
    (hit,) = find_hits(parties, entries)
    assert hit.method == "name" and 85 <= hit.score < 100
    assert "名称主体“瑞丰远网络技术”与“瑞丰达网络技术”相似（相似度 85.7）" in hit.explanation


def test_look_alikes_do_not_hit() -> None:
    entries = _named(["杭州清风软件有限公司", "杭州华信贸易有限公司"])
    parties = _named(["杭州清风科技有限公司", "杭州清峰软件有限公司", "杭州华兴贸易有限公司"])
    assert find_hits(parties, entries) == []
