"""Permission matrix rows for the credit due process: red/black lists, objections, credit
repair, the credit dashboard and the enterprise's own credit page.

Objects come from ``process_world``, built once per city through the real actions: 华为
(enterprises[0], the enterprise user's own, a member of the chamber) has a serious penalty
published 400 days ago (repairable), a blacklist listing the enterprise was notified of with an
open objection (with a file), and a pending repair application; 清风软件 (enterprises[1]) has a
red-list proposal not yet notified; 宁波港湾物流 (the outsider, another federation) has the same
set. Other federations' officers get 404 for the outsider's, exactly like a missing object.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

A = {200}
R = {302}
F = {403}
N = {404}
DONE = {200, 302}
PDF = b"%PDF-1.4\n% test proof\n"


def pdf(name: str = "证明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def penalty(subject: Any, *, today: dt.date, decided: dt.date, severity: str = "serious",
            publish: bool = True) -> Any:
    """A published administrative penalty about the subject (entered by the system)."""
    from qinglian.credit import actions

    return actions.do_create_record(
        subject, actor=None, today=today, publish=publish, category="penalty",
        severity=severity, source="administrative", issuing_body="杭州市市场监督管理局",
        decision_number=f"杭市监罚〔{decided.year}〕{decided.toordinal() % 1000}号",
        decision_date=decided, legal_basis="《中华人民共和国反不正当竞争法》第七条",
        content="以给予回扣的方式销售商品，罚款 20 万元", amount="200000")


def _set(enterprise: Any, other: Any, today: dt.date) -> SimpleNamespace:
    from qinglian.credit import listing_actions, objection_actions, repair_actions

    record = penalty(enterprise, today=today, decided=today - dt.timedelta(days=400))
    listing = listing_actions.do_propose_listing(
        enterprise, actor=None, list_kind="black", reasons="严重失信", basis="行业自律公约第十条",
        records=[record], measures=["no_awards"], today=today)
    listing_actions.do_notify_listing(listing, actor=None, today=today)
    objection = objection_actions.do_file_objection(listing, actor=None, reasons="处罚已履行",
                                                    files=[pdf()], today=today)
    repair = repair_actions.do_apply_repair(record, actor=None, correction="已缴清罚款",
                                            pledge="今后依法经营", files=[pdf()], today=today)
    proposed = listing_actions.do_propose_listing(
        other, actor=None, list_kind="red", reasons="守信典型", basis="红名单管理办法",
        measures=["green_channel"], today=today)
    return SimpleNamespace(record=record, listing=listing, objection=objection, repair=repair,
                           file=objection.files.first(), proposed=proposed)


def process_world(city: Any) -> Any:
    cached = getattr(city, "_process_world", None)
    if cached is None:
        from qinglian.registry import actions as registry_actions
        from tests.conftest import make_uscc

        today = dt.date.today()
        other_outsider = registry_actions.do_create_organisation(
            actor=None, kind="enterprise", name="宁波甬江制造有限公司", uscc=make_uscc(91), federation=city.other_federation, region="330203")
        cached = SimpleNamespace(mine=_set(city.enterprises[0], city.enterprises[1], today),
                                 outsider=_set(city.outsider, other_outsider, today))
        city._process_world = cached
    return cached


def register(case: Any, statuses: Any) -> None:
    w = process_world
    readers = {"dept": F}
    officers_only = {"chamber": F, "ent": F, "dept": F, "auditor": F}

    def both(name: str, url: Any, mine: dict[str, set[int]], outsider: dict[str, set[int]],
             **kw: Any) -> None:
        case(name, lambda c: url(w(c).mine), mine, **kw)
        case(name, lambda c: url(w(c).outsider), outsider, label="（外辖区）", **kw)

    case("credit_dashboard", lambda c: "/credit/", statuses(A, ent=F, dept=F))
    case("credit_mine", lambda c: "/credit/mine/",
         statuses(F, ent=A))
    # listings
    case("credit_listing_list", lambda c: "/credit/listings/", statuses(A, **readers))
    case("credit_listing_list", lambda c: "/credit/listings/?expired=1&kind=black&q=华为",
         statuses(A, **readers), label="（筛选）")
    case("credit_listing_list", lambda c: "/credit/listings/?export=xlsx",
         statuses(A, ent=F, dept=F), label="（导出）")
    case("credit_listing_create", lambda c: f"/credit/listings/new/?org={c.enterprises[0].pk}",
         statuses(A, ent=F, dept=F, auditor=F))
    case("credit_listing_by_rules", lambda c: "/credit/listings/by-rules/",
         statuses(R, ent=F, dept=F, auditor=F, anonymous=R), method="post")
    case("credit_listing_remove_expired", lambda c: "/credit/listings/remove-expired/",
         statuses(R, **officers_only), method="post")
    both("credit_listing_detail", lambda s: f"/credit/listings/{s.listing.pk}/",
         statuses(A, **readers), statuses(N, admin=A, dept=F))
    case("credit_listing_detail", lambda c: f"/credit/listings/{w(c).mine.proposed.pk}/",
         statuses(A, ent=N, dept=F), label="（未告知的提议）")
    both("credit_listing_notify", lambda s: f"/credit/listings/{s.proposed.pk}/notify/",
         statuses(R, **officers_only), statuses(N, admin=R, **officers_only), method="post")
    both("credit_listing_decide", lambda s: f"/credit/listings/{s.listing.pk}/decide/",
         statuses(R, **officers_only), statuses(N, admin=R, **officers_only), method="post",
         data=lambda c: {"decision": "rejected", "note": "证据不足"})
    both("credit_listing_publish", lambda s: f"/credit/listings/{s.listing.pk}/publish/",
         statuses(R, **officers_only), statuses(N, admin=R, **officers_only), method="post")
    both("credit_listing_remove", lambda s: f"/credit/listings/{s.listing.pk}/remove/",
         statuses(R, **officers_only), statuses(N, admin=R, **officers_only), method="post",
         data=lambda c: {"reason": "revoked", "note": "决定撤销"})
    # objections
    case("credit_objection_list", lambda c: "/credit/objections/?status=overdue",
         statuses(A, **readers))
    case("credit_objection_list", lambda c: "/credit/objections/?export=xlsx",
         statuses(A, ent=F, dept=F), label="（导出）")
    both("credit_objection_create", lambda s: f"/credit/objections/new/?record={s.record.pk}",
         statuses(F, ent=A), statuses(F, ent=N))
    both("credit_objection_detail", lambda s: f"/credit/objections/{s.objection.pk}/",
         statuses(A, **readers), statuses(N, admin=A, dept=F))
    both("credit_objection_handle", lambda s: f"/credit/objections/{s.objection.pk}/handle/",
         statuses(R, **officers_only), statuses(N, admin=R, **officers_only), method="post",
         data=lambda c: {"outcome_kind": "upheld", "outcome": "处罚决定合法有效"})
    both("credit_objection_withdraw", lambda s: f"/credit/objections/{s.objection.pk}/withdraw/",
         statuses(F, ent=R), statuses(F, ent=N), method="post")
    both("credit_file", lambda s: f"/credit/files/{s.file.pk}/",
         statuses(A, **readers), statuses(N, admin=A, dept=F))
    # repairs
    case("credit_repair_list", lambda c: "/credit/repairs/?status=submitted",
         statuses(A, **readers))
    case("credit_repair_list", lambda c: "/credit/repairs/?export=xlsx",
         statuses(A, ent=F, dept=F), label="（导出）")
    both("credit_repair_create", lambda s: f"/credit/repairs/new/?record={s.record.pk}",
         statuses(F, ent=A), statuses(F, ent=N))
    both("credit_repair_detail", lambda s: f"/credit/repairs/{s.repair.pk}/",
         statuses(A, **readers), statuses(N, admin=A, dept=F))
    both("credit_repair_decide", lambda s: f"/credit/repairs/{s.repair.pk}/decide/",
         statuses(R, **officers_only), statuses(N, admin=R, **officers_only), method="post",
         data=lambda c: {"decision": "approve", "note": ""})
