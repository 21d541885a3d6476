"""Permission matrix rows of partner screening (合作方筛查): screenings, hit review, lists,
vendor–employee comparison.

Who reads: everyone but departments (403). An organisation screens, reviews and keeps lists for
itself; the federation and its auditors read the jurisdiction's screenings and lists; chambers
and enterprises read their federation's external lists. The platform administrator reads
everything and changes nothing (it has no organisation to screen for). Objects of another
federation answer 404 to everyone but the administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qinglian.core.choices import Role
from qinglian.screening.actions import do_screen_parties
from qinglian.screening.lists import PartyLine
from qinglian.screening.models import Hit, Screening, WatchList

from .screening.conftest import make_lists

A = {200}
R = {302}
F = {403}
N = {404}


def _list(city: Any, name: str) -> WatchList:
    if not WatchList.objects.filter(name="本企业限制交易名单").exists():
        make_lists(city)
    return WatchList.objects.get(name=name)


def _screening(city: Any, home: bool) -> Screening:
    organisation = city.enterprises[0] if home else city.outsider
    found = Screening.objects.filter(organisation=organisation).first()
    if found is None:
        _list(city, "本企业限制交易名单")
        actor = city.users[Role.ENTERPRISE_USER] if home else None
        found = do_screen_parties(organisation, parties=[PartyLine(1, "杭州清风软件有限公司")],
                                  input_kind="single", actor=actor)
    return found


def _own(c: Any) -> int:
    return _list(c, "本企业限制交易名单").pk


def _entry(c: Any) -> int:
    return _list(c, "本企业限制交易名单").entries.first().pk


def _hit(c: Any) -> int:
    return Hit.objects.filter(party__screening=_screening(c, True)).first().pk  # type: ignore[union-attr]


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    no_dept = {"dept": F}
    doers = {"fed": A, "chamber": A, "ent": A}
    posted = {"fed": R, "chamber": R, "ent": R}
    # --- screenings ---------------------------------------------------------------------
    case("screening_list", lambda c: "/screening/", statuses(A, **no_dept))
    case("screening_list", lambda c: "/screening/?q=清风", statuses(A, **no_dept), label="（查找）")
    case("screening_create", lambda c: "/screening/new/", statuses(F, **doers))
    case("screening_create", lambda c: "/screening/new/", statuses(F, **posted), method="post",
         data=lambda c: {"name": "杭州清风软件有限公司", "threshold": "85"}, label="（提交）")
    case("screening_detail", lambda c: f"/screening/{_screening(c, True).pk}/",
         statuses(A, chamber=N, **no_dept))
    case("screening_detail", lambda c: f"/screening/{_screening(c, True).pk}/?export=xlsx",
         statuses(A, chamber=N, **no_dept), label="（导出）")
    case("screening_detail", lambda c: f"/screening/{_screening(c, False).pk}/",
         statuses(N, admin=A, **no_dept), label="（外辖区）")
    case("hit_review", lambda c: f"/screening/hits/{_hit(c)}/review/",
         statuses(F, fed=N, chamber=N, ent=R), method="post",
         data=lambda c: {"to": "confirmed", "note": "矩阵"})
    # --- lists --------------------------------------------------------------------------
    case("watchlist_list", lambda c: "/screening/lists/", statuses(A, **no_dept))
    case("watchlist_create", lambda c: "/screening/lists/new/", statuses(F, **doers))
    case("watchlist_create", lambda c: "/screening/lists/new/", statuses(F, **posted),
         method="post", data=lambda c: {"kind": "own", "name": "矩阵名单"}, label="（提交）")
    case("watchlist_detail", lambda c: f"/screening/lists/{_own(c)}/",
         statuses(A, chamber=N, **no_dept))
    case("watchlist_detail", lambda c: f"/screening/lists/{_own(c)}/?export=xlsx",
         statuses(A, chamber=N, **no_dept), label="（导出）")
    case("watchlist_detail", lambda c: f"/screening/lists/{_list(c, '行业失信黑名单').pk}/",
         statuses(A, **no_dept), label="（外部名单）")
    case("watchlist_detail", lambda c: f"/screening/lists/{_list(c, '外辖区名单').pk}/",
         statuses(N, admin=A, **no_dept), label="（外辖区）")
    case("watchlist_add_entry", lambda c: f"/screening/lists/{_own(c)}/entries/",
         statuses(F, fed=N, chamber=N, ent=R), method="post",
         data=lambda c: {"name": "杭州矩阵科技有限公司"})
    case("watchlist_upload", lambda c: f"/screening/lists/{_own(c)}/upload/",
         statuses(F, fed=N, chamber=N, ent=A))
    case("watchentry_remove", lambda c: f"/screening/entries/{_entry(c)}/remove/",
         statuses(F, fed=N, chamber=N, ent=R), method="post")
    # --- vendors and employees ----------------------------------------------------------
    case("vendor_compare", lambda c: "/screening/vendors/compare/", statuses(F, **doers))
    case("vendor_compare", lambda c: "/screening/vendors/compare/", statuses(F, **doers),
         method="post", label="（未选文件）")
