"""Extension points inside the credit app, so that records never import ratings.

``on_records_changed(fn)``: ``fn(organisation_ids)`` runs inside the transaction that changed
those enterprises' records (the ratings recompute them), so a record and the rating it causes
commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Listener = Callable[[list[int]], None]
_LISTENERS: list[Listener] = []


def on_records_changed(fn: Listener) -> Listener:
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)
    return fn


def records_changed(organisation_ids: Iterable[int]) -> None:
    ids = sorted({pk for pk in organisation_ids if pk is not None})
    if not ids or not _LISTENERS:
        return

    for listener in _LISTENERS:
        listener(ids)
