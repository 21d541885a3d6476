"""Permission matrix rows for chamber documents (行业自律文件) on the credit side.

Objects come from ``documents_world``: a convention of 杭州市互联网商会 (the chamber officer's
own chamber, in the federation's jurisdiction) and a code of ethics of 宁波市工商联 (another
federation: 404 for everyone but the platform administrator). Enterprise users and auditors
read nothing here that is not theirs; only officers who manage documents publish and withdraw.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

A = {200}
R = {302}
F = {403}
N = {404}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def documents_world(city: Any) -> SimpleNamespace:
    cached = getattr(city, "_documents_world", None)
    if cached is None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from qinglian.credit.document_actions import do_publish_document

        def publish(organisation: Any, kind: str, title: str) -> Any:
            return do_publish_document(
                organisation, actor=None, kind=kind, title=title,
                upload=SimpleUploadedFile("doc.pdf", PDF, content_type="application/pdf"))

        cached = SimpleNamespace(
            own=publish(city.chamber, "convention", "杭州市互联网商会行业自律公约"),
            outsider=publish(city.other_federation, "ethics_code", "宁波市职业道德准则"))
        city._documents_world = cached
    return cached


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    own = lambda c: documents_world(c).own.pk  # noqa: E731
    out = lambda c: documents_world(c).outsider.pk  # noqa: E731
    managers = statuses(F, admin=A, fed=A, chamber=A)
    readers = statuses(A, dept=F)
    case("credit_document_list", lambda c: "/credit/documents/", readers)
    case("credit_document_list", lambda c: "/credit/documents/?kind=convention&state=public&q=公约",
         readers, label="（筛选）")
    case("credit_document_list", lambda c: "/credit/documents/?export=xlsx",
         statuses(A, dept=F, ent=F), label="（导出）")
    case("credit_document_create", lambda c: "/credit/documents/new/", managers)
    case("credit_document_create", lambda c: "/credit/documents/new/",
         statuses(F, admin=A, fed=A, chamber=A), method="post",
         data=lambda c: {"organisation": c.chamber.pk, "kind": "convention", "title": ""},
         label="（校验失败）")
    case("credit_document_withdraw", lambda c: f"/credit/documents/{own(c)}/withdraw/",
         statuses(F, admin=R, fed=R, chamber=R), method="post")
    case("credit_document_withdraw", lambda c: f"/credit/documents/{out(c)}/withdraw/",
         statuses(F, admin=R, fed=N, chamber=N), method="post", label="（外辖区）")
    case("credit_document_file", lambda c: f"/credit/documents/{own(c)}/file/",
         statuses(A, ent=N, dept=F))
    case("credit_document_file", lambda c: f"/credit/documents/{out(c)}/file/",
         statuses(N, admin=A, dept=F), label="（外辖区）")
