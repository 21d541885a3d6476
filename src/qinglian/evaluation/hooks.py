"""Extension points other apps plug into, so that this app never imports them.

``register_exemplar_blocker``: the monitoring app (open alerts), the credit app (blacklist) and
the discipline app (sanctions in force) each register a function that says, in Chinese, why an
enterprise may not be nominated an exemplar (示范企业). None of those apps exists yet; the list
is empty until they do.
"""

from __future__ import annotations

from collections.abc import Callable

from qinglian.registry.models import Organisation

Blocker = Callable[[Organisation], list[str]]

EXEMPLAR_BLOCKERS: list[Blocker] = []


def register_exemplar_blocker(fn: Blocker) -> Blocker:
    EXEMPLAR_BLOCKERS.append(fn)
    return fn


def exemplar_blockers(enterprise: Organisation) -> list[str]:
    return [reason for blocker in EXEMPLAR_BLOCKERS for reason in blocker(enterprise)]
