"""The credit app's hooks into other apps: an enterprise on the blacklist in force may not be
nominated an exemplar, fails the eligibility check (资格联审), and is a platform list every
organisation's partner screening (合作方筛查) checks against.

Imported from ``CreditConfig.ready``; the evaluation app never imports the credit app.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone

from qinglian.core.formatting import chinese_date
from qinglian.evaluation.eligibility import register_batch_rule
from qinglian.evaluation.hooks import register_exemplar_blocker
from qinglian.registry.models import Organisation
from qinglian.screening.sources import PlatformEntry, register_platform_source

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


def blacklisted(enterprises: Sequence[Organisation], on: dt.date) -> dict[int, list[str]]:
    """The eligibility rule, for all nominees' enterprises in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    listings = (Listing.objects.filter(public_listings_q(on), list_kind=ListKind.BLACK,
                                       organisation__in=[e.pk for e in enterprises])
                .order_by("organisation_id", "effective_on", "pk"))
    for listing in listings:
        assert listing.organisation_id is not None
        found[listing.organisation_id].append(
            f"列入黑名单（{listing.number}，{chinese_date(listing.effective_on)}至"
            f"{chinese_date(listing.expires_on)}）：{listing.reasons}")
    return dict(found)


def blacklist_entries(organisation: Organisation) -> list[PlatformEntry]:
    """The blacklist in force in the screening organisation's jurisdiction, as it is public."""
    federation_id = organisation.pk if organisation.federation_id is None \
        else organisation.federation_id
    listings = (Listing.objects.filter(public_listings_q(timezone.localdate()),
                                       list_kind=ListKind.BLACK, federation_id=federation_id)
                .order_by("effective_on", "pk")
                .only("number", "subject_name", "subject_code", "basis", "effective_on"))
    return [PlatformEntry(ref=listing.number, name=listing.subject_name,
                          uscc=listing.subject_code, reason=f"列入黑名单：{listing.basis}",
                          listed_on=listing.effective_on) for listing in listings]


def register() -> None:
    """Register the blocker and the rule once (idempotent)."""
    from qinglian.evaluation import eligibility, hooks

    if blacklist_blocks_exemplar not in hooks.EXEMPLAR_BLOCKERS:
        register_exemplar_blocker(blacklist_blocks_exemplar)
    if "blacklist" not in eligibility.RULES:
        register_batch_rule("blacklist", "列入黑名单")(blacklisted)
    register_platform_source("blacklist", "失信黑名单（本辖区公示中）", blacklist_entries)


register()
