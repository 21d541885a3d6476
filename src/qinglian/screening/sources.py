"""Platform sources: lists the platform itself holds (the credit app's blacklist, sanctions in
force), screened against by every organisation. None is registered yet; an app adds its own in
its ``AppConfig.ready``::

    register_platform_source("blacklist", "失信黑名单", blacklisted_enterprises)

where the function takes the screening organisation and returns ``PlatformEntry``s (the entries
that organisation may be screened against). This module never imports those apps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlatformEntry:
    """One name a platform source lists: ``ref`` identifies it within the source."""

    ref: str
    name: str
    uscc: str = ""
    reason: str = ""
    listed_on: dt.date | None = None


EntriesFn = Callable[[Any], Iterable[PlatformEntry]]


@dataclass(frozen=True)
class PlatformSource:
    code: str
    name: str
    entries: EntriesFn


SOURCES: dict[str, PlatformSource] = {}


def register_platform_source(code: str, name: str, fn: EntriesFn) -> None:
    """Add a platform list to every screening from now on (registration order is kept)."""
    SOURCES[code] = PlatformSource(code, name, fn)


def platform_sources() -> list[PlatformSource]:
    return list(SOURCES.values())
