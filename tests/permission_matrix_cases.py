"""The permission matrix as a table: URL name, how to reach it, expected status per role.

Roles: admin (平台管理员), fed (工商联), chamber (商会 杭州市互联网商会), ent (企业 华为, a member of
that chamber), dept (部门), auditor (审计员), anonymous. `outsider` objects belong to another
federation: everyone but the platform administrator gets 404, exactly like a missing object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qinglian.core.models import Job, JobStatus

A = {200}
R = {302}
F = {403}
N = {404}
NA = {405}
DONE = {200, 302}


def _job(city: Any) -> int:
    job, _ = Job.objects.get_or_create(
        kind="import.members", organisation=city.chamber, file_name="会员.xlsx",
        defaults={"status": JobStatus.SUCCEEDED, "created_by": city.users["chamber_officer"]},
    )
    return job.pk


def register(case: Callable[..., None], statuses: Callable[..., dict[str, set[int]]]) -> None:
    e0 = lambda c: c.enterprises[0].pk  # noqa: E731
    # --- core ---------------------------------------------------------------------------
    case("dashboard", lambda c: "/", statuses(A))
    case("login", lambda c: "/accounts/login/", statuses(R, anonymous=A))  # signed in → home
    case("logout", lambda c: "/accounts/logout/", statuses(R), method="post")
    case("set_language", lambda c: "/i18n/setlang/", statuses(R, anonymous=R), method="post",
         data=lambda c: {"language": "en", "next": "/"})
    case("audit_list", lambda c: "/audit/", statuses(F, admin=A, auditor=A))
    case("audit_verify", lambda c: "/audit/verify/", statuses(F, admin=DONE, auditor=DONE),
         method="post")
    case("object_history", lambda c: f"/history/registry.organisation/{e0(c)}/",
         statuses(A, ent=F, dept=F))
    case("object_history", lambda c: f"/history/registry.organisation/{c.outsider.pk}/",
         statuses(N, admin=A, ent=F, dept=F), label="（外辖区）")
    # --- organisations ------------------------------------------------------------------
    case("organisation_list", lambda c: "/organisations/", statuses(A))
    case("organisation_list", lambda c: "/organisations/?kind=enterprise&export=xlsx",
         statuses(A, ent=F, dept=F), label="（导出）")
    case("organisation_create", lambda c: "/organisations/new/?kind=enterprise",
         statuses(F, admin=A, fed=A, chamber=A))
    case("organisation_check_uscc", lambda c: "/organisations/check-uscc/?uscc=914403001922038216",
         statuses(F, admin=A, fed=A, chamber=A, ent=A))
    case("organisation_detail", lambda c: f"/organisations/{e0(c)}/", statuses(A, dept=N))
    case("organisation_detail", lambda c: f"/organisations/{c.outsider.pk}/",
         statuses(N, admin=A), label="（外辖区）")
    case("organisation_edit", lambda c: f"/organisations/{e0(c)}/edit/",
         statuses(A, dept=F, auditor=F))
    case("organisation_edit", lambda c: f"/organisations/{c.outsider.pk}/edit/",
         statuses(N, admin=A, auditor=F, dept=F), label="（外辖区）")
    # --- people -------------------------------------------------------------------------
    case("person_list", lambda c: "/people/", statuses(A))
    case("person_create", lambda c: "/people/new/", statuses(F, admin=A, fed=A, chamber=A))
    case("person_detail", lambda c: f"/people/{c.person.pk}/", statuses(A, dept=N))
    case("person_detail", lambda c: f"/people/{c.outsider_person.pk}/",
         statuses(N, admin=A), label="（外辖区）")
    case("person_edit", lambda c: f"/people/{c.person.pk}/edit/",
         statuses(F, admin=A, fed=A, chamber=A))
    case("person_unmask", lambda c: f"/people/{c.person.pk}/unmask/",
         statuses(F, admin=A, fed=A), method="post", data=lambda c: {"reason": "核实身份"})
    case("person_unmask", lambda c: f"/people/{c.outsider_person.pk}/unmask/",
         statuses(F, admin=A, fed=N), method="post", data=lambda c: {"reason": "核实身份"},
         label="（外辖区）")
    case("position_create", lambda c: f"/people/{c.person.pk}/positions/new/",
         statuses(F, admin=A, fed=A, chamber=A))
    case("position_end", lambda c: f"/positions/{c.person.positions.first().pk}/end/",
         statuses(F, admin=DONE, fed=DONE, chamber=DONE), method="post",
         data=lambda c: {"end_on": "2026-11-20"})
    # --- memberships --------------------------------------------------------------------
    case("membership_list", lambda c: "/memberships/", statuses(A))
    case("membership_list", lambda c: "/memberships/?export=xlsx",
         statuses(A, ent=F, dept=F), label="（导出）")
    case("membership_apply", lambda c: "/memberships/apply/", statuses(A, dept=F, auditor=F))
    case("membership_detail", lambda c: f"/memberships/{c.memberships[0].pk}/", statuses(A, dept=N))
    case("membership_detail", lambda c: f"/memberships/{c.memberships[2].pk}/",
         statuses(A, chamber=N, ent=N, dept=N), label="（其他商会）")
    case("membership_transition", lambda c: f"/memberships/{c.memberships[0].pk}/transition/",
         statuses(F, admin=R, fed=R, chamber=R), method="post",
         data=lambda c: {"to": "suspended", "note": "整改期间暂停"})
    case("membership_transition", lambda c: f"/memberships/{c.memberships[2].pk}/transition/",
         statuses(F, admin=R, fed=R, chamber=N), method="post",
         data=lambda c: {"to": "suspended", "note": "整改期间暂停"}, label="（其他商会）")
    # --- commitments --------------------------------------------------------------------
    case("commitment_list", lambda c: "/commitments/", statuses(A))
    case("commitment_create", lambda c: f"/commitments/new/?organisation={c.chamber.pk}",
         statuses(F, admin=A, fed=A, chamber=A))
    case("resign_list", lambda c: "/commitments/unsigned/", statuses(A))
    case("commitment_detail", lambda c: f"/commitments/{c.commitment.pk}/", statuses(A, dept=N))
    case("commitment_publish", lambda c: f"/commitments/{c.commitment.pk}/publish/",
         statuses(F, admin=DONE, fed=DONE, chamber=DONE), method="post")
    case("commitment_sign", lambda c: f"/commitments/{c.commitment.pk}/sign/",
         statuses(F, admin=A, fed=A, chamber=A, ent=R))  # ent has signed: back to detail
    case("signature_scan", lambda c: f"/signatures/{c.commitment.signatures.first().pk}/scan/",
         statuses(N))
    # --- imports ------------------------------------------------------------------------
    case("import_list", lambda c: "/imports/", statuses(F, admin=A, fed=A, chamber=A))
    case("import_upload", lambda c: "/imports/new/", statuses(F, admin=A, fed=A, chamber=A))
    case("import_template", lambda c: "/imports/template/?format=xlsx",
         statuses(F, admin=A, fed=A, chamber=A))
    case("import_detail", lambda c: f"/imports/{_job(c)}/", statuses(F, admin=A, fed=A, chamber=A))
    # --- API (anonymous callers get 401, never a redirect) ------------------------------
    # Writes with an empty body answer 422 for every signed-in role: django-ninja checks the
    # request body against the schema before the handler (and its permission check) runs.
    V = {422}
    U = {401}
    api = "/api/v1"
    case("api:api-root", lambda c: f"{api}/", statuses(N, anonymous=N))
    case("api:openapi-json", lambda c: f"{api}/openapi.json", statuses(A, anonymous=A))
    case("api:openapi-view", lambda c: f"{api}/docs", statuses(A, anonymous=A))
    case("api:me", lambda c: f"{api}/me", statuses(A, anonymous=U))
    case("api:list_organisations", lambda c: f"{api}/organisations", statuses(A, anonymous=U))
    case("api:create_organisation", lambda c: f"{api}/organisations",
         statuses(V, anonymous=U), method="post",
         data=lambda c: {})
    case("api:get_organisation", lambda c: f"{api}/organisations/{e0(c)}",
         statuses(A, dept=N, anonymous=U))
    case("api:get_organisation", lambda c: f"{api}/organisations/{c.outsider.pk}",
         statuses(N, admin=A, anonymous=U), label="（外辖区）")
    case("api:update_organisation", lambda c: f"{api}/organisations/{e0(c)}",
         statuses(A, dept=N, auditor=F, anonymous=U), method="patch", data=lambda c: {})
    case("api:list_people", lambda c: f"{api}/people", statuses(A, anonymous=U))
    case("api:create_person", lambda c: f"{api}/people",
         statuses(V, anonymous=U), method="post",
         data=lambda c: {})
    case("api:get_person", lambda c: f"{api}/people/{c.person.pk}", statuses(A, dept=N, anonymous=U))
    case("api:get_person", lambda c: f"{api}/people/{c.outsider_person.pk}",
         statuses(N, admin=A, anonymous=U), label="（外辖区）")
    case("api:update_person", lambda c: f"{api}/people/{c.person.pk}",
         statuses(F, admin=A, fed=A, chamber=A, dept=N, anonymous=U), method="patch",
         data=lambda c: {})
    case("api:list_memberships", lambda c: f"{api}/memberships", statuses(A, anonymous=U))
    case("api:apply_membership", lambda c: f"{api}/memberships",
         statuses(V, anonymous=U),
         method="post", data=lambda c: {})
    case("api:get_membership", lambda c: f"{api}/memberships/{c.memberships[0].pk}",
         statuses(A, dept=N, anonymous=U))
    case("api:transition_membership", lambda c: f"{api}/memberships/{c.memberships[0].pk}/transition",
         statuses(F, admin=A, fed=A, chamber=A, dept=N, anonymous=U), method="post",
         data=lambda c: {"to": "suspended", "note": "整改"})
    case("api:list_commitments", lambda c: f"{api}/commitments", statuses(A, anonymous=U))
    case("api:draft_commitment", lambda c: f"{api}/commitments",
         statuses(V, anonymous=U), method="post",
         data=lambda c: {})
    case("api:get_commitment", lambda c: f"{api}/commitments/{c.commitment.pk}",
         statuses(A, dept=N, anonymous=U))
    case("api:publish_commitment", lambda c: f"{api}/commitments/{c.commitment.pk}/publish",
         statuses(F, admin={422}, fed={422}, chamber={422}, dept=N, anonymous=U), method="post")  # already published
    case("api:list_signatures", lambda c: f"{api}/signatures", statuses(A, anonymous=U))
    case("api:sign_commitment", lambda c: f"{api}/signatures",
         statuses(V, anonymous=U),
         method="post", data=lambda c: {})
