"""From parties and list entries to hits, each with its score, method and reason in words.

1. **USCC first.** A party whose unified social credit code equals an entry's is a hit at 100,
   whatever the names say.
2. **Then names** (``matching``): every pair whose cores score ≥ the threshold.
3. **Secondary identifiers lower a name score**: both names carry regions that cannot be the
   same place (杭州 / 上海), or both carry credit codes and they differ — each by
   ``CONFLICT_PENALTY``. Two companies called 清风软件 in two cities are usually two companies,
   so at the default threshold the pair still shows (100 − 10 = 90) but ranks below a clean
   match, and with both conflicts (80) it drops out.

The same rules run in the web action, the API and the benchmark, and in the exhaustive
baseline the benchmark compares against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from qinglian.core.normalise import NormalisedName, regions_compatible, short_region

from .matching import DEFAULT_THRESHOLD, NameIndex, Pairs, build_index, match

CONFLICT_PENALTY = 10.0
METHOD_USCC = "uscc"
METHOD_NAME = "name"


@dataclass(frozen=True, slots=True)
class Named:
    """A party or a list entry as the matcher sees it."""

    name: str
    uscc: str
    normalised: NormalisedName


@dataclass(frozen=True, slots=True)
class Found:
    """A hit: party and entry positions, how it was found, the score and why."""

    party: int
    entry: int
    method: str
    score: float
    explanation: str


def _uscc_hits(parties: Sequence[Named], entries: Sequence[Named]) -> list[Found]:
    by_code: dict[str, list[int]] = defaultdict(list)
    for position, entry in enumerate(entries):
        if entry.uscc:
            by_code[entry.uscc].append(position)
    found = []
    for position, party in enumerate(parties):
        for entry_position in by_code.get(party.uscc, ()) if party.uscc else ():
            entry = entries[entry_position]
            reason = f"统一社会信用代码相同（{party.uscc}）"
            if party.normalised.core != entry.normalised.core:
                reason += f"；名称不同：“{party.name}” / “{entry.name}”"
            found.append(Found(position, entry_position, METHOD_USCC, 100.0, reason))
    return found


def _conflicts(party: Named, entry: Named) -> list[str]:
    notes = []
    mine, theirs = party.normalised.region, entry.normalised.region
    if not regions_compatible(mine, theirs):
        notes.append(f"地区不同（“{short_region(mine)}” / “{short_region(theirs)}”），可能不是同一企业")
    if party.uscc and entry.uscc and party.uscc != entry.uscc:
        notes.append("统一社会信用代码不同，可能不是同一企业")
    return notes


def _quoted(values: list[str]) -> str:
    return "".join(f"“{v}”" for v in dict.fromkeys(values))


def _differences(party: NormalisedName, entry: NormalisedName) -> str:
    """What normalisation did on either side, in words: 去除地区前缀“上海”“杭州”、公司形式
    “有限公司”，繁体字转为简体 ("" when nothing)."""
    both = (party, entry)
    removed = []
    if regions := [r for n in both for r in n.regions]:
        removed.append(f"地区前缀{_quoted(regions)}")
    if forms := [f for n in both for f in n.forms]:
        removed.append(f"公司形式{_quoted(forms)}")
    if branches := [n.branch for n in both if n.branch]:
        removed.append(f"分支机构{_quoted(branches)}")
    converted = [text for flag, text in (
        (party.traditional or entry.traditional, "繁体字转为简体"),
        (party.fullwidth or entry.fullwidth, "全角字符转为半角")) if flag]
    parts = (["去除" + "、".join(removed)] if removed else []) + (["、".join(converted)] if converted else [])
    return "，".join(parts)


def explain_name(party: Named, entry: Named, score: float, notes: Sequence[str]) -> str:
    """Why two names matched: 去除地区前缀“杭州”、公司形式“有限公司”后名称主体“清风软件”相同,
    or how similar the cores are; then any conflict."""
    a, b = party.normalised, entry.normalised
    done = _differences(a, b)
    if a.core == b.core:
        text = f"{done}后名称主体“{a.core}”相同" if done else f"名称主体“{a.core}”相同"
    else:
        text = f"名称主体“{a.core}”与“{b.core}”相似（相似度 {score:.1f}）"
        if done:
            text += f"，比较前已{done}"
    return "；".join([text, *notes])


def _name_hits(parties: Sequence[Named], entries: Sequence[Named], pairs: Pairs,
               threshold: float, taken: set[tuple[int, int]]) -> list[Found]:
    found = []
    for p, e, raw in zip(pairs.queries.tolist(), pairs.entries.tolist(), pairs.scores.tolist(),
                         strict=True):
        if (p, e) in taken:
            continue
        notes = _conflicts(parties[p], entries[e])
        score = raw - CONFLICT_PENALTY * len(notes)
        if score >= threshold:
            found.append(Found(p, e, METHOD_NAME, score,
                               explain_name(parties[p], entries[e], raw, notes)))
    return found


def find_hits(parties: Sequence[Named], entries: Sequence[Named], *,
              threshold: float = DEFAULT_THRESHOLD, index: NameIndex | None = None,
              pairs: Pairs | None = None) -> list[Found]:
    """Every hit of the parties against the entries: by USCC, then by name (module docstring).
    ``index`` may be built once and reused; ``pairs`` (the name pairs, e.g. from the exhaustive
    baseline) replaces the blocked join."""
    by_code = _uscc_hits(parties, entries)
    if pairs is None:
        index = index or build_index([e.normalised.core for e in entries], threshold)
        pairs = match(index, [p.normalised.core for p in parties])
    taken = {(f.party, f.entry) for f in by_code}
    return by_code + _name_hits(parties, entries, pairs, threshold, taken)
