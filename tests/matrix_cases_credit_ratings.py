"""Permission matrix rows for credit ratings (信用评级) and the rating model.

Objects come from ``ratings_world``, built once per city: every enterprise of both
federations rated under its federation's default model; 杭州 also has an inactive second
version. 华为 (enterprises[0]) is the enterprise user's own and a member of the chamber;
enterprises[2] belongs to the other chamber; the outsider and its model belong to 宁波.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

A = {200}
R = {302}
F = {403}
N = {404}


def ratings_world(city: Any) -> Any:
    cached = getattr(city, "_ratings_world", None)
    if cached is None:
        from types import SimpleNamespace

        from qinglian.credit import rating_actions
        from qinglian.credit.ratings import recompute_ratings

        recompute_ratings(city.federation.pk)
        recompute_ratings(city.other_federation.pk)
        spec = rating_actions.default_spec()
        spec.base_points = 85
        draft = rating_actions.do_create_model_version(city.federation, spec, actor=None)
        cached = SimpleNamespace(
            model=rating_actions.active_model(city.federation.pk), draft=draft,
            outsider_model=rating_actions.active_model(city.other_federation.pk))
        city._ratings_world = cached
    return cached


def model_form(city: Any) -> dict[str, Any]:
    from qinglian.credit import rating_actions

    spec = rating_actions.default_spec()
    data: dict[str, Any] = {"name": "调整后的模型", "base_points": 82}
    for category, severity, points, cap in spec.factors:
        key = rating_actions.factor_key(category, severity)
        data[key], data[f"{key}_cap"] = points, cap
    for index, (grade, points) in enumerate(spec.grades):
        data[f"grade_{index}_name"], data[f"grade_{index}"] = grade, points
    data.update({f"band_{k}": v for k, v in spec.bands.items()})
    return data


def _w(city: Any) -> Any:
    return ratings_world(city)


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    readers = statuses(A, dept=F)
    officers = statuses(A, admin=A, fed=A, auditor=A, chamber=A, ent=F, dept=F)
    managers = statuses(F, admin=A, fed=A)
    posted = statuses(F, admin=R, fed=R)
    e0 = lambda c: (_w(c), c.enterprises[0].pk)[1]  # noqa: E731

    case("credit_rating_list", lambda c: (_w(c), "/credit/ratings/")[1], readers)
    case("credit_rating_list", lambda c: "/credit/ratings/?rating=B&industry=65&q=hw",
         readers, label="（筛选）")
    case("credit_rating_list", lambda c: f"/credit/ratings/?chamber={c.chamber.pk}", readers,
         label="（按商会）")
    case("credit_rating_list", lambda c: "/credit/ratings/?export=xlsx", officers,
         label="（导出）")
    case("credit_rating_detail", lambda c: f"/credit/ratings/{e0(c)}/", readers)
    case("credit_rating_detail", lambda c: f"/credit/ratings/{c.enterprises[2].pk}/",
         statuses(A, chamber=N, ent=N, dept=F), label="（其他商会的会员）")
    case("credit_rating_detail", lambda c: f"/credit/ratings/{c.outsider.pk}/",
         statuses(N, admin=A, dept=F), label="（外辖区）")
    case("credit_rating_recompute", lambda c: "/credit/ratings/recompute/",
         statuses(F, admin=R, fed=R), method="post")
    case("credit_rating_model", lambda c: "/credit/ratings/model/", readers)
    case("credit_rating_model_create", lambda c: "/credit/ratings/models/new/", managers)
    case("credit_rating_model_create", lambda c: "/credit/ratings/models/new/", posted,
         method="post", data=model_form, label="（保存新版本）")
    case("credit_rating_model_detail", lambda c: f"/credit/ratings/models/{_w(c).model.pk}/",
         readers)
    case("credit_rating_model_detail",
         lambda c: f"/credit/ratings/models/{_w(c).outsider_model.pk}/",
         statuses(N, admin=A, dept=F), label="（外辖区）")
    case("credit_rating_model_activate",
         lambda c: f"/credit/ratings/models/{_w(c).draft.pk}/activate/", posted, method="post")
    case("credit_rating_model_activate",
         lambda c: f"/credit/ratings/models/{_w(c).outsider_model.pk}/activate/",
         statuses(F, admin=R, fed=N), method="post", label="（外辖区）")
