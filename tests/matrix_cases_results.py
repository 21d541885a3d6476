"""Permission matrix rows for the result pages and exemplars (评价结果、示范企业).

The objects come from a published campaign built once per city through the real actions
(``results_world``): 华为 (enterprises[0], the enterprise user's own, reviewed by the chamber
officer's 互联网商会) reaches 标杆 and is nominated an exemplar; 瓯江 (enterprises[2]) belongs to
the other chamber, so the chamber officer and the enterprise user get 404 for its result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

A = {200}
R = {302}
F = {403}
N = {404}
DONE = {200, 302}


def results_world(city: Any) -> Any:
    """A published 2024 campaign with one nominated exemplar, cached on the city."""
    cached = getattr(city, "_results_world", None)
    if cached is None:
        from qinglian.core.choices import Role
        from qinglian.evaluation.result_actions import do_nominate_exemplar
        from tests.evaluation.world import open_campaign, publish

        cached = publish(city, open_campaign(city, year=2024, name="2024 年度清廉企业评价"))
        cached.exemplar = do_nominate_exemplar(
            cached.campaign, city.enterprises[0], citation="制度健全，示范带动作用明显",
            actor=city.users[Role.FEDERATION_OFFICER])
        city._results_world = cached
    return cached


def _result(city: Any, index: int) -> int:
    return int(results_world(city).of(city.enterprises[index]).pk)


def _campaign(city: Any) -> int:
    return int(results_world(city).campaign.pk)


def _exemplar(city: Any) -> int:
    return int(results_world(city).exemplar.pk)


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    case("result_index", lambda c: "/evaluation/results/", statuses(A, dept=F))
    case("result_detail", lambda c: f"/evaluation/results/{_result(c, 0)}/", statuses(A, dept=F))
    case("result_detail", lambda c: f"/evaluation/results/{_result(c, 2)}/",
         statuses(A, chamber=N, ent=N, dept=F), label="（其他商会的企业）")
    case("result_campaign", lambda c: f"/evaluation/results/campaigns/{_campaign(c)}/",
         statuses(A, ent=F, dept=F))
    case("result_campaign", lambda c: f"/evaluation/results/campaigns/{_campaign(c)}/?export=xlsx",
         statuses(A, ent=F, dept=F), label="（导出）")
    case("exemplar_roll", lambda c: "/evaluation/exemplars/", statuses(A, dept=F))
    case("exemplar_list", lambda c: f"/evaluation/exemplars/campaigns/{_campaign(c)}/",
         statuses(A, dept=F))
    case("exemplar_nominate", lambda c: f"/evaluation/exemplars/campaigns/{_campaign(c)}/nominate/",
         statuses(F, admin=A, fed=A))
    case("exemplar_publish", lambda c: f"/evaluation/exemplars/{_exemplar(c)}/publish/",
         statuses(F, admin=R, fed=R), method="post")
    case("exemplar_withdraw", lambda c: f"/evaluation/exemplars/{_exemplar(c)}/withdraw/",
         statuses(F, admin=R, fed=R), method="post")
