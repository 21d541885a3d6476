"""The only code that writes screenings, hits and suppressions. Atomic and audited.

``do_screen_parties`` checks counterparties against every list that applies to the
organisation (``queries.applicable_lists``, plus the platform sources), by USCC first and then
by name (``hits.find_hits``), and keeps the screening whatever it found. A party and an entry
once judged a false positive by this organisation are not raised again: they are counted as
已排除（此前判定为误报） on the party and the screening, never silently dropped.

``do_review_hit`` moves a hit through ``workflow.HIT_FLOW``; marking a false positive
remembers it (``Suppression``), reopening one lifts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qinglian.core.audit import record_change, record_event, snapshot
from qinglian.core.choices import AuditAction
from qinglian.core.locking import lock
from qinglian.core.models import User
from qinglian.core.normalise import company_names
from qinglian.core.permissions import WRITE, require, restrict
from qinglian.registry.models import Organisation

from .choices import HitMethod, HitStatus, InputKind
from .hits import Found, Named, find_hits
from .lists import ListError, PartyLine, check_parties
from .matching import DEFAULT_THRESHOLD, MIN_THRESHOLD, NameIndex, build_index
from .models import Hit, ScreenedParty, Screening, Suppression, WatchList
from .queries import applicable_lists, home_id
from .sources import platform_sources
from .workflow import HIT_FLOW

Actor = User | None


@dataclass(frozen=True)
class Target:
    """A name screened against: where it comes from and what to copy into a hit."""

    ref: str  # entry_ref(...) for a list entry, or "platform:<code>:<ref>"
    list_name: str
    named: Named
    reason: str = ""
    entry_id: int | None = None


def _in_force(on: dt.date) -> Q:
    """Entries screened against on a day: those without an end date or not yet expired."""
    return Q(expires_on__isnull=True) | Q(expires_on__gte=on)


#: Targets and name index of recently used list sets, keyed by the lists' versions.

def entry_ref(list_id: int, uscc: str, core: str) -> str:
    """What a remembered false positive points at: the listed company within its list, by its
    credit code or else its normalised name — not the row, which a re-upload replaces."""
    return f"list:{list_id}:" + (f"uscc:{uscc}" if uscc else f"name:{core}")

_CACHE: dict[tuple[object, ...], tuple[list[Target], NameIndex]] = {}
_CACHE_SIZE = 4


def _list_targets(lists: Sequence[WatchList], on: dt.date, threshold: float
                  ) -> tuple[list[Target], NameIndex]:
    key = (on, threshold, *((w.pk, w.version, w.updated_at) for w in lists))
    if key in _CACHE:
        return _CACHE[key]
    rows = []
    for watch_list in lists:
        for entry in watch_list.entries.filter(_in_force(on)).order_by("line", "id"):
            rows.append((watch_list, entry))
    names = company_names([entry.name for _, entry in rows])
    targets = [Target(entry_ref(watch_list.pk, entry.uscc, n.core), watch_list.name,
                      Named(entry.name, entry.uscc, n), entry.reason, entry.pk)
               for (watch_list, entry), n in zip(rows, names, strict=True)]
    built = (targets, build_index([t.named.normalised.core for t in targets], threshold))
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = built
    return built


def _platform_targets(organisation: Organisation) -> tuple[list[Target], list[dict[str, object]]]:
    targets: list[Target] = []
    used: list[dict[str, object]] = []
    for source in platform_sources():
        entries = list(source.entries(organisation))
        names = company_names([e.name for e in entries])
        targets += [Target(f"platform:{source.code}:{e.ref}", source.name,
                           Named(e.name, e.uscc, n), e.reason)
                    for e, n in zip(entries, names, strict=True)]
        used.append({"kind": "platform", "code": source.code, "name": source.name,
                     "entries": len(entries)})
    return targets, used


def _check_request(organisation: Organisation, input_kind: str, threshold: int,
                   actor: Actor) -> None:
    if actor is not None:
        require(actor, "screening.screen")
        if home_id(actor) != organisation.pk:
            raise PermissionDenied("只能以本单位名义开展筛查")
    errors: dict[str, str] = {}
    if input_kind not in InputKind.values:
        errors["input_kind"] = "请选择录入方式"
    if not MIN_THRESHOLD <= threshold <= 100:
        errors["threshold"] = f"名称匹配阈值应在 {MIN_THRESHOLD:.0f} 到 100 之间"
    if errors:
        raise ValidationError(errors)


def _suppressed(organisation: Organisation) -> set[tuple[str, str]]:
    """(party key or "uscc:" + code, entry ref) pairs judged false positives and not lifted."""
    pairs: set[tuple[str, str]] = set()
    for key, code, ref in Suppression.objects.filter(
            organisation=organisation, lifted_at__isnull=True).values_list(
            "party_key", "party_uscc", "entry_ref"):
        pairs.add((key, ref))
        if code:
            pairs.add((f"uscc:{code}", ref))
    return pairs


def _is_suppressed(party: Named, ref: str, method: str, suppressed: set[tuple[str, str]]) -> bool:
    """A false positive judged on a name never hides an exact credit-code hit: only a
    suppression recorded for that same code does."""
    by_code = bool(party.uscc) and (f"uscc:{party.uscc}", ref) in suppressed
    if method == HitMethod.USCC:
        return by_code
    return by_code or (party.normalised.key, ref) in suppressed


@dataclass
class _Outcome:
    hits: list[tuple[int, Found]]  # (party position, found) kept
    suppressed: dict[int, int]  # party position → hits not raised


def _apply_suppressions(found: list[Found], parties: list[Named], targets: list[Target],
                        suppressed: set[tuple[str, str]]) -> _Outcome:
    outcome = _Outcome([], {})
    for hit in found:
        if _is_suppressed(parties[hit.party], targets[hit.entry].ref, hit.method, suppressed):
            outcome.suppressed[hit.party] = outcome.suppressed.get(hit.party, 0) + 1
        else:
            outcome.hits.append((hit.party, hit))
    return outcome


def _store(screening: Screening, lines: Sequence[PartyLine], parties: list[Named],
           targets: list[Target], outcome: _Outcome) -> None:
    counts: dict[int, int] = {}
    for position, _ in outcome.hits:
        counts[position] = counts.get(position, 0) + 1
    rows = ScreenedParty.objects.bulk_create([
        ScreenedParty(screening=screening, line=line.line, name=line.name, uscc=line.uscc,
                      core=named.normalised.core, key=named.normalised.key,
                      hit_count=counts.get(position, 0),
                      suppressed_count=outcome.suppressed.get(position, 0))
        for position, (line, named) in enumerate(zip(lines, parties, strict=True))
    ], batch_size=1000)
    Hit.objects.bulk_create([
        Hit(party=rows[position], entry_id=targets[found.entry].entry_id,
            entry_ref=targets[found.entry].ref, list_name=targets[found.entry].list_name,
            entry_name=targets[found.entry].named.name, entry_uscc=targets[found.entry].named.uscc,
            entry_reason=targets[found.entry].reason[:500], method=found.method,
            score=Decimal(f"{found.score:.1f}"), explanation=found.explanation[:1000])
        for position, found in outcome.hits
    ], batch_size=1000)


@transaction.atomic
def do_screen_parties(organisation: Organisation, *, parties: Sequence[PartyLine],
                      input_kind: str, title: str = "", threshold: int = int(DEFAULT_THRESHOLD),
                      actor: Actor, on: dt.date | None = None) -> Screening:
    """Screen counterparties for an organisation and keep the screening (module docstring).
    A bad list stores nothing (ValidationError naming every bad line)."""
    _check_request(organisation, input_kind, threshold, actor)
    try:
        lines = check_parties(parties)
    except ListError as exc:
        raise ValidationError({"parties": [e.describe() for e in exc.errors]}) from exc
    on = on or timezone.localdate()
    lists = list(applicable_lists(organisation))
    targets, index = _list_targets(lists, on, float(threshold))
    extra, used = _platform_targets(organisation)
    if extra:
        targets = [*targets, *extra]
        index = build_index([t.named.normalised.core for t in targets], float(threshold))
    named = [Named(line.name, line.uscc, n)
             for line, n in zip(lines, company_names([p.name for p in lines]), strict=True)]
    found = find_hits(named, [t.named for t in targets], threshold=float(threshold), index=index)
    outcome = _apply_suppressions(found, named, targets, _suppressed(organisation))
    screening = Screening.objects.create(
        organisation=organisation, screened_by=actor if actor is not None and actor.pk else None,
        title=title.strip()[:128], input_kind=input_kind, threshold=threshold,
        party_count=len(lines), hit_count=len(outcome.hits),
        flagged_count=len({position for position, _ in outcome.hits}),
        suppressed_count=sum(outcome.suppressed.values()),
        lists_used=[{"kind": w.kind, "id": w.pk, "name": w.name, "version": w.version,
                     "entries": w.entries.filter(_in_force(on)).count()} for w in lists] + used)
    _store(screening, lines, named, targets, outcome)
    record_change(screening, AuditAction.CREATE, actor=actor, after=snapshot(screening))
    record_event(screening, "screening.screened", actor=actor, details={
        "parties": screening.party_count, "hits": screening.hit_count,
        "flagged": screening.flagged_count, "suppressed": screening.suppressed_count,
        "lists": len(screening.lists_used)})
    return screening


def _require_review(hit: Hit, actor: Actor) -> None:
    if actor is None:
        return
    require(actor, "screening.review")
    if not restrict(Hit.objects.filter(pk=hit.pk), actor, WRITE).exists():
        raise PermissionDenied("只能复核本单位的筛查结果")


@transaction.atomic
def do_review_hit(hit: Hit, *, to: str, note: str = "", actor: Actor) -> Hit:
    """Confirm a hit, mark it a false positive (a reason is required; the pair is remembered
    and not raised again for this organisation), or reopen a decision."""
    _require_review(hit, actor)
    note = note.strip()
    if to == HitStatus.FALSE_POSITIVE and not note:
        raise ValidationError({"note": "判定为误报时请填写理由"})
    if len(note) > 500:
        raise ValidationError({"note": "复核意见不能超过 500 个字符"})
    lock(hit)
    before = hit.status
    HIT_FLOW.apply(hit, to=to, actor=actor, note=note,
                   changes={"reviewed_by": actor if actor is not None and actor.pk else None,
                            "note": note})
    if to == HitStatus.FALSE_POSITIVE:
        _remember(hit, actor)
    elif before == HitStatus.FALSE_POSITIVE:
        _lift(hit, actor)
    return hit


def _remember(hit: Hit, actor: Actor) -> None:
    party = hit.party
    suppression = Suppression.objects.create(
        organisation_id=party.screening.organisation_id, party_key=party.key,
        party_uscc=party.uscc, party_name=party.name, entry_ref=hit.entry_ref,
        entry_name=hit.entry_name, hit=hit,
        created_by=actor if actor is not None and actor.pk else None)
    record_change(suppression, AuditAction.CREATE, actor=actor, after=snapshot(suppression))


def _lift(hit: Hit, actor: Actor) -> None:
    for suppression in hit.suppressions.filter(lifted_at__isnull=True):
        before = snapshot(suppression)
        suppression.lifted_at = timezone.now()
        suppression.save(update_fields=["lifted_at"])
        record_change(suppression, AuditAction.UPDATE, actor=actor, before=before,
                      after=snapshot(suppression))
