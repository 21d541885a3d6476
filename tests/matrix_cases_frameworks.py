"""Permission matrix rows for the framework pages (指标体系).

Objects: the open campaign's frozen framework (`world`), a draft default framework of the
city's federation, and a draft of another federation (404 for everyone but the platform
administrator). Drafts are the federation's business: a chamber, an enterprise and an auditor
read frozen versions only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qinglian.evaluation.choices import FrameworkStatus
from qinglian.evaluation.defaults import install_default_framework
from qinglian.evaluation.models import Framework
from tests.evaluation.world import world

A = {200}
R = {302}
F = {403}
N = {404}
DONE = {200, 302}


def _draft(federation: Any) -> int:
    existing = Framework.objects.filter(federation=federation, code="QLZS",
                                        status=FrameworkStatus.DRAFT).first()
    return (existing or install_default_framework(federation, actor=None)).pk


def _frozen(city: Any) -> int:
    return world(city).framework.pk


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    draft = lambda c: _draft(c.federation)  # noqa: E731
    other = lambda c: _draft(c.other_federation)  # noqa: E731
    frozen = _frozen
    managers = {"admin": A, "fed": A}
    case("framework_list", lambda c: "/evaluation/frameworks/", statuses(A, dept=F))
    case("framework_detail", lambda c: f"/evaluation/frameworks/{frozen(c)}/", statuses(A, dept=F))
    case("framework_detail", lambda c: f"/evaluation/frameworks/{draft(c)}/",
         statuses(N, admin=A, fed=A, dept=F), label="（草稿）")
    case("framework_detail", lambda c: f"/evaluation/frameworks/{other(c)}/",
         statuses(N, admin=A, dept=F), label="（外辖区）")
    case("framework_export", lambda c: f"/evaluation/frameworks/{frozen(c)}/export/",
         statuses(A, ent=F, dept=F))
    case("framework_export", lambda c: f"/evaluation/frameworks/{draft(c)}/export/",
         statuses(N, admin=A, fed=A, ent=F, dept=F), label="（草稿）")
    case("framework_import", lambda c: "/evaluation/frameworks/import/", statuses(F, **managers))
    case("framework_install_default", lambda c: "/evaluation/frameworks/install-default/",
         statuses(F, admin=R, fed=R), method="post",
         data=lambda c: {"federation": c.federation.pk})
    case("framework_freeze", lambda c: f"/evaluation/frameworks/{draft(c)}/freeze/",
         statuses(F, admin=R, fed=R), method="post")
    case("framework_freeze", lambda c: f"/evaluation/frameworks/{other(c)}/freeze/",
         statuses(F, admin=R, fed=N), method="post", label="（外辖区）")
    case("framework_copy", lambda c: f"/evaluation/frameworks/{frozen(c)}/copy/",
         statuses(F, admin=R, fed=R), method="post")
    case("framework_retire", lambda c: f"/evaluation/frameworks/{frozen(c)}/retire/",
         statuses(F, admin=R, fed=R), method="post")
    case("framework_delete", lambda c: f"/evaluation/frameworks/{draft(c)}/delete/",
         statuses(F, admin=R, fed=R), method="post")
    case("framework_edit", lambda c: f"/evaluation/frameworks/{draft(c)}/edit/",
         statuses(F, **managers))
    case("framework_edit", lambda c: f"/evaluation/frameworks/{frozen(c)}/edit/",
         statuses(F, admin=R, fed=R), label="（已启用）")
    case("framework_edit", lambda c: f"/evaluation/frameworks/{other(c)}/edit/",
         statuses(F, admin=A, fed=N), label="（外辖区）")
    case("framework_indicator_create",
         lambda c: f"/evaluation/frameworks/{draft(c)}/indicators/new/?dimension=ZZ",
         statuses(F, **managers))
    case("framework_indicator_edit",
         lambda c: f"/evaluation/frameworks/{draft(c)}/indicators/ZZ03/edit/",
         statuses(F, **managers))
    case("framework_indicator_edit",
         lambda c: f"/evaluation/frameworks/{draft(c)}/indicators/NONE99/edit/",
         statuses(F, admin=N, fed=N), label="（无此指标）")
    case("framework_indicator_delete",
         lambda c: f"/evaluation/frameworks/{draft(c)}/indicators/ZZ03/delete/",
         statuses(F, admin=R, fed=R), method="post")
    case("framework_bands", lambda c: f"/evaluation/frameworks/{draft(c)}/bands/",
         statuses(F, **managers))
    case("framework_negative_items",
         lambda c: f"/evaluation/frameworks/{draft(c)}/negative-items/", statuses(F, **managers))
