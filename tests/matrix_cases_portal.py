"""Permission matrix rows for the public portal: every page answers the same to everyone,
signed in or not (the portal never looks at the user)."""

from __future__ import annotations

from collections.abc import Callable

from .matrix_cases_credit_documents import documents_world

A = {200}
N = {404}


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    everyone = statuses(A, anonymous=A)
    nobody = statuses(N, anonymous=N)
    uscc = lambda c: c.enterprises[0].uscc  # noqa: E731
    case("portal_home", lambda c: "/portal/", everyone)
    case("portal_search", lambda c: "/portal/search/?q=华为", everyone)
    case("portal_search", lambda c: f"/portal/search/?q={uscc(c)}", everyone, label="（代码）")
    case("portal_profile", lambda c: f"/portal/enterprises/{uscc(c)}/", everyone)
    case("portal_profile", lambda c: f"/portal/enterprises/{c.chamber.uscc}/", nobody,
         label="（商会不是企业）")
    case("portal_redlist", lambda c: "/portal/redlist/?q=华为", everyone)
    case("portal_blacklist", lambda c: "/portal/blacklist/", everyone)
    case("portal_sanctions", lambda c: "/portal/sanctions/", everyone)
    case("portal_documents", lambda c: "/portal/documents/?kind=convention", everyone)
    case("portal_document_download",
         lambda c: f"/portal/documents/{documents_world(c).own.pk}/download/", everyone)
    case("portal_report", lambda c: f"/portal/enterprises/{uscc(c)}/report/", everyone,
         method="post")
    case("portal_verify", lambda c: "/portal/verify/?code=ABCD-EFGH-IJKL-MNOP", everyone)


