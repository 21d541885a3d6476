"""Permission matrix rows for credit records, dual publicity, window rules and pledges.

Objects come from ``records_world``, built once per city through the real actions (as the
system): 华为 (enterprises[0], the enterprise user's own, a member of the chamber) has a penalty
waiting for publication (entered by the federation, so outside the chamber's write scope), a
published award and an active pledge; 宁波港湾物流 (the outsider, another federation) has a
record and a pledge — 404 for everyone but the administrator. The department handler has no
credit pages at all (403).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

A = {200}
R = {302}
F = {403}
N = {404}


def records_world(city: Any) -> Any:
    cached = getattr(city, "_records_world", None)
    if cached is None:
        from types import SimpleNamespace

        from qinglian.credit import actions, pledge_actions

        today = dt.date.today()

        def record(subject: Any, category: str, **extra: Any) -> Any:
            return actions.do_create_record(
                subject, actor=None, category=category, source="administrative",
                issuing_body="杭州市市场监督管理局", decision_number=f"杭市监〔{subject.pk}〕{category}",
                decision_date=today - dt.timedelta(days=2), legal_basis="《反不正当竞争法》",
                content="虚假宣传", **extra)

        ent, outsider = city.enterprises[0], city.outsider
        cached = SimpleNamespace(
            recorded=record(ent, "penalty", severity="ordinary"),
            published=record(ent, "award", publish=True),
            outsider=record(outsider, "penalty", severity="ordinary"),
            pledge=pledge_actions.do_make_pledge(ent, actor=None, title="诚信经营承诺",
                                                 content="依法经营，不行贿受贿"),
            outsider_pledge=pledge_actions.do_make_pledge(outsider, actor=None, title="承诺",
                                                          content="诚信经营"),
        )
        city._records_world = cached
    return cached


def _w(city: Any) -> Any:
    return records_world(city)


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    readers = statuses(A, dept=F)
    exporters = statuses(A, dept=F, ent=F)  # an enterprise reads its file but exports nothing
    officers = statuses(F, admin=A, fed=A, chamber=A)
    fed_only = statuses(F, admin=A, fed=A)
    fed_post = statuses(F, admin=R, fed=R)
    dashboard = statuses(A, ent=F, dept=F)
    own = statuses(A, dept=F)
    outsider = statuses(N, admin=A, dept=F)

    # --- records ------------------------------------------------------------------------------
    case("credit_record_list", lambda c: "/credit/records/", readers)
    case("credit_record_list", lambda c: "/credit/records/?q=华为&category=penalty&public=yes"
         "&date_from=2026-01-01&status=recorded", readers, label="（筛选）")
    case("credit_record_list", lambda c: "/credit/records/?export=xlsx", exporters,
         label="（导出）")
    case("credit_record_create", lambda c: "/credit/records/new/", officers)
    case("credit_record_detail", lambda c: f"/credit/records/{_w(c).recorded.pk}/", own)
    case("credit_record_detail", lambda c: f"/credit/records/{_w(c).outsider.pk}/", outsider,
         label="（其他辖区）")
    case("credit_record_edit", lambda c: f"/credit/records/{_w(c).recorded.pk}/edit/",
         statuses(F, admin=A, fed=A, chamber=N))
    case("credit_record_edit", lambda c: f"/credit/records/{_w(c).outsider.pk}/edit/",
         statuses(F, admin=A, fed=N, chamber=N), label="（其他辖区）")
    case("credit_record_correct", lambda c: f"/credit/records/{_w(c).published.pk}/correct/",
         fed_only)
    case("credit_record_publish", lambda c: f"/credit/records/{_w(c).recorded.pk}/publish/",
         fed_post, method="post")
    case("credit_record_publish", lambda c: f"/credit/records/{_w(c).outsider.pk}/publish/",
         statuses(F, admin=R, fed=N), method="post", label="（其他辖区）")
    case("credit_record_revoke", lambda c: f"/credit/records/{_w(c).recorded.pk}/revoke/",
         statuses(F, admin=R, fed=R, chamber=N), method="post",
         data=lambda c: {"reason": "录入错误"})

    # --- dual publicity -----------------------------------------------------------------------
    case("credit_dual_publicity", lambda c: "/credit/dual-publicity/", dashboard)
    case("credit_dual_publicity", lambda c: "/credit/dual-publicity/?show=due_soon", dashboard,
         label="（临期）")
    case("credit_dual_publicity", lambda c: "/credit/dual-publicity/?show=&export=xlsx",
         dashboard, label="（导出）")
    case("credit_dual_publicity_publish", lambda c: "/credit/dual-publicity/publish/",
         fed_post, method="post", data=lambda c: {"record": [_w(c).recorded.pk]})
    case("credit_dual_import", lambda c: "/credit/dual-publicity/import/", fed_only)
    case("credit_dual_template", lambda c: "/credit/dual-publicity/template/penalty/", fed_only)
    case("credit_dual_template", lambda c: "/credit/dual-publicity/template/licence/?format=csv",
         fed_only, label="（CSV）")

    # --- settings -----------------------------------------------------------------------------
    case("credit_window_rules", lambda c: "/credit/settings/", fed_only)

    # --- pledges ------------------------------------------------------------------------------
    case("credit_pledge_list", lambda c: "/credit/pledges/", readers)
    case("credit_pledge_list", lambda c: "/credit/pledges/?export=xlsx&status=active",
         exporters, label="（导出）")
    case("credit_pledge_create", lambda c: "/credit/pledges/new/",
         statuses(A, dept=F, auditor=F))
    case("credit_pledge_detail", lambda c: f"/credit/pledges/{_w(c).pledge.pk}/", own)
    case("credit_pledge_detail", lambda c: f"/credit/pledges/{_w(c).outsider_pledge.pk}/",
         outsider, label="（其他辖区）")
    case("credit_pledge_breach", lambda c: f"/credit/pledges/{_w(c).pledge.pk}/breach/",
         statuses(F, admin=A, fed=A, chamber=A), method="post")
    case("credit_pledge_fulfil", lambda c: f"/credit/pledges/{_w(c).pledge.pk}/fulfil/",
         statuses(F, admin=R, fed=R, chamber=R), method="post")
    case("credit_pledge_withdraw", lambda c: f"/credit/pledges/{_w(c).pledge.pk}/withdraw/",
         statuses(F, admin=R, fed=R, chamber=R, ent=R), method="post",
         data=lambda c: {"reason": "重复录入"})
    case("credit_pledge_withdraw",
         lambda c: f"/credit/pledges/{_w(c).outsider_pledge.pk}/withdraw/",
         statuses(N, admin=R, dept=F, auditor=F), method="post",
         data=lambda c: {"reason": "重复录入"}, label="（其他辖区）")
