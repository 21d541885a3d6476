"""Permission matrix rows for declarations (礼品宴请捐赠申报, 利益冲突申报).

Objects come from ``declarations_world``, built once per city through the real actions:
华为 (enterprises[0], the enterprise user's own) has a gift received at 800 元 (submitted,
waiting for approval and disposal), a small gift (recorded) and this year's conflict round with
two people on the roster; the chamber has a declaration of its own; 宁波港湾物流 (the outsider,
another federation) has a declaration and a round. An organisation's declarations are its own
business: other organisations' officers get 404 for them, exactly like a missing object; the
department handler has no declarations at all (403).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import quote

A = {200}
R = {302}
F = {403}
N = {404}
DONE = {200, 302}


def declarations_world(city: Any) -> Any:
    cached = getattr(city, "_declarations_world", None)
    if cached is None:
        from types import SimpleNamespace

        from qinglian.declarations import actions, round_actions

        today = dt.date.today()

        def declare(organisation: Any, amount: int, name: str = "王建国") -> Any:
            return actions.do_declare(
                organisation, actor=None, declarant_name=name, declarant_department="采购部",
                kind="gift", direction="received", occurred_on=today, amount=Decimal(amount),
                description="茶叶两盒", counterparty="杭州清风软件有限公司", purpose="春节走访")

        def conflict_round(organisation: Any) -> Any:
            opened = round_actions.do_open_conflict_round(
                organisation, year=today.year, due_on=today + dt.timedelta(days=30), actor=None)
            for name, department in (("王建国", "采购部"), ("李丽", "财务部")):
                round_actions.do_add_roster_entry(opened, name=name, department=department,
                                                  actor=None)
            return opened

        ent, outsider = city.enterprises[0], city.outsider
        ent_round = conflict_round(ent)
        cached = SimpleNamespace(
            submitted=declare(ent, 800), recorded=declare(ent, 50),
            chamber=declare(city.chamber, 600, "秘书处张伟"), outsider=declare(outsider, 900),
            round=ent_round, entry=ent_round.entries.order_by("pk").first(),
            outsider_round=conflict_round(outsider))
        city._declarations_world = cached
    return cached


def _w(city: Any) -> Any:
    return declarations_world(city)


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    own = statuses(N, admin=A, ent=A, dept=F)  # read: the enterprise's own record
    own_write = statuses(N, admin=DONE, ent=DONE, auditor=F, dept=F)
    post_own = statuses(N, admin=R, ent=R, auditor=F, dept=F)
    readers = statuses(A, dept=F)
    writers = statuses(A, auditor=F, dept=F)
    key = lambda c: quote(_w(c).submitted.declarant_key)  # noqa: E731
    party = lambda c: quote(_w(c).submitted.counterparty_key)  # noqa: E731
    e0 = lambda c: c.enterprises[0].pk  # noqa: E731

    # --- declarations -----------------------------------------------------------------------
    case("declaration_list", lambda c: "/declarations/", readers)
    case("declaration_list", lambda c: "/declarations/?status=submitted&year=2026&q=王",
         readers, label="（筛选）")
    case("declaration_list", lambda c: "/declarations/?export=xlsx", readers, label="（导出）")
    case("declaration_create", lambda c: "/declarations/new/", writers)
    case("declaration_detail", lambda c: f"/declarations/{_w(c).submitted.pk}/", own)
    case("declaration_detail", lambda c: f"/declarations/{_w(c).chamber.pk}/",
         statuses(N, admin=A, chamber=A, dept=F), label="（商会本身的申报）")
    case("declaration_detail", lambda c: f"/declarations/{_w(c).outsider.pk}/",
         statuses(N, admin=A, dept=F), label="（外辖区）")
    case("declaration_edit", lambda c: f"/declarations/{_w(c).recorded.pk}/edit/",
         statuses(N, admin=A, ent=A, auditor=F, dept=F))
    case("declaration_edit", lambda c: f"/declarations/{_w(c).outsider.pk}/edit/",
         statuses(N, admin=A, auditor=F, dept=F), label="（外辖区）")
    case("declaration_approve", lambda c: f"/declarations/{_w(c).submitted.pk}/approve/",
         post_own, method="post")
    case("declaration_reject", lambda c: f"/declarations/{_w(c).submitted.pk}/reject/",
         post_own, method="post", data=lambda c: {"note": "价值过高"})
    case("declaration_withdraw", lambda c: f"/declarations/{_w(c).recorded.pk}/withdraw/",
         post_own, method="post", data=lambda c: {"reason": "重复录入"})
    case("declaration_dispose", lambda c: f"/declarations/{_w(c).submitted.pk}/dispose/",
         own_write, method="post", data=lambda c: {"disposal": "handed_over",
                                                  "disposed_on": dt.date.today().isoformat()})
    case("declaration_dispose", lambda c: f"/declarations/{_w(c).outsider.pk}/dispose/",
         statuses(N, admin=DONE, auditor=F, dept=F), method="post", label="（外辖区）")
    # --- registers ----------------------------------------------------------------------------
    case("declaration_people", lambda c: "/declarations/people/", readers)
    case("declaration_people", lambda c: "/declarations/people/?export=xlsx", readers,
         label="（导出）")
    case("declaration_person", lambda c: f"/declarations/people/view/?org={e0(c)}&key={key(c)}",
         own)
    case("declaration_person", lambda c: f"/declarations/people/view/?key={key(c)}",
         statuses(N, admin=A, ent=A, chamber=N, dept=F), label="（不指定单位）")
    case("declaration_counterparties", lambda c: "/declarations/counterparties/", readers)
    case("declaration_counterparties", lambda c: "/declarations/counterparties/?export=xlsx",
         readers, label="（导出）")
    case("declaration_counterparty",
         lambda c: f"/declarations/counterparties/view/?org={e0(c)}&key={party(c)}", own)
    case("declaration_overview", lambda c: "/declarations/overview/",
         statuses(A, ent=F, dept=F))
    case("declaration_thresholds", lambda c: "/declarations/thresholds/", readers)
    case("declaration_thresholds", lambda c: "/declarations/thresholds/",
         statuses(R, auditor=F, dept=F), method="post", label="（保存）",
         data=lambda c: {"received_gift": "300"})
    # --- conflict rounds ----------------------------------------------------------------------
    case("conflict_round_list", lambda c: "/declarations/conflicts/", readers)
    case("conflict_round_create", lambda c: "/declarations/conflicts/new/", writers)
    case("conflict_round_detail", lambda c: f"/declarations/conflicts/{_w(c).round.pk}/", own)
    case("conflict_round_detail",
         lambda c: f"/declarations/conflicts/{_w(c).round.pk}/?export=reminders", own,
         label="（催报名单）")
    case("conflict_round_detail",
         lambda c: f"/declarations/conflicts/{_w(c).outsider_round.pk}/",
         statuses(N, admin=A, dept=F), label="（外辖区）")
    case("conflict_round_close", lambda c: f"/declarations/conflicts/{_w(c).round.pk}/close/",
         post_own, method="post")
    case("conflict_round_reopen", lambda c: f"/declarations/conflicts/{_w(c).round.pk}/reopen/",
         post_own, method="post")
    case("conflict_roster_add", lambda c: f"/declarations/conflicts/{_w(c).round.pk}/roster/add/",
         own_write)
    case("conflict_roster_upload",
         lambda c: f"/declarations/conflicts/{_w(c).round.pk}/roster/upload/", own_write)
    case("conflict_roster_template", lambda c: "/declarations/conflicts/roster-template/",
         writers)
    case("conflict_entry", lambda c: f"/declarations/conflicts/entries/{_w(c).entry.pk}/", own)
    case("conflict_entry", lambda c: f"/declarations/conflicts/entries/{_w(c).entry.pk}/",
         statuses(N, admin=R, ent=R, auditor=F, dept=F), method="post", label="（申报）",
         data=lambda c: {"no_conflict": "yes", "interest-TOTAL_FORMS": "0",
                         "interest-INITIAL_FORMS": "0"})
    case("conflict_entry_remove",
         lambda c: f"/declarations/conflicts/entries/{_w(c).entry.pk}/remove/", post_own,
         method="post")
