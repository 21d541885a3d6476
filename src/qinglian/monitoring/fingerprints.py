"""Stable alert fingerprints: the same red flag on the same data is the same alert.

A fingerprint is the SHA-256 of the organisation, the rule code, the hit's group and subject,
and — for rules whose subject alone does not tell two findings apart — the rule's stable
evidence key. It never includes the run or the dataset version: re-running a rule on the
same (or a newer) ledger finds the same alert again and updates it instead of duplicating it.

A rule chooses its stable key with an optional ``fingerprint_key`` attribute:

* ``""`` (default): group and subject identify the finding;
* ``"occurred_on"``: the date the flagged activity began (e.g. the first order of a split
  purchase: one unit and vendor may split purchases in several separate windows);
* ``"evidence"``: the first evidence key (e.g. the earliest of a set of duplicate payments).
"""

from __future__ import annotations

import hashlib
from typing import Any

_SEPARATOR = "\x1f"


def stable_key(rule: Any, hit: Any) -> str:
    """The part of a hit, beyond group and subject, that identifies it (see module docs)."""
    kind = getattr(rule, "fingerprint_key", "") or ""
    if kind == "occurred_on":
        occurred = getattr(hit, "occurred_on", None)
        return occurred.isoformat() if occurred is not None else ""
    if kind == "evidence":
        evidence = tuple(getattr(hit, "evidence", ()) or ())
        return min(evidence) if evidence else ""
    return ""


def alert_fingerprint(organisation_id: int, code: str, group: str, subject: str,
                      key: str = "") -> str:
    text = _SEPARATOR.join((str(organisation_id), code, group, subject, key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hit_fingerprint(organisation_id: int, rule: Any, hit: Any) -> str:
    return alert_fingerprint(organisation_id, rule.code, hit.group, hit.subject,
                             stable_key(rule, hit))
