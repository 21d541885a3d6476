"""The credit app's hooks into the integrity-index app: an enterprise on the blacklist in
force may not be nominated an exemplar, and fails the eligibility check (资格联审).

Imported from ``CreditConfig.ready``; the evaluation app never imports the credit app.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qinglian.core.formatting import chinese_date
from qinglian.evaluation.eligibility import register_rule
from qinglian.evaluation.hooks import register_exemplar_blocker
from qinglian.registry.models import Organisation

from .choices import ListKind
from .models import Listing
from .queries import public_listings_q

EXEMPLAR_REASON = "列入黑名单（在公示期内）"


def _blacklistings(enterprise: Organisation, on: dt.date) -> list[Listing]:
    return list(Listing.objects.filter(public_listings_q(on), organisation=enterprise,
                                       list_kind=ListKind.BLACK).order_by("effective_on"))


def blacklist_blocks_exemplar(enterprise: Organisation) -> list[str]:
    listings = _blacklistings(enterprise, timezone.localdate())
    return [f"{EXEMPLAR_REASON}：{listing.number}，至 {chinese_date(listing.expires_on)}"
            for listing in listings]


def blacklisted(enterprise: Organisation, on: dt.date) -> list[str]:
    return [f"列入黑名单（{listing.number}，{chinese_date(listing.effective_on)}至"
            f"{chinese_date(listing.expires_on)}）：{listing.reasons[:80]}"
            for listing in _blacklistings(enterprise, on)]


def register() -> None:
    """Register the blocker and the rule once (idempotent)."""
    from qinglian.evaluation import eligibility, hooks

    if blacklist_blocks_exemplar not in hooks.EXEMPLAR_BLOCKERS:
        register_exemplar_blocker(blacklist_blocks_exemplar)
    if "blacklist" not in eligibility.RULES:
        register_rule("blacklist", "列入黑名单")(blacklisted)


register()
