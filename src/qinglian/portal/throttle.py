"""Per-address rate limits for the public portal, counted in the cache.

A fixed window per address and bucket: ``"30/m"`` allows 30 requests a minute. The counter lives
in the default cache, so every worker shares it when the cache is shared (file or Redis; with
the per-process default each worker counts alone). Exceeding it gives a friendly 429 page.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from qinglian.core.middleware import client_ip

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """("30/m") → (30, 60); "0" or an empty string turns the limit off: (0, 0)."""
    count, _, unit = (rate or "0").partition("/")
    limit = int(count or 0)
    return (limit, _UNITS.get(unit[:1] or "m", 60)) if limit > 0 else (0, 0)


def retry_after(request: HttpRequest, bucket: str) -> int | None:
    """Count this request; the seconds to wait when the address is over its limit, else None."""
    limit, window = parse_rate(getattr(settings, f"PORTAL_{bucket.upper()}_RATE", "0"))
    if not limit:
        return None
    now = int(time.time())
    start = now - now % window
    key = f"portal:rate:{bucket}:{client_ip(request) or 'unknown'}:{start}"
    cache.add(key, 0, timeout=window + 5)
    try:
        hits = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        hits = 1
    if hits > limit:
        return max(1, start + window - now)
    return None
