"""Fuzzy name matching at scale: every (party, entry) pair whose cores score ≥ the threshold.

Score
    ``rapidfuzz.fuzz.ratio`` on the normalised cores (``core.normalise.company_name``): the
    normalised Indel similarity, 100 · 2·LCS / (len a + len b). Chinese names have no spaces,
    so the token scorers (token_sort/token_set) see one token and add nothing; ``partial_ratio``
    scores 清风 inside 清风软件科技 at 100, which floods short brand names with false hits.
    ``ratio`` charges a missing or extra character half what a changed one costs — the
    variants that matter (软件 / 软件园, a dropped 市) — and, once regions and company forms are
    gone, one changed character in a four-character core (清风软件 / 清峰软件, 75) stays below
    the default threshold, as it should: those are usually different companies.

Blocking (exact, not heuristic)
    Each core, padded as ^core$, is a set of character bigrams (a repeated bigram counted per
    occurrence). If ratio(a, b) ≥ t then LCS ≥ L = ⌈t·(|a|+|b|)/200⌉, and the padded strings
    share at least 3L − (|a|+|b|) + 1 bigrams: the LCS falls into at most d + 1 runs that are
    contiguous in both strings (d = the Indel distance), and a run of k characters carries
    k − 1 shared bigrams. With bigrams ordered rarest first, two sets sharing ≥ α bigrams share
    one among their first (size − α + 1) — the prefix filter of set-similarity joins. Only
    prefixes are indexed and probed, only lengths that can reach t are looked at, and every
    candidate is scored exactly; no pair at or above the threshold is lost. For thresholds ≥ 70
    (enforced) α ≥ 1 for every pair of lengths.

Vectorised
    Cores are grouped by length into dense code-point arrays (numpy); bigram ranks, prefixes,
    the posting-list join and the length window are array operations; candidates are scored in
    C by ``rapidfuzz.process.cpdist`` on all cores (``workers=-1``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

DEFAULT_THRESHOLD = 85.0
MIN_THRESHOLD = 70.0
#: Cores longer than this are compared on their first MAX_CORE characters (none are, in practice).
MAX_CORE = 100
_BOS, _EOS = 0x1FFFFE, 0x1FFFFF
_SHIFT = 21  # code points fit in 21 bits
_OCC_SHIFT = 42
#: Queries handled per block, bounding the memory of one block's candidate pairs.
BLOCK = 20_000

Ints = NDArray[np.int64]


def check_threshold(threshold: float) -> float:
    if not MIN_THRESHOLD <= threshold <= 100:
        raise ValueError(f"匹配阈值应在 {MIN_THRESHOLD:.0f} 到 100 之间")
    return float(threshold)


def min_lcs(threshold: float, total: int) -> int:
    """The least LCS two strings of these total length need to score ≥ threshold."""
    return math.ceil(threshold * total / 200 - 1e-9)


def can_reach(threshold: float, la: int, lb: int) -> bool:
    """Whether strings of these lengths can score ≥ threshold at all (LCS ≤ the shorter)."""
    return min_lcs(threshold, la + lb) <= min(la, lb)


def min_overlap(threshold: float, la: int, lb: int) -> int:
    """Padded bigrams two such strings share at least when they score ≥ threshold."""
    return 3 * min_lcs(threshold, la + lb) - (la + lb) + 1


def length_window(threshold: float, la: int) -> tuple[int, int]:
    """The entry lengths a query of length la can match."""
    low = next(lb for lb in range(1, la + 1) if can_reach(threshold, la, lb))
    high = la
    while high < MAX_CORE and can_reach(threshold, la, high + 1):
        high += 1
    return low, high


def prefix_size(threshold: float, length: int, partner: int) -> int:
    """How many of a core's rarest bigrams must be indexed / probed to find every partner of
    the given length (size − α + 1)."""
    alpha = min_overlap(threshold, length, partner)
    assert alpha >= 1, "threshold below the blocking's guarantee"
    return (length + 1) - alpha + 1


def partners(threshold: float, length: int) -> range:
    low, high = length_window(threshold, length)
    return range(low, high + 1)


def _bigrams(cores: Sequence[str], length: int) -> Ints:
    """(n, length + 1) padded bigram tokens, one row per core, a repeat marked by occurrence."""
    points = np.frombuffer("".join(cores).encode("utf-32-le"), dtype=np.uint32)
    grid = np.empty((len(cores), length + 2), dtype=np.int64)
    grid[:, 0], grid[:, -1] = _BOS, _EOS
    grid[:, 1:-1] = points.reshape(len(cores), length)
    tokens = np.sort((grid[:, :-1] << _SHIFT) | grid[:, 1:], axis=1)
    repeats = tokens[:, 1:] == tokens[:, :-1]
    if repeats.any():
        occurrence = np.zeros(tokens.shape, dtype=np.int64)
        for column in range(1, tokens.shape[1]):
            occurrence[:, column] = np.where(repeats[:, column - 1],
                                             occurrence[:, column - 1] + 1, 0)
        tokens = tokens | (occurrence << _OCC_SHIFT)
    return tokens


def _characters(cores: Sequence[str], length: int) -> NDArray[np.int32]:
    """(n, length) code points, ascending per row, a repeat marked by occurrence (bit 21+)."""
    points = np.frombuffer("".join(cores).encode("utf-32-le"), dtype=np.uint32)
    chars = np.sort(points.reshape(len(cores), length).astype(np.int32), axis=1)
    repeats = chars[:, 1:] == chars[:, :-1]
    if repeats.any():
        occurrence = np.zeros(chars.shape, dtype=np.int32)
        for column in range(1, length):
            occurrence[:, column] = np.where(repeats[:, column - 1],
                                             occurrence[:, column - 1] + 1, 0)
        chars = chars | (occurrence << _SHIFT)
    return chars


def _by_length(cores: Sequence[str]) -> dict[int, Ints]:
    lengths = np.fromiter((len(c) for c in cores), dtype=np.int64, count=len(cores))
    order = np.argsort(lengths, kind="stable")
    groups: dict[int, Ints] = {}
    bounds = np.flatnonzero(np.diff(lengths[order])) + 1
    for chunk in np.split(order, bounds):
        if len(chunk) and lengths[chunk[0]] > 0:
            groups[int(lengths[chunk[0]])] = chunk
    return groups


def _clip(cores: Sequence[str]) -> list[str]:
    return [c[:MAX_CORE] for c in cores]


@dataclass
class NameIndex:
    """List entries' cores, indexed by the rarest bigrams of each (see the module docstring)."""

    cores: list[str]
    threshold: float
    vocabulary: Ints  # known tokens, sorted
    ranks: Ints  # rank of each vocabulary token in the global order (rarest first)
    lengths: Ints  # each entry's core length
    chars: NDArray[np.int32]  # each entry's characters (see _characters), then −1 as filler
    keys: Ints  # posting keys: (rank · 128 + entry length) · 128 + query length, sorted
    entry_ids: Ints  # the entry of each posting

    def rank(self, tokens: Ints) -> Ints:
        """Global rank of each token; −1 (before all) for tokens no entry has."""
        if not len(self.vocabulary):
            return np.full(tokens.shape, -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.vocabulary, tokens), len(self.vocabulary) - 1)
        return np.where(self.vocabulary[at] == tokens, self.ranks[at], -1)


def build_index(cores: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> NameIndex:
    """Index list entries' cores for ``match`` at this threshold."""
    threshold = check_threshold(threshold)
    cores = _clip(cores)
    groups = {length: (ids, _bigrams([cores[i] for i in ids], length))
              for length, ids in _by_length(cores).items()}
    every = [tokens.ravel() for _, tokens in groups.values()]
    vocabulary, frequency = (np.unique(np.concatenate(every), return_counts=True) if every
                             else (np.empty(0, np.int64), np.empty(0, np.int64)))
    ranks = np.empty(len(vocabulary), dtype=np.int64)
    ranks[np.lexsort((vocabulary, frequency))] = np.arange(len(vocabulary))
    width = max(groups, default=0) + 1
    index = NameIndex(cores, threshold, vocabulary, ranks,
                      np.fromiter((len(c) for c in cores), np.int64, len(cores)),
                      np.full((len(cores), max(width - 1, 1)), -1, dtype=np.int32),
                      np.empty(0, np.int64), np.empty(0, np.int64))
    keys, ids = [], []
    for length, (entry_ids, tokens) in groups.items():
        ranked = np.sort(index.rank(tokens), axis=1)
        index.chars[entry_ids, :length] = _characters([cores[i] for i in entry_ids], length)
        for partner in partners(threshold, length):
            size = prefix_size(threshold, length, partner)
            keys.append(((ranked[:, :size] * 128 + length) * 128 + partner).ravel())
            ids.append(np.repeat(entry_ids, size))
    if keys:
        all_keys, all_ids = np.concatenate(keys), np.concatenate(ids)
        order = np.argsort(all_keys, kind="stable")
        index.keys, index.entry_ids = all_keys[order], all_ids[order]
    return index


def _probe(index: NameIndex, ranked: Ints, length: int, partner: int) -> tuple[Ints, Ints]:
    """(row in the block, entry) pairs sharing a bigram among their prefixes for these lengths."""
    prefix = ranked[:, :prefix_size(index.threshold, length, partner)]
    rows = np.repeat(np.arange(len(ranked)), prefix.shape[1])
    flat = prefix.ravel()
    known = flat >= 0
    keys = (flat[known] * 128 + partner) * 128 + length
    start = np.searchsorted(index.keys, keys, side="left")
    stop = np.searchsorted(index.keys, keys, side="right")
    counts = stop - start
    total = int(counts.sum())
    if not total:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    offsets = np.repeat(start - (np.cumsum(counts) - counts), counts) + np.arange(total)
    return np.repeat(rows[known], counts), index.entry_ids[offsets]


def _shared_enough(index: NameIndex, chars: NDArray[np.int32], rows: Ints, entries: Ints,
                   length: int, partner: int) -> NDArray[np.bool_]:
    """Whether each candidate shares at least the least LCS in characters (the count filter:
    an LCS never exceeds the characters two strings have in common). It drops the many pairs
    that share a trade and one brand character — 瑞丰达网络技术 / 瑞华兴网络技术 — cheaply."""
    need = min_lcs(index.threshold, length + partner)
    keep = np.empty(len(rows), dtype=np.bool_)
    step = max(1, 2_000_000 // (length * partner))
    for start in range(0, len(rows), step):
        left = chars[rows[start:start + step]]
        right = index.chars[entries[start:start + step], :partner]
        equal = left[:, :, None] == right[:, None, :]
        keep[start:start + step] = np.count_nonzero(equal.reshape(len(left), -1), axis=1) >= need
    return keep


def _candidates(index: NameIndex, cores: Sequence[str], length: int) -> tuple[Ints, Ints]:
    """(row in the block, entry) pairs that pass the prefix, length and count filters."""
    ranked = np.sort(index.rank(_bigrams(cores, length)), axis=1)
    chars = _characters(cores, length)
    found_q, found_e = [], []
    for partner in partners(index.threshold, length):
        rows, entries = _probe(index, ranked, length, partner)
        if len(rows):
            keep = _shared_enough(index, chars, rows, entries, length, partner)
            found_q.append(rows[keep])
            found_e.append(entries[keep])
    if not found_q:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(found_q), np.concatenate(found_e)


@dataclass(frozen=True)
class Pairs:
    """Matched (query, entry) pairs with their scores, each pair once."""

    queries: Ints
    entries: Ints
    scores: NDArray[np.float64]
    scored: int  # candidate pairs scored to find them

    def __len__(self) -> int:
        return len(self.queries)


def _score(queries: NDArray[np.object_], entries: list[str], q: Ints, e: Ints, threshold: float,
           workers: int) -> NDArray[np.float64]:
    from rapidfuzz import fuzz, process

    right = np.asarray(entries, dtype=object)[e]
    return np.asarray(process.cpdist(queries[q], right, scorer=fuzz.ratio, score_cutoff=threshold,
                                     workers=workers), dtype=np.float64)


def _blocks(groups: dict[int, Ints]) -> Iterator[tuple[int, Ints]]:
    for length, ids in groups.items():
        for start in range(0, len(ids), BLOCK):
            yield length, ids[start:start + BLOCK]


def _match_block(index: NameIndex, queries: NDArray[np.object_], length: int, ids: Ints
                 ) -> tuple[Ints, Ints, NDArray[np.float64], int]:
    rows, e = _candidates(index, list(queries[ids]), length)
    if not len(rows):
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, np.float64), 0
    q = ids[rows]
    scores = _score(queries, index.cores, q, e, index.threshold, 1)
    keep = scores >= index.threshold
    return q[keep], e[keep], scores[keep], len(q)


def match(index: NameIndex, cores: Sequence[str], *, workers: int = -1) -> Pairs:
    """Every (query, entry) pair whose cores score ≥ the index's threshold. Blocks of queries
    run on ``workers`` threads (−1: one per core): numpy and rapidfuzz release the GIL."""
    queries = np.asarray(_clip(cores), dtype=object)
    blocks = list(_blocks(_by_length(list(queries))))
    threads = (os.cpu_count() or 1) if workers < 1 else workers
    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(blocks)))) as pool:
        done = list(pool.map(lambda block: _match_block(index, queries, *block), blocks))
    return _unique([d[0] for d in done], [d[1] for d in done], [d[2] for d in done],
                   sum(d[3] for d in done), len(index.cores))


def _unique(qs: list[Ints], es: list[Ints], ss: list[NDArray[np.float64]], scored: int,
            entries: int) -> Pairs:
    if not qs:
        empty = np.empty(0, np.int64)
        return Pairs(empty, empty, np.empty(0, np.float64), scored)
    q, e, s = np.concatenate(qs), np.concatenate(es), np.concatenate(ss)
    _, first = np.unique(q * max(entries, 1) + e, return_index=True)
    return Pairs(q[first], e[first], s[first], scored)


def match_exhaustive(entries: Sequence[str], cores: Sequence[str],
                     threshold: float = DEFAULT_THRESHOLD, *, workers: int = -1) -> Pairs:
    """The same pairs by scoring every query against every entry (``process.cdist``): the
    baseline the blocked join is measured against."""
    from rapidfuzz import fuzz, process

    threshold = check_threshold(threshold)
    queries, choices = _clip(cores), _clip(entries)
    found_q, found_e, found_s = [], [], []
    step = max(1, 20_000_000 // max(len(choices), 1))
    for start in range(0, len(queries), step):
        matrix = process.cdist(queries[start:start + step], choices, scorer=fuzz.ratio,
                               score_cutoff=threshold, workers=workers, dtype=np.float32)
        q, e = np.nonzero(matrix >= threshold)
        found_q.append(q.astype(np.int64) + start)
        found_e.append(e.astype(np.int64))
        found_s.append(matrix[q, e].astype(np.float64))
    return _unique(found_q, found_e, found_s, len(queries) * len(choices), len(choices))
