"""Permission matrix rows for the risk register (廉洁风险点台账、风险评估、权力清单).

The objects come from ``tests.risk.world.build_risk_world``, built once per city through the
real actions: 华为 (enterprises[0], the enterprise user's own) keeps points, an overdue control
with evidence, a round submitted to the enterprise user as its leader, a published power list
and its next draft. Each organisation keeps its own register: the federation officer, the
chamber officer and the auditor get 404 for 华为's pages, the department handler 403 (no
``risk.view``). The administrator may do everything but approve a round it does not lead (403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

A = {200}
R = {302}
F = {403}
N = {404}
DONE = {200, 302}


def risk_world(city: Any) -> Any:
    cached = getattr(city, "_risk_world", None)
    if cached is None:
        from tests.risk.world import build_risk_world

        cached = city._risk_world = build_risk_world(city)
    return cached


def _pk(name: str) -> Callable[[Any], int]:
    def pk(city: Any) -> int:
        value = risk_world(city)
        for part in name.split("."):
            value = value[int(part)] if part.isdigit() else getattr(value, part)
        return int(value.pk)
    return pk


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    point, control, rnd = _pk("points.0"), _pk("control"), _pk("round")
    chamber_point, published, draft, item = (_pk("chamber_point"), _pk("power_list"),
                                             _pk("draft"), _pk("item"))
    own = statuses(N, admin=A, ent=A, dept=F)  # 华为's page, read
    own_write = statuses(N, admin=A, ent=A, dept=F, auditor=F)
    own_post = statuses(N, admin=R, ent=R, dept=F, auditor=F)
    keepers = statuses(A, dept=F, auditor=F)
    # --- register, heat map, overdue, overview ------------------------------------------------
    case("risk_register", lambda c: (risk_world(c), "/risk/")[1], statuses(A, dept=F))
    case("risk_register", lambda c: (risk_world(c), "/risk/?export=xlsx")[1],
         statuses(A, dept=F), label="（导出 Excel）")
    case("risk_register", lambda c: (risk_world(c), "/risk/?export=docx&area=procurement")[1],
         statuses(A, dept=F), label="（导出 Word）")
    case("risk_heatmap", lambda c: (risk_world(c), "/risk/heatmap/")[1], statuses(A, dept=F))
    case("risk_overdue", lambda c: (risk_world(c), "/risk/overdue/?export=xlsx")[1],
         statuses(A, dept=F))
    case("risk_overview", lambda c: (risk_world(c), "/risk/overview/")[1],
         statuses(A, ent=F, dept=F))
    # --- points and controls ------------------------------------------------------------------
    case("risk_point_create", lambda c: "/risk/points/new/", keepers)
    case("risk_point_detail", lambda c: f"/risk/points/{point(c)}/", own)
    case("risk_point_detail", lambda c: f"/risk/points/{chamber_point(c)}/",
         statuses(N, admin=A, chamber=A, dept=F), label="（商会的风险点）")
    case("risk_point_edit", lambda c: f"/risk/points/{point(c)}/edit/", own_write)
    case("risk_point_retire", lambda c: f"/risk/points/{point(c)}/retire/", own_write)
    case("risk_control_create", lambda c: f"/risk/points/{point(c)}/controls/new/", own_write)
    case("risk_control_edit", lambda c: f"/risk/controls/{control(c)}/edit/", own_write)
    case("risk_control_evidence", lambda c: f"/risk/controls/{control(c)}/evidence/", own)
    # --- library ------------------------------------------------------------------------------
    case("risk_library", lambda c: (risk_world(c), "/risk/library/")[1], statuses(A, dept=F))
    case("risk_library_install", lambda c: "/risk/library/install/", statuses(F, fed=R),
         method="post")
    case("risk_library_create", lambda c: "/risk/library/new/", statuses(F, fed=A))
    case("risk_library_edit", lambda c: f"/risk/library/{risk_world(c).library[0].pk}/edit/",
         statuses(F, admin=A, fed=A))
    # --- rounds -------------------------------------------------------------------------------
    case("risk_round_list", lambda c: (risk_world(c), "/risk/rounds/")[1], statuses(A, dept=F))
    case("risk_round_create", lambda c: "/risk/rounds/new/", keepers)
    case("risk_round_detail", lambda c: f"/risk/rounds/{rnd(c)}/", own)
    case("risk_round_start", lambda c: f"/risk/rounds/{rnd(c)}/start/", own_post,
         method="post")
    case("risk_round_submit", lambda c: f"/risk/rounds/{rnd(c)}/submit/", own_post,
         method="post")
    case("risk_round_approve", lambda c: f"/risk/rounds/{rnd(c)}/approve/",
         statuses(N, admin=F, ent=R, dept=F, auditor=F), method="post",
         data=lambda c: {"note": "同意"})
    case("risk_round_return", lambda c: f"/risk/rounds/{rnd(c)}/return/",
         statuses(N, admin=F, ent=R, dept=F, auditor=F), method="post",
         data=lambda c: {"note": "请补充"})
    case("risk_round_assess",
         lambda c: f"/risk/rounds/items/{risk_world(c).round.items.first().pk}/", own_write)
    # --- power and negative lists -------------------------------------------------------------
    case("risk_power_lists", lambda c: (risk_world(c), "/risk/power-lists/")[1],
         statuses(A, dept=F))
    case("risk_power_list_create", lambda c: "/risk/power-lists/new/?kind=negative",
         statuses(A, admin=R, dept=F, auditor=F))
    case("risk_power_list_detail", lambda c: f"/risk/power-lists/{published(c)}/", own)
    case("risk_power_list_detail", lambda c: f"/risk/power-lists/{draft(c)}/",
         statuses(N, admin=A, ent=A, dept=F), label="（草稿）")
    case("risk_power_item_create", lambda c: f"/risk/power-lists/{draft(c)}/items/new/",
         own_write)
    case("risk_power_item_edit", lambda c: f"/risk/power-items/{item(c)}/edit/", own_write)
    case("risk_power_item_delete", lambda c: f"/risk/power-items/{item(c)}/delete/", own_post,
         method="post")
    case("risk_power_list_publish", lambda c: f"/risk/power-lists/{draft(c)}/publish/",
         own_post, method="post")
