"""Permission matrix rows of the eligibility check (资格联审): pages and API.

Who reads checks: officers who run them (admin, fed, chamber — a chamber only the checks its own
officers ran) and auditors; enterprises and departments are refused (403). A check of another
federation answers 404 to everyone but the platform administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qinglian.evaluation.eligibility import do_check_eligibility
from qinglian.evaluation.eligibility_lists import NomineeEntry
from qinglian.evaluation.models import EligibilityCheck

A = {200}
R = {302}
F = {403}
N = {404}
U = {401}
C = {201}
V = {422}
HUAWEI = "914403001922038216"


def _check(city: Any, federation: Any, title: str) -> int:
    """A check run by the system (as the CLI would) in the federation; made once per test."""
    found = EligibilityCheck.objects.filter(federation=federation, title=title).first()
    if found is None:
        found = do_check_eligibility(federation, purpose="award", title=title, actor=None,
                                     entries=[NomineeEntry(1, HUAWEI, "华为")])
    return found.pk


def _home(city: Any) -> int:
    return _check(city, city.federation, "矩阵：本辖区评优")


def _away(city: Any) -> int:
    return _check(city, city.other_federation, "矩阵：外辖区评优")


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    readers = {"ent": F, "dept": F}
    # --- pages --------------------------------------------------------------------------
    case("eligibility_list", lambda c: "/evaluation/eligibility/", statuses(A, **readers))
    case("eligibility_list", lambda c: "/evaluation/eligibility/?year=2026&purpose=award",
         statuses(A, **readers), label="（筛选）")
    case("eligibility_create", lambda c: "/evaluation/eligibility/new/",
         statuses(F, admin=A, fed=A, chamber=A))
    case("eligibility_create", lambda c: "/evaluation/eligibility/new/",
         statuses(F, admin=A, fed=R, chamber=R), method="post", label="（提交）",
         data=lambda c: {"purpose": "award", "title": "矩阵评优", "pasted": HUAWEI})
    case("eligibility_detail", lambda c: f"/evaluation/eligibility/{_home(c)}/",
         statuses(A, chamber=N, **readers))
    case("eligibility_detail", lambda c: f"/evaluation/eligibility/{_home(c)}/?export=xlsx",
         statuses(A, chamber=N, **readers), label="（导出）")
    case("eligibility_detail", lambda c: f"/evaluation/eligibility/{_away(c)}/",
         statuses(N, admin=A, **readers), label="（外辖区）")
    # --- API ----------------------------------------------------------------------------
    api = "/api/v1/evaluation"
    case("api:list_eligibility_checks", lambda c: f"{api}/eligibility-checks",
         statuses(A, anonymous=U, **readers))
    case("api:check_eligibility", lambda c: f"{api}/eligibility-checks",
         statuses(F, admin=V, fed=C, chamber=C, anonymous=U), method="post",
         data=lambda c: {"purpose": "award", "title": "矩阵评优",
                         "nominees": [{"identifier": HUAWEI}]})  # admin: names no federation
    case("api:get_eligibility_check", lambda c: f"{api}/eligibility-checks/{_home(c)}",
         statuses(A, chamber=N, anonymous=U, **readers))
    case("api:get_eligibility_check", lambda c: f"{api}/eligibility-checks/{_away(c)}",
         statuses(N, admin=A, anonymous=U, **readers), label="（外辖区）")
