"""Administrative division codes (行政区划代码) from python-stdnum's table of county codes."""

from __future__ import annotations

import re
from functools import cache

from stdnum import numdb

_SPAN = re.compile(r"^\[(\d{4})?-(\d{4})?\]")

#: Districts created after python-stdnum's table was compiled, with the year of the State
#: Council's approval. Add a line here when a newer division appears before a package update.
SUPPLEMENT: dict[str, tuple[str, int]] = {
    "330113": ("临平区", 2021),  # 国函〔2021〕23号: 余杭区 split into 余杭区 and 临平区
    "330114": ("钱塘区", 2021),  # 国函〔2021〕23号: 钱塘区 set up from 江干区 parts and 大江东
}


def _clean(name: str) -> tuple[str, bool]:
    """'[1983-2021]下城区' → ('下城区', False); '[1983-]西湖区' → ('西湖区', True)."""
    match = _SPAN.match(name)
    if not match:
        return name, True
    return name[match.end():], match.group(2) is None


@cache
def region_name(code: str) -> str | None:
    """Full name for a current six-digit code, e.g. 330106 → 浙江省杭州市西湖区; None if unknown."""
    if not re.fullmatch(r"\d{6}", code or ""):
        return None
    if code in SUPPLEMENT:
        prefecture = region_name(code[:4] + "00")
        return None if prefecture is None else prefecture + SUPPLEMENT[code][0]
    parts = numdb.get("cn/loc").info(code)
    if len(parts) < 2 or "county" not in parts[1][1]:
        return None
    province = parts[0][1].get("province", "")
    county, current = _clean(parts[1][1]["county"])
    if not current:
        return None
    if code.endswith("0000"):
        return province
    if code.endswith("00"):
        # Municipalities list 市辖区/县 as their "prefecture": the province name stands for it.
        return province if county in {"市辖区", "县", "省直辖县级行政区划"} else province + county
    prefecture = region_name(code[:4] + "00")
    if prefecture is None:
        return None
    return (prefecture if not prefecture.endswith(county) else "") + county


def is_valid_region(code: str) -> bool:
    return region_name(code) is not None


def short_region_name(code: str) -> str:
    """The name within its prefecture, as people say it locally: 330106 → 西湖区.

    Prefectures and provinces keep their own name (330100 → 杭州市); unknown codes come back as
    they are, so a stale code is still visible rather than hidden.
    """
    full = region_name(code)
    if full is None:
        return code
    if code.endswith("00"):
        return full.removeprefix(region_name(code[:2] + "0000") or "") or full
    prefecture = region_name(code[:4] + "00") or region_name(code[:2] + "0000") or ""
    return full.removeprefix(prefecture) or full
