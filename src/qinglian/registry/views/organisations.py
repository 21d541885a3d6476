"""Organisation pages: the searchable list (with .xlsx export), detail, registration and editing.

Reads go through ``queries`` (scoped to the user); writes through ``actions``. An organisation
outside the user's scope answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinglian.core.choices import Role
from qinglian.core.exports import Column, xlsx_response
from qinglian.core.paging import paginate, parse_id
from qinglian.core.permissions import WRITE, has_perm, require, restrict

from .. import actions, industries
from ..choices import ACTIVE_MEMBERSHIP, BODY_KINDS, MembershipStatus, OrganisationKind
from ..forms import CREATABLE_KINDS, OrganisationFilterForm, OrganisationForm
from ..identifiers import IdentifierError, clean_uscc
from ..models import Commitment, Membership, Organisation, Position
from ..queries import access_organisation, list_memberships, list_organisations

RESULTS_TARGET = "org-results"

EXPORT_COLUMNS = [
    Column("名称", lambda o: o.name, 32),
    Column("简称", lambda o: o.short_name, 14),
    Column("类型", lambda o: o.get_kind_display(), 10),
    Column("统一社会信用代码", lambda o: o.uscc or "", 22),
    Column("所属工商联", lambda o: o.federation.name if o.federation else "", 22),
    Column("所在地区", lambda o: o.region_name, 24),
    Column("行政区划代码", lambda o: o.region, 12),
    Column("行业门类", lambda o: industries.SECTIONS.get(o.industry_section, ""), 22),
    Column("行业大类", lambda o: o.industry_name, 26),
    Column("所有制", lambda o: o.get_ownership_display() if o.ownership else "", 10),
    Column("企业规模", lambda o: o.get_size_display() if o.size else "", 8),
    Column("企业标签", lambda o: [t.name for t in o.tags.all()], 26),
    Column("党组织组建方式", lambda o: o.get_party_org_form_display(), 12),
    Column("正式党员人数", lambda o: o.party_member_count, 10),
    Column("成立日期", lambda o: o.established_on, 12),
    Column("从业人数", lambda o: o.employee_count, 10),
    Column("办公电话", lambda o: o.contact_phone, 16),
    Column("地址", lambda o: o.address, 36),
]


def _wants_results_only(request: HttpRequest) -> bool:
    """An htmx search or page change swaps only the results, not the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == RESULTS_TARGET
        and not request.headers.get("HX-History-Restore-Request")
    )


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponseBase:
    """Search by name, USCC or pinyin initials; filter; sort; page; export what is filtered."""
    require(request.user, "registry.view")
    form = OrganisationFilterForm(request.GET, user=request.user)
    filters = form.to_filter()
    organisations = list_organisations(request.user, filters).prefetch_related("tags")
    if request.GET.get("export") == "xlsx":
        require(request.user, "registry.export")
        return xlsx_response("组织名录", "组织名录", EXPORT_COLUMNS,
                             organisations.iterator(chunk_size=2000))
    page = paginate(request, organisations)
    chamber_name = dict(form.fields["chamber"].choices).get(str(filters.chamber), "")  # type: ignore[attr-defined]
    context = {
        "form": form,
        "page_obj": page,
        "order": filters.order,
        "chamber_name": chamber_name if filters.chamber else "",
        "can_create": bool(CREATABLE_KINDS.get(request.user.role))  # type: ignore[union-attr]
        and has_perm(request.user, "registry.change_organisation"),
        "can_export": has_perm(request.user, "registry.export"),
        "results_target": RESULTS_TARGET,
    }
    if _wants_results_only(request):
        context["oob"] = True  # keep the filter form's hidden sort order in step
        return render(request, "registry/partials/organisation_results.html", context)
    return render(request, "registry/organisation_list.html", context)


# --- detail --------------------------------------------------------------------------------


def may_edit(user: Any, org: Organisation) -> bool:
    """Officers edit what their scope lets them change; an enterprise user only its own."""
    if not (has_perm(user, "registry.change_organisation")
            or has_perm(user, "registry.change_own_enterprise")):
        return False
    return restrict(Organisation.objects.filter(pk=org.pk), user, WRITE).exists()


def uscc_status(org: Organisation) -> tuple[bool, str]:
    if not org.uscc:
        return False, ""
    try:
        clean_uscc(org.uscc)
    except IdentifierError as exc:
        return False, str(exc)
    return True, ""


def _positions(user: Any, org: Organisation) -> QuerySet[Position]:
    return (restrict(Position.objects.filter(organisation=org), user)
            .select_related("person").order_by("end_on", "title", "id"))


def _member_counts(user: Any, org: Organisation) -> dict[str, int]:
    counts = restrict(Membership.objects.filter(organisation=org), user).order_by().aggregate(
        active=Count("pk", filter=Q(status__in=[s.value for s in ACTIVE_MEMBERSHIP])),
        applied=Count("pk", filter=Q(status=MembershipStatus.APPLIED)),
    )
    return {"active": counts["active"], "applied": counts["applied"]}


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Particulars, party organisation, people, memberships, commitments and history."""
    require(request.user, "registry.view")
    user = request.user
    org = access_organisation(user, pk)
    uscc_ok, uscc_error = uscc_status(org)
    context: dict[str, Any] = {
        "org": org,
        "uscc_ok": uscc_ok,
        "uscc_error": uscc_error,
        "section_name": industries.SECTIONS.get(org.industry_section, ""),
        "tags": list(org.tags.all()),
        "positions": list(_positions(user, org)),
        "memberships": list(list_memberships(user, member=org.pk)),
        "can_edit": may_edit(user, org),
        "is_body": org.kind in BODY_KINDS,
    }
    if org.is_host:
        context["member_counts"] = _member_counts(user, org)
    if org.kind in BODY_KINDS:
        context["commitments"] = list(
            restrict(Commitment.objects.filter(organisation=org), user).order_by("-version")
        )
    return render(request, "registry/organisation_detail.html", context)


# --- registration and editing --------------------------------------------------------------


def _attach_uscc_check(form: OrganisationForm, org: Organisation | None) -> None:
    """Let the USCC box ask the server as the user types (htmx)."""
    if "uscc" not in form.fields:
        return
    attrs = form.fields["uscc"].widget.attrs
    attrs.update({
        "hx-get": reverse("organisation_check_uscc"),
        "hx-trigger": "keyup changed delay:400ms, change",
        "hx-target": "#uscc-check",
        "hx-swap": "innerHTML",
        "autocomplete": "off",
        "class": attrs.get("class", "") + " ql-mono",
    })
    if org is not None:
        attrs["hx-vals"] = f'{{"pk": "{org.pk}"}}'


def _creatable_kind(request: HttpRequest) -> str:
    kinds = CREATABLE_KINDS.get(request.user.role, ())  # type: ignore[union-attr]
    if not kinds:
        raise PermissionDenied(_("您没有登记组织的权限"))
    kind = request.GET.get("kind") or kinds[0]
    if kind not in OrganisationKind.values:
        raise Http404(_("未知的组织类型"))
    if kind not in kinds:
        raise PermissionDenied(_("您不能登记这一类组织"))
    return kind


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Register an organisation of the chosen kind under the user's federation."""
    require(request.user, "registry.change_organisation")
    kind = _creatable_kind(request)
    user: Any = request.user
    form = OrganisationForm(request.POST or None, kind=kind, user=user)
    _attach_uscc_check(form, None)
    if request.method == "POST" and form.is_valid():
        fields, tags = form.action_fields()
        try:
            org = actions.do_create_organisation(actor=user, kind=kind, tags=tags, **fields)
        except ValidationError as exc:
            form.put_errors(exc)
        else:
            return _after_create(request, org)
    return render(request, "registry/organisation_form.html", {
        "form": form, "kind": kind, "kind_label": OrganisationKind(kind).label,
        "kinds": [(k, OrganisationKind(k).label) for k in CREATABLE_KINDS.get(user.role, ())],
        "org": None,
    })


def _after_create(request: HttpRequest, org: Organisation) -> HttpResponse:
    visible = restrict(Organisation.objects.filter(pk=org.pk), request.user).exists()
    if visible:
        messages.success(request, _("已登记：%(name)s") % {"name": org.name})
        return redirect("organisation_detail", pk=org.pk)
    # A chamber registers an enterprise so that it can apply to join; until then it is
    # outside the chamber's scope, so the next step is the application.
    messages.success(request, _("已登记：%(name)s。请为其办理入会申请。") % {"name": org.name})
    return redirect(reverse("membership_apply") + f"?member={org.pk}")


def _require_edit_permission(user: Any) -> None:
    if user.role == Role.ENTERPRISE_USER:
        require(user, "registry.change_own_enterprise")
    else:
        require(user, "registry.change_organisation")


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an organisation's particulars; the kind never changes."""
    user: Any = request.user
    _require_edit_permission(user)
    org = access_organisation(user, pk, WRITE)
    form = OrganisationForm(request.POST or None, kind=org.kind, user=user, instance=org)
    _attach_uscc_check(form, org)
    if request.method == "POST" and form.is_valid():
        fields, tags = form.action_fields()
        try:
            actions.do_update_organisation(org, actor=user, tags=tags, **fields)
        except ValidationError as exc:
            form.put_errors(exc)
        else:
            messages.success(request, _("已保存：%(name)s") % {"name": org.name})
            return redirect("organisation_detail", pk=org.pk)
    return render(request, "registry/organisation_form.html", {
        "form": form, "kind": org.kind, "kind_label": org.get_kind_display(), "kinds": [],
        "org": org,
    })


@login_required
@require_GET
def organisation_check_uscc(request: HttpRequest) -> HttpResponse:
    """Inline USCC check while typing: format and check character, and whether it is taken."""
    user: Any = request.user
    if not (has_perm(user, "registry.change_organisation")
            or has_perm(user, "registry.change_own_enterprise")):
        raise PermissionDenied(_("您没有登记组织的权限"))
    value = request.GET.get("uscc", "").strip()
    context: dict[str, Any] = {"value": value, "code": "", "error": "", "taken": False}
    if value:
        try:
            context["code"] = clean_uscc(value)
        except IdentifierError as exc:
            context["error"] = str(exc)
        else:
            taken = Organisation.objects.filter(uscc=context["code"])
            own_pk = parse_id(request.GET.get("pk"))
            if own_pk is not None:
                taken = taken.exclude(pk=own_pk)
            context["taken"] = taken.exists()
    return render(request, "registry/partials/organisation_uscc_check.html", context)


urlpatterns: list[URLPattern] = [
    path("organisations/", organisation_list, name="organisation_list"),
    path("organisations/new/", organisation_create, name="organisation_create"),
    path("organisations/check-uscc/", organisation_check_uscc, name="organisation_check_uscc"),
    path("organisations/<int:pk>/", organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisation_edit, name="organisation_edit"),
]
