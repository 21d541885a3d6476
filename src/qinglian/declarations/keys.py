"""The keys the registers group by, so that two spellings of one person or counterparty fall
into one row.

* a counterparty by its normalised company name (``core.normalise.company_name``): full-width
  and traditional characters, bracket styles, region prefixes and company forms do not split a
  counterparty (杭州清风软件有限公司 = 清风软件（杭州）有限公司); its branch stays apart;
* a declarant by the normalised name and the department: most declarants have no platform
  account and no entry in the people register, and two staff of one name rarely share a
  department.

Keys are stored when a declaration or interest is written; a change of the normaliser applies
to what is written afterwards.
"""

from __future__ import annotations

import unicodedata

from qinglian.core.normalise import company_name, person_name


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def counterparty_key(name: str) -> str:
    normalised = company_name(name)
    core = normalised.core or _plain(name)
    return f"{core}|{normalised.branch}" if normalised.branch else core


def person_key(name: str, department: str) -> str:
    return f"{person_name(name) or _plain(name)}|{_plain(department)}"
